import type { RunnerTable } from '../runner-table.js';
import { BUCKETS, bucketHigh } from '../shape-index.js';
import { compareSameShape, type Ratio } from './exact.js';
import { forEachKeyedCell } from './cells.js';
import { boundCell, offerFitting, requestTerms, type ScoringStrategy, type Search, SLACK } from './strategy.js';

/**
 * `spread` (least allocated): 100 × mean of f_d over the requested dimensions (q_d > 0) that have
 * a capacity; when nothing is requested, over every dimension with a capacity; 50 when none.
 *
 * Worked example: M = (8000 m, 32 GiB), A = (4000 m, 16 GiB), q = (1000 m, 4 GiB):
 * f = (3000/8000, 12/32) = (0.375, 0.375) → 37.5.
 *
 * **Bound.** With S the requested dimensions (n of them), a fitting runner has f_d = a_d − r_d
 * for a disclosed d and f_d ≤ 1 for an undisclosed one, so with K the disclosed part of S
 * (the index's key over S is mean_{d∈K} a_d) and L_d the cell's largest maximum,
 * spread ≤ 100 × (Σ_{d∈K} a_d − Σ_{d∈K} q_d / L_d + |S \ K|) / n, and in bucket k of a cell
 * Σ_{d∈K} a_d < |K| × high(k) (`bucketHigh`: (k + 1) / B, give or take the edges' offset).
 * Each cell is visited from its top bucket down and left at the first bucket whose bound is
 * below the k-th best score. When nothing is requested S is every
 * dimension of the cell (cells with an undisclosed maximum are then visited whole).
 */
export const spread: ScoringStrategy = {
  score: spreadScore,
  exact: exactSpread,
  compareQuick: (t, a, b, cpu, mem, gpu) => compareSameShape(t, a, b, cpu, mem, gpu),
  search(s: Search): void {
    const { shapes, top, cpu, mem, gpu } = s;
    forEachKeyedCell(s, ({ cell, key, disclosed, n, keyed }) => {
      // 100 × (keyed × (k + 1) / B − Σ q_d / L_d + (n − keyed)) / n: undisclosed terms count 1.
      const rest = n - keyed - requestTerms(shapes.largest, cell, disclosed, cpu, mem, gpu);
      // The top bucket's bound first: a cell that cannot win costs no summary.
      const highest = key.below(cell, BUCKETS - 1);
      if (highest < 0) return;
      // bound(k) + SLACK < threshold, rearranged so that a bucket costs no division:
      // keyed × high(k) + rest < n × (threshold − SLACK) / 100; bound(k) = 100 × reach / n.
      let reach = keyed * bucketHigh(highest) + rest;
      if (reach < n * (top.threshold - SLACK) * 0.01) {
        boundCell(s, (100 * reach) / n);
        return;
      }
      for (let k = key.belowFitting(cell, highest, cpu, mem, gpu); k >= 0; k = key.belowFitting(cell, k - 1, cpu, mem, gpu)) {
        reach = keyed * bucketHigh(k) + rest;
        if (reach < n * (top.threshold - SLACK) * 0.01) {
          boundCell(s, (100 * reach) / n);
          return;
        }
        offerFitting(s, key, cell * BUCKETS + k, (100 * reach) / n);
      }
    });
  },
};

export function spreadScore(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): number {
  const ac = t.availCpu[slot] as number;
  const am = t.availMem[slot] as number;
  const ag = t.availGpu[slot] as number;
  // Capacities C_d = M_d when disclosed, else A_d (0: the dimension is left out).
  const mc = t.maxCpu[slot] as number;
  const mm = t.maxMem[slot] as number;
  const mg = t.maxGpu[slot] as number;
  const cc = mc > 0 ? mc : ac;
  const cm = mm > 0 ? mm : am;
  const cg = mg > 0 ? mg : ag;
  // The free fractions that count, summed in dimension order: the requested dimensions with a
  // capacity, or when there are none, every dimension with one. Plain comparisons, and no
  // division for a dimension left out: this runs for every runner a search scores. (Summed from
  // 0, as the formula: a term of −0 adds up to +0.)
  const all = !((cc > 0 && cpu > 0) || (cm > 0 && mem > 0) || (cg > 0 && gpu > 0));
  let sum = 0;
  let n = 0;
  if (cc > 0 && (all || cpu > 0)) {
    sum += (ac - cpu) / cc;
    n = 1;
  }
  if (cm > 0 && (all || mem > 0)) {
    sum += (am - mem) / cm;
    n++;
  }
  if (cg > 0 && (all || gpu > 0)) {
    sum += (ag - gpu) / cg;
    n++;
  }
  return n > 0 ? (100 * sum) / n : 50;
}

/**
 * The spread score divided by 100 as a rational, term for term with {@link spreadScore}: the
 * free fractions summed over a common denominator.
 */
export function exactSpread(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio {
  const A0 = t.availCpu[slot] as number;
  const A1 = t.availMem[slot] as number;
  const A2 = t.availGpu[slot] as number;
  const M0 = t.maxCpu[slot] as number;
  const M1 = t.maxMem[slot] as number;
  const M2 = t.maxGpu[slot] as number;
  const C0 = M0 > 0 ? M0 : A0;
  const C1 = M1 > 0 ? M1 : A1;
  const C2 = M2 > 0 ? M2 : A2;
  const requested = (C0 > 0 && cpu > 0 ? 1 : 0) + (C1 > 0 && mem > 0 ? 1 : 0) + (C2 > 0 && gpu > 0 ? 1 : 0);
  const useAll = requested === 0;
  let num = 0n;
  let den = 1n;
  let n = 0;
  if (C0 > 0 && (useAll || cpu > 0)) {
    num = BigInt(A0 - cpu);
    den = BigInt(C0);
    n++;
  }
  if (C1 > 0 && (useAll || mem > 0)) {
    const c = BigInt(C1);
    num = num * c + BigInt(A1 - mem) * den;
    den *= c;
    n++;
  }
  if (C2 > 0 && (useAll || gpu > 0)) {
    const c = BigInt(C2);
    num = num * c + BigInt(A2 - gpu) * den;
    den *= c;
    n++;
  }
  return n === 0 ? { num: 1n, den: 2n } : { num, den: den * BigInt(n) };
}
