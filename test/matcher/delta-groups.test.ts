import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DeltaGroups, GROUP_TUNING } from '../../src/matcher/delta-groups.js';
import { type Amounts, BALANCE, BUCKETS, CPU, MEMORY, ShapeIndex } from '../../src/matcher/shape-index.js';

const SLOTS = 48;
const GiB = 2 ** 30;
/**
 * Machine shapes [CPU, memory GiB, GPUs]: two in one cell (their maxima round to the same rung
 * of √2), one with GPUs (never grouped), one with an undisclosed memory maximum (never grouped).
 */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [8000, 32, 0],
  [9000, 36, 0],
  [10000, 40, 0],
  [8000, 32, 4],
  [8000, 0, 0],
];
const DEFAULT = { ...GROUP_TUNING };

/** Amounts of `SLOTS` slots, runnerIds ranked by `rank` (a permutation: slot order is not runnerId order). */
function amountsRanked(rank: readonly number[]): Amounts {
  const zeros = () => new Float64Array(SLOTS);
  return { availCpu: zeros(), availMem: zeros(), availGpu: zeros(), maxCpu: zeros(), maxMem: zeros(), maxGpu: zeros(), slotBefore: (a, b) => (rank[a] as number) < (rank[b] as number) };
}

/** δ · M_cpu · M_mem = A_cpu · M_mem − A_mem · M_cpu, exactly. */
const scaledDelta = (a: Amounts, slot: number) => BigInt(a.availCpu[slot] as number) * BigInt(a.maxMem[slot] as number) - BigInt(a.availMem[slot] as number) * BigInt(a.maxCpu[slot] as number);

/** Every invariant of balanced's groups, against the key's lists (the brute-force view). */
function checkGroups(index: ShapeIndex, a: Amounts, rank: readonly number[]): void {
  const key = index.key(BALANCE);
  const groups = key.groups;
  expect(groups).toBeDefined();
  if (!groups) return;
  const inLists = new Set<number>();
  for (let list = 0; list < index.cellCount * BUCKETS; list++) {
    const slots = key.lists[list] ?? [];
    for (const slot of slots) inLists.add(slot);
    const cell = Math.floor(list / BUCKETS);
    const ids = groups.ofList[list] ?? [];
    if (index.cellDims[cell] !== (CPU | MEMORY) || index.cellUndisclosed[cell] !== 0 || !groups.grouped(cell)) {
      // Not grouped: none of its runners is in a group.
      expect(ids).toEqual([]);
      for (const slot of slots) expect(groups.of(slot)).toBe(-1);
      continue;
    }
    // The list's groups hold exactly its runners, each once.
    expect(ids.flatMap((g) => groups.members[g] as number[]).sort((x, y) => x - y)).toEqual([...slots].sort((x, y) => x - y));
    for (const g of ids) {
      const members = groups.members[g] as number[];
      expect(members.length).toBeGreaterThan(0);
      for (let i = 1; i < members.length; i++) expect(rank[members[i - 1] as number]).toBeLessThan(rank[members[i] as number] as number);
      for (const slot of members) {
        expect(groups.of(slot)).toBe(g);
        expect([a.maxCpu[slot], a.maxMem[slot]]).toEqual([groups.maxCpu[g], groups.maxMem[g]]);
        expect(scaledDelta(a, slot)).toBe(scaledDelta(a, members[0] as number));
      }
    }
    // A runner joins the group it belongs to: no two groups of a list with the same key value, maxima and δ.
    for (const g of ids) {
      for (const h of ids) {
        if (g >= h) continue;
        const [x, y] = [(groups.members[g] as number[])[0] as number, (groups.members[h] as number[])[0] as number];
        const same = groups.value[g] === groups.value[h] && groups.maxCpu[g] === groups.maxCpu[h] && groups.maxMem[g] === groups.maxMem[h] && scaledDelta(a, x) === scaledDelta(a, y);
        expect(same).toBe(false);
      }
    }
  }
  for (let slot = 0; slot < SLOTS; slot++) if (!inLists.has(slot)) expect(groups.of(slot)).toBe(-1);
}

