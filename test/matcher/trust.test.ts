import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryError,
  DiscoveryValidationError,
  generateFleet,
  generateTrace,
  parseSnapshot,
  parseTrace,
  simulate,
  StalePlacementError,
  type Placement,
  type Rejection,
  type SandboxRequest,
  type TraceEvent,
} from '../../src/index.js';
import { compareIds, idOrder } from '../../src/order.js';
import { fleet, profile, runner } from '../support/builders.js';
import { byString } from '../support/reference.js';

const GiB = 2 ** 30;
const res = (cpu: number, memory: number, gpu = 0) => ({ availableCpuMillicores: cpu, availableMemoryBytes: memory, availableGpuCount: gpu, runningSandboxes: 0 });

function refused(call: () => unknown): DiscoveryValidationError {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryValidationError);
    return e as DiscoveryValidationError;
  }
  throw new Error('expected a DiscoveryValidationError');
}

describe('the request and the placement are the caller’s, not the catalog’s', () => {
  const gpuFleet = () =>
    Catalog.fromSnapshot(
      fleet(
        [
          runner('h', { maxCpuMillicores: 8000, maxGpuCount: 8, supportedGpuTypes: ['H100'], resources: res(8000, 2 ** 35, 8) }),
          runner('a', { maxCpuMillicores: 8000, maxGpuCount: 8, supportedGpuTypes: ['A100'], resources: res(8000, 2 ** 35, 8) }),
        ],
        [profile('gpu', 'h', { supportedGpuTypes: ['H100'] }), profile('gpu', 'a', { supportedGpuTypes: ['A100'] })],
      ),
    );

  it('mutating the request after place changes neither what reserve books nor the admission cache', () => {
    const c = gpuFleet();
    const q = { cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 1, gpuType: 'H100' } as { cpuMillicores: number; memoryBytes: number; gpuCount: number; gpuType: string };
    const p = c.place(q) as Placement;
    expect(p.request).not.toBe(q);
    expect(Object.isFrozen(p.request)).toBe(true);
    q.cpuMillicores = -20_000;
    q.gpuType = 'A100';
    const r = c.reserve(p);
    expect(r.cpuMillicores).toBe(1000);
    expect(c.getRunner('h').resources?.availableCpuMillicores).toBe(7000);
    // One unrelated change re-runs the cached class: a fresh H100 request still places.
    c.apply([{ type: 'upsertProfile', profile: profile('other', 'a') }]);
    const again = c.place({ cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 1, gpuType: 'H100' });
    expect(again.ok && again.runnerId).toBe('h');
  });

  it('reserve refuses forged and altered placements and changes nothing', () => {
    const c = gpuFleet();
    const p = c.place({ cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 1 }) as Placement;
    const before = c.toSnapshot();
    for (const forged of [
      { ...p, request: { ...p.request, cpuMillicores: -5000 } },
      { ...p, request: { ...p.request, memoryBytes: Number.NaN } },
      { ...p, request: { ...p.request, gpuCount: 1.5 } },
      { ...p },
      JSON.parse(JSON.stringify(p)) as Placement,
      { ok: true, runnerId: 'h', profileName: 'gpu', score: 1, strategy: 'spread', generation: p.generation, request: p.request } as Placement,
    ]) {
      refused(() => c.reserve(forged));
    }
    expect(c.toSnapshot()).toEqual(before);
    expect(c.reserve(p).cpuMillicores).toBe(1000);
  });

  it('reserve(null), reserve(42) and release(null) are validation errors', () => {
    const c = gpuFleet();
    refused(() => c.reserve(null as never));
    refused(() => c.reserve(42 as never));
    refused(() => c.release(null as never));
  });
});

