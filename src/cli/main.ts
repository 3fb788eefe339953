import { parseArgs } from 'node:util';
import { DiscoveryError, DiscoveryValidationError } from '../errors.js';
import { COMMANDS, EXIT, type Io, type Values } from './commands.js';
import { describeViolations, printable, UsageError } from './io.js';
import { VERSION } from './version.js';

const HELP = `capmatch — placement and capacity matching for sandbox fleets

Usage: capmatch <command> [options]    (capmatch <command> --help for its options)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Options: --help, -h   this help;  --version, -V   the version

Quantities accept Kubernetes forms: 500m, 2, 1.5 (CPU); 512Mi, 16Gi, 1e9 (memory).
A file argument of - reads standard input.

Exit status:
  0  done (placed, listed, found, written)
  1  nothing matched: place could not place; runner or profile not found
  2  bad input: usage, a file, a field (one message naming it)
  3  an unexpected internal error (CAPMATCH_DEBUG=1 prints its stack)`;

/**
 * Runs the CLI with `argv` (without `node` and the script). Returns the exit status (see
 * `HELP`). Everything written goes through {@link printable}: ids and file bytes cannot
 * drive the terminal.
 */
export function main(argv: readonly string[], rawIo: Io): number | Promise<number> {
  const io: Io = { ...rawIo, out: (t) => rawIo.out(printable(t)), err: (t) => rawIo.err(printable(t)), progress: rawIo.progress ?? ((t) => rawIo.err(t)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${HELP}\n`);
    return EXIT.done;
  }
  if (name === '--version' || name === '-V') {
    io.out(`capmatch ${VERSION}\n`);
    return EXIT.done;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`capmatch: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')}; capmatch --help)\n`);
    return EXIT.badInput;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${command.usage}\n`);
      return EXIT.done;
    }
    refuseNegativeNumbers(rest, command.options);
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '')} (capmatch ${name} --help)`);
    }
    const allowed = command.positionals ?? 0;
    if (parsed.positionals.length > allowed) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[allowed])} (capmatch ${name} --help)`);
    const status = command.run(parsed.values, parsed.positionals, io);
    return typeof status === 'number' ? status : status.catch((e: unknown) => failed(name, e, io));
  } catch (e) {
    return failed(name, e, io);
  }
}

/** The one message and exit status of a command that failed. */
function failed(name: string, e: unknown, io: Io): number {
  if (e instanceof UsageError) {
    io.err(`capmatch ${name}: ${e.message}\n`);
    return EXIT.badInput;
  }
  if (e instanceof DiscoveryValidationError) {
    io.err(`capmatch ${name}: invalid input:\n${describeViolations(e)}\n`);
    return EXIT.badInput;
  }
  if (e instanceof DiscoveryError) {
    io.err(`capmatch ${name}: ${e.message}\n`);
    return EXIT.badInput;
  }
  io.err(`capmatch ${name}: unexpected error: ${(e as Error).message ?? String(e)}\n`);
  if (process.env.CAPMATCH_DEBUG) io.err(`${(e as Error).stack ?? ''}\n`);
  return EXIT.internal;
}

/**
 * A negative number after an option that takes a value reads to Node's parser as another
 * option ("argument is ambiguous"); every numeric option here is non-negative, so say that.
 */
function refuseNegativeNumbers(args: readonly string[], options: Readonly<Record<string, { type: string }>>): void {
  for (let i = 0; i + 1 < args.length; i++) {
    const m = /^--([^=]+)$/.exec(args[i] as string);
    const next = args[i + 1] as string;
    if (m && options[m[1] as string]?.type === 'string' && /^-(\d|\.\d)/.test(next)) {
      throw new UsageError(`--${m[1]} must be ≥ 0, got ${next}`);
    }
    const eq = /^--([^=]+)=(-(\d|\.\d).*)$/.exec(args[i] as string);
    if (eq && options[eq[1] as string]?.type === 'string') throw new UsageError(`--${eq[1]} must be ≥ 0, got ${eq[2]}`);
  }
  const last = /^--([^=]+)=(-(\d|\.\d).*)$/.exec(args.at(-1) ?? '');
  if (last && options[last[1] as string]?.type === 'string') throw new UsageError(`--${last[1]} must be ≥ 0, got ${last[2]}`);
}