describe('DeltaGroups: balanced runners grouped by exactly equal balance, against the key lists', () => {
  afterEach(() => Object.assign(GROUP_TUNING, DEFAULT));

  const step = fc.record({
    slot: fc.integer({ min: 0, max: SLOTS - 1 }),
    // -1: the runner leaves.
    shape: fc.integer({ min: -1, max: SHAPES.length - 1 }),
    // Amounts in eighths of the maxima: many runners share a balance exactly, with different
    // amounts; some a millicore or a byte off, in the same bucket but of another balance.
    eighths: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })),
    off: fc.constantFrom(0, 0, 1, 7),
  });
  const tuning = fc.record({ alone: fc.constantFrom(0, 0.5, 1), judgeFrom: fc.constantFrom(0, 4, 32), retryAfter: fc.constantFrom(0, 1, 16), mostPatience: fc.constantFrom(1, 64) });

  it('after runners join, change amounts or shape and leave, in grouped and ungrouped cells, and in a clone', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), fc.shuffledSubarray([...Array(SLOTS).keys()], { minLength: SLOTS, maxLength: SLOTS }), tuning, fc.nat(), (steps, rank, t, cloneAt) => {
        Object.assign(GROUP_TUNING, t);
        const a = amountsRanked(rank);
        let index = new ShapeIndex(a, SLOTS);
        index.key(BALANCE);
        for (let i = 0; i < steps.length; i++) {
          const { slot, shape, eighths, off } = steps[i] as (typeof steps)[number];
          const [cpuFrom, memFrom, gpuFrom] = [a.availCpu[slot] as number, a.availMem[slot] as number, a.availGpu[slot] as number];
          const [cpu, memGiB, gpu] = SHAPES[shape] ?? [0, 0, 0];
          a.maxCpu[slot] = cpu;
          a.maxMem[slot] = memGiB * GiB;
          a.maxGpu[slot] = gpu;
          a.availCpu[slot] = Math.max(0, (cpu * eighths[0]) / 8 - off);
          // An undisclosed memory maximum: amounts of the 32 GiB machine.
          a.availMem[slot] = Math.max(0, ((memGiB || 32) * GiB * eighths[1]) / 8 - (off === 7 ? 1 : 0));
          a.availGpu[slot] = (gpu * eighths[2]) / 8;
          index.refresh(slot, shape >= 0, cpuFrom, memFrom, gpuFrom);
          checkGroups(index, a, rank);
          if (i === cloneAt % steps.length) {
            // The clone goes on from here: its groups are its own.
            const before = index;
            index = index.clone(a);
            checkGroups(before, a, rank);
          }
        }
        checkGroups(index, a, rank);
      }),
      { numRuns: 300 },
    );
  });
});

describe('DeltaGroups: the cases the random steps seldom reach', () => {
  afterEach(() => Object.assign(GROUP_TUNING, DEFAULT));

  /** Sets a slot's maxima and free fractions and files it again. */
  const setter = (index: ShapeIndex, a: Amounts) => (slot: number, cpu: number, memGiB: number, fc: number, fm: number) => {
    const from = [a.availCpu[slot] as number, a.availMem[slot] as number, a.availGpu[slot] as number] as const;
    a.maxCpu[slot] = cpu;
    a.maxMem[slot] = memGiB * GiB;
    a.availCpu[slot] = cpu * fc;
    a.availMem[slot] = memGiB * GiB * fm;
    index.refresh(slot, true, ...from);
  };

  it('a runner that moves from a grouped cell to one left ungrouped leaves its group', () => {
    Object.assign(GROUP_TUNING, { alone: 0, judgeFrom: 4 });
    const rank = [...Array(SLOTS).keys()];
    const a = amountsRanked(rank);
    const index = new ShapeIndex(a, SLOTS);
    const groups = index.key(BALANCE).groups as DeltaGroups;
    const set = setter(index, a);
    set(0, 8000, 32, 0.5, 0.5);
    // Five runners, each of its own balance, in the cell of 10,000 millicores: left ungrouped.
    for (let slot = 1; slot <= 5; slot++) set(slot, 10000, 40, 0.5, slot / 8);
    expect(groups.grouped(0)).toBe(true);
    expect(groups.grouped(1)).toBe(false);
    expect(groups.of(0)).toBeGreaterThanOrEqual(0);
    set(0, 10000, 40, 0.5, 0.5);
    expect(groups.of(0)).toBe(-1);
    checkGroups(index, a, rank);
  });

  it('one group for one exact balance whatever the amounts, two for one key value of two balances', () => {
    const a = amountsRanked([...Array(SLOTS).keys()]);
    const groups = new DeltaGroups(a, BUCKETS, SLOTS);
    groups.ensureCells(1);
    // δ = 1/2 − 1/4 on a 8,000 millicore, 32 GiB machine, and (with 1,000 more millicores, 4 GiB more) again.
    groups.put(0, 0, 5, 0.625, 4000, 8 * GiB, 8000, 32 * GiB);
    groups.put(1, 0, 5, 0.625, 5000, 12 * GiB, 8000, 32 * GiB);
    expect(groups.of(1)).toBe(groups.of(0));
    // The same key value handed in, but a millicore off: another balance, exactly.
    groups.put(2, 0, 5, 0.625, 4001, 8 * GiB + 1, 8000, 32 * GiB);
    expect(groups.of(2)).not.toBe(groups.of(0));
    // The same amounts on other maxima: another group.
    groups.put(3, 0, 5, 0.625, 4000, 8 * GiB, 8000, 64 * GiB);
    expect(new Set([0, 2, 3].map((slot) => groups.of(slot))).size).toBe(3);
    expect(groups.ofList[5]?.length).toBe(3);
    // The group of slot 0 and 1 keeps slot 1 when slot 0 leaves, and goes with slot 1.
    const shared = groups.of(1);
    groups.drop(0);
    expect(groups.members[shared]).toEqual([1]);
    groups.drop(1);
    expect(groups.ofList[5]?.length).toBe(2);
  });
});
