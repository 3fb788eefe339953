import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { formatTrace, generateFleet, generateTrace } from '../../src/index.js';

function run(...argv: string[]) {
  let out = '';
  let err = '';
  const status = main(argv, { out: (t) => (out += t), err: (t) => (err += t), interactive: false });
  return { status, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'capmatch-cli-'));
const fleet = generateFleet({ runners: 40, seed: 3 });
const fleetPath = join(dir, 'fleet.json');
writeFileSync(fleetPath, JSON.stringify(fleet));
const tracePath = join(dir, 'trace.jsonl');
writeFileSync(tracePath, formatTrace(generateTrace({ fleet, seed: 4, events: 800 })));

describe('capmatch CLI', () => {
  it('runners: an aligned table with formatted units, filters applied', () => {
    const { status, out } = run('runners', '--fleet', fleetPath, '--gpu-type', 'H100', '--min-memory', '64Gi');
    expect(status).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^RUNNER\s+GROUP\s+HEALTHY\s+GPU\s+ARCH\s+CPU FREE\s+MEMORY FREE\s+GPU FREE\s+PROFILES$/);
    const expected = fleet.runners.filter((r) => r.supportedGpuTypes.includes('H100') && (r.resources?.availableMemoryBytes ?? -1) >= 64 * 2 ** 30);
    expect(lines.at(-1)).toBe(`${expected.length} of 40 runners match`);
    expect(lines[1]).toContain(' vCPU');
    expect(lines[1]).toMatch(/(GiB|TiB)/);
  });

  it('runners --json prints the discovery result', () => {
    const { status, out } = run('runners', '--fleet', fleetPath, '--arch', 'arm64', '--json');
    expect(status).toBe(0);
    const list = JSON.parse(out) as Array<{ runnerId: string }>;
    expect(list.map((r) => r.runnerId)).toEqual(fleet.runners.filter((r) => r.supportedArchitectures.includes('arm64')).map((r) => r.runnerId));
  });

  it('profiles lists matching profiles', () => {
    const { status, out } = run('profiles', '--fleet', fleetPath, '--egress', 'internet');
    expect(status).toBe(0);
    expect(out).toContain(`${fleet.profiles.filter((p) => p.egressModes.includes('internet')).length} profiles match`);
  });

  it('place: the choice and its score, or the full explanation', () => {
    const ok = run('place', '--fleet', fleetPath, '--cpu', '1', '--memory', '2Gi', '--strategy', 'binpack', '--top', '3');
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/^placed on runner-\d+ with profile \S+ \(binpack score \d+\.\d\d \/ 100\)/);
    const no = run('place', '--fleet', fleetPath, '--cpu', '2', '--memory', '8Gi', '--gpu', '64', '--gpu-type', 'H100');
    expect(no.status).toBe(1);
    expect(no.out).toMatch(/^no runner fits \(NO_SUITABLE_RUNNER\): 0\/40 runners fit: \d+ insufficient gpu/);
    expect(no.out).toContain('nearest misses:');
  });

  it('simulate: a comparison table, and a report file', () => {
    const report = join(dir, 'report.html');
    const { status, out, err } = run('simulate', '--fleet', fleetPath, '--trace', tracePath, '--strategy', 'spread,binpack', '--report', report);
    expect(status).toBe(0);
    expect(out).toMatch(/STRATEGY\s+PLACED\s+REJECTED\s+ACCEPTANCE/);
    expect(out).toMatch(/\nspread\s+\d+/);
    expect(out).toMatch(/\nbinpack\s+\d+/);
    expect(err).toContain(`report written to ${report}`);
    expect(readFileSync(report, 'utf8')).toContain('<svg');
  });

  it('generate writes seeded fleets and traces', () => {
    const a = run('generate', 'fleet', '--runners', '5', '--seed', '9');
    expect(a.status).toBe(0);
    expect(JSON.parse(a.out)).toEqual(JSON.parse(JSON.stringify(generateFleet({ runners: 5, seed: 9 }))));
    const t = run('generate', 'trace', '--fleet', fleetPath, '--events', '50', '--seed', '2');
    expect(t.status).toBe(0);
    expect(t.out.trim().split('\n')).toHaveLength(50);
  });

  it('--help works on every command', () => {
    expect(run('--help').status).toBe(0);
    for (const name of Object.keys(COMMANDS)) {
      const { status, out } = run(name, '--help');
      expect(status).toBe(0);
      expect(out).toContain(`capmatch ${name}`);
    }
  });

  describe('bad input: one clear message, exit status 2, no stack trace', () => {
    const bad = (path: string, text: string) => {
      const p = join(dir, path);
      writeFileSync(p, text);
      return p;
    };
    it.each([
      [['runners', '--fleet', join(dir, 'missing.json')], /cannot read fleet file '.*missing\.json': no such file/],
      [['runners', '--fleet', bad('broken.json', '{"runners": [')], /fleet file '.*broken\.json' is not valid JSON/],
      [['runners', '--fleet', bad('invalid.json', '{"runners":[{"runnerId":"a","runnerGroupId":"g","healthy":"yes","connectedAt":"2026-01-01T00:00:00Z"}]}')], /has 1 problem:\n {2}runners\[0\]\.healthy: must be a boolean/],
      [['simulate', '--fleet', fleetPath, '--trace', bad('bad.jsonl', '{"type":"arrival","time":1,"sandboxId":"a","request":{"cpuMillicores":1,"memoryBytes":0,"gpuCount":0}}\n{"type":"departure","time":2,"sandboxId":"zz"}\n')], /bad\.jsonl:2 sandboxId: departure of unknown sandbox "zz"/],
      [['simulate', '--fleet', fleetPath, '--trace', bad('ghost.jsonl', '\n{"type":"runnerLeave","time":1,"runnerId":"ghost"}\n')], /ghost\.jsonl:2 runnerId: runnerLeave of unknown runner "ghost"/],
      [['simulate', '--fleet', fleetPath, '--trace', tracePath, '--strategy', 'random'], /unknown strategy "random"/],
      [['place', '--fleet', fleetPath, '--cpu', 'lots'], /--cpu: "lots" is not a quantity/],
      [['place', '--fleet', fleetPath, '--cpu', '1', '--gpu-type', ' '], /gpuType: must not be blank/],
      [['runners', '--fleet', fleetPath, '--colour', 'red'], /Unknown option '--colour'/],
      [['runners'], /--fleet <file.json> is required/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ])('%j', (argv, message) => {
      const { status, err, out } = run(...(argv as string[]));
      expect(status).toBe(2);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
      expect(out).toBe('');
    });
  });
});

