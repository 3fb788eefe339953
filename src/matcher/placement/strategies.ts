import type { Strategy } from '../../types.js';
import type { RunnerTable } from '../runner-table.js';

/**
 * Scoring strategies, each on a fixed 0–100 scale (higher is better), ties broken by ascending
 * runnerId by the caller.
 *
 * Common terms, per dimension d ∈ {cpu, memory, gpu}, for a runner with available A_d and
 * maximum M_d and a request q_d:
 * - capacity C_d = M_d when disclosed (M_d > 0), else A_d (the best bound known);
 *   a dimension with C_d = 0 is left out;
 * - free fraction after placing f_d = (A_d − q_d) / C_d, in [0, 1] for a fitting runner;
 * - utilisation after placing u_d = 1 − f_d.
 */
export type ScoreFunction = (t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number) => number;

/**
 * `spread` (least allocated): 100 × mean of f_d over the requested dimensions (q_d > 0);
 * when nothing is requested, over every dimension with a capacity; 50 when there is none.
 *
 * Worked example: M = (8000 m, 32 GiB), A = (4000 m, 16 GiB), q = (1000 m, 4 GiB):
 * f = (3000/8000, 12/32) = (0.375, 0.375) → 37.5.
 */
export const spreadScore: ScoreFunction = (t, slot, cpu, mem, gpu) => {
  const fc = freeAfter(t.availCpu[slot] as number, t.maxCpu[slot] as number, cpu);
  const fm = freeAfter(t.availMem[slot] as number, t.maxMem[slot] as number, mem);
  const fg = freeAfter(t.availGpu[slot] as number, t.maxGpu[slot] as number, gpu);
  // Sums in dimension order; an absent term adds an exact 0, so the float result is that of
  // summing the present terms alone.
  const requested = present(fc, cpu) + present(fm, mem) + present(fg, gpu);
  if (requested > 0) return (100 * (term(fc, cpu) + term(fm, mem) + term(fg, gpu))) / requested;
  const any = present(fc, 1) + present(fm, 1) + present(fg, 1);
  return any > 0 ? (100 * (term(fc, 1) + term(fm, 1) + term(fg, 1))) / any : 50;
};

/** (A − q) / C for one dimension, or NaN when the runner has no capacity there (C = 0). */
function freeAfter(available: number, max: number, requested: number): number {
  const capacity = max > 0 ? max : available;
  return capacity > 0 ? (available - requested) / capacity : Number.NaN;
}

/** 1 when a dimension counts (it has a capacity and, for the requested mean, is requested). */
function present(free: number, requested: number): number {
  return requested > 0 && free === free ? 1 : 0;
}

function term(free: number, requested: number): number {
  return requested > 0 && free === free ? free : 0;
}

/**
 * `binpack` (most allocated): 100 − spread — fill runners up so that whole runners stay free.
 *
 * Worked example (as for spread): 100 − 37.5 = 62.5.
 */
export const binpackScore: ScoreFunction = (t, slot, cpu, mem, gpu) => 100 - spreadScore(t, slot, cpu, mem, gpu);

/**
 * `balanced`: 100 × (1 − (max u_d − min u_d)) over every dimension with a capacity: the closer
 * CPU, memory and GPU utilisation stay to each other after placing, the higher. One dimension
 * (or none) scores 100.
 *
 * Worked example: M = (8000 m, 32 GiB), A = (4000 m, 24 GiB), q = (2000 m, 4 GiB):
 * u = (1 − 2000/8000, 1 − 20/32) = (0.75, 0.375) → 100 × (1 − 0.375) = 62.5.
 */
export const balancedScore: ScoreFunction = (t, slot, cpu, mem, gpu) => {
  const fc = freeAfter(t.availCpu[slot] as number, t.maxCpu[slot] as number, cpu);
  const fm = freeAfter(t.availMem[slot] as number, t.maxMem[slot] as number, mem);
  const fg = freeAfter(t.availGpu[slot] as number, t.maxGpu[slot] as number, gpu);
  // Utilisation u = 1 − f; NaN (no capacity) drops out of min and max.
  const lo = Math.min(fc === fc ? 1 - fc : Infinity, fm === fm ? 1 - fm : Infinity, fg === fg ? 1 - fg : Infinity);
  const hi = Math.max(fc === fc ? 1 - fc : -Infinity, fm === fm ? 1 - fm : -Infinity, fg === fg ? 1 - fg : -Infinity);
  return hi < lo ? 100 : 100 * (1 - (hi - lo));
};

/** `firstFit`: every fitting runner scores 100; the tie-break (ascending runnerId) decides. */
export const firstFitScore: ScoreFunction = () => 100;

export const SCORES: Readonly<Record<Strategy, ScoreFunction>> = {
  spread: spreadScore,
  binpack: binpackScore,
  balanced: balancedScore,
  firstFit: firstFitScore,
};
