import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTrace, generateFleet, generateTrace, parseTrace, simulate } from '../../src/index.js';

/** The built CLI run as a process, as a user or a script runs it. */
const CLI = join(import.meta.dirname, '../../dist/cli.js');

function cli(args: readonly string[], options: { input?: string; shell?: string } = {}) {
  const r = options.shell
    ? spawnSync('bash', ['-c', options.shell], { input: options.input, encoding: 'utf8' })
    : spawnSync(process.execPath, [CLI, ...args], { input: options.input, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'capmatch-process-'));
const fleet = generateFleet({ runners: 30, seed: 5 });
const fleetText = JSON.stringify(fleet);
const fleetPath = join(dir, 'fleet.json');
writeFileSync(fleetPath, fleetText);
const tracePath = join(dir, 'trace.jsonl');
writeFileSync(tracePath, formatTrace(generateTrace({ fleet, seed: 6, events: 300 })));

describe('capmatch as a process', () => {
  it('--version and -V print the package version; no arguments print help and exit 0', () => {
    const version = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) expect(cli([flag])).toMatchObject({ status: 0, out: `capmatch ${version}\n` });
    const help = cli([]);
    expect(help.status).toBe(0);
    expect(help.out).toContain('Exit status:');
    expect(cli(['nonsense']).status).toBe(2);
  });

  it('exit codes: 0 placed, 1 nothing fits, 2 bad input', () => {
    expect(cli(['place', '--fleet', fleetPath, '--cpu', '1']).status).toBe(0);
    const no = cli(['place', '--fleet', fleetPath, '--gpu', '64']);
    expect(no.status).toBe(1);
    expect(no.out).toContain('no runner fits');
    expect(cli(['place', '--fleet', fleetPath, '--cpu', 'lots']).status).toBe(2);
  });

  it('runner and profile get commands: found 0, not found 1 naming what was asked', () => {
    const id = fleet.runners[3]?.runnerId as string;
    const found = cli(['runner', id, '--fleet', fleetPath, '--json']);
    expect(found.status).toBe(0);
    expect((JSON.parse(found.out) as { runnerId: string }).runnerId).toBe(id);
    const missing = cli(['runner', 'runner-99x', '--fleet', fleetPath]);
    expect(missing.status).toBe(1);
    expect(missing.err).toContain("no runner 'runner-99x'");
    const p = fleet.profiles[0];
    const profile = cli(['profile', p?.profileName as string, '--runner', p?.runnerId as string, '--fleet', fleetPath]);
    expect(profile.status).toBe(0);
    expect(profile.out).toContain(p?.profileName as string);
    const nope = cli(['profile', 'gpu-inferense', '--fleet', fleetPath]);
    expect(nope.status).toBe(1);
    expect(nope.err).toContain("no profile 'gpu-inferense' on any runner; did you mean 'gpu-inference'?");
    const elsewhere = cli(['profile', 'gpu-inference', '--runner', 'runner-nope', '--fleet', fleetPath]);
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.err).toContain("no profile 'gpu-inference' on runner 'runner-nope'");
  });

  it('--fleet - and --trace - read standard input', () => {
    const listed = cli(['runners', '--fleet', '-', '--json'], { input: fleetText });
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.out) as unknown[]).length).toBe(30);
    const simulated = cli(['simulate', '--fleet', fleetPath, '--trace', '-', '--strategy', 'firstFit'], { input: readFileSync(tracePath, 'utf8') });
    expect(simulated.status).toBe(0);
    expect(simulated.out).toContain('firstFit');
  });

  it('negative numbers and out-of-range numbers get one line naming the flag', () => {
    const negative = cli(['runners', '--fleet', fleetPath, '--min-cpu', '-5']);
    expect(negative).toMatchObject({ status: 2 });
    expect(negative.err.trim()).toBe('capmatch runners: --min-cpu must be ≥ 0, got -5');
    const huge = cli(['simulate', '--fleet', fleetPath, '--trace', tracePath, '--samples', '99999999999']);
    expect(huge.status).toBe(2);
    expect(huge.err).toContain('--samples must be from 1 to 100,000');
    expect(cli(['generate', 'fleet', '--runners', '10000000000']).status).toBe(2);
    const memory = cli(['place', '--fleet', fleetPath, '--memory', '8Ei']);
    expect(memory.err).toContain('too large');
  });

  it('simulate runs its strategies on worker threads; the result is the sequential one, byte for byte', () => {
    const r = cli(['simulate', '--fleet', fleetPath, '--trace', tracePath, '--json', '--samples', '30']);
    expect(r.status).toBe(0);
    const sequential = simulate({ snapshot: fleet, trace: parseTrace(readFileSync(tracePath, 'utf8')), samples: 30 });
    expect(r.out).toBe(`${JSON.stringify(sequential)}\n`);
  });

  it('simulate checks its options before it starts', () => {
    for (const [args, message] of [
      [['--strategy', ''], /--strategy is empty/],
      [['--strategy', 'spread,spread'], /lists spread twice/],
      [['--report', join(dir, 'no-such-folder', 'r.html')], /does not exist/],
      [['--report', tracePath], /would overwrite the input file/],
    ] as const) {
      const r = cli(['simulate', '--fleet', fleetPath, '--trace', tracePath, ...args]);
      expect(r.status).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
    expect(cli(['simulate', '--example', '--fleet', fleetPath]).err).toMatch(/--example replaces --fleet/);
  });

  it('writes are atomic: a write cut short by a file size limit leaves the old file whole', () => {
    const keep = join(dir, 'keep.json');
    writeFileSync(keep, 'the old content\n');
    const r = cli([], { shell: `ulimit -f 20; exec "${process.execPath}" "${CLI}" generate fleet --runners 3000 --out "${keep}"` });
    expect(r.status).not.toBe(0);
    expect(readFileSync(keep, 'utf8')).toBe('the old content\n');
    expect(cli(['generate', 'fleet', '--runners', '5', '--out', keep]).status).toBe(0);
    expect((JSON.parse(readFileSync(keep, 'utf8')) as { runners: unknown[] }).runners).toHaveLength(5);
  });

  it('control characters in ids and file bytes never reach the terminal raw', () => {
    const evil = { runners: [{ ...fleet.runners[0], runnerId: 'r\u001b[31mred\u001b]0;title\u0007' }], profiles: [] };
    const path = join(dir, 'evil.json');
    writeFileSync(path, JSON.stringify(evil));
    for (const args of [['runners', '--fleet', path], ['runners', '--fleet', path, '--json'], ['runner', 'x\u001b[2J', '--fleet', path]]) {
      const r = cli(args);
      expect(r.out + r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"runners": [\u001b]0;owned\u0007');
    const r = cli(['runners', '--fleet', broken]);
    expect(r.status).toBe(2);
    expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('a rejection names close known values', () => {
    const r = cli(['place', '--fleet', fleetPath, '--gpu', '1', '--gpu-type', 'h100']);
    expect(r.status).toBe(1);
    expect(r.out).toContain("hint: no runner has a GPU type 'h100'; did you mean 'H100'?");
    const p = cli(['place', '--fleet', fleetPath, '--profile', 'nonexistent']);
    expect(p.out).toContain("hint: no runner has a profile named 'nonexistent'; known:");
  });
});