describe('CLI details', () => {
  it('the version printed is package.json’s', async () => {
    const { VERSION } = await import('../../src/cli/version.js');
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('tables fit the terminal width', () => {
    let out = '';
    const status = main(['runners', '--fleet', fleetPath], { out: (t) => (out += t), err: () => undefined, interactive: false, columns: 80 });
    expect(status).toBe(0);
    for (const line of out.trim().split('\n').slice(0, -1)) expect(line.length).toBeLessThanOrEqual(80);
    expect(out).toContain('…');
  });

  it('the progress bar names the strategy, shows the time left and fits the width', () => {
    let progress = '';
    const longTrace = join(dir, 'long.jsonl');
    writeFileSync(longTrace, formatTrace(generateTrace({ fleet, seed: 9, events: 26_000 })));
    const status = main(['simulate', '--fleet', fleetPath, '--trace', longTrace, '--strategy', 'spread,binpack', '--samples', '5'], {
      out: () => undefined,
      err: () => undefined,
      progress: (t: string) => (progress += t),
      interactive: true,
      columns: 50,
    } as never);
    expect(status).toBe(0);
    expect(progress).toMatch(/simulating spread, binpack +\d+% \d+s left/);
    for (const frame of progress.split('\r').filter((f) => f.includes('simulating'))) expect(frame.replace('\x1b[2K', '').length).toBeLessThanOrEqual(50);
  });

  it('JSON.stringify(catalog) writes its snapshot', async () => {
    const { Catalog } = await import('../../src/index.js');
    const c = Catalog.fromSnapshot(fleet);
    expect(JSON.parse(JSON.stringify(c))).toEqual(JSON.parse(JSON.stringify(c.toSnapshot())));
  });
});
