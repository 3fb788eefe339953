import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog, generateFleet, type Snapshot } from '../../src/index.js';
import { LeaseEvent_Kind, PlacementService, type WatchChangesResponse } from '../../src/server/gen/capmatch/v1/placement_pb.js';
import { RunnerResourceSummarySchema, RunnerView } from '../../src/server/gen/coreweave/sandbox/v1beta2/discovery_pb.js';
import { type RunningServer, serve } from '../../src/server/server.js';
import { loadState, saveState, StateFileError } from '../../src/server/state-file.js';
import { runnerMessage } from '../../src/server/wire.js';
import { fleet as fleetOf, profile, runner } from '../support/builders.js';

/** The placement service through a generated client, on gRPC (HTTP/2) and Connect JSON. */
const GiB = 2 ** 30;
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(500)));
});

async function start(snapshot: Snapshot, extra: Partial<Parameters<typeof serve>[0]> = {}) {
  const catalog = Catalog.fromSnapshot(snapshot);
  const server = await serve({ catalog: () => catalog, port: 0, ...extra });
  servers.push(server);
  return { catalog, server, grpc: createClient(PlacementService, createGrpcTransport({ baseUrl: server.url })), json: createClient(PlacementService, createConnectTransport({ baseUrl: server.url, httpVersion: '1.1' })) };
}

