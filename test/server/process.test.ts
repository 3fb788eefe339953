import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/index.js';
import { PlacementService } from '../../src/server/gen/capmatch/v1/placement_pb.js';
import { DiscoveryService } from '../../src/server/gen/coreweave/sandbox/v1beta2/discovery_pb.js';

/** `capmatch serve` from the built CLI, as an operator starts it. */
const CLI = join(import.meta.dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'capmatch-serve-'));
const fleetPath = join(dir, 'fleet.json');
writeFileSync(fleetPath, JSON.stringify(generateFleet({ runners: 120, seed: 8 })));

/** Starts the server and resolves with its URL once it prints that it listens. */
function start(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /capmatch listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exited, output: () => ({ out, err }) };
}

describe('capmatch serve as a process', () => {
  it('listens on a free port, answers, and on SIGTERM finishes and exits 0', async () => {
    const server = start(['--fleet', fleetPath, '--port', '0', '--log']);
    const url = await server.url;
    const client = createClient(DiscoveryService, createGrpcTransport({ baseUrl: url }));
    expect((await client.listAvailableRunners({ pageSize: 1000 })).runners).toHaveLength(120);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const { err } = server.output();
    expect(err).toContain('the server is open to anyone');
    expect(err).toMatch(/"method":"coreweave.sandbox.v1beta2.DiscoveryService\/ListAvailableRunners","code":"OK"/);
  });

  it('with --state-file, leases survive a restart; a damaged state file exits 2 and loads nothing', async () => {
    const state = join(dir, 'state.json');
    const first = start(['--fleet', fleetPath, '--port', '0', '--state-file', state, '--state-interval', '1']);
    const url = await first.url;
    const placement = createClient(PlacementService, createGrpcTransport({ baseUrl: url }));
    const lease = (await placement.reserve({ request: { cpuMillicores: 1000n }, sandboxId: 'kept', ttl: { seconds: 3600n, nanos: 0 } })).result.value as { leaseId: string; runnerId: string };
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = start(['--state-file', state, '--port', '0']);
    const again = createClient(PlacementService, createGrpcTransport({ baseUrl: await second.url }));
    // The lease is there: the same sandbox gets the same lease back, and it can be released.
    const same = (await again.reserve({ request: { cpuMillicores: 1000n }, sandboxId: 'kept' })).result.value as { leaseId: string; runnerId: string };
    expect([same.leaseId, same.runnerId]).toEqual([lease.leaseId, lease.runnerId]);
    await again.release({ leaseId: lease.leaseId });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output().err).toContain("restored 120 runners and 1 leases from");
    writeFileSync(state, readFileSync(state, 'utf8').slice(0, 200));
    const damaged = spawnSync(process.execPath, [CLI, 'serve', '--state-file', state, '--port', '0'], { encoding: 'utf8' });
    expect(damaged.status).toBe(2);
    expect(damaged.stderr).toMatch(/state file '.*state\.json' is damaged .*nothing was loaded/);
  });

  it('--auth-token-file guards every call but health; SIGHUP re-reads the file', async () => {
    const tokens = join(dir, 'tokens.txt');
    writeFileSync(tokens, '# operators\nfirst-token\n');
    const server = start(['--fleet', fleetPath, '--port', '0', '--auth-token-file', tokens]);
    const url = await server.url;
    const withToken = (token: string) =>
      createClient(DiscoveryService, createGrpcTransport({ baseUrl: url, interceptors: [(next) => (req) => (req.header.set('authorization', `Bearer ${token}`), next(req))] }));
    const code = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as { code?: number }).code;
    expect(await code(createClient(DiscoveryService, createGrpcTransport({ baseUrl: url })).getAvailableRunner({ runnerId: 'runner-001' }))).toBe(16);
    expect((await withToken('first-token').getAvailableRunner({ runnerId: 'runner-001' })).runnerId).toBe('runner-001');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    writeFileSync(tokens, 'second-token\n');
    server.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect(await code(withToken('first-token').getAvailableRunner({ runnerId: 'runner-001' }))).toBe(16);
    expect((await withToken('second-token').getAvailableRunner({ runnerId: 'runner-001' })).runnerId).toBe('runner-001');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output().err).toContain('SIGHUP: 1 tokens read from');
    expect(server.output().err).not.toContain('open to anyone');
  });

  it('a bad fleet file exits 2 naming the file and field; a port in use exits 2 naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ runners: [{ runnerId: 'r', runnerGroupId: 'g', healthy: 'yes', connectedAt: '2026-01-01T00:00:00Z' }] }));
    const r = spawnSync(process.execPath, [CLI, 'serve', '--fleet', bad, '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.json' has 1 problem:\n {2}runners\[0\]\.healthy/);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = spawnSync(process.execPath, [CLI, 'serve', '--fleet', fleetPath, '--port', String(port)], { encoding: 'utf8' });
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      blocker.close();
    }
  });
});
