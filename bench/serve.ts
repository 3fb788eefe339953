import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Catalog, generateFleet, generateRequests, type SandboxRequest, type Snapshot } from 'capmatch';
import { DiscoveryService, GetAvailableRunnerRequestSchema, PlaceRequestSchema, PlacementService, RunnerView, SandboxRequestSchema } from 'capmatch/server';
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
    const url = await listeningUrl(child);
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
    // The machine's ceiling: a bare HTTP/2 server answering a fixed message, same client.
    const echo = spawn(process.execPath, [new URL('./http2-echo.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const echoUrl = await listeningUrl(echo);
      const ceiling = await leanLoad(echoUrl, 64, 2000, ['unary', '/echo', LEAN_FRAME]);
      rows.push({ group: 'serve', case: 'ceiling: bare Node HTTP/2 server, fixed reply, 64 streams (lean gRPC client)', size: '-', capmatchUs: 1e6 / ceiling.perSecond, note: `${Math.round(ceiling.perSecond).toLocaleString('en')} calls/s, p50 ${ceiling.p50.toFixed(2)} ms, p99 ${ceiling.p99.toFixed(2)} ms` });
    } finally {
      echo.kill('SIGTERM');
    }
    const sample = ids.slice(0, 500).map((id) => frameOf(toBinary(GetAvailableRunnerRequestSchema, create(GetAvailableRunnerRequestSchema, { runnerId: id, view: RunnerView.FULL }))));
    for (const streams of [1, 16, 64]) {
      const r = await leanLoad(url, streams, 2000, ['unary', '/coreweave.sandbox.v1beta2.DiscoveryService/GetAvailableRunner', ...sample]);
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
    await placementCases(url, fleet, rows);
  } finally {
    child.kill('SIGTERM');
  }
  return rows;
}

/**
 * The placement service at 10,000 runners: Place and Reserve+Release pairs under 64 concurrent
 * streams (the lean client in its own process), ApplyChanges of one setResources while
 * placements run, and one batch's fan-out to 16 watchers. Beside in-process `place`.
 */
async function placementCases(url: string, fleet: Snapshot, rows: Row[]): Promise<void> {
  const size = `${fleet.runners.length.toLocaleString('en')} runners`;
  const catalog = Catalog.fromSnapshot(fleet);
  const mix = generateRequests({ count: 500, seed: 99 });
  const wire = mix.map((q) => toBinary(SandboxRequestSchema, create(SandboxRequestSchema, wireRequest(q))));
  let i = 0;
  const inProcess = await median(() => catalog.place(mix[i++ % mix.length] as SandboxRequest), 1, 400);
  const place = await leanLoad(url, 64, 3000, ['unary', '/capmatch.v1.PlacementService/Place', ...wire.map((w) => frameOf(toBinary(PlaceRequestSchema, create(PlaceRequestSchema, { request: fromBinary(SandboxRequestSchema, w) }))))]);
  rows.push({ group: 'serve', case: 'Place, request mix, 64 concurrent streams (lean gRPC client)', size, capmatchUs: 1e6 / place.perSecond, note: `${Math.round(place.perSecond).toLocaleString('en')} calls/s, p50 ${place.p50.toFixed(2)} ms, p99 ${place.p99.toFixed(2)} ms; in-process place ${inProcess.toFixed(1)} µs (${Math.round(1e6 / inProcess).toLocaleString('en')}/s)` });
  const pairs = await leanLoad(url, 64, 3000, ['reserve-release', ...wire.map((w) => Buffer.from(w).toString('base64'))]);
  rows.push({ group: 'serve', case: 'Reserve + Release pairs, 64 concurrent streams (lean gRPC client)', size, capmatchUs: 1e6 / pairs.perSecond, note: `${Math.round(pairs.perSecond).toLocaleString('en')} pairs/s, p50 ${pairs.p50.toFixed(2)} ms, p99 ${pairs.p99.toFixed(2)} ms` });

  // ApplyChanges (one setResources each) from this process while the lean client places.
  const client = createClient(PlacementService, createGrpcTransport({ baseUrl: url }));
  const placing = leanLoad(url, 64, 3000, ['unary', '/capmatch.v1.PlacementService/Place', ...wire.slice(0, 100).map((w) => frameOf(toBinary(PlaceRequestSchema, create(PlaceRequestSchema, { request: fromBinary(SandboxRequestSchema, w) }))))]);
  await new Promise((r) => setTimeout(r, 300));
  let applied = 0;
  const latencies: number[] = [];
  const until = performance.now() + 2500;
  const runners = fleet.runners.filter((r) => r.resources !== null);
  while (performance.now() < until) {
    const r = runners[applied % runners.length] as Snapshot['runners'][number];
    const t = performance.now();
    await client.applyChanges({ changes: [{ change: { case: 'setResources', value: { runnerId: r.runnerId, resources: { availableCpuMillicores: BigInt(Math.floor(r.maxCpuMillicores / 2)), availableMemoryBytes: BigInt(Math.floor(r.maxMemoryBytes / 2)), availableGpuCount: BigInt(Math.floor(r.maxGpuCount / 2)) } } } }] });
    latencies.push(performance.now() - t);
    applied++;
  }
  const during = await placing;
  latencies.sort((a, b) => a - b);
  rows.push({ group: 'serve', case: 'ApplyChanges of one setResources, while 64 streams place', size, capmatchUs: 2.5e6 / applied, note: `${Math.round(applied / 2.5).toLocaleString('en')} batches/s (p50 ${(latencies[Math.floor(latencies.length / 2)] as number).toFixed(2)} ms); placements meanwhile ${Math.round(during.perSecond).toLocaleString('en')}/s, p99 ${during.p99.toFixed(2)} ms` });

  // Fan-out: 16 watchers, 200 batches; every watcher receives every event.
  const watchers = Array.from({ length: 16 }, () => createClient(PlacementService, createGrpcTransport({ baseUrl: url })));
  const abort = new AbortController();
  const start = (await client.applyChanges({ changes: [] })).generation;
  const batches = 200;
  const received = watchers.map(async (w) => {
    let n = 0;
    for await (const _ of w.watchChanges({ fromGeneration: start }, { signal: abort.signal })) if (++n === batches) return performance.now();
    return performance.now();
  });
  await new Promise((r) => setTimeout(r, 200));
  const t = performance.now();
  for (let b = 0; b < batches; b++) {
    const r = runners[b % runners.length] as Snapshot['runners'][number];
    await client.applyChanges({ changes: [{ change: { case: 'setHealthy', value: { runnerId: r.runnerId, healthy: b % 2 === 0 } } }] });
  }
  const done = Math.max(...(await Promise.all(received)));
  abort.abort();
  const seconds = (done - t) / 1000;
  rows.push({ group: 'serve', case: 'WatchChanges fan-out: 200 batches to 16 watchers', size, capmatchUs: (seconds * 1e6) / (batches * 16), note: `${Math.round((batches * 16) / seconds).toLocaleString('en')} events delivered/s; every watcher got all ${batches}` });
}

/** A core request in the wire's shape. */
function wireRequest(q: SandboxRequest) {
  return {
    cpuMillicores: BigInt(q.cpuMillicores),
    memoryBytes: BigInt(q.memoryBytes),
    gpuCount: BigInt(q.gpuCount),
    gpuType: q.gpuType ?? '',
    architecture: q.architecture ?? '',
    profileName: q.profileName ?? '',
    ingressMode: q.ingressMode ?? '',
    egressMode: q.egressMode ?? '',
    privileged: q.privileged ?? false,
    storageClass: q.storageClass ?? '',
    runnerGroupId: q.runnerGroupId ?? '',
    runnerIds: [...(q.runnerIds ?? [])],
    tags: [...(q.tags ?? [])],
  };
}

/** A small framed message for the ceiling measurement. */
const LEAN_FRAME = Buffer.from([0, 0, 0, 0, 2, 0x0a, 0]).toString('base64');

/** The URL a child process prints when it listens. */
function listeningUrl(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** A message framed for gRPC (5-byte prefix), base64 for the load generator's command line. */
function frameOf(message: Uint8Array): string {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out.toString('base64');
}

interface Load {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `bench/lean-grpc-load.mjs` in its own process: the server's capacity, not this process's. */
function leanLoad(url: string, streams: number, ms: number, args: readonly string[]): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./lean-grpc-load.mjs', import.meta.url).pathname, url, String(streams), String(ms), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`load generator exited ${code}`))));
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