const small = () =>
  fleetOf(
    [
      runner('r1', { maxCpuMillicores: 8000, maxMemoryBytes: 32 * GiB, resources: { availableCpuMillicores: 8000, availableMemoryBytes: 32 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
      runner('r2', { maxCpuMillicores: 8000, maxMemoryBytes: 32 * GiB, resources: { availableCpuMillicores: 4000, availableMemoryBytes: 16 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
    ],
    [profile('p', 'r1'), profile('p', 'r2')],
  );

const codeOf = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as ConnectError).code;

describe('PlacementService over the wire', () => {
  it('Place: a placement, or a rejection with everything the library gives', async () => {
    const { catalog, grpc, json } = await start(small());
    for (const client of [grpc, json]) {
      const placed = await client.place({ request: { cpuMillicores: 1000n, memoryBytes: BigInt(GiB) }, strategy: 'binpack', topK: 2 });
      const expected = catalog.place({ cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 0 }, { strategy: 'binpack', topK: 2 });
      expect(placed.result.case).toBe('placement');
      expect(placed.result.value).toMatchObject({ runnerId: expected.ok && expected.runnerId, profileName: 'p', strategy: 'binpack' });
      const rejected = await client.place({ request: { cpuMillicores: 9000n, profileName: 'p' } });
      expect(rejected.result.case).toBe('rejection');
      const r = rejected.result.value as { code: string; considered: number; reasons: Record<string, number>; nearestMisses: Array<{ runnerId: string; shortfall?: { cpuMillicores: bigint } }>; message: string };
      expect(r).toMatchObject({ code: 'PROFILE_MISMATCH', considered: 2, reasons: { insufficientCpu: 2 } });
      expect(r.nearestMisses[0]).toMatchObject({ runnerId: 'r1', shortfall: { cpuMillicores: 1000n } });
      expect(r.message).toBe('0/2 runners fit: 2 insufficient cpu');
      expect(await codeOf(client.place({ request: {}, strategy: 'random' }))).toBe(Code.InvalidArgument);
    }
  });

  it('Reserve, Renew, Confirm, Release: leases, idempotent per sandbox, with the documented codes', async () => {
    const { catalog, grpc } = await start(small());
    const first = await grpc.reserve({ request: { cpuMillicores: 3000n }, sandboxId: 'sbx-1', ttl: durationFromMs(60_000) });
    expect(first.result.case).toBe('lease');
    const lease = first.result.value as { leaseId: string; runnerId: string; expiresAt?: unknown };
    expect(lease.leaseId).toMatch(/^[0-9a-f]{32}$/);
    const again = await grpc.reserve({ request: { cpuMillicores: 3000n }, sandboxId: 'sbx-1' });
    expect((again.result.value as { leaseId: string }).leaseId).toBe(lease.leaseId);
    expect(catalog.getRunner(lease.runnerId).resources?.availableCpuMillicores).toBe(lease.runnerId === 'r1' ? 5000 : 1000);
    const renewed = await grpc.renew({ leaseId: lease.leaseId, ttl: durationFromMs(120_000) });
    expect(renewed.lease?.expiresAt).toBeDefined();
    const confirmed = await grpc.confirm({ leaseId: lease.leaseId });
    expect(confirmed.lease?.confirmed).toBe(true);
    expect(confirmed.lease?.expiresAt).toBeUndefined();
    expect(await codeOf(grpc.renew({ leaseId: lease.leaseId }))).toBe(Code.FailedPrecondition);
    await grpc.release({ leaseId: lease.leaseId });
    expect(await codeOf(grpc.release({ leaseId: lease.leaseId }))).toBe(Code.FailedPrecondition);
    expect(await codeOf(grpc.release({ leaseId: 'nope' }))).toBe(Code.NotFound);
    expect(await codeOf(grpc.confirm({ leaseId: '' }))).toBe(Code.InvalidArgument);
    expect(await codeOf(grpc.reserve({ request: { cpuMillicores: 1n }, sandboxId: '' }))).toBe(Code.InvalidArgument);
    const none = await grpc.reserve({ request: { cpuMillicores: 99_000n }, sandboxId: 'sbx-2' });
    expect(none.result.case).toBe('rejection');
    expect(catalog.reservations()).toEqual([]);
  });

  it('a confirmed lease is absorbed by the next resource report of its runner, never counted twice', async () => {
    const { catalog, grpc } = await start(small());
    const r = (await grpc.reserve({ request: { cpuMillicores: 2000n, runnerIds: ['r1'] }, sandboxId: 's' })).result.value as { leaseId: string };
    await grpc.confirm({ leaseId: r.leaseId });
    expect(catalog.getRunner('r1').resources?.availableCpuMillicores).toBe(6000);
    // The runner reports 6000 m free: the sandbox is in the report now.
    await grpc.applyChanges({ changes: [{ change: { case: 'setResources', value: { runnerId: 'r1', resources: create(RunnerResourceSummarySchema, { availableCpuMillicores: 6000n, availableMemoryBytes: BigInt(32 * GiB), runningSandboxes: 1 }) } } }] });
    expect(catalog.getRunner('r1').resources?.availableCpuMillicores).toBe(6000);
    expect(catalog.reservations()).toEqual([]);
    expect(await codeOf(grpc.release({ leaseId: r.leaseId }))).toBe(Code.FailedPrecondition);
  });

  it('ApplyChanges: every change type, atomic, a bad batch is INVALID_ARGUMENT with every violation and changes nothing', async () => {
    const { catalog, grpc } = await start(small());
    const newRunner = runnerMessage(runner('r3', { resources: { availableCpuMillicores: 1000, availableMemoryBytes: GiB, availableGpuCount: 0, runningSandboxes: 0 } }), RunnerView.FULL);
    const res = await grpc.applyChanges({
      changes: [
        { change: { case: 'upsertRunner', value: { runner: newRunner } } },
        { change: { case: 'upsertProfile', value: { profile: { profileName: 'p', runnerId: 'r3', supportedArchitectures: ['amd64'], serviceExposureModes: [{ name: 'public' }] } } } },
        { change: { case: 'setHealthy', value: { runnerId: 'r2', healthy: false } } },
        { change: { case: 'removeProfile', value: { profileName: 'p', runnerId: 'r2' } } },
        { change: { case: 'setResources', value: { runnerId: 'r1' } } },
      ],
    });
    expect(res.generation).toBe(1n);
    expect(catalog.getRunner('r3').resources?.availableCpuMillicores).toBe(1000);
    expect(catalog.listRunners({ ingressMode: 'public' }).map((r) => r.runnerId)).toEqual(['r3']);
    expect(catalog.getRunner('r2').healthy).toBe(false);
    expect(catalog.getRunner('r1').resources).toBeNull();
    await grpc.applyChanges({ changes: [{ change: { case: 'removeRunner', value: { runnerId: 'r3' } } }] });
    const before = JSON.stringify(catalog.toSnapshot());
    const bad = (await grpc
      .applyChanges({ changes: [{ change: { case: 'removeRunner', value: { runnerId: 'ghost' } } }, { change: { case: 'setHealthy', value: { runnerId: '' } } }] })
      .catch((e: unknown) => e)) as ConnectError;
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.findDetails((await import('../../src/server/gen/google/rpc/error_details_pb.js')).BadRequestSchema)[0]?.fieldViolations.map((v) => v.field)).toEqual(['changes[0].runnerId', 'changes[1].runnerId']);
    expect(JSON.stringify(catalog.toSnapshot())).toBe(before);
    expect(await codeOf(grpc.applyChanges({ changes: [{ change: { case: undefined } }] }))).toBe(Code.InvalidArgument);
  });

  it('hundreds of concurrent Reserve calls for more capacity than exists: none below zero, every lease backed', async () => {
    const fleet = generateFleet({ runners: 40, seed: 3, unhealthy: 0, unknownResources: 0 });
    const { catalog, server } = await start(fleet);
    const clients = Array.from({ length: 4 }, () => createClient(PlacementService, createGrpcTransport({ baseUrl: server.url })));
    const free = catalog.listRunners({ minAvailableCpuMillicores: 0 }).reduce((s, r) => s + (r.resources?.availableCpuMillicores ?? 0), 0);
    const calls = 600;
    const each = Math.ceil((free * 1.5) / calls / 1000) * 1000;
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => (clients[i % 4] as Client<typeof PlacementService>).reserve({ request: { cpuMillicores: BigInt(each) }, sandboxId: `s${i}`, ttl: durationFromMs(600_000) })));
    const leases = results.filter((r) => r.result.case === 'lease');
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.length).toBeLessThan(calls);
    for (const r of catalog.listRunners({ includeResources: true })) expect(r.resources?.availableCpuMillicores ?? 0).toBeGreaterThanOrEqual(0);
    const held = catalog.reservations();
    expect(held.length).toBe(leases.length);
    const reserved = held.reduce((s, r) => s + r.cpuMillicores, 0);
    expect(reserved).toBeLessThanOrEqual(free);
    // Every lease is backed: per runner, what is held fits in what was reported.
    for (const r of fleet.runners) {
      const onIt = held.filter((h) => h.runnerId === r.runnerId).reduce((s, h) => s + h.cpuMillicores, 0);
      expect(onIt).toBeLessThanOrEqual(r.resources?.availableCpuMillicores ?? 0);
    }
    expect(server.placement.leases.size).toBe(leases.length);
  });

  it('leases expire on the server clock (a fake one here) and appear on the stream', async () => {
    let now = 1_000_000;
    const { catalog, grpc, server } = await start(small(), { now: () => now, expiryIntervalMs: 60_000 });
    const lease = (await grpc.reserve({ request: { cpuMillicores: 1000n }, sandboxId: 'x', ttl: durationFromMs(5000) })).result.value as { leaseId: string };
    now += 4999;
    server.placement.expire();
    expect(catalog.reservations()).toHaveLength(1);
    now += 1;
    expect(await codeOf(grpc.renew({ leaseId: lease.leaseId }))).toBe(Code.NotFound);
    expect(catalog.reservations()).toHaveLength(0);
    const events = await collect(grpc, 0n, 2);
    expect(events.map((e) => e.event.case === 'lease' && e.event.value.kind)).toEqual([LeaseEvent_Kind.RESERVED, LeaseEvent_Kind.EXPIRED]);
  });
});

async function collect(client: Client<typeof PlacementService>, from: bigint, n: number): Promise<WatchChangesResponse[]> {
  const out: WatchChangesResponse[] = [];
  const abort = new AbortController();
  try {
    for await (const e of client.watchChanges({ fromGeneration: from }, { signal: abort.signal })) {
      out.push(e);
      if (out.length === n) break;
    }
  } finally {
    abort.abort();
  }
  return out;
}

describe('WatchChanges', () => {
  it('streams every batch and lease event with its generation; resumes from a generation; out of range is OUT_OF_RANGE', async () => {
    const { grpc } = await start(small(), { history: 3 });
    const live = collect(grpc, 0n, 4);
    await new Promise((r) => setTimeout(r, 50));
    await grpc.applyChanges({ changes: [{ change: { case: 'setHealthy', value: { runnerId: 'r1', healthy: false } } }] });
    const lease = (await grpc.reserve({ request: { cpuMillicores: 1n }, sandboxId: 'a' })).result.value as { leaseId: string };
    await grpc.confirm({ leaseId: lease.leaseId });
    await grpc.release({ leaseId: lease.leaseId });
    const events = await live;
    expect(events.map((e) => e.generation)).toEqual([1n, 2n, 3n, 4n]);
    expect(events.map((e) => e.event.case)).toEqual(['changes', 'lease', 'lease', 'lease']);
    // History keeps 3: from 1 is fine (events 2–4), from 0 starts at the oldest kept.
    expect((await collect(grpc, 1n, 3)).map((e) => e.generation)).toEqual([2n, 3n, 4n]);
    expect((await collect(grpc, 0n, 1)).map((e) => e.generation)).toEqual([2n]);
    await grpc.applyChanges({ changes: [{ change: { case: 'setHealthy', value: { runnerId: 'r1', healthy: true } } }] });
    expect(await codeOf(collect(grpc, 1n, 1))).toBe(Code.OutOfRange);
    expect(await codeOf(collect(grpc, 99n, 1))).toBe(Code.OutOfRange);
  });

  it('a consumer that falls behind is dropped with RESOURCE_EXHAUSTED; the server keeps going', async () => {
    const { grpc, server } = await start(small(), { watchBuffer: 5 });
    const abort = new AbortController();
    const stream = grpc.watchChanges({ fromGeneration: 0n }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    await grpc.applyChanges({ changes: [{ change: { case: 'setHealthy', value: { runnerId: 'r1', healthy: false } } }] });
    await first;
    // The consumer stops reading; the server produces far more than its buffer.
    for (let i = 0; i < 30; i++) server.placement.applyChanges({ changes: [{ change: { case: 'setHealthy', value: { runnerId: 'r1', healthy: i % 2 === 0 } } }] } as never);
    let code: Code | undefined;
    try {
      for (;;) if ((await stream.next()).done) break;
    } catch (e) {
      code = (e as ConnectError).code;
    }
    expect(code).toBe(Code.ResourceExhausted);
    abort.abort();
  });
});

describe('durability', () => {
  it('a state file restores leases and the reported fleet exactly; a truncated one is refused, never half-loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capmatch-state-'));
    const path = join(dir, 'state.json');
    const { catalog, grpc, server } = await start(generateFleet({ runners: 60, seed: 9 }));
    for (let i = 0; i < 20; i++) await grpc.reserve({ request: { cpuMillicores: 1000n, memoryBytes: BigInt(GiB) }, sandboxId: `s${i}`, ttl: durationFromMs(600_000) });
    const confirmed = [...server.placement.leases.values()][0];
    await grpc.confirm({ leaseId: confirmed?.leaseId as string });
    saveState(path, catalog, server.placement);
    const loaded = loadState(path);
    expect(JSON.stringify(loaded.catalog.toSnapshot())).toBe(JSON.stringify(catalog.toSnapshot()));
    expect(loaded.leases.map((l) => [l.leaseId, l.confirmed, l.reservation.sandboxId, l.reservation.runnerId])).toEqual(
      [...server.placement.leases.values()].map((l) => [l.leaseId, l.confirmed, l.reservation.sandboxId, l.reservation.runnerId]),
    );
    expect(loaded.generation).toBe(server.placement.generation);
    const text = readFileSync(path, 'utf8');
    for (const cut of [10, Math.floor(text.length / 2), text.length - 3]) {
      writeFileSync(path, text.slice(0, cut));
      expect(() => loadState(path)).toThrow(StateFileError);
      expect(() => loadState(path)).toThrow(/damaged .*nothing was loaded/);
    }
    writeFileSync(path, JSON.stringify({ format: 'something-else' }));
    expect(() => loadState(path)).toThrow(/not a capmatch-state\/1 file/);
  });
});