describe('lists handed in are copied item by item into plain arrays', () => {
  /** An Array subclass whose own forEach and iterator show the checks only strings. */
  class Sly extends Array<unknown> {
    override forEach(visit: (item: unknown, i: number, list: unknown[]) => void): void {
      for (let i = 0; i < this.length; i++) visit(`item-${i}`, i, this);
    }
    override *[Symbol.iterator](): ArrayIterator<unknown> {
      for (let i = 0; i < this.length; i++) yield `item-${i}`;
    }
  }

  it('a request list of a subclass of Array is checked item by item, and kept as a plain array', () => {
    const c = Catalog.fromSnapshot(fleet([runner('a', { tags: ['spot'] })], [profile('p', 'a')]));
    const lying = Sly.from([42]);
    const e = refused(() => c.place({ cpuMillicores: 100, memoryBytes: GiB, gpuCount: 0, tags: lying as unknown as string[] }));
    expect(e.fieldViolations.map((v) => v.field)).toEqual(['tags[0]']);
    const p = c.place({ cpuMillicores: 100, memoryBytes: GiB, gpuCount: 0, tags: Sly.from(['spot']) as unknown as string[] }) as Placement;
    expect(p.ok).toBe(true);
    expect(Object.getPrototypeOf(p.request.tags)).toBe(Array.prototype);
    expect(p.request.tags).toEqual(['spot']);
  });

  it('a snapshot list is read item by item, each once, into a plain array', () => {
    // Answers a string when checked, then a number: only what was checked may be kept.
    let reads = 0;
    const tags: unknown[] = [];
    Object.defineProperty(tags, 0, { enumerable: true, get: () => (reads++ === 0 ? 'spot' : 42) });
    const doc = { runners: [{ ...runner('a'), tags }, { ...runner('b'), tags: Sly.from(['gpu']) }], profiles: [] };
    const snapshot = parseSnapshot(doc);
    expect(snapshot.runners.map((r) => r.tags)).toEqual([['spot'], ['gpu']]);
    expect(reads).toBe(1);
    for (const r of snapshot.runners) expect(Object.getPrototypeOf(r.tags)).toBe(Array.prototype);
  });
});

describe('forks never collide with their parent', () => {
  const make = () => Catalog.fromSnapshot(fleet([runner('r', { resources: res(500, 2 ** 35) })], [profile('p', 'r')]));

  it('a placement decided on a fork is refused by the parent, and the reverse', () => {
    const parent = make();
    const fork = parent.fork();
    fork.apply([{ type: 'setResources', runnerId: 'r', resources: res(8000, 2 ** 35) }]);
    const onFork = fork.place({ cpuMillicores: 6000, memoryBytes: 0, gpuCount: 0 }) as Placement;
    expect(onFork.ok).toBe(true);
    refused(() => parent.reserve(onFork));
    expect(parent.getRunner('r').resources?.availableCpuMillicores).toBe(500);
    const onParent = parent.place({ cpuMillicores: 100, memoryBytes: 0, gpuCount: 0 }) as Placement;
    refused(() => fork.reserve(onParent));
  });

  it('reservation ids are unique across the family; a fork’s reservation does not release the parent’s', () => {
    const parent = make();
    const q = { cpuMillicores: 100, memoryBytes: 0, gpuCount: 0 };
    const fork = parent.fork();
    const mine = parent.reserve(q);
    const theirs = fork.reserve(q);
    if (!mine.ok || !theirs.ok) throw new Error('expected reservations');
    expect(theirs.reservationId).not.toBe(mine.reservationId);
    refused(() => parent.release(theirs));
    parent.release(mine);
    fork.release(theirs);
  });

  it('generations never repeat between a catalog and its forks', () => {
    const parent = make();
    const fork = parent.fork();
    const a = parent.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0 }) as Placement;
    parent.apply([{ type: 'setHealthy', runnerId: 'r', healthy: true }]);
    fork.apply([{ type: 'setResources', runnerId: 'r', resources: res(400, 2 ** 35) }]);
    const b = fork.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0 }) as Placement;
    expect(b.generation).not.toBe(a.generation);
  });
});

