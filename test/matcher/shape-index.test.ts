import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeIndex } from '../../src/matcher/shape-index.js';

const SLOTS = 64;
const MAXIMA = [4000, 8000, 16000, 64000];

describe('ShapeIndex.cellsBySize: every cell, the largest first when freshly sorted', () => {
  it('after runners take shapes, change shape and leave, and in a clone', () => {
    const step = fc.record({ slot: fc.integer({ min: 0, max: SLOTS - 1 }), shape: fc.integer({ min: -1, max: MAXIMA.length - 1 }), reads: fc.integer({ min: 0, max: 300 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: 'max' }), (steps) => {
        const amounts = {
          availCpu: new Float64Array(SLOTS),
          availMem: new Float64Array(SLOTS),
          availGpu: new Float64Array(SLOTS),
          maxCpu: new Float64Array(SLOTS),
          maxMem: new Float64Array(SLOTS),
          maxGpu: new Float64Array(SLOTS),
        };
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
