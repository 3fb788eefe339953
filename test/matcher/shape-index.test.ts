import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Amounts, BALANCE, BUCKETS, CPU, GPU, GPU_BALANCE, MEMORY, ShapeIndex } from '../../src/matcher/shape-index.js';

const SLOTS = 64;

/** What a shape index reads, all zero, for `slots` slots. */
function noAmounts(slots: number): Amounts {
  const zeros = () => new Float64Array(slots);
  return { availCpu: zeros(), availMem: zeros(), availGpu: zeros(), maxCpu: zeros(), maxMem: zeros(), maxGpu: zeros(), slotBefore: (a: number, b: number) => a < b };
}
const MAXIMA = [4000, 8000, 16000, 64000];

describe('ShapeIndex.cellsBySize: every cell, the largest first when freshly sorted', () => {
  it('after runners take shapes, change shape and leave, and in a clone', () => {
    const step = fc.record({ slot: fc.integer({ min: 0, max: SLOTS - 1 }), shape: fc.integer({ min: -1, max: MAXIMA.length - 1 }), reads: fc.integer({ min: 0, max: 300 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: 'max' }), (steps) => {
        const amounts = noAmounts(SLOTS);
        const index = new ShapeIndex(amounts, SLOTS);
        const cellOf = new Map<number, number>();
        for (const { slot, shape, reads } of steps) {
          const max = MAXIMA[shape] ?? 0;
          amounts.maxCpu[slot] = max;
          amounts.maxMem[slot] = max * 2 ** 20;
          index.refresh(slot, shape >= 0);
          cellOf.set(slot, shape);
          for (let r = 0; r < reads; r++) index.cellsBySize();
          const cells = index.cellsBySize();
          // Every cell exactly once: a search in this order visits them all.
          expect([...cells].sort((a, b) => a - b)).toEqual(Array.from({ length: index.cellCount }, (_, c) => c));
          const sizes = new Map<number, number>();
          for (const s of cellOf.values()) if (s >= 0) sizes.set(s, (sizes.get(s) ?? 0) + 1);
          expect([...index.cellSize].filter((n) => n > 0).sort()).toEqual([...sizes.values()].sort());
        }
        // A new cell sorts again at once: the order then follows the sizes.
        amounts.maxCpu[0] = 128000;
        amounts.maxMem[0] = 128000 * 2 ** 20;
        index.refresh(0, true);
        const cells = index.cellsBySize();
        for (let i = 1; i < cells.length; i++) expect(index.cellSize[cells[i - 1] as number]).toBeGreaterThanOrEqual(index.cellSize[cells[i] as number] as number);
        expect(index.clone(amounts).cellsBySize()).toEqual(cells);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ShapeIndex change log: the cells changed since an earlier count of changes', () => {
  /** The cells whose version differs from `versions` (a cell new since then counts as changed). */
  const changedFrom = (index: ShapeIndex, versions: readonly number[]) => new Set(index.cellVersion.flatMap((v, cell) => (v !== versions[cell] ? [cell] : [])));
  const logged = (index: ShapeIndex, since: number) => new Set(Array.from({ length: index.changes.count - since }, (_, n) => index.changes.at(since + n)));

  it('names exactly the cells changed since each earlier count, and so does a clone', () => {
    const step = fc.record({ slot: fc.integer({ min: 0, max: SLOTS - 1 }), shape: fc.integer({ min: -1, max: MAXIMA.length - 1 }), mark: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const amounts = noAmounts(SLOTS);
        const index = new ShapeIndex(amounts, SLOTS);
        const marks: Array<{ since: number; versions: number[] }> = [];
        for (const { slot, shape, mark } of steps) {
          if (mark) marks.push({ since: index.changes.count, versions: [...index.cellVersion] });
          const max = MAXIMA[shape] ?? 0;
          amounts.maxCpu[slot] = max;
          amounts.maxMem[slot] = max * 2 ** 20;
          index.refresh(slot, shape >= 0);
        }
        const clone = index.clone(amounts);
        for (const { since, versions } of marks) {
          for (const copy of [index, clone]) {
            expect(copy.changes.holdsSince(since)).toBe(true);
            expect(logged(copy, since)).toEqual(changedFrom(copy, versions));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reaches back 1,024 changes, no further', () => {
    const amounts = noAmounts(SLOTS);
    const index = new ShapeIndex(amounts, SLOTS);
    for (const [slot, max] of [[0, 4000], [1, 64000]] as const) {
      amounts.maxCpu[slot] = max;
      amounts.maxMem[slot] = max * 2 ** 20;
      index.refresh(slot, true);
    }
    const since = index.changes.count;
    const versions = [...index.cellVersion];
    // Slot 0's cell changes once, then slot 1's cell 1,023 times: 1,024 changes in all.
    index.refresh(0, true);
    for (let n = 0; n < 1023; n++) index.refresh(1, true);
    expect(index.changes.count - since).toBe(1024);
    expect(index.changes.holdsSince(since)).toBe(true);
    expect(logged(index, since)).toEqual(changedFrom(index, versions));
    expect(logged(index, since).size).toBe(2);
    // One more: slot 0's change is no longer in the log.
    index.refresh(1, true);
    expect(index.changes.holdsSince(since)).toBe(false);
    expect(index.changes.holdsSince(since + 1)).toBe(true);
  });
});

describe('ShapeKey summaries, kept in place as runners change, against a recount', () => {
  // Two machine shapes with GPUs and one without, so that every kind of key covers some cells.
  const SHAPES = [
    { cpu: 4000, mem: 16 * 2 ** 30, gpu: 0 },
    { cpu: 8000, mem: 32 * 2 ** 30, gpu: 4 },
    { cpu: 16000, mem: 64 * 2 ** 30, gpu: 8 },
  ];
  const N = 40;
  const step = fc.record({
    slot: fc.integer({ min: 0, max: N - 1 }),
    shape: fc.integer({ min: 0, max: SHAPES.length - 1 }),
    filed: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    // Free fractions in sixteenths, so that runners often share a bucket and an amount.
    cpu: fc.integer({ min: 0, max: 16 }),
    mem: fc.integer({ min: 0, max: 16 }),
    gpu: fc.integer({ min: 0, max: 16 }),
    // 0: new amounts; 1: none (a change of health); 2: CPU up and memory down by as many
    // sixteenths (the mean over both stays, so the runner stays in its list of that key); 3: GPUs
    // alone; 4: CPU alone (the runner stays in its lists of the memory and GPU keys).
    change: fc.integer({ min: 0, max: 4 }),
    by: fc.integer({ min: -3, max: 3 }),
    ask: fc.tuple(fc.integer({ min: 0, max: 16000 }), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 8 })),
  });

  it('every list: the most, the least and the lowest slot; every walk: the buckets where a runner may fit', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80, size: 'max' }), (steps) => {
        const amounts = noAmounts(N);
        const index = new ShapeIndex(amounts, N);
        const keys = [CPU | MEMORY, CPU | MEMORY | GPU, MEMORY, GPU, BALANCE, GPU_BALANCE].map((id) => index.key(id));
        const filed = new Set<number>();
        for (const s of steps) {
          const m = SHAPES[s.shape] as (typeof SHAPES)[number];
          const before = [amounts.availCpu[s.slot], amounts.availMem[s.slot], amounts.availGpu[s.slot]] as [number, number, number];
          const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
          const [mc, mm, mg] = [amounts.maxCpu[s.slot] as number, amounts.maxMem[s.slot] as number, amounts.maxGpu[s.slot] as number];
          if (s.change === 0) {
            // A runner keeps its shape while filed (as the table's runners do between upserts).
            if (!filed.has(s.slot)) {
              amounts.maxCpu[s.slot] = m.cpu;
              amounts.maxMem[s.slot] = m.mem;
              amounts.maxGpu[s.slot] = m.gpu;
            }
            amounts.availCpu[s.slot] = Math.round(((amounts.maxCpu[s.slot] as number) * s.cpu) / 16);
            amounts.availMem[s.slot] = ((amounts.maxMem[s.slot] as number) * s.mem) / 16;
            amounts.availGpu[s.slot] = Math.round(((amounts.maxGpu[s.slot] as number) * s.gpu) / 16);
          } else if (s.change === 2) {
            amounts.availCpu[s.slot] = clamp(before[0] + (mc * s.by) / 16, mc);
            amounts.availMem[s.slot] = clamp(before[1] - (mm * s.by) / 16, mm);
          } else if (s.change === 3) {
            amounts.availGpu[s.slot] = clamp(before[2] + s.by, mg);
          } else if (s.change === 4) {
            amounts.availCpu[s.slot] = clamp(before[0] + (mc * s.by) / 16, mc);
          }
          // Filed again with the amounts it had (or, unchanged, as a change of health does).
          if (s.change === 1) index.refresh(s.slot, s.filed);
          else index.refresh(s.slot, s.filed, ...before);
          if (s.filed) filed.add(s.slot);
          else filed.delete(s.slot);
          for (const key of keys) {
            const seen = new Set<number>();
            key.lists.forEach((list, at) => {
              if (!list) return;
              for (const slot of list) seen.add(slot);
              key.summarise(at);
              const of = (a: Float64Array) => list.map((slot) => a[slot] as number);
              const dims = [of(amounts.availCpu), of(amounts.availMem), of(amounts.availGpu)];
              for (let d = 0; d < 3; d++) {
                expect(key.most[at * 3 + d]).toBe(list.length > 0 ? Math.max(...(dims[d] as number[])) : 0);
                expect(key.least[at * 3 + d]).toBe(list.length > 0 ? Math.min(...(dims[d] as number[])) : Infinity);
              }
              expect(key.lowest[at]).toBe(list.length > 0 ? Math.min(...list) : Infinity);
            });
            // A chunk's most, where current, is the most of its lists.
            const chunks = key as unknown as { chunkMost: Float64Array; chunkStale: Uint8Array };
            for (let chunk = 0; chunk < (index.cellCount * BUCKETS) / 32; chunk++) {
              if (chunks.chunkStale[chunk] === 1) continue;
              for (let d = 0; d < 3; d++) {
                const lists = key.lists.slice(chunk * 32, chunk * 32 + 32).flatMap((list) => list ?? []);
                const a = [amounts.availCpu, amounts.availMem, amounts.availGpu][d] as Float64Array;
                expect(chunks.chunkMost[chunk * 3 + d]).toBe(Math.max(0, ...lists.map((slot) => a[slot] as number)));
              }
            }
            // Each filed runner in exactly one list of each key covering its cell.
            for (const slot of seen) expect(filed.has(slot)).toBe(true);
            const [q0, q1, q2] = s.ask;
            for (let cell = 0; cell < index.cellCount; cell++) {
              const expected: number[] = [];
              for (let k = 0; k < BUCKETS; k++) {
                const list = key.lists[cell * BUCKETS + k];
                if (list?.some((slot) => (amounts.availCpu[slot] as number) >= q0) && list.some((slot) => (amounts.availMem[slot] as number) >= q1 * 2 ** 30) && list.some((slot) => (amounts.availGpu[slot] as number) >= q2)) expected.push(k);
              }
              const walked: number[] = [];
              for (let k = key.aboveFitting(cell, 0, q0, q1 * 2 ** 30, q2); k < BUCKETS; k = key.aboveFitting(cell, k + 1, q0, q1 * 2 ** 30, q2)) walked.push(k);
              expect(walked).toEqual(expected);
              const down: number[] = [];
              for (let k = key.belowFitting(cell, BUCKETS - 1, q0, q1 * 2 ** 30, q2); k >= 0; k = key.belowFitting(cell, k - 1, q0, q1 * 2 ** 30, q2)) down.push(k);
              expect(down).toEqual([...expected].reverse());
            }
          }
          const inSome = new Set(keys.flatMap((key) => key.lists.flatMap((list) => list ?? [])));
          expect([...inSome].sort((a, b) => a - b)).toEqual([...filed].sort((a, b) => a - b));
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('ShapeKey summaries: the lowest slot', () => {
  it('leaves with the runner that held it, though that runner held no most or least', () => {
    const N = 3;
    const GiB = 2 ** 30;
    const amounts = {
      availCpu: new Float64Array([4000, 5000, 3000]),
      availMem: new Float64Array([16 * GiB, 12 * GiB, 20 * GiB]),
      availGpu: new Float64Array([2, 3, 1]),
      maxCpu: new Float64Array(N).fill(8000),
      maxMem: new Float64Array(N).fill(32 * GiB),
      maxGpu: new Float64Array(N).fill(4),
      slotBefore: (a: number, b: number) => a < b,
    };
    const index = new ShapeIndex(amounts, N);
    const key = index.key(CPU | MEMORY);
    for (let slot = 0; slot < N; slot++) index.refresh(slot, true, 0, 0, 0);
    // One list: the same mean free fraction (1/2), slot 0 in the middle of every dimension.
    const at = key.lists.findIndex((list) => list?.length === N);
    expect(at).toBeGreaterThanOrEqual(0);
    key.summarise(at);
    expect(key.lowest[at]).toBe(0);
    index.refresh(0, false);
    key.summarise(at);
    expect(key.lowest[at]).toBe(1);
    expect([key.most[at * 3], key.least[at * 3]]).toEqual([5000, 3000]);
  });
});
