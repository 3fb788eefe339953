import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, type Change, generateFleet, generateRequests, type RejectionReason, type SandboxRequest, type Snapshot } from '../../src/index.js';
import type { AdmissionCache } from '../../src/matcher/placement/admission.js';
import { fewestOfClass } from '../../src/matcher/placement/explain.js';
import { conditionsOf } from '../../src/matcher/placement/place.js';
import { replayOf } from '../../src/matcher/replay.js';
import type { RunnerTable } from '../../src/matcher/runner-table.js';
import { jsonCopy, MANY_RUNNER_IDS, requestArb, runnerArb, snapshotArb } from '../support/arbitraries.js';
import { refReasons, refRejection } from '../support/reference.js';

const CAPACITY: readonly RejectionReason[] = ['insufficientCpu', 'insufficientMemory', 'insufficientGpu'];

/** Runner by runner: the fewest reasons but capacity a live runner fails, and how many fail that few, of those with known resources and of the others. */
function reference(s: Snapshot, q: SandboxRequest): { known: [number, number]; unknown: [number, number] } {
  const known: [number, number] = [16, 0];
  const unknown: [number, number] = [16, 0];
  for (const r of s.runners) {
    const fails = refReasons(s, r, q).filter((reason) => !CAPACITY.includes(reason)).length;
    const into = r.resources ? known : unknown;
    if (fails < into[0]) [into[0], into[1]] = [fails, 1];
    else if (fails === into[0]) into[1]++;
  }
  return { known, unknown };
}

/** A change to one runner of the fleet (picked by index): its health, its resources, its record, or its removal and return. */
const changeArb = fc.oneof(
  fc.record({ kind: fc.constant('health' as const), pick: fc.nat(), healthy: fc.boolean() }),
  // Shares of the runner's maxima (unknown when null), so that they stay within them.
  fc.record({ kind: fc.constant('resources' as const), pick: fc.nat(), shares: fc.option(fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)), { nil: null }) }),
  fc.record({ kind: fc.constant('record' as const), pick: fc.nat(), runner: runnerArb('x') }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
);

describe('the class counts a rejection keeps, against a count runner by runner', () => {
  it('agree after each batch of changes, as counted afresh and as brought up to date word by word', () => {
    // Small batches are brought up to date word by word; large ones (more changes than are
    // patched) are counted again into the arrays of the counts they replace.
    fc.assert(
      fc.property(snapshotArb(40, MANY_RUNNER_IDS), requestArb, fc.array(fc.oneof(fc.array(changeArb, { maxLength: 4 }), fc.array(changeArb, { minLength: 40, maxLength: 80 })), { maxLength: 6 }), (snapshot, request, batches) => {
        const catalog = Catalog.fromSnapshot(snapshot);
        const table = catalog['runners'] as RunnerTable;
        const admission = catalog['admission'] as AdmissionCache;
        const removed = new Map<string, Snapshot['runners'][number]>();
        const check = () => expect(fewestOfClass(table, conditionsOf(table, admission, request))).toEqual(reference(catalog.toSnapshot(), request));
        check();
        for (const change of batches.flatMap((batch) => [...batch, 'check' as const])) {
          if (change === 'check') {
            check();
            continue;
          }
          const ids = snapshot.runners.map((r) => r.runnerId);
          if (ids.length === 0) break;
          const id = ids[change.pick % ids.length] as string;
          const live = removed.get(id) === undefined;
          let c: Change;
          if (!live) {
            c = { type: 'upsertRunner', runner: removed.get(id) as Snapshot['runners'][number] };
            removed.delete(id);
          } else if (change.kind === 'health') c = { type: 'setHealthy', runnerId: id, healthy: change.healthy };
          else if (change.kind === 'resources') {
            const r = catalog.getRunner(id);
            const share = (n: number, max: number, otherwise: number) => Math.floor(((max || otherwise) * n) / 4);
            const resources = change.shares && {
              availableCpuMillicores: share(change.shares[0], r.maxCpuMillicores, 64_000),
              availableMemoryBytes: share(change.shares[1], r.maxMemoryBytes, 2 ** 38),
              availableGpuCount: share(change.shares[2], r.maxGpuCount, 8),
              runningSandboxes: 0,
            };
            c = { type: 'setResources', runnerId: id, resources };
          } else if (change.kind === 'record') c = { type: 'upsertRunner', runner: { ...change.runner, runnerId: id } };
          else {
            removed.set(id, catalog.getRunner(id));
            c = { type: 'removeRunner', runnerId: id };
          }
          catalog.apply([c]);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * A catalog of the snapshot whose slot order is not runnerId order when `reorder`: the first
 * half of its runners removed and added back with their profiles, each into the slot freed
 * last (the first runner into the last of the half's slots).
 */
function catalogOf(snapshot: Snapshot, reorder: boolean): Catalog {
  const catalog = Catalog.fromSnapshot(snapshot);
  if (!reorder) return catalog;
  const moved = snapshot.runners.slice(0, Math.ceil(snapshot.runners.length / 2));
  catalog.apply(moved.map((r): Change => ({ type: 'removeRunner', runnerId: r.runnerId })));
  catalog.apply(moved.flatMap((runner): Change[] => [{ type: 'upsertRunner', runner }, ...snapshot.profiles.filter((p) => p.runnerId === runner.runnerId).map((profile): Change => ({ type: 'upsertProfile', profile }))]));
  return catalog;
}

describe('the one nearest miss a simulation records, against the reference', () => {
  const options = { strategy: 'spread', topK: 0, nearestMisses: 1 } as const;

  /** Compares every rejection of `requests`; returns how many had a nearest miss failing more than one reason (the walk in runnerId order leaves those to the pass over the words). */
  function compare(catalog: Catalog, requests: readonly SandboxRequest[]): number {
    const replay = replayOf(catalog);
    const snapshot = catalog.toSnapshot();
    let deep = 0;
    for (const q of requests) {
      const got = replay.place(q, options);
      if (typeof got === 'number') continue;
      const ref = refRejection(snapshot, q, 1);
      expect(jsonCopy(got.nearestMisses)).toEqual(ref.nearestMisses);
      if ((ref.nearestMisses[0]?.reasons.length ?? 0) > 1) deep++;
    }
    return deep;
  }

  it('small fleets, in runnerId slot order and out of it', () => {
    let deep = 0;
    fc.assert(
      fc.property(snapshotArb(40, MANY_RUNNER_IDS), fc.array(requestArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (snapshot, requests, reorder) => {
        deep += compare(catalogOf(snapshot, reorder), requests);
      }),
    );
    expect(deep).toBeGreaterThan(20);
  });

  it('generated fleets of 400 runners, where the walk in runnerId order gives up: in slot order and out of it', () => {
    let deep = 0;
    for (const shapes of ['standard', 'heterogeneous'] as const) {
      for (const seed of [3, 4]) {
        const fleet = generateFleet({ runners: 400, seed, shapes, utilisation: 0.9 });
        const requests = generateRequests({ count: 40, seed: seed + 1, unplaceableShare: 0.6 });
        for (const reorder of [false, true]) deep += compare(catalogOf(fleet, reorder), requests);
      }
    }
    expect(deep).toBeGreaterThan(20);
  });
});
