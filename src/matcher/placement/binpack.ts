import { BUCKETS } from '../shape-index.js';
import { requestedDimensions, requestTerm, exactSpread, spreadScore } from './spread.js';
import { bucketOf } from '../shape-index.js';
import { compareSameShape } from './exact.js';
import { cellCanFit, offerFitting, type ScoringStrategy, type Search, SLACK } from './strategy.js';

/**
 * `binpack` (most allocated): 100 − spread (see `spread.ts`) — fill runners up so that whole
 * runners stay free.
 *
 * Worked example (as for spread): M = (8000 m, 32 GiB), A = (4000 m, 16 GiB),
 * q = (1000 m, 4 GiB): spread 37.5 → binpack 100 − 37.5 = 62.5.
 *
 * **Bound.** binpack = 100 × (1 − key + mean_{d∈S} r_d) (spread's key over S). In bucket k of
 * a cell, key ≥ k / B, and r_d ≤ q_d / s_d with s_d the cell's smallest maximum:
 * binpack ≤ 100 × (1 − k / B + mean_{d∈S} q_d / s_d). Each cell is visited from its bottom bucket
 * up — starting where a fitting runner can be at all, key ≥ mean_{d∈S} q_d / L_d (A_d ≥ q_d) —
 * and left at the first bucket whose bound is below the k-th best score.
 */
export const binpack: ScoringStrategy = {
  score: (t, slot, cpu, mem, gpu) => 100 - spreadScore(t, slot, cpu, mem, gpu),
  exact(t, slot, cpu, mem, gpu) {
    const s = exactSpread(t, slot, cpu, mem, gpu);
    return { num: s.den - s.num, den: s.den };
  },
  compareQuick(t, a, b, cpu, mem, gpu) {
    const c = compareSameShape(t, a, b, cpu, mem, gpu);
    return c === undefined ? undefined : -c;
  },
  search(s: Search): void {
    const { shapes, top, cpu, mem, gpu } = s;
    const requested = requestedDimensions(cpu, mem, gpu);
    for (let cell = 0; cell < shapes.cellCount; cell++) {
      const dims = shapes.cellDims[cell] as number;
      const S = requested === 0 ? dims : requested;
      if (shapes.cellSize[cell] === 0 || (S & ~dims) !== 0 || !cellCanFit(shapes, cell, cpu, mem, gpu)) continue;
      const key = shapes.key(S);
      const bound = 100 + 100 * requestTerm(shapes.smallest, cell, S, cpu, mem, gpu);
      const first = requested === 0 ? 0 : bucketOf(requestTerm(shapes.largest, cell, S, cpu, mem, gpu)) - 1;
      for (let k = key.above(cell, first); k < BUCKETS; k = key.above(cell, k + 1)) {
        if (bound - (100 * k) / BUCKETS + SLACK < top.threshold) break;
        offerFitting(s, key.lists[cell * BUCKETS + k] as number[]);
      }
    }
  },
};
