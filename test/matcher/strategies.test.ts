import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, type Change, type Placement, type Reservation, type SandboxRequest, type Strategy } from '../../src/index.js';
import { fleet, profile, runner } from '../support/builders.js';
import { balanced, exactBalanced } from '../../src/matcher/placement/balanced.js';
import { compareRatios } from '../../src/matcher/placement/exact.js';
import { SEARCH_TUNING } from '../../src/matcher/placement/strategy.js';
import { GROUP_TUNING } from '../../src/matcher/delta-groups.js';
import { BUCKETS } from '../../src/matcher/shape-index.js';
import type { RunnerTable } from '../../src/matcher/runner-table.js';
import { SCORING } from '../../src/matcher/placement/strategies.js';
import { refPlace, refScore } from '../support/reference.js';
import { useSearch, useSearchNow } from '../support/search.js';

const GiB = 2 ** 30;

/** One row: a runner's maxima M and amounts free A, a request q, the score and its arithmetic. */
interface Row {
  readonly why: string;
  readonly max: readonly [cpu: number, memGiB: number, gpu: number];
  readonly free: readonly [cpu: number, memGiB: number, gpu: number];
  readonly q: readonly [cpu: number, memGiB: number, gpu: number];
  readonly score: number;
}

/** Per strategy, worked scores (the formulas are in `src/matcher/placement/<strategy>.ts`). */
const TABLES: Readonly<Record<Exclude<Strategy, 'firstFit'>, readonly Row[]>> = {
  spread: [
    { why: 'f = (3000/8000, 12/32) = (0.375, 0.375) → 100 × 0.375', max: [8000, 32, 0], free: [4000, 16, 0], q: [1000, 4, 0], score: 37.5 },
    { why: 'f = (1, 1) on an empty runner asking nothing of it → 100', max: [8000, 32, 0], free: [8000, 32, 0], q: [0, 0, 0], score: 100 },
    { why: 'only requested dimensions count: f_cpu = 6000/8000 → 75', max: [8000, 32, 0], free: [8000, 8, 0], q: [2000, 0, 0], score: 75 },
    { why: 'GPU too: f = (4/8, 16/32, 1/4) → 100 × (0.5 + 0.5 + 0.25) / 3', max: [8000, 32, 4], free: [8000, 32, 2], q: [4000, 16, 1], score: 41.666666666666664 },
    { why: 'nothing requested: every dimension with a capacity, f = (0.5, 0.25) → 37.5', max: [8000, 32, 0], free: [4000, 8, 0], q: [0, 0, 0], score: 37.5 },
    { why: 'undisclosed CPU maximum: C = A, f = (3000/4000, 24/32) → 75', max: [0, 32, 0], free: [4000, 28, 0], q: [1000, 4, 0], score: 75 },
    { why: 'a full fit leaves nothing free: f = (0, 0) → 0', max: [8000, 32, 0], free: [2000, 4, 0], q: [2000, 4, 0], score: 0 },
  ],
  binpack: [
    { why: '100 − spread: 100 − 37.5', max: [8000, 32, 0], free: [4000, 16, 0], q: [1000, 4, 0], score: 62.5 },
    { why: 'a full fit: 100 − 0', max: [8000, 32, 0], free: [2000, 4, 0], q: [2000, 4, 0], score: 100 },
    { why: 'GPU too: 100 − 41.67', max: [8000, 32, 4], free: [8000, 32, 2], q: [4000, 16, 1], score: 58.333333333333336 },
    { why: 'undisclosed CPU maximum: 100 − 75', max: [0, 32, 0], free: [4000, 28, 0], q: [1000, 4, 0], score: 25 },
  ],
  balanced: [
    { why: 'u = (1 − 2000/8000, 1 − 20/32) = (0.75, 0.375) → 100 × (1 − 0.375)', max: [8000, 32, 0], free: [4000, 24, 0], q: [2000, 4, 0], score: 62.5 },
    { why: 'u = (0.5, 0.5): perfectly balanced → 100', max: [8000, 32, 0], free: [6000, 24, 0], q: [2000, 8, 0], score: 100 },
    { why: 'GPU counts even unrequested: u = (0.5, 0.5, 1 − 1/4) → 100 × (1 − 0.25)', max: [8000, 32, 4], free: [6000, 24, 1], q: [2000, 8, 0], score: 75 },
    { why: 'undisclosed memory maximum: u = (1 − 4000/8000, 8/16) = (0.5, 0.5) → 100', max: [8000, 0, 0], free: [6000, 16, 0], q: [2000, 8, 0], score: 100 },
    { why: 'u = (0, 1): the worst → 0', max: [8000, 32, 0], free: [8000, 4, 0], q: [0, 4, 0], score: 0 },
  ],
};

