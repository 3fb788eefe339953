import { parseArgs } from 'node:util';
import { DiscoveryError, DiscoveryValidationError } from '../errors.js';
import { COMMANDS, type Io, type Values } from './commands.js';
import { describeViolations, UsageError } from './io.js';

const HELP = `capmatch — placement and capacity matching for sandbox fleets

Usage: capmatch <command> [options]    (capmatch <command> --help for its options)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Quantities accept Kubernetes forms: 500m, 2, 1.5 (CPU); 512Mi, 16Gi, 1e9 (memory).
Bad input exits with status 2 and one message naming the file, line or field.`;

/**
 * Runs the CLI with `argv` (without `node` and the script). Returns the exit status:
 * 0 done, 2 bad input (usage, files, validation), 1 anything unexpected.
 */
export function main(argv: readonly string[], io: Io): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`capmatch: unknown command ${JSON.stringify(name)}\n\n${HELP}\n`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${command.usage}\n`);
      return 0;
    }
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}\n\n${command.usage}`);
    }
    if (name !== 'generate' && parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}\n\n${command.usage}`);
    command.run(parsed.values, parsed.positionals, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`capmatch ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof DiscoveryValidationError) {
      io.err(`capmatch ${name}: invalid input:\n${describeViolations(e)}\n`);
      return 2;
    }
    if (e instanceof DiscoveryError) {
      io.err(`capmatch ${name}: ${e.message}\n`);
      return 2;
    }
    io.err(`capmatch ${name}: unexpected error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.CAPMATCH_DEBUG) io.err(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}