describe('leases', () => {
  const make = () => Catalog.fromSnapshot(fleet([runner('r', { resources: res(4000, 2 ** 35) })], [profile('p', 'r')]));
  const q = { cpuMillicores: 1000, memoryBytes: 0, gpuCount: 0 };

  it('a sandboxId reserved again returns the same reservation, booking nothing more', () => {
    const c = make();
    const first = c.reserve(q, { sandboxId: 'sbx-1' });
    const again = c.reserve(q, { sandboxId: 'sbx-1' });
    expect(again).toBe(first);
    expect(c.getRunner('r').resources?.availableCpuMillicores).toBe(3000);
    expect(c.reservationFor('sbx-1')).toBe(first);
    const p = c.place(q) as Placement;
    expect(c.reserve(p, { sandboxId: 'sbx-1' })).toBe(first);
    // A bad request is refused even when its sandbox is held.
    refused(() => c.reserve({ cpuMillicores: -1, memoryBytes: 0, gpuCount: 0 }, { sandboxId: 'sbx-1' }));
  });

  it('expire(now) releases what has expired, by expiry, and returns it', () => {
    const c = make();
    const a = c.reserve(q, { sandboxId: 'a', expiresAt: 30 });
    const b = c.reserve(q, { sandboxId: 'b', expiresAt: 10 });
    c.reserve(q, { sandboxId: 'c' });
    expect(c.expire(5)).toEqual([]);
    expect(c.expire(30)).toEqual([b, a]);
    expect(c.getRunner('r').resources?.availableCpuMillicores).toBe(3000);
    expect(c.reservationFor('a')).toBeUndefined();
    refused(() => c.release(a as never));
  });

  it('renew moves the expiry; either copy releases once', () => {
    const c = make();
    const a = c.reserve(q, { expiresAt: 10 });
    if (!a.ok) throw new Error('expected a reservation');
    const renewed = c.renew(a, 100);
    expect(renewed.expiresAt).toBe(100);
    expect(c.expire(50)).toEqual([]);
    c.release(a);
    refused(() => c.release(renewed));
  });

  it('the reserve(request) union narrows on ok', () => {
    const c = make();
    const r = c.reserve({ cpuMillicores: 99_999, memoryBytes: 0, gpuCount: 0 });
    if (!r.ok) expect(r.message).toContain('insufficient cpu');
    else throw new Error('expected a rejection');
  });
});