describe.each([
  ['scored directly', false],
  ['through the search over the shape index', true],
] as const)('strategies, worked scores (%s)', (_, searchAlways) => {
  useSearch(searchAlways);
  for (const [strategy, rows] of Object.entries(TABLES) as Array<[Strategy, readonly Row[]]>) {
    it.each(rows)(`${strategy}: $why`, (row) => {
      const [maxCpu, maxMemGiB, maxGpu] = row.max;
      const [cpu, memGiB, gpu] = row.free;
      const c = Catalog.fromSnapshot(
        fleet(
          [
            runner('r', {
              maxCpuMillicores: maxCpu,
              maxMemoryBytes: maxMemGiB * GiB,
              maxGpuCount: maxGpu,
              supportedGpuTypes: maxGpu > 0 || gpu > 0 ? ['H100'] : [],
              resources: { availableCpuMillicores: cpu, availableMemoryBytes: memGiB * GiB, availableGpuCount: gpu, runningSandboxes: 0 },
            }),
          ],
          [profile('p', 'r', { supportedGpuTypes: ['H100'] })],
        ),
      );
      const q: SandboxRequest = { cpuMillicores: row.q[0], memoryBytes: row.q[1] * GiB, gpuCount: row.q[2] };
      const p = c.place(q, { strategy });
      expect(p.ok).toBe(true);
      expect((p as Placement).score).toBe(row.score);
    });
  }

  it('firstFit: every fitting runner scores 100, the first by runnerId wins', () => {
    const c = Catalog.fromSnapshot(
      fleet(
        ['r-c', 'r-a', 'r-b'].map((id) => runner(id, { resources: { availableCpuMillicores: id === 'r-a' ? 0 : 4000, availableMemoryBytes: 8 * GiB, availableGpuCount: 0, runningSandboxes: 0 } })),
        ['r-a', 'r-b', 'r-c'].map((id) => profile('p', id)),
      ),
    );
    const p = c.place({ cpuMillicores: 1000, memoryBytes: GiB, gpuCount: 0 }, { strategy: 'firstFit', topK: 2 }) as Placement;
    expect(p.alternatives?.map((a) => [a.runnerId, a.score])).toEqual([['r-b', 100], ['r-c', 100]]);
  });
});

