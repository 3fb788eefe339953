import fc from 'fast-check';
import { SEARCH_TUNING } from '../../src/matcher/placement/strategy.js';
import { useSearchNow } from '../support/search.js';
import { describe, expect, it } from 'vitest';
import { Catalog, type Change, generateFleet, generateRequests, parseSnapshot, type Placement, type Rejection, type Strategy } from '../../src/index.js';
import { jsonCopy } from '../support/arbitraries.js';
import { refListProfiles, refListRunners, refPlace, refRejection } from '../support/reference.js';

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