describe('exact answers', () => {
  it('scores equal in rational arithmetic are ties, decided by runnerId', () => {
    // Both max (10000 m, 10 GiB); q = (1000 m, 1 GiB). After placing, 'a' keeps (0.0, 0.3) and
    // 'z' (0.1, 0.2) of its maxima: 15 and 15.000000000000002 in floats, 15 and 15 exactly.
    const c = Catalog.fromSnapshot(
      fleet(
        [
          runner('z', { maxCpuMillicores: 10_000, maxMemoryBytes: 10 * GiB, resources: res(2000, 3 * GiB) }),
          runner('a', { maxCpuMillicores: 10_000, maxMemoryBytes: 10 * GiB, resources: res(1000, 4 * GiB) }),
        ],
        [profile('p', 'a'), profile('p', 'z')],
      ),
    );
    const q = { cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 0 };
    expect((100 * (0.1 + 0.2)) / 2).not.toBe((100 * (0 + 0.3)) / 2);
    expect((c.place(q, { strategy: 'spread' }) as Placement).runnerId).toBe('a');
    expect((c.place(q, { strategy: 'binpack' }) as Placement).runnerId).toBe('a');
  });

  it('same-shape runners tie exactly by integer arithmetic: (4000 m, 16 GiB) and (6000 m, 8 GiB) free of (8000 m, 32 GiB)', () => {
    // q = (1000 m, 1 GiB): spread 100 × (3000/8000 + 15/32) / 2 = 100 × (5000/8000 + 7/32) / 2 = 42.1875.
    const shape = { maxCpuMillicores: 8000, maxMemoryBytes: 32 * GiB };
    const c = Catalog.fromSnapshot(
      fleet([runner('b', { ...shape, resources: res(4000, 16 * GiB) }), runner('a', { ...shape, resources: res(6000, 8 * GiB) })], [profile('p', 'a'), profile('p', 'b')]),
    );
    const q = { cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 0 };
    const spread = c.place(q, { strategy: 'spread', topK: 2 }) as Placement;
    expect(spread.alternatives?.map((x) => [x.runnerId, x.score])).toEqual([['a', 42.1875], ['b', 42.1875]]);
    // One byte less free on 'a' and it loses, however small the difference.
    const d = Catalog.fromSnapshot(
      fleet([runner('b', { ...shape, resources: res(4000, 16 * GiB) }), runner('a', { ...shape, resources: res(6000, 8 * GiB - 1) })], [profile('p', 'a'), profile('p', 'b')]),
    );
    expect((d.place(q, { strategy: 'spread' }) as Placement).runnerId).toBe('b');
    expect((d.place(q, { strategy: 'binpack' }) as Placement).runnerId).toBe('a');
  });

  it('ids order by code point, everywhere', () => {
    const ids = ['r-\u{1F600}', 'r-\uFF61', 'r-a'];
    const c = Catalog.fromSnapshot(fleet(ids.map((id) => runner(id)), ids.map((id) => profile('p', id))));
    const expected = ['r-a', 'r-\uFF61', 'r-\u{1F600}'];
    expect(c.listRunners().map((r) => r.runnerId)).toEqual(expected);
    expect(c.listProfiles().map((p) => p.runnerId)).toEqual(expected);
    expect(c.getProfile('p').runnerId).toBe('r-a');
    const noA = Catalog.fromSnapshot(fleet(ids.slice(0, 2).map((id) => runner(id)), ids.slice(0, 2).map((id) => profile('p', id))));
    expect(noA.getProfile('p').runnerId).toBe('r-\uFF61');
    expect((noA.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0 }, { strategy: 'firstFit' }) as Placement).runnerId).toBe('r-\uFF61');
    // Ties: equal scores, the smaller code point wins.
    expect((noA.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0 }, { strategy: 'spread' }) as Placement).runnerId).toBe('r-\uFF61');
  });

  it('compareIds is code point order', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => Math.sign(compareIds(a, b)) === Math.sign(byString(a, b))));
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => Math.sign(compareIds(a, b)) === Math.sign(byString(a, b))));
  });

  it('idOrder gives the indices in compareIds order of their ids, with and without surrogates', () => {
    // Long lists of ids from a few units, sharing prefixes and prefixes of each other, so that
    // ranges are split many times and deep, beside short lists of any units.
    const few = fc.constantFrom('a', 'b', '-', '\uFF61', '\u{1F600}', '\uE000', '\uD7FF', '\uD800', '\uDFFF', '\u0000');
    const ids = fc.oneof(
      fc.uniqueArray(fc.string({ unit: 'binary' })),
      fc.uniqueArray(fc.string({ unit: 'grapheme-ascii' })),
      fc.shuffledSubarray(['r-\uFF61', 'r-\u{1F600}', 'r-a', 'r-', 'r-\uE000', 'r-\uD7FF']),
      fc.uniqueArray(fc.array(few, { maxLength: 8 }).map((units) => `runner-${units.join('')}`), { minLength: 13, maxLength: 400, size: 'max' }),
      fc.uniqueArray(fc.nat(5000).map((k) => `r${k}`), { minLength: 13, maxLength: 400, size: 'max' }),
    );
    fc.assert(fc.property(ids, (list) => {
      expect([...idOrder(list)].map((i) => list[i])).toEqual([...list].sort(compareIds));
    }));
  });

  it('PROFILE_MISMATCH whenever the request named a profile and nothing fits', () => {
    const c = Catalog.fromSnapshot(fleet([runner('r', { resources: res(1000, GiB) })], [profile('p', 'r')]));
    const r = c.place({ cpuMillicores: 5000, memoryBytes: 0, gpuCount: 0, profileName: 'p' }) as Rejection;
    expect(r.code).toBe('PROFILE_MISMATCH');
    expect(r.reasons.insufficientCpu).toBe(1);
    expect(r.reasons.noAdmittingProfile).toBe(0);
  });

  it('an empty batch changes nothing, its generation included', () => {
    const c = Catalog.fromSnapshot(fleet([runner('r')], [profile('p', 'r')]));
    const p = c.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0 }) as Placement;
    expect(c.apply([])).toBe(0);
    expect(c.generation).toBe(0);
    expect(() => c.reserve(p)).not.toThrow();
  });

  it('subclass prototypes are instances of DiscoveryError by the prototype chain', () => {
    expect(DiscoveryValidationError.prototype instanceof DiscoveryError).toBe(true);
    expect(StalePlacementError.prototype instanceof DiscoveryError).toBe(true);
    expect({} instanceof DiscoveryError).toBe(false);
  });
});

