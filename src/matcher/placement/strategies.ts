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
  let sum = 0;
  let n = 0;
  let anySum = 0;
  let anyN = 0;
  // Unrolled over (cpu, memory, gpu): this runs once per fitting runner, so no arrays.
  let a = t.availCpu[slot] as number;
  let capacity = (t.maxCpu[slot] as number) > 0 ? (t.maxCpu[slot] as number) : a;
  if (capacity > 0) {
    const free = (a - cpu) / capacity;
    anySum += free;
    anyN++;
    if (cpu > 0) {
      sum += free;
      n++;
    }
  }
  a = t.availMem[slot] as number;
  capacity = (t.maxMem[slot] as number) > 0 ? (t.maxMem[slot] as number) : a;
  if (capacity > 0) {
    const free = (a - mem) / capacity;
    anySum += free;
    anyN++;
    if (mem > 0) {
      sum += free;
      n++;
    }
  }
  a = t.availGpu[slot] as number;
  capacity = (t.maxGpu[slot] as number) > 0 ? (t.maxGpu[slot] as number) : a;
  if (capacity > 0) {
    const free = (a - gpu) / capacity;
    anySum += free;
    anyN++;
    if (gpu > 0) {
      sum += free;
      n++;
    }
  }
  if (n > 0) return (100 * sum) / n;
  return anyN > 0 ? (100 * anySum) / anyN : 50;
};

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
  let lo = Infinity;
  let hi = -Infinity;
  let a = t.availCpu[slot] as number;
  let capacity = (t.maxCpu[slot] as number) > 0 ? (t.maxCpu[slot] as number) : a;
  if (capacity > 0) {
    const used = 1 - (a - cpu) / capacity;
    lo = Math.min(lo, used);
    hi = Math.max(hi, used);
  }
  a = t.availMem[slot] as number;
  capacity = (t.maxMem[slot] as number) > 0 ? (t.maxMem[slot] as number) : a;
  if (capacity > 0) {
    const used = 1 - (a - mem) / capacity;
    lo = Math.min(lo, used);
    hi = Math.max(hi, used);
  }
  a = t.availGpu[slot] as number;
  capacity = (t.maxGpu[slot] as number) > 0 ? (t.maxGpu[slot] as number) : a;
  if (capacity > 0) {
    const used = 1 - (a - gpu) / capacity;
    lo = Math.min(lo, used);
    hi = Math.max(hi, used);
  }
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