describe('metrics', () => {
  it('GET /metrics in the Prometheus text format, with the documented names', async () => {
    const { grpc, server } = await start(small());
    await grpc.place({ request: { cpuMillicores: 1n } });
    await grpc.place({ request: { cpuMillicores: 99_000n } });
    const lease = (await grpc.reserve({ request: { cpuMillicores: 1n }, sandboxId: 'm' })).result.value as { leaseId: string };
    await grpc.confirm({ leaseId: lease.leaseId });
    await codeOf(grpc.release({ leaseId: 'nope' }));
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const value = (line: RegExp) => Number(text.split('\n').find((l) => line.test(l))?.split(' ').at(-1));
    expect(value(/^capmatch_rpc_requests_total\{method="capmatch.v1.PlacementService\/Place",code="OK"\}/)).toBe(2);
    expect(value(/^capmatch_rpc_requests_total\{method="capmatch.v1.PlacementService\/Release",code="NOT_FOUND"\}/)).toBe(1);
    expect(value(/^capmatch_rpc_duration_seconds_count\{method="capmatch.v1.PlacementService\/Place"\}/)).toBe(2);
    expect(value(/^capmatch_catalog_runners /)).toBe(2);
    expect(value(/^capmatch_catalog_profiles /)).toBe(2);
    expect(value(/^capmatch_placements_total\{strategy="spread"\}/)).toBe(2);
    expect(value(/^capmatch_rejections_total\{code="NO_SUITABLE_RUNNER"\}/)).toBe(1);
    expect(value(/^capmatch_rejection_reasons_total\{reason="insufficientCpu"\}/)).toBe(2);
    expect(value(/^capmatch_leases_held /)).toBe(1);
    expect(value(/^capmatch_leases_confirmed_total /)).toBe(1);
    expect(value(/^capmatch_watch_subscribers /)).toBe(0);
    expect(text).toMatch(/^# TYPE capmatch_rpc_duration_seconds histogram$/m);
  });
});

