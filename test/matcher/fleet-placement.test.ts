import fc from 'fast-check';
import { CLASSES } from '../../src/matcher/placement/admission.js';
import { SEARCH_TUNING } from '../../src/matcher/placement/strategy.js';
import { useSearchNow } from '../support/search.js';
import { describe, expect, it } from 'vitest';
import { Catalog, type Change, generateFleet, generateRequests, parseSnapshot, type Placement, type Rejection, type Profile, type Reservation, type Runner, type SandboxRequest, type Strategy } from '../../src/index.js';
import { jsonCopy } from '../support/arbitraries.js';
import { refListProfiles, refListRunners, refPlace, refRejection } from '../support/reference.js';

/** The runner as the catalog shows it, or undefined when it has none of that id. */
function find(catalog: Catalog, runnerId: string): Runner | undefined {
  try {
    return catalog.getRunner(runnerId);
  } catch {
    return undefined;
  }
}

/**
 * The same comparisons on generated fleets of a few hundred runners, where the free-fraction
 * buckets, the capacity thresholds and the admission cache all have real work to do.
 */
describe('generated fleets against the brute-force reference', () => {
  it('generateFleet is deterministic and valid', () => {
    const a = generateFleet({ runners: 300, seed: 5 });
    expect(generateFleet({ runners: 300, seed: 5 })).toEqual(a);
    expect(generateFleet({ runners: 300, seed: 6 })).not.toEqual(a);
    expect(parseSnapshot(jsonCopy(a))).toEqual(a);
    const types = new Set(a.runners.flatMap((r) => r.supportedGpuTypes));
    expect([...types].sort()).toEqual(['A100', 'B200', 'H100', 'H200', 'L40S']);
    expect(a.runners.some((r) => !r.healthy)).toBe(true);
    expect(a.runners.some((r) => r.resources === null)).toBe(true);
    expect(new Set(a.runners.map((r) => r.runnerGroupId)).size).toBeGreaterThanOrEqual(3);
  });

  it('heterogeneous fleets: 160 machine shapes, free capacity independent per dimension, valid', () => {
    const f = generateFleet({ runners: 2000, seed: 4, shapes: 'heterogeneous' });
    expect(parseSnapshot(jsonCopy(f))).toEqual(f);
    const shapes = new Set(f.runners.map((r) => `${r.maxCpuMillicores}/${r.maxMemoryBytes}/${r.maxGpuCount}/${r.supportedGpuTypes.join()}`));
    expect(shapes.size).toBeGreaterThanOrEqual(100);
    expect(f.runners.some((r) => r.maxCpuMillicores === 0 || r.maxMemoryBytes === 0)).toBe(true);
    const unknown = f.runners.filter((r) => r.resources === null).length / f.runners.length;
    const unhealthy = f.runners.filter((r) => !r.healthy).length / f.runners.length;
    expect(unknown).toBeGreaterThan(0.01);
    expect(unknown).toBeLessThan(0.03);
    expect(unhealthy).toBeGreaterThan(0.025);
    expect(unhealthy).toBeLessThan(0.055);
    expect(generateFleet({ runners: 2000, seed: 4, shapes: 'heterogeneous' })).toEqual(f);
    expect(generateFleet({ runners: 300, seed: 5 })).toEqual(generateFleet({ runners: 300, seed: 5, shapes: 'standard' }));
  });

  it.each([
    ['standard', 'default'],
    ['heterogeneous', 'default'],
    ['standard', 'always'],
    ['heterogeneous', 'always'],
    ['standard', 'by the work of recent searches'],
    ['heterogeneous', 'by the work of recent searches'],
  ] as const)('placement with reservations matches the reference step by step (%s fleets; searching the shape index: %s)', (shapes, search) => {
    const restore = useSearchNow(search !== 'default');
    // Fitting runners scored rather than searched while fewer than the work searches of their kind did.
    if (search === 'by the work of recent searches') SEARCH_TUNING.scorePerWork = 1;
    try {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom<Strategy>('spread', 'binpack', 'balanced', 'firstFit'), (seed, strategy) => {
          const fleet = generateFleet({ runners: 150, seed, utilisation: 0.5, shapes });
          const catalog = Catalog.fromSnapshot(fleet);
          const requests = generateRequests({ count: 40, seed: seed + 1, unplaceableShare: 0.1 });
          for (const [j, q] of requests.entries()) {
            // Now and then a runner turns unhealthy or healthy again: it leaves the shape index or
            // comes back (with the amounts it had), and the search must find it again.
            if (j % 4 === 3) {
              const r = fleet.runners[(seed + j * 37) % fleet.runners.length] as (typeof fleet.runners)[number];
              catalog.apply([{ type: 'setHealthy', runnerId: r.runnerId, healthy: !catalog.getRunner(r.runnerId).healthy }]);
            }
            // …and a runner's profiles are all unbound, or bound again: it leaves the shape index
            // (no request is admitted there) or comes back.
            if (j % 4 === 1) {
              const r = fleet.runners[(seed + j * 53) % fleet.runners.length] as (typeof fleet.runners)[number];
              const now = catalog.getRunner(r.runnerId);
              catalog.apply([{ type: 'upsertRunner', runner: { ...r, healthy: now.healthy, profileNames: now.profileNames.length > 0 ? [] : r.profileNames } }]);
            }
            const current = catalog.toSnapshot();
            const expected = refPlace(current, q, strategy);
            const got = catalog.place(q, { strategy, topK: 2 });
            if (!expected.best) {
              expect(got.ok).toBe(false);
              expect((got as Rejection).reasons).toEqual({ ...Object.fromEntries(Object.keys((got as Rejection).reasons).map((k) => [k, 0])), ...expected.reasons });
              continue;
            }
            const p = got as Placement;
            expect([p.runnerId, p.score, p.profileName]).toEqual([expected.best.runnerId, expected.best.score, expected.best.profileName]);
            expect(p.alternatives?.map((a) => a.runnerId)).toEqual(expected.fits.slice(0, 2).map((f) => f.runnerId));
            catalog.reserve(p); // fill the fleet up as we go
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      restore();
    }
  });

  // Searches remember, per strategy and requested amounts, a bound for every cell they visited,
  // and skip an unchanged cell whose bound is below the k-th best: here the same amounts come
  // again and again (with other conditions), between changes of every kind to the cells.
  it.each(['standard', 'heterogeneous'] as const)('searches of amounts asked before match the reference step by step, whatever changed in between (%s fleets)', (shapes) => {
    const restore = useSearchNow(true);
    const step = fc.record({ op: fc.integer({ min: 0, max: 9 }), pick: fc.nat(), request: fc.nat() });
    try {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom<Strategy>('spread', 'binpack', 'balanced'), fc.array(step, { minLength: 30, maxLength: 80 }), (seed, strategy, steps) => {
          const fleet = generateFleet({ runners: 200, seed, utilisation: 0.5, shapes });
          const catalog = Catalog.fromSnapshot(fleet);
          const requests = generateRequests({ count: 12, seed: seed + 1 });
          const held: Reservation[] = [];
          const removed = new Set<string>();
          const runner = (pick: number) => fleet.runners[pick % fleet.runners.length] as (typeof fleet.runners)[number];
          for (const { op, pick, request } of steps) {
            const r = runner(pick);
            const live = !removed.has(r.runnerId);
            if (op === 0 && held.length > 0) catalog.release(held.splice(pick % held.length, 1)[0] as Reservation);
            else if (op === 1 && live) {
              // A share of its maxima in 0–4 quarters (some amount for an undisclosed one), or unknown now and then.
              const now = catalog.getRunner(r.runnerId);
              const share = (max: number, step: number) => (max > 0 ? Math.floor((max * ((pick >>> 4) % 5)) / 4 / step) * step : ((pick >>> 8) % 3) * 8 * step);
              const resources = pick % 7 === 0 ? null : { availableCpuMillicores: share(now.maxCpuMillicores, 500), availableMemoryBytes: share(now.maxMemoryBytes, 2 ** 30), availableGpuCount: now.maxGpuCount > 0 ? share(now.maxGpuCount, 1) : 0, runningSandboxes: 1 };
              catalog.apply([{ type: 'setResources', runnerId: r.runnerId, resources }]);
            }
            else if (op === 2 && live) catalog.apply([{ type: 'setHealthy', runnerId: r.runnerId, healthy: !catalog.getRunner(r.runnerId).healthy }]);
            else if (op === 3) {
              // Another machine's shape (a runner that changes cell, or a cell that is new), or the runner back as it was.
              const other = runner(pick * 7 + 3);
              const { maxCpuMillicores, maxMemoryBytes, maxGpuCount, resources } = other;
              if (live) catalog.apply([{ type: 'upsertRunner', runner: { ...catalog.getRunner(r.runnerId), maxCpuMillicores, maxMemoryBytes, maxGpuCount, resources } }]);
              else {
                const profiles = fleet.profiles.filter((f) => f.runnerId === r.runnerId).map((profile): Change => ({ type: 'upsertProfile', profile }));
                catalog.apply([{ type: 'upsertRunner', runner: r }, ...profiles]);
                removed.delete(r.runnerId);
              }
            } else if (op === 4 && live && !held.some((h) => h.runnerId === r.runnerId)) {
              catalog.apply([{ type: 'removeRunner', runnerId: r.runnerId }]);
              removed.add(r.runnerId);
            }
            else {
              const q = requests[request % requests.length] as SandboxRequest;
              // Asked twice in a row now and then: the second search finds every cell as the first left it.
              for (let again = 0; again < (op === 5 ? 2 : 1); again++) {
                const expected = refPlace(catalog.toSnapshot(), q, strategy);
                const got = catalog.place(q, { strategy, topK: 2 });
                if (!expected.best) {
                  expect(got.ok).toBe(false);
                  continue;
                }
                const p = got as Placement;
                expect([p.runnerId, p.score]).toEqual([expected.best.runnerId, expected.best.score]);
                expect(p.alternatives?.map((a) => a.runnerId)).toEqual(expected.fits.slice(0, 2).map((f) => f.runnerId));
                if (op >= 7) held.push(catalog.reserve(p));
              }
            }
          }
        }),
        { numRuns: 40 },
      );
    } finally {
      restore();
    }
  });

  it('more sets of amounts than a search remembers (256 a strategy): the oldest are dropped, answers stay the reference', () => {
    const restore = useSearchNow(true);
    try {
      const fleet = generateFleet({ runners: 150, seed: 8, utilisation: 0.5, shapes: 'heterogeneous' });
      const catalog = Catalog.fromSnapshot(fleet);
      const snapshot = catalog.toSnapshot();
      // 300 amounts, asked twice over in the same order: each is asked again after 299 others.
      const amounts = Array.from({ length: 300 }, (_, i): SandboxRequest => ({ cpuMillicores: 250 + 10 * i, memoryBytes: (1 + (i % 7)) * 2 ** 30, gpuCount: 0 }));
      for (const strategy of ['spread', 'binpack', 'balanced'] as const) {
        for (const q of [...amounts, ...amounts]) {
          const expected = refPlace(snapshot, q, strategy);
          const got = catalog.place(q, { strategy, topK: 2 });
          expect(got.ok ? [got.runnerId, got.alternatives?.map((a) => a.runnerId)] : undefined).toEqual(expected.best ? [expected.best.runnerId, expected.fits.slice(0, 2).map((f) => f.runnerId)] : undefined);
        }
      }
    } finally {
      restore();
    }
  });

  // A search reads the cells changed since the last search of its amounts from the shape
  // index's change log (the last 1,024 changes), and compares every cell's version once the log
  // no longer reaches back. Here one runner is made the best there is, then runners of other
  // machine shapes change so many times (one change each) that its change is the 1,024th from
  // the end, the 1,025th or further back: its cell must be searched again all the same.
  it('more changes between two searches of the same amounts than the change log holds: answers stay the reference', () => {
    const restore = useSearchNow(true);
    try {
      const fleet = generateFleet({ runners: 150, seed: 8, utilisation: 0.5, shapes: 'heterogeneous' });
      const q: SandboxRequest = { cpuMillicores: 1000, memoryBytes: 2 * 2 ** 30, gpuCount: 0 };
      const usable = fleet.runners.filter((r) => r.healthy && r.resources && fleet.profiles.some((p) => p.runnerId === r.runnerId));
      let caught = 0;
      for (const strategy of ['spread', 'binpack', 'balanced'] as const) {
        for (const others of [1000, 1022, 1023, 1024, 1025, 1100]) {
          for (const best of usable.slice(0, 6)) {
            const catalog = Catalog.fromSnapshot(fleet);
            catalog.place(q, { strategy });
            // Spread likes it empty; binpack and balanced, left with nothing once q is placed.
            const full = strategy === 'spread';
            const resources = { availableCpuMillicores: full ? best.maxCpuMillicores || 64_000 : q.cpuMillicores, availableMemoryBytes: full ? best.maxMemoryBytes || 2 ** 38 : q.memoryBytes, availableGpuCount: 0, runningSandboxes: 0 };
            catalog.apply([{ type: 'setResources', runnerId: best.runnerId, resources }]);
            // Runners of CPU maxima at least twice or at most half this one's: other cells.
            const elsewhere = usable.filter((r) => r.maxCpuMillicores >= 2 * best.maxCpuMillicores || 2 * r.maxCpuMillicores <= best.maxCpuMillicores);
            for (let n = 0; n < others; n++) {
              const r = elsewhere[n % elsewhere.length] as Runner;
              catalog.apply([{ type: 'setResources', runnerId: r.runnerId, resources: { availableCpuMillicores: n % 2, availableMemoryBytes: 0, availableGpuCount: 0, runningSandboxes: 1 } }]);
            }
            const expected = refPlace(catalog.toSnapshot(), q, strategy);
            const got = catalog.place(q, { strategy, topK: 2 });
            expect(got.ok ? [got.runnerId, got.alternatives?.map((a) => a.runnerId)] : undefined).toEqual(expected.best ? [expected.best.runnerId, expected.fits.slice(0, 2).map((f) => f.runnerId)] : undefined);
            if (expected.best?.runnerId === best.runnerId) caught++;
          }
        }
      }
      // The changed runner won often enough for a missed change to show.
      expect(caught).toBeGreaterThan(20);
    } finally {
      restore();
    }
  });

  // Larger than the nearest-miss walk (256 runners in runnerId order), with slots out of that
  // order (runners joining under ids that sort first take the slots of removed ones), so that
  // the walk, its giving up and the full count all answer.
  it.each(['standard', 'heterogeneous'] as const)('rejections on %s fleets of 700 runners: every reason counted and the nearest misses, as the reference', (shapes) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1, 3, 10), (seed, n) => {
        const fleet = generateFleet({ runners: 700, seed, utilisation: 0.8, shapes });
        const catalog = Catalog.fromSnapshot(fleet);
        const changes: Change[] = [];
        for (let i = 0; i < 40; i++) {
          const runner = fleet.runners[(i * 37 + seed) % fleet.runners.length];
          if (runner) changes.push({ type: 'removeRunner', runnerId: runner.runnerId }, { type: 'upsertRunner', runner: { ...runner, runnerId: `joined-${i}` } });
        }
        catalog.apply(changes);
        const snapshot = catalog.toSnapshot();
        const requests = generateRequests({ count: 30, seed: seed + 1, unplaceableShare: 0.5 });
        let rejected = 0;
        for (const q of requests) {
          const got = catalog.place(q, { strategy: 'firstFit', nearestMisses: n });
          if (got.ok) continue;
          rejected++;
          expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(refRejection(snapshot, q, n));
        }
        expect(rejected).toBeGreaterThan(0);
      }),
      { numRuns: 12 },
    );
  });

  // A rejection keeps what its class of conditions (all but capacity) gives for the next request
  // of the class: every change to what the class depends on — health, known resources, runners
  // joining, leaving or changing, profiles and so admission — must be seen, and amounts (which the
  // kept part leaves out) must not be. Few classes, asked again and again between changes.
  it.each(['standard', 'heterogeneous'] as const)('rejections of recurring classes between changes on %s fleets, as the reference', (shapes) => {
    const step = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('ask' as const), request: fc.nat(), misses: fc.constantFrom(1, 3, 10) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('health' as const), runner: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('resources' as const), runner: fc.nat(), known: fc.boolean(), share: fc.double({ min: 0, max: 1, noNaN: true }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('runner' as const), runner: fc.nat(), change: fc.constantFrom('remove', 'retag', 'regroup', 'unprivilege', 'return') }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('profile' as const), runner: fc.nat(), remove: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('reserve' as const), request: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'fork' as const }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(step, { minLength: 30, maxLength: 80 }), (seed, steps) => {
        const fleet = generateFleet({ runners: 120, seed, utilisation: 0.8, shapes });
        let catalog = Catalog.fromSnapshot(fleet);
        const ids = fleet.runners.map((r) => r.runnerId);
        const requests: SandboxRequest[] = [
          ...generateRequests({ count: 2, seed: seed + 1, unplaceableShare: 0.5 }),
          { cpuMillicores: 1000, memoryBytes: 2 ** 31, gpuCount: 16, gpuType: 'H100', privileged: true, tags: ['nvlink', 'spot'], runnerGroupId: 'group-01' },
          { cpuMillicores: 30_000, memoryBytes: 2 ** 36, gpuCount: 1, ingressMode: 'public' },
          { cpuMillicores: 500, memoryBytes: 2 ** 30, gpuCount: 0, tags: ['spot'], privileged: true },
          // Admission alone (no runner has 500 cores): the profile steps change these counts.
          { cpuMillicores: 500_000, memoryBytes: 2 ** 30, gpuCount: 0, profileName: (fleet.profiles[0] as Profile).profileName },
          { cpuMillicores: 500_000, memoryBytes: 2 ** 30, gpuCount: 0, ingressMode: 'public' },
        ];
        const removed = new Map<string, { runner: (typeof fleet.runners)[number]; profiles: typeof fleet.profiles }>();
        for (const s of steps) {
          const id = 'runner' in s ? (ids[s.runner % ids.length] as string) : '';
          const current = id === '' ? undefined : find(catalog, id);
          if (s.kind === 'ask') {
            const q = requests[s.request % requests.length] as SandboxRequest;
            const got = catalog.place(q, { strategy: 'firstFit', nearestMisses: s.misses });
            const snapshot = catalog.toSnapshot();
            if (got.ok) expect(got.runnerId).toBe(refPlace(snapshot, q, 'firstFit').best?.runnerId);
            else expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(refRejection(snapshot, q, s.misses));
          } else if (s.kind === 'reserve') {
            const got = catalog.place(requests[s.request % requests.length] as SandboxRequest);
            if (got.ok) catalog.reserve(got);
          } else if (s.kind === 'fork') catalog = catalog.fork();
          else if (s.kind === 'health' && current) catalog.apply([{ type: 'setHealthy', runnerId: id, healthy: !current.healthy }]);
          else if (s.kind === 'resources' && current) {
            const resources = s.known || s.share < 0.5 ? { availableCpuMillicores: Math.floor(s.share * current.maxCpuMillicores), availableMemoryBytes: Math.floor(s.share * current.maxMemoryBytes), availableGpuCount: Math.floor(s.share * current.maxGpuCount), runningSandboxes: 1 } : null;
            catalog.apply([{ type: 'setResources', runnerId: id, resources }]);
          } else if (s.kind === 'runner') {
            const held = removed.get(id);
            if (s.change === 'return' && held && !current) {
              catalog.apply([{ type: 'upsertRunner', runner: held.runner }, ...held.profiles.map((profile): Change => ({ type: 'upsertProfile', profile }))]);
              removed.delete(id);
            } else if (current && s.change === 'remove') {
              removed.set(id, { runner: current, profiles: catalog.listProfiles({ runnerId: id }) });
              catalog.apply([{ type: 'removeRunner', runnerId: id }]);
            } else if (current && s.change !== 'return') {
              const runner = s.change === 'retag' ? { ...current, tags: current.tags.includes('spot') ? [] : ['nvlink', 'spot'] } : s.change === 'regroup' ? { ...current, runnerGroupId: current.runnerGroupId === 'group-01' ? 'group-02' : 'group-01' } : { ...current, supportsPrivileged: !current.supportsPrivileged };
              catalog.apply([{ type: 'upsertRunner', runner }]);
            }
          } else if (s.kind === 'profile' && current) {
            const [profile] = catalog.listProfiles({ runnerId: id });
            if (profile && s.remove) catalog.apply([{ type: 'removeProfile', runnerId: id, profileName: profile.profileName }]);
            else if (profile) catalog.apply([{ type: 'upsertProfile', profile: { ...profile, ingressModes: profile.ingressModes.includes('public') ? ['private'] : ['public', 'private'] } }]);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  // Counts kept for a class are brought up to date in the words of the runners that changed:
  // here the change leaves one runner failing fewer of the class's conditions than any did, so
  // the fewest there can be falls, and the nearest misses must start from it.
  it('a change that leaves a runner failing fewer conditions than any did is seen by the counts kept for its class', () => {
    const fleet = generateFleet({ runners: 300, seed: 5, utilisation: 0.5 });
    const catalog = Catalog.fromSnapshot(fleet);
    // No runner has 500 cores, the tag or the group: every runner fails three reasons at least.
    const q: SandboxRequest = { cpuMillicores: 500_000, memoryBytes: 2 ** 30, gpuCount: 0, tags: ['rare'], runnerGroupId: 'rare-group' };
    const ask = () => {
      const got = catalog.place(q, { nearestMisses: 3 }) as Rejection;
      expect(got.ok).toBe(false);
      expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(refRejection(catalog.toSnapshot(), q, 3));
      return got;
    };
    expect(ask().nearestMisses[0]?.reasons.length).toBeGreaterThanOrEqual(3);
    // A runner late in runnerId order gets the tag, then the group: two changes, each asked after.
    const runner = catalog.getRunner((fleet.runners.filter((r) => r.healthy && r.resources).at(-1) as Runner).runnerId);
    catalog.apply([{ type: 'upsertRunner', runner: { ...runner, tags: ['rare'] } }]);
    ask();
    catalog.apply([{ type: 'upsertRunner', runner: { ...runner, tags: ['rare'], runnerGroupId: 'rare-group' } }]);
    const after = ask();
    expect(after.nearestMisses[0]?.runnerId).toBe(runner.runnerId);
    expect(after.nearestMisses[0]?.reasons).toEqual(['insufficientCpu']);
  });

  it('requests that differ in one field of their class of conditions are not taken for one another', () => {
    const fleet = generateFleet({ runners: 200, seed: 12, utilisation: 0.8 });
    const catalog = Catalog.fromSnapshot(fleet);
    const snapshot = catalog.toSnapshot();
    const runner = fleet.runners[3] as Runner;
    const profile = fleet.profiles[0] as Profile;
    // No runner has 500 cores: every one of these is rejected, each with its own counts.
    const base: SandboxRequest = { cpuMillicores: 500_000, memoryBytes: 2 ** 30, gpuCount: 0 };
    const variants: SandboxRequest[] = [
      base,
      { ...base, gpuCount: 1 },
      { ...base, gpuCount: 1, gpuType: 'H100' },
      { ...base, architecture: 'arm64' },
      { ...base, privileged: true },
      { ...base, storageClass: 'ssd' },
      { ...base, profileName: profile.profileName },
      { ...base, ingressMode: 'public' },
      { ...base, egressMode: 'internet' },
      { ...base, runnerGroupId: runner.runnerGroupId },
      { ...base, runnerIds: [runner.runnerId] },
      { ...base, tags: ['spot'] },
      { ...base, tags: ['spot', 'nvlink'] },
    ];
    for (const q of [...variants, ...variants.reverse()]) {
      const got = catalog.place(q, { nearestMisses: 3 });
      expect(got.ok).toBe(false);
      if (!got.ok) expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(refRejection(snapshot, q, 3));
    }
  });

  it('more classes of rejections than are kept (64): the least recently read are dropped, answers stay the reference', () => {
    const fleet = generateFleet({ runners: 200, seed: 9, utilisation: 0.8 });
    const catalog = Catalog.fromSnapshot(fleet);
    const snapshot = catalog.toSnapshot();
    const groups = [...new Set(fleet.runners.map((r) => r.runnerGroupId))];
    const ids = fleet.runners.map((r) => r.runnerId);
    // 80 classes (each its own allow-list of two runners, a group, a GPU count no runner has; a
    // third with two conditions more), asked in the same order twice over, then the first ten again.
    const classes = Array.from({ length: 80 }, (_, i): SandboxRequest => ({ cpuMillicores: 1000, memoryBytes: 2 ** 31, gpuCount: 16, runnerGroupId: groups[i % groups.length], runnerIds: [ids[i] as string, ids[i + 100] as string], ...(i % 3 === 0 ? { tags: ['spot'], privileged: true } : {}) }));
    for (const q of [...classes, ...classes, ...classes.slice(0, 10)]) {
      const got = catalog.place(q, { nearestMisses: 3 });
      expect(got.ok).toBe(false);
      if (!got.ok) expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(refRejection(snapshot, q, 3));
    }
  });

  it('more admission classes than the cache keeps: the least recently used are worked out again, the rest kept current', () => {
    const fleet = generateFleet({ runners: 80, seed: 13, utilisation: 0.5 });
    const catalog = Catalog.fromSnapshot(fleet);
    const names = [...new Set(fleet.profiles.map((p) => p.profileName)), 'absent'];
    const classes: SandboxRequest[] = [];
    for (const profileName of [undefined, ...names])
      for (const gpuType of [undefined, 'H100', 'A100'])
        for (const architecture of [undefined, 'amd64', 'arm64'])
          for (const ingressMode of [undefined, 'public', 'private'])
            for (const egressMode of [undefined, 'internet'])
              classes.push({ cpuMillicores: 1000, memoryBytes: 2 ** 30, gpuCount: gpuType === undefined ? classes.length % 2 : 1, profileName, gpuType, architecture, ingressMode, egressMode });
    // Each its own class, more than the cache keeps.
    for (let i = 0; classes.length <= CLASSES + 40; i++) classes.push({ cpuMillicores: 1000, memoryBytes: 2 ** 30, gpuCount: 0, profileName: `absent-${i}`, architecture: 'amd64' });
    let placed = 0;
    const check = (q: SandboxRequest) => {
      // Every fitting runner, in order: a runner wrongly in or out of an admission set shows.
      const got = catalog.place(q, { nearestMisses: 0, topK: 100 });
      const snapshot = catalog.toSnapshot();
      const ref = refPlace(snapshot, q, 'spread');
      if (got.ok) {
        placed++;
        expect(got.alternatives?.map((a) => a.runnerId)).toEqual(ref.fits.map((f) => f.runnerId));
        expect(got.profileName).toBe(ref.best?.profileName);
      } else expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: [] }).toEqual(refRejection(snapshot, q, 0));
    };
    for (const q of classes) catalog.place(q);
    // Profiles change while the first classes are out of the cache and the last ones in it.
    const runners = fleet.runners.slice(0, 40);
    for (const runner of runners) {
      const [profile] = catalog.listProfiles({ runnerId: runner.runnerId });
      if (profile) catalog.apply([{ type: 'upsertProfile', profile: { ...profile, ingressModes: profile.ingressModes.includes('public') ? ['private'] : ['public'], supportedArchitectures: ['arm64'] } }]);
    }
    catalog.apply([{ type: 'removeProfile', runnerId: (runners[0] as Runner).runnerId, profileName: (catalog.listProfiles({ runnerId: (runners[0] as Runner).runnerId })[0] as Profile).profileName }]);
    const admitted = classes.filter((q) => q.profileName === undefined || !q.profileName.startsWith('absent'));
    expect(admitted.length).toBeGreaterThan(100);
    // Most recently used first: the kept sets are read before misses push them out.
    for (const q of [...admitted.reverse(), ...classes.slice(-60), ...classes.slice(0, 60)]) check(q);
    expect(placed).toBeGreaterThan(50);
  });

  it('discovery queries match the reference', () => {
    const fleet = generateFleet({ runners: 400, seed: 11 });
    const c = Catalog.fromSnapshot(fleet);
    const filters = [
      { gpuType: 'H100', egressMode: 'internet', minAvailableGpuCount: 2 },
      { architecture: 'arm64', ingressMode: 'public', minAvailableCpuMillicores: 48_000, minAvailableMemoryBytes: 100 * 2 ** 30 },
      { runnerGroupId: 'group-02', profileName: 'gpu-training', healthyOnly: true },
      { minAvailableMemoryBytes: 0 },
    ];
    for (const f of filters) {
      expect(c.listRunners(f)).toEqual(refListRunners(fleet, f));
      expect(c.countRunners(f)).toBeGreaterThan(0);
    }
    expect(c.listProfiles({ gpuType: 'B200', ingressMode: 'private' })).toEqual(refListProfiles(fleet, { gpuType: 'B200', ingressMode: 'private' }));
  });
});
