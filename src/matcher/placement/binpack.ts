import { BUCKETS, bucketLow, bucketOf } from '../shape-index.js';
import { compareSameShape } from './exact.js';
import { exactSpread, spreadScore } from './spread.js';
import { forEachKeyedCell } from './cells.js';
import { boundCell, offerFitting, requestTerms, type ScoringStrategy, type Search, SLACK } from './strategy.js';

/**
 * `binpack` (most allocated): 100 − spread (see `spread.ts`) — fill runners up so that whole
 * runners stay free.
 *
 * Worked example (as for spread): M = (8000 m, 32 GiB), A = (4000 m, 16 GiB),
 * q = (1000 m, 4 GiB): spread 37.5 → binpack 100 − 37.5 = 62.5.
 *
 * **Bound.** binpack = 100 × (1 − Σ_{d∈S} f_d / n) (spread's terms). A fitting runner has
 * f_d = a_d − r_d ≥ a_d − q_d / s_d for a disclosed d (s_d: the cell's smallest maximum) and
 * f_d ≥ 0 for an undisclosed one, so with K the disclosed part of S and bucket k holding
 * Σ_{d∈K} a_d ≥ |K| × low(k) (`bucketLow`: k / B, give or take the edges' offset):
 * binpack ≤ 100 × (1 − (|K| × low(k) − Σ_{d∈K} q_d / s_d) / n).
 * Each cell is visited from its bottom bucket up — starting where a fitting runner can be at
 * all, mean_{d∈K} a_d ≥ mean_{d∈K} q_d / L_d (A_d ≥ q_d) — and left at the first bucket whose
 * bound is below the k-th best score.
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
    forEachKeyedCell(s, ({ cell, key, disclosed, n, keyed }) => {
      const most = requestTerms(shapes.smallest, cell, disclosed, cpu, mem, gpu);
      // A fitting runner has a_d ≥ q_d / M_d ≥ q_d / L_d: its key is at least their mean.
      const first = keyed === 0 ? 0 : bucketOf(requestTerms(shapes.largest, cell, disclosed, cpu, mem, gpu) / keyed) - 1;
      // The lowest bucket's bound first: a cell that cannot win costs no summary.
      const lowest = key.above(cell, first);
      if (lowest >= BUCKETS) return;
      // bound(k) + SLACK < threshold, rearranged so that a bucket costs no division:
      // keyed × low(k) − most > n × (1 − (threshold − SLACK) / 100); bound(k) = 100 × (1 − excess / n).
      let excess = keyed * bucketLow(lowest) - most;
      if (excess > n * (1 - (top.threshold - SLACK) * 0.01)) {
        boundCell(s, 100 * (1 - excess / n));
        return;
      }
      for (let k = key.aboveFitting(cell, lowest, cpu, mem, gpu); k < BUCKETS; k = key.aboveFitting(cell, k + 1, cpu, mem, gpu)) {
        excess = keyed * bucketLow(k) - most;
        if (excess > n * (1 - (top.threshold - SLACK) * 0.01)) {
          boundCell(s, 100 * (1 - excess / n));
          return;
        }
        offerFitting(s, key, cell * BUCKETS + k, 100 * (1 - excess / n));
      }
    });
  },
};