// Fleets where perfect balance is common (amounts in quarters of the maxima, requests in the
// machines' proportions), runners added out of runnerId order, walks of every length: balanced's
// walk for perfectly balanced runners answers, gives up, finds fewer than asked for, or is skipped.
describe('balanced: the walk for perfectly balanced runners, against the reference', () => {
  const SHAPES: ReadonlyArray<readonly [cpu: number, memGiB: number, gpu: number]> = [
    [8000, 32, 0],
    [16000, 64, 0],
    [8000, 32, 4],
  ];
  const runnerArb = fc.record({
    shape: fc.constantFrom(...SHAPES),
    quarters: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
  });
  const requestArb = fc.record({ units: fc.integer({ min: 0, max: 2 }), gpu: fc.integer({ min: 0, max: 1 }) });

  it('same best runners and scores, ties by runnerId, as reservations change the fleet', () => {
    const restore = useSearchNow(true);
    try {
      fc.assert(
        fc.property(
          // Added in runnerId order (slot order is id order) or shuffled (it is not).
          fc.array(runnerArb, { minLength: 1, maxLength: 100, size: 'max' }).chain((rs) => fc.tuple(fc.constant(rs), fc.oneof(fc.constant([...rs.keys()]), fc.shuffledSubarray([...rs.keys()], { minLength: rs.length, maxLength: rs.length })))),
          fc.array(requestArb, { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 0, max: 80 }),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom(0, 3, Number.POSITIVE_INFINITY),
          ([rs, order], requests, walk, topK, misses) => {
            const runners = order.map((i) => {
              const { shape, quarters } = rs[i] as (typeof rs)[number];
              const [cpu, memGiB, gpu] = shape;
              return runner(`r-${String(i).padStart(2, '0')}`, {
                maxCpuMillicores: cpu,
                maxMemoryBytes: memGiB * GiB,
                maxGpuCount: gpu,
                supportedGpuTypes: gpu > 0 ? ['H100'] : [],
                resources: { availableCpuMillicores: (cpu * quarters[0]) / 4, availableMemoryBytes: (memGiB * GiB * quarters[1]) / 4, availableGpuCount: (gpu * quarters[2]) / 4, runningSandboxes: 0 },
              });
            });
            const c = Catalog.fromSnapshot(fleet([]));
            c.apply(runners.flatMap((r): Change[] => [{ type: 'upsertRunner', runner: r }, { type: 'upsertProfile', profile: profile('p', r.runnerId, { supportedGpuTypes: ['H100'] }) }]));
            // Every seventh runner leaves: holes in the slots, which stay in runnerId order.
            c.apply(runners.filter((_, i) => i % 7 === 3).map((r): Change => ({ type: 'removeRunner', runnerId: r.runnerId })));
            SEARCH_TUNING.perfectWalk = walk;
            SEARCH_TUNING.perfectMisses = misses; // the walk tried less often after so many misses
            for (const { units, gpu } of requests) {
              const q: SandboxRequest = { cpuMillicores: 2000 * units, memoryBytes: 8 * GiB * units, gpuCount: gpu };
              const expected = refPlace(c.toSnapshot(), q, 'balanced');
              const got = c.place(q, { strategy: 'balanced', topK });
              expect(got.ok).toBe(expected.best !== undefined);
              if (!got.ok) continue;
              expect(got.alternatives?.map((a) => [a.runnerId, a.score])).toEqual(expected.fits.slice(0, topK).map((f) => [f.runnerId, f.score]));
              c.reserve(got);
            }
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      restore();
    }
  });
});

// Cells of CPU and memory alone read group by group of exactly equal balance (`DeltaGroups`):
// amounts in eighths of the maxima, some a millicore or a byte off, two machine shapes in one
// cell, runnerIds out of slot order, cells left ungrouped and grouped again as the tuning says,
// reservations taken and released.
describe('balanced: runners grouped by exact balance, against the reference', () => {
  const SHAPES: ReadonlyArray<readonly [cpu: number, memGiB: number, gpu: number]> = [
    [8000, 32, 0],
    [9000, 36, 0],
    [10000, 40, 0],
    [8000, 32, 4],
  ];
  const runnerArb = fc.record({
    shape: fc.constantFrom(...SHAPES),
    eighths: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })),
    off: fc.constantFrom(0, 0, 0, 1),
    // Named in slot order, or not.
    name: fc.integer({ min: 0, max: 999 }),
    group: fc.constantFrom('g1', 'g2'),
  });
  // Some ask for a runner group: runners with the amounts that fail it (what later searches of the same amounts learn from).
  const requestArb = fc.record({ cpu: fc.integer({ min: 0, max: 4 }), memGiB: fc.integer({ min: 0, max: 16 }), gpu: fc.constantFrom(0, 0, 0, 1), group: fc.constantFrom(undefined, undefined, 'g2'), release: fc.boolean() });
  const tuning = fc.record({ alone: fc.constantFrom(0, 0.5, 1), judgeFrom: fc.constantFrom(0, 8, 32), retryAfter: fc.constantFrom(0, 1, 16), mostPatience: fc.constantFrom(1, 64) });
  const DEFAULT_GROUPING = { ...GROUP_TUNING };

  it('same best runners and scores, ties by runnerId, as reservations come and go', () => {
    const restore = useSearchNow(true);
    try {
      fc.assert(
        fc.property(fc.uniqueArray(runnerArb, { minLength: 1, maxLength: 120, selector: (r) => r.name, size: 'max' }), fc.array(requestArb, { minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 3 }), tuning, (rs, requests, topK, t) => {
          Object.assign(GROUP_TUNING, t);
          const runners = rs.map(({ shape, eighths, off, name, group }) => {
            const [cpu, memGiB, gpu] = shape;
            return runner(`r-${String(name).padStart(3, '0')}`, {
              runnerGroupId: group,
              maxCpuMillicores: cpu,
              maxMemoryBytes: memGiB * GiB,
              maxGpuCount: gpu,
              supportedGpuTypes: gpu > 0 ? ['H100'] : [],
              resources: { availableCpuMillicores: Math.max(0, (cpu * eighths[0]) / 8 - off), availableMemoryBytes: Math.max(0, (memGiB * GiB * eighths[1]) / 8 - off), availableGpuCount: Math.floor((gpu * eighths[2]) / 8), runningSandboxes: 0 },
            });
          });
          const c = Catalog.fromSnapshot(fleet([]));
          c.apply(runners.flatMap((r): Change[] => [{ type: 'upsertRunner', runner: r }, { type: 'upsertProfile', profile: profile('p', r.runnerId, { supportedGpuTypes: ['H100'] }) }]));
          c.apply(runners.filter((_, i) => i % 9 === 4).map((r): Change => ({ type: 'removeRunner', runnerId: r.runnerId })));
          const held: Reservation[] = [];
          for (const { cpu, memGiB, gpu, group, release } of requests) {
            if (release && held.length > 0) c.release(held.shift() as Reservation);
            const q: SandboxRequest = { cpuMillicores: 1000 * cpu, memoryBytes: memGiB * GiB, gpuCount: gpu, ...(group ? { runnerGroupId: group } : {}) };
            const expected = refPlace(c.toSnapshot(), q, 'balanced');
            const got = c.place(q, { strategy: 'balanced', topK });
            expect(got.ok).toBe(expected.best !== undefined);
            if (!got.ok) continue;
            expect(got.alternatives?.map((a) => [a.runnerId, a.score])).toEqual(expected.fits.slice(0, topK).map((f) => [f.runnerId, f.score]));
            held.push(c.reserve(got));
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      restore();
      Object.assign(GROUP_TUNING, DEFAULT_GROUPING);
    }
  });
});

// The score functions are written for speed (plain comparisons, no work for a dimension left
// out); their floats must be the formulas' floats, bit for bit, whatever the amounts — a
// dimension without capacity, an undisclosed maximum, a runner that does not fit, nothing
// requested.
describe('strategies: the scores, bit for bit the reference formulas', () => {
  const amount = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 2 ** 45 }), fc.double({ min: 0, max: 2 ** 40, noNaN: true }));
  it.each(['spread', 'binpack', 'balanced'] as const)('%s', (strategy) => {
    fc.assert(
      fc.property(fc.array(amount, { minLength: 9, maxLength: 9 }), ([aCpu, aMem, aGpu, mCpu, mMem, mGpu, qCpu, qMem, qGpu]) => {
        const one = (v: number | undefined) => Float64Array.of(v as number);
        const t = { availCpu: one(aCpu), availMem: one(aMem), availGpu: one(aGpu), maxCpu: one(mCpu), maxMem: one(mMem), maxGpu: one(mGpu) } as unknown as RunnerTable;
        const r = runner('r', { maxCpuMillicores: mCpu as number, maxMemoryBytes: mMem as number, maxGpuCount: mGpu as number });
        const res = { availableCpuMillicores: aCpu as number, availableMemoryBytes: aMem as number, availableGpuCount: aGpu as number, runningSandboxes: 0 };
        const q = { cpuMillicores: qCpu as number, memoryBytes: qMem as number, gpuCount: qGpu as number };
        expect(Object.is(SCORING[strategy].score(t, 0, q.cpuMillicores, q.memoryBytes, q.gpuCount), refScore(strategy, r, res, q))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});

// The quick exact comparison of two balanced scores (reduced fractions in doubles, no BigInt)
// against the rationals, on amounts in steps (where it must answer) and on arbitrary ones.
describe('balanced: the quick exact comparison, against the rationals', () => {
  const MiB = 2 ** 20;
  /** One dimension: maximum (0: undisclosed), available, requested — stepped or arbitrary. */
  const dimension = (unit: number, maxUnits: number) =>
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: maxUnits }), fc.integer({ min: 0, max: maxUnits }), fc.integer({ min: 0, max: maxUnits })).map(([m, a, q]) => [m * unit, a * unit, q * unit] as const),
      fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 45 })).map(([m, a, q]) => [m, a, q] as const),
    );
  // CPU in 250 m steps up to 128 cores, memory in MiB up to 1 TiB (as GiB maxima and MiB
  // amounts), GPUs 0–8.
  const runnerArb = fc.tuple(dimension(250, 512), dimension(MiB, 2 ** 20), fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })));

  /** A two-slot table of the runners as given: available at most the maximum, at least the request. */
  function table(dims: ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>, q: readonly number[]): RunnerTable {
    const column = (d: number, f: (m: number, a: number) => number) => Float64Array.from(dims, (r) => f((r[d] as readonly number[])[0] as number, (r[d] as readonly number[])[1] as number));
    // A disclosed maximum bounds available; every runner fits the request.
    const avail = (d: number) => column(d, (m, a) => Math.max(m > 0 ? Math.min(a, m) : a, q[d] as number));
    const max = (d: number) => column(d, (m) => m);
    const t = { availCpu: avail(0), availMem: avail(1), availGpu: avail(2), maxCpu: max(0), maxMem: max(1), maxGpu: max(2) };
    // Maxima below the request grow to fit it.
    for (const [a, m] of [[t.availCpu, t.maxCpu], [t.availMem, t.maxMem], [t.availGpu, t.maxGpu]] as const) for (let i = 0; i < a.length; i++) if ((m[i] as number) > 0) m[i] = Math.max(m[i] as number, a[i] as number);
    return t as unknown as RunnerTable;
  }

  it('has the sign of the rationals whenever it answers, and answers on amounts in steps', () => {
    let answered = 0;
    fc.assert(
      fc.property(runnerArb, runnerArb, fc.boolean(), (a, b, sameRequest) => {
        const q = sameRequest ? [0, 0, 0] : [Math.min(a[0][2], b[0][2]), Math.min(a[1][2], b[1][2]), Math.min(a[2][2], b[2][2])];
        const t = table([a, b], q);
        const [cpu, mem, gpu] = q as [number, number, number];
        const quick = balanced.compareQuick(t, 0, 1, cpu, mem, gpu);
        const exact = compareRatios(exactBalanced(t, 0, cpu, mem, gpu), exactBalanced(t, 1, cpu, mem, gpu));
        if (quick !== undefined) {
          answered++;
          expect(Math.sign(quick)).toBe(exact);
        }
        // In steps, and in the ranges of real machines (up to 128 cores, 1 TiB): an arbitrary
        // amount can be a multiple of 250 m and still be millions of cores.
        const inSteps = (v: number, d: number) => (d === 0 ? v % 250 === 0 && v <= 128_000 : v % MiB === 0 && v <= 2 ** 40);
        const stepped = [t.availCpu, t.availMem, t.maxCpu, t.maxMem].every((col, k) => (col as Float64Array).every((v) => inSteps(v, k % 2))) && inSteps(cpu, 0) && inSteps(mem, 1);
        if (stepped) expect(quick).toBeDefined();
      }),
      { numRuns: 5000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });

  it('finds exact ties between different machines (one the other scaled), and breaks ties one unit apart', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 1024 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 0, max: 2 ** 36 }),
        fc.boolean(),
        (cpuUnits, memGiB, cpuPct, memPct, k, odd, stepped) => {
          // b is a scaled k times (same free fractions, nothing requested): a tie; then b one
          // millicore freer. Amounts in steps (the comparison answers) or not (it may not).
          const m = [cpuUnits * 250, stepped ? memGiB * 2 ** 30 : odd + 1];
          const a = [Math.floor((cpuUnits * cpuPct) / 100) * 250, stepped ? Math.floor((memGiB * 1024 * memPct) / 100) * 2 ** 20 : Math.floor(((odd + 1) * memPct) / 100)];
          const t = { availCpu: Float64Array.of(a[0] as number, k * (a[0] as number)), availMem: Float64Array.of(a[1] as number, k * (a[1] as number)), availGpu: new Float64Array(2), maxCpu: Float64Array.of(m[0] as number, k * (m[0] as number)), maxMem: Float64Array.of(m[1] as number, k * (m[1] as number)), maxGpu: new Float64Array(2) } as unknown as RunnerTable;
          const tie = balanced.compareQuick(t, 0, 1, 0, 0, 0);
          if (stepped) expect(tie).toBe(0);
          else if (tie !== undefined) expect(tie).toBe(0);
          const more = t.availCpu[1] as number;
          if (more < (t.maxCpu[1] as number)) {
            t.availCpu[1] = more + 1;
            const exact = compareRatios(exactBalanced(t, 0, 0, 0, 0), exactBalanced(t, 1, 0, 0, 0));
            const quick = balanced.compareQuick(t, 0, 1, 0, 0, 0);
            if (stepped) expect(quick).toBe(exact);
            else if (quick !== undefined) expect(quick).toBe(exact);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// Three machine shapes (three cells), every runner's free fractions within a few bucket widths
// of one another at fine steps (1 millicore, 1 MiB): the best runners of one cell and the runner
// to beat from another sit in neighbouring buckets, often within a fraction of a bucket of an
// edge, so that a bound off by a part of a bucket skips a runner that wins. With GPUs, the GPU
// free fraction is near the same centre too (in whole GPUs, so at the edges' round values), for
// balanced's key of the GPU cells.
describe('the bounds at the bucket edges, against the reference', () => {
  useSearch(true);
  const MiB = 2 ** 20;
  const SHAPES = {
    'without GPUs': [
      { cpu: 256_000, mem: 256 * 2 ** 30, gpu: 0 },
      { cpu: 128_000, mem: 512 * 2 ** 30, gpu: 0 },
      { cpu: 96_000, mem: 768 * 2 ** 30, gpu: 0 },
    ],
    'with GPUs': [
      { cpu: 256_000, mem: 256 * 2 ** 30, gpu: 8 },
      { cpu: 128_000, mem: 512 * 2 ** 30, gpu: 4 },
      { cpu: 96_000, mem: 768 * 2 ** 30, gpu: 0 },
    ],
  } as const;

  it.each([
    ['spread', 'without GPUs'],
    ['binpack', 'without GPUs'],
    ['balanced', 'without GPUs'],
    ['spread', 'with GPUs'],
    ['binpack', 'with GPUs'],
    ['balanced', 'with GPUs'],
  ] as const)('%s, machines %s: the same best runners and scores', (strategy, machines) => {
    const shapes = SHAPES[machines];
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: -0.3, max: 0.3, noNaN: true }),
        fc.integer({ min: 8, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: machines === 'with GPUs' ? 1 : 0 })),
        fc.infiniteStream(fc.tuple(fc.nat(2), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))),
        (center, skew, count, topK, [qCpu, qMiB, qGpu], noise) => {
          const draws = noise[Symbol.iterator]();
          const runners = Array.from({ length: count }, (_, i) => {
            const [shape, x, y, z] = draws.next().value as [number, number, number, number];
            const m = shapes[shape] as (typeof shapes)[number];
            // Within three bucket widths of the centre (the bucket edges are those of each key's
            // values), CPU and memory apart by `skew`.
            const fCpu = Math.min(1, Math.max(0, center + ((x * 2 - 1) * 3) / BUCKETS));
            const fMem = Math.min(1, Math.max(0, center - skew + ((y * 2 - 1) * 3) / BUCKETS));
            const fGpu = Math.min(1, Math.max(0, center - skew / 2 + (z * 2 - 1) / 8));
            return runner(`r-${String(i).padStart(2, '0')}`, {
              maxCpuMillicores: m.cpu,
              maxMemoryBytes: m.mem,
              maxGpuCount: m.gpu,
              supportedGpuTypes: m.gpu > 0 ? ['H100'] : [],
              resources: {
                availableCpuMillicores: Math.round(fCpu * m.cpu),
                availableMemoryBytes: Math.round((fMem * m.mem) / MiB) * MiB,
                availableGpuCount: Math.round(fGpu * m.gpu),
                runningSandboxes: 0,
              },
            });
          });
          const snapshot = fleet(runners, runners.map((r) => profile('p', r.runnerId, { supportedGpuTypes: r.supportedGpuTypes })));
          const c = Catalog.fromSnapshot(snapshot);
          const q: SandboxRequest = { cpuMillicores: qCpu, memoryBytes: qMiB * MiB, gpuCount: qGpu };
          const expected = refPlace(snapshot, q, strategy);
          const got = c.place(q, { strategy, topK });
          expect(got.ok).toBe(expected.best !== undefined);
          if (got.ok) expect(got.alternatives?.map((a) => [a.runnerId, a.score])).toEqual(expected.fits.slice(0, topK).map((f) => [f.runnerId, f.score]));
        },
      ),
      // More cases with GPUs: the GPU free fraction comes in eighths, so fewer cases put a runner near an edge.
      { numRuns: machines === 'with GPUs' ? 1200 : 400 },
    );
  });
});
