import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryValidationError,
  request,
  StalePlacementError,
  type Placement,
  type Rejection,
  type SandboxRequest,
  type Strategy,
} from '../../src/index.js';
import { jsonCopy, requestArb, snapshotArb, strategyArb } from '../support/arbitraries.js';
import { fleet, profile, runner } from '../support/builders.js';
import { refPlace, refRejection } from '../support/reference.js';
import { useSearch } from '../support/search.js';

const GiB = 2 ** 30;

describe('strategies — worked scores', () => {
  // Two runners, both max (8000 m, 32 GiB). r-half has (4000 m, 16 GiB) free, r-most (6000 m, 24 GiB).
  const c = Catalog.fromSnapshot(
    fleet([
      runner('r-half', { maxMemoryBytes: 32 * GiB, resources: { availableCpuMillicores: 4000, availableMemoryBytes: 16 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
      runner('r-most', { maxMemoryBytes: 32 * GiB, resources: { availableCpuMillicores: 6000, availableMemoryBytes: 24 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
    ], [profile('p', 'r-half'), profile('p', 'r-most')]),
  );
  const q = { cpuMillicores: 1000, memoryBytes: 4 * GiB, gpuCount: 0 };

  it('spread: 100 × mean free fraction after placing', () => {
    // r-half: (3000/8000 + 12/32) / 2 = 0.375 → 37.5; r-most: (5000/8000 + 20/32) / 2 = 0.625 → 62.5
    const p = c.place(q, { strategy: 'spread', topK: 2 }) as Placement;
    expect(p.runnerId).toBe('r-most');
    expect(p.alternatives?.map((a) => [a.runnerId, a.score])).toEqual([['r-most', 62.5], ['r-half', 37.5]]);
  });
  it('binpack: 100 − spread', () => {
    const p = c.place(q, { strategy: 'binpack', topK: 2 }) as Placement;
    expect(p.alternatives?.map((a) => [a.runnerId, a.score])).toEqual([['r-half', 62.5], ['r-most', 37.5]]);
  });
  it('balanced: 100 × (1 − (max u − min u))', () => {
    // q = (2000 m, 4 GiB). r-half: u = (1 − 2000/8000, 1 − 12/32) = (0.75, 0.625) → 87.5
    // r-most: u = (1 − 4000/8000, 1 − 20/32) = (0.5, 0.375) → 87.5: a tie, broken by runnerId.
    const p = c.place({ cpuMillicores: 2000, memoryBytes: 4 * GiB, gpuCount: 0 }, { strategy: 'balanced', topK: 2 }) as Placement;
    expect(p.alternatives?.map((a) => [a.runnerId, a.score])).toEqual([['r-half', 87.5], ['r-most', 87.5]]);
  });
  it('firstFit: the first fitting runner by runnerId, score 100', () => {
    const p = c.place({ cpuMillicores: 5000, memoryBytes: 0, gpuCount: 0 }, { strategy: 'firstFit' }) as Placement;
    expect([p.runnerId, p.score]).toEqual(['r-most', 100]);
  });
  it('an undisclosed maximum (0) scores against the available amount', () => {
    const d = Catalog.fromSnapshot(fleet([runner('r', { maxCpuMillicores: 0, maxMemoryBytes: 0, resources: { availableCpuMillicores: 4000, availableMemoryBytes: 8 * GiB, availableGpuCount: 0, runningSandboxes: 0 } })], [profile('p', 'r')]));
    // (3000/4000 + 6/8) / 2 = 0.75 → 75
    expect((d.place({ cpuMillicores: 1000, memoryBytes: 2 * GiB, gpuCount: 0 }) as Placement).score).toBe(75);
  });
});

describe('a placement as handed out', () => {
  // Two runners, each with two profiles: the admitting one of smallest name is the placement's.
  const c = Catalog.fromSnapshot(
    fleet(
      [
        runner('r-a', { profileNames: ['zeta', 'beta', 'gamma', 'delta'], resources: { availableCpuMillicores: 4000, availableMemoryBytes: 16 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
        runner('r-b', { profileNames: ['zeta', 'beta', 'gamma', 'delta'], resources: { availableCpuMillicores: 6000, availableMemoryBytes: 24 * GiB, availableGpuCount: 0, runningSandboxes: 0 } }),
      ],
      [profile('zeta', 'r-a'), profile('beta', 'r-a'), profile('gamma', 'r-b'), profile('delta', 'r-b')],
    ),
  );
  const q = { cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 0 };

  it('holds its fields in one order, frozen, with alternatives only when asked for', () => {
    const p = c.place(q) as Placement;
    expect(Object.keys(p)).toEqual(['ok', 'runnerId', 'profileName', 'score', 'strategy', 'generation', 'request']);
    expect(Object.isFrozen(p)).toBe(true);
    expect([p.runnerId, p.profileName, p.strategy]).toEqual(['r-b', 'delta', 'spread']);
    const top = c.place(q, { topK: 2 }) as Placement;
    expect(Object.keys(top)).toEqual(['ok', 'runnerId', 'profileName', 'score', 'strategy', 'generation', 'request', 'alternatives']);
    expect(top.alternatives?.map((a) => [a.runnerId, a.profileName, a.score])).toEqual([
      ['r-b', 'delta', top.score],
      ['r-a', 'beta', top.alternatives?.[1]?.score],
    ]);
    expect(Object.isFrozen(top.alternatives)).toBe(true);
    expect(top.alternatives?.every((a) => Object.isFrozen(a))).toBe(true);
    expect(c.place(q, { topK: 0 })).toEqual(p);
  });
});

describe('rejections', () => {
  const c = Catalog.fromSnapshot(
    fleet(
      [
        runner('a', { healthy: false, maxGpuCount: 8, supportedGpuTypes: ['A100'], resources: { availableCpuMillicores: 8000, availableMemoryBytes: 8 * GiB, availableGpuCount: 1, runningSandboxes: 0 } }),
        runner('b', { maxGpuCount: 8, supportedGpuTypes: ['H100'], resources: { availableCpuMillicores: 1000, availableMemoryBytes: 8 * GiB, availableGpuCount: 2, runningSandboxes: 0 } }),
        runner('c', { resources: null }),
      ],
      [profile('gpu', 'a', { supportedGpuTypes: ['A100'] }), profile('gpu', 'b', { supportedGpuTypes: ['H100'] })],
    ),
  );

  it('counts every reason for every runner and names the nearest misses with shortfalls', () => {
    const r = c.place({ cpuMillicores: 2000, memoryBytes: GiB, gpuCount: 4, gpuType: 'H100' }) as Rejection;
    expect(r.ok).toBe(false);
    expect(r.code).toBe('NO_SUITABLE_RUNNER');
    expect(r.considered).toBe(3);
    // a: unhealthy, insufficient gpu, gpu type, no admitting profile (its profile lacks H100)
    // b: insufficient cpu, insufficient gpu. c: unknown resources, gpu type, no admitting profile
    expect(r.reasons).toMatchObject({ unhealthy: 1, unknownResources: 1, insufficientCpu: 1, insufficientGpu: 2, gpuType: 2, noAdmittingProfile: 2, insufficientMemory: 0 });
    expect(r.nearestMisses[0]).toEqual({ runnerId: 'b', reasons: ['insufficientCpu', 'insufficientGpu'], shortfall: { cpuMillicores: 1000, memoryBytes: 0, gpuCount: 2 } });
    expect(r.nearestMisses.map((m) => m.runnerId)).toEqual(['b', 'c', 'a']);
    expect(r.nearestMisses[1]?.shortfall).toBeNull();
    expect(r.message).toBe('0/3 runners fit: 2 insufficient gpu, 2 gpu type, 2 no admitting profile, 1 unhealthy, 1 unknown resources, 1 insufficient cpu');
    expect(JSON.parse(JSON.stringify(r)).message).toBe(r.message);
  });

  it('PROFILE_MISMATCH when the named profile admits the request nowhere', () => {
    const r = c.place({ cpuMillicores: 0, memoryBytes: 0, gpuCount: 0, profileName: 'nope' }) as Rejection;
    expect(r.code).toBe('PROFILE_MISMATCH');
    expect(r.reasons.noAdmittingProfile).toBe(3);
  });

  it('a GPU request without a type fits any type the runner and its profile share', () => {
    const p = c.place({ cpuMillicores: 500, memoryBytes: GiB, gpuCount: 2 }) as Placement;
    expect([p.runnerId, p.profileName]).toEqual(['b', 'gpu']);
  });
});

describe('bad requests never reach the engine', () => {
  const c = Catalog.fromSnapshot(fleet([runner('r')], [profile('p', 'r')]));
  it.each([
    [{ cpuMillicores: -1, memoryBytes: 0, gpuCount: 0 }, ['cpuMillicores']],
    [{ cpuMillicores: 1.5, memoryBytes: Number.NaN, gpuCount: 0 }, ['cpuMillicores', 'memoryBytes']],
    [{ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0, gpuType: '  ', cpu: 2 }, ['cpu', 'gpuType']],
    [{ memoryBytes: 0, gpuCount: 0, tags: ['ok', ''] }, ['cpuMillicores', 'tags[1]']],
  ])('%j → violations on %j', (bad, fields) => {
    try {
      c.place(bad as unknown as SandboxRequest);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiscoveryValidationError);
      expect((e as DiscoveryValidationError).fieldViolations.map((v) => v.field).sort()).toEqual(fields);
    }
  });
  it('refuses an unknown strategy', () => {
    expect(() => c.place({ cpuMillicores: 0, memoryBytes: 0, gpuCount: 0 }, { strategy: 'random' as Strategy })).toThrow(DiscoveryValidationError);
  });
  it('request() reads quantity strings', () => {
    expect(request({ cpu: '500m', memory: '2Gi', gpu: 1, gpuType: 'H100' })).toEqual({ gpuType: 'H100', cpuMillicores: 500, memoryBytes: 2 * GiB, gpuCount: 1 });
    expect(() => request({ cpu: '0.5m' })).toThrow(DiscoveryValidationError);
  });
});

describe('reservations', () => {
  const make = () => Catalog.fromSnapshot(fleet([runner('r', { maxGpuCount: 4, supportedGpuTypes: ['H100'], resources: { availableCpuMillicores: 4000, availableMemoryBytes: 8 * GiB, availableGpuCount: 4, runningSandboxes: 1 } })], [profile('p', 'r', { supportedGpuTypes: ['H100'] })]));
  const q = { cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 1 };

  it('reserve takes capacity and counts a sandbox; release restores exactly', () => {
    const c = make();
    const before = c.getRunner('r');
    const res = c.reserve(c.place(q) as Placement);
    expect(c.getRunner('r').resources).toEqual({ availableCpuMillicores: 3000, availableMemoryBytes: 7 * GiB, availableGpuCount: 3, runningSandboxes: 2 });
    expect(c.reservations()).toEqual([res]);
    c.release(res);
    expect(c.reservations()).toEqual([]);
    expect(c.getRunner('r')).toEqual(before);
  });
  it('refuses a stale placement; the caller re-places', () => {
    const c = make();
    const p1 = c.place(q) as Placement;
    const p2 = c.place(q) as Placement;
    c.reserve(p1);
    expect(() => c.reserve(p2)).toThrow(StalePlacementError);
    expect(() => c.reserve(c.place(q) as Placement)).not.toThrow();
  });
  it('double release and unknown reservations are validation errors', () => {
    const c = make();
    const res = c.reserve(q);
    if (!res.ok) throw new Error('expected a reservation');
    c.release(res);
    expect(() => c.release(res)).toThrow(DiscoveryValidationError);
    expect(() => c.release({ ...res, reservationId: 999 })).toThrow(DiscoveryValidationError);
  });
  it('survive unrelated batches; setResources replaces the report and changes the generation', () => {
    const c = make();
    const p = c.place(q) as Placement;
    const res = c.reserve(p);
    c.apply([{ type: 'upsertProfile', profile: profile('other', 'r') }]);
    expect(c.getRunner('r').resources?.availableGpuCount).toBe(3);
    const stale = c.place(q) as Placement;
    c.apply([{ type: 'setResources', runnerId: 'r', resources: { availableCpuMillicores: 4000, availableMemoryBytes: 8 * GiB, availableGpuCount: 2, runningSandboxes: 1 } }]);
    expect(() => c.reserve(stale)).toThrow(StalePlacementError);
    expect(c.getRunner('r').resources?.availableGpuCount).toBe(1); // 2 reported − 1 reserved
    c.release(res);
    expect(c.getRunner('r').resources?.availableGpuCount).toBe(2);
  });
  it('capacity never goes below zero when the report drops under what is reserved', () => {
    const c = make();
    const res = c.reserve(c.place({ cpuMillicores: 3000, memoryBytes: 0, gpuCount: 0 }) as Placement);
    c.apply([{ type: 'setResources', runnerId: 'r', resources: { availableCpuMillicores: 1000, availableMemoryBytes: GiB, availableGpuCount: 0, runningSandboxes: 0 } }]);
    expect(c.getRunner('r').resources?.availableCpuMillicores).toBe(0);
    c.release(res);
    expect(c.getRunner('r').resources?.availableCpuMillicores).toBe(1000);
  });
});

describe.each([
  ['every fitting runner scored when few fit', false],
  ['every decision through the strategies\' searches over the shape index', true],
] as const)('placement against the brute-force placer: %s', (_, searchAlways) => {
  useSearch(searchAlways);
  it('same verdict, best score, tie-break, profile, reason counts and nearest misses', () => {
    fc.assert(fc.property(snapshotArb(), fc.array(fc.tuple(requestArb, strategyArb), { minLength: 1, maxLength: 6 }), (snapshot, cases) => {
      const c = Catalog.fromSnapshot(jsonCopy(snapshot));
      for (const [q, strategy] of cases) {
        const expected = refPlace(snapshot, q, strategy);
        const got = c.place(q, { strategy, topK: 3 });
        if (expected.best) {
          expect(got.ok).toBe(true);
          const p = got as Placement;
          expect({ runnerId: p.runnerId, score: p.score, profileName: p.profileName }).toEqual(expected.best);
          expect(p.alternatives?.map((a) => [a.runnerId, a.score])).toEqual(expected.fits.slice(0, 3).map((f) => [f.runnerId, f.score]));
          expect(p.score).toBeGreaterThanOrEqual(0);
          expect(p.score).toBeLessThanOrEqual(100);
        } else {
          expect(got.ok).toBe(false);
          const r = got as Rejection;
          // Code, every reason counted, nearest misses in order with their reasons and shortfalls.
          expect({ code: r.code, considered: r.considered, reasons: { ...r.reasons }, nearestMisses: jsonCopy(r.nearestMisses) }).toEqual(refRejection(snapshot, q, 3));
        }
      }
    }), { numRuns: 400 });
  });
});