describe('accepted input never hangs or crashes', () => {
  it('a field in both spellings is a violation, and parse and build agree', () => {
    const doc = { runners: [{ ...runner('a'), runner_id: 'b' }], profiles: [] };
    const e = refused(() => parseSnapshot(doc));
    expect(e.fieldViolations.map((v) => v.field)).toEqual(['runners[0].runnerId']);
    refused(() => Catalog.fromSnapshot(doc));
  });

  it('a trace at time 1e-322 ends, and n samples give n points', () => {
    const f = generateFleet({ runners: 20, seed: 1 });
    const trace = parseTrace(JSON.stringify({ type: 'arrival', time: 1e-322, sandboxId: 's', request: { cpuMillicores: 1, memoryBytes: 1, gpuCount: 0 } }));
    expect(simulate({ snapshot: f, trace, samples: 7, strategies: ['spread'] }).strategies[0]?.series).toHaveLength(7);
    const long = generateTrace({ fleet: f, seed: 2, events: 300 });
    const s = simulate({ snapshot: f, trace: long, samples: 120, strategies: ['spread'] }).strategies[0];
    expect(s?.series).toHaveLength(120);
    const d = long[long.length - 1]?.time as number;
    expect(s?.series.map((x) => x.time)).toEqual(Array.from({ length: 120 }, (_, i) => (d * i) / 119));
  });

  it('BigInt, cycles, 10,000-deep nesting and megabyte ids are validation errors with short messages', () => {
    const c = Catalog.fromSnapshot(fleet([runner('r')]));
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { runnerId: deep };
    for (const bad of [10n, cycle, deep, 'x'.repeat(2_000_000)]) {
      for (const change of [
        { type: 'removeRunner', runnerId: bad },
        { type: 'setHealthy', runnerId: 'r', healthy: bad },
        { type: bad },
        ...(typeof bad === 'string' ? [] : [{ type: 'upsertRunner', runner: { ...runner('r2'), runnerGroupId: bad } }]),
      ]) {
        expect(refused(() => c.apply([change as never])).message.length).toBeLessThan(300);
      }
      expect(refused(() => parseTrace(`{"type":"departure","time":1,"sandboxId":${typeof bad === 'string' ? JSON.stringify(bad) : '1'}}`)).message.length).toBeLessThan(400);
      expect(refused(() => simulate({ catalog: c, trace: [{ type: 'departure', time: 0, sandboxId: bad } as never] })).message.length).toBeLessThan(300);
    }
  });

  it('control characters in messages are escaped', () => {
    const e = refused(() => Catalog.fromSnapshot(fleet([runner('r')])).apply([{ type: 'removeRunner', runnerId: '\u001b]0;owned\u0007' }]));
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('a trace built in code is validated as a parsed one', () => {
    const f = generateFleet({ runners: 10, seed: 1 });
    const q: SandboxRequest = { cpuMillicores: 1, memoryBytes: 1, gpuCount: 0 };
    const dup: TraceEvent[] = [
      { type: 'arrival', time: 0, sandboxId: 's', request: q },
      { type: 'arrival', time: 1, sandboxId: 's', request: q },
    ];
    expect(refused(() => simulate({ snapshot: f, trace: dup })).fieldViolations[0]?.field).toBe('trace[1] sandboxId');
    refused(() => simulate({ snapshot: f, trace: [{ type: 'arrival', time: Number.NaN, sandboxId: 's', request: q }] }));
    refused(() => simulate({ snapshot: f, trace: [{ type: 'arrival', time: 2, sandboxId: 's', request: q }, { type: 'departure', time: 1, sandboxId: 's' }] }));
    refused(() => simulate({ snapshot: f, trace: [], strategies: [] }));
    refused(() => simulate({ snapshot: f, trace: [], strategies: ['spread', 'spread'] }));
  });

  it('every violation is reported, in the document’s own spelling', () => {
    const bad = { ...runner('a'), maxCpuMillicores: -1 };
    const e = refused(() => parseSnapshot({ runners: [runner('a'), bad], profiles: [] }));
    expect(e.fieldViolations.map((v) => v.field).sort()).toEqual(['runners[1].maxCpuMillicores', 'runners[1].runnerId']);
    const snake = { runners: [{ runner_id: 'r', runner_group_id: 'g', healthy: true, connected_at: '2026-01-01T00:00:00Z', resources: {} }] };
    const fields = refused(() => parseSnapshot(snake)).fieldViolations.map((v) => v.field);
    expect(fields).toEqual(['runners[0].resources.available_cpu_millicores', 'runners[0].resources.available_memory_bytes', 'runners[0].resources.available_gpu_count']);
  });

  it('generateFleet checks its options', () => {
    expect(refused(() => generateFleet({ runners: 10, seed: 1, utilisation: -1 })).fieldViolations[0]?.field).toBe('utilisation');
    expect(refused(() => generateFleet({ runners: 10, seed: 1, groups: 0 })).fieldViolations[0]?.field).toBe('groups');
    refused(() => generateFleet({ runners: 1e10, seed: 1 }));
  });
});

describe('simulation figures that mean what they say', () => {
  it('means are time-weighted: the same whatever the number of samples', () => {
    const f = generateFleet({ runners: 60, seed: 3 });
    const trace = generateTrace({ fleet: f, seed: 4, events: 2000 });
    const means = (samples: number) => simulate({ snapshot: f, trace, samples, strategies: ['binpack'] }).strategies.map((s) => [s.meanUtilisation, s.meanStrandedGpus]);
    expect(means(1)).toEqual(means(120));
    expect(means(3)).toEqual(means(5000));
  });

  it('a step function integrates exactly: half the time at 1/4 CPU is a mean of 1/8', () => {
    const f = fleet([runner('r', { maxCpuMillicores: 4000, maxMemoryBytes: 0, resources: res(4000, 0) })], [profile('p', 'r')]);
    const trace = parseTrace(
      [
        { type: 'arrival', time: 0, sandboxId: 's', request: { cpuMillicores: 1000, memoryBytes: 0, gpuCount: 0 }, lifetime: 50 },
        { type: 'arrival', time: 100, sandboxId: 't', request: { cpuMillicores: 4000, memoryBytes: 0, gpuCount: 0 }, lifetime: 0 },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const s = simulate({ snapshot: f, trace, strategies: ['spread'], samples: 3 }).strategies[0];
    expect(s?.meanUtilisation.cpu).toBe(0.125);
    expect(s?.final.cpu).toBe(0);
  });
});
