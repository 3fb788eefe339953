import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Catalog, generateFleet } from 'capmatch';
import { DiscoveryService, RunnerView } from 'capmatch/server';
import { median, type Row } from './run.js';

/**
 * The discovery service on the wire, loopback only: `capmatch serve` in a child process (as
 * deployed), a gRPC client here. Every loop is bounded in time. Figures beside the same query
 * in-process, so the ratio is the server's overhead.
 */
export async function serveCases(): Promise<Row[]> {
  const rows: Row[] = [];
  const runners = 10_000;
  const fleet = generateFleet({ runners, seed: 20261128 });
  const dir = mkdtempSync(join(tmpdir(), 'capmatch-bench-serve-'));
  const fleetPath = join(dir, 'fleet.json');
  writeFileSync(fleetPath, JSON.stringify(fleet));
  const child = spawn(process.execPath, [new URL('../dist/cli.js', import.meta.url).pathname, 'serve', '--fleet', fleetPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const catalog = Catalog.fromSnapshot(fleet);
    const size = `${runners.toLocaleString('en')} runners`;
    const ids = fleet.runners.map((r) => r.runnerId);

    // A whole FULL listing in pages of 100, as the reference client lists.
    const client = createClient(DiscoveryService, createGrpcTransport({ baseUrl: url }));
    const listing = async () => {
      let token = '';
      let n = 0;
      do {
        const res = await client.listAvailableRunners({ pageSize: 100, view: RunnerView.FULL, pageToken: token });
        n += res.runners.length;
        token = res.nextPageToken;
      } while (token !== '');
      if (n !== runners) throw new Error(`listed ${n}`);
    };
    const inProcessListing = () => {
      let after: string | undefined;
      for (;;) {
        const page = catalog.listRunners({ includeResources: true }, { after, limit: 100 });
        if (page.length < 100) return;
        after = page[page.length - 1]?.runnerId;
      }
    };
    const listUs = await timed(listing, 5);
    const inProcessUs = await median(inProcessListing, 1, 400);
    rows.push({ group: 'serve', case: 'full FULL listing, pages of 100, one connection (Connect-ES gRPC client)', size, capmatchUs: listUs, note: `${(listUs / 1000).toFixed(0)} ms for 100 pages; the same pages in-process: ${(inProcessUs / 1000).toFixed(2)} ms (server overhead ×${(listUs / inProcessUs).toFixed(0)})` });
    const freshListing = async () => {
      let token = '';
      do {
        const c = createClient(DiscoveryService, createGrpcTransport({ baseUrl: url }));
        const res = await c.listAvailableRunners({ pageSize: 100, view: RunnerView.FULL, pageToken: token });
        token = res.nextPageToken;
      } while (token !== '');
    };
    rows.push({ group: 'serve', case: 'full FULL listing, a new connection per page (as the reference client)', size, capmatchUs: await timed(freshListing, 5), note: 'Connect-ES gRPC client' });

    // GetAvailableRunner under concurrent streams on one connection: through a lean HTTP/2
    // gRPC client (the server's capacity; the client shares the 2 cores), and through the
    // Connect-ES client (whose own cost per call is the larger part).
    const inProcessGet = await median(() => catalog.getRunner(ids[(Math.random() * runners) | 0] as string), 1, 300);
    const sample = ids.slice(0, 500);
    for (const streams of [1, 16, 64]) {
      const r = await leanLoad(url, streams, 2000, sample);
      rows.push({ group: 'serve', case: `GetAvailableRunner, ${streams} concurrent stream${streams === 1 ? '' : 's'}, one connection (lean gRPC client)`, size, capmatchUs: 1e6 / r.perSecond, note: `${Math.round(r.perSecond).toLocaleString('en')} calls/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; in-process getRunner ${inProcessGet.toFixed(2)} µs` });
    }
    for (const streams of [1, 64]) {
      const r = await load(streams, 2000, async () => {
        await client.getAvailableRunner({ runnerId: ids[(Math.random() * runners) | 0] as string, view: RunnerView.FULL });
      });
      rows.push({ group: 'serve', case: `GetAvailableRunner, ${streams} concurrent stream${streams === 1 ? '' : 's'}, one connection (Connect-ES client)`, size, capmatchUs: 1e6 / r.perSecond, note: `${Math.round(r.perSecond).toLocaleString('en')} calls/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms` });
    }
    const fresh = await load(1, 2000, async () => {
      const c = createClient(DiscoveryService, createGrpcTransport({ baseUrl: url }));
      await c.getAvailableRunner({ runnerId: ids[(Math.random() * runners) | 0] as string, view: RunnerView.FULL });
    });
    rows.push({ group: 'serve', case: 'GetAvailableRunner, a new connection per call (Connect-ES client)', size, capmatchUs: 1e6 / fresh.perSecond, note: `${Math.round(fresh.perSecond).toLocaleString('en')} calls/s, p50 ${fresh.p50.toFixed(2)} ms, p99 ${fresh.p99.toFixed(2)} ms` });
  } finally {
    child.kill('SIGTERM');
  }
  return rows;
}

/** Runs `bench/lean-grpc-load.mjs` in its own process: the server's capacity, not this process's. */
function leanLoad(url: string, streams: number, ms: number, ids: readonly string[]): Promise<{ perSecond: number; p50: number; p99: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./lean-grpc-load.mjs', import.meta.url).pathname, url, String(streams), String(ms), ...ids], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { perSecond: number; p50: number; p99: number }) : reject(new Error(`load generator exited ${code}`))));
  });
}

/** Median µs of `runs` sequential runs of `f` (after one warm-up). */
async function timed(f: () => Promise<void>, runs: number): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] as number;
}

/** `workers` loops calling `f` for `ms` (after a short warm-up): throughput and latency percentiles. */
async function load(workers: number, ms: number, f: () => Promise<void>): Promise<{ perSecond: number; p50: number; p99: number }> {
  const warm = performance.now() + 300;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < warm) await f();
  }));
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await f();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
  return { perSecond: latencies.length / (elapsed / 1000), p50: at(0.5), p99: at(0.99) };
}
