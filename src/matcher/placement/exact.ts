import type { Strategy } from '../../types.js';
import type { RunnerTable } from '../runner-table.js';

/**
 * Scores in exact rational arithmetic, for ties. The strategies score in floating point, where
 * free fractions 0.0 + 0.3 and 0.1 + 0.2 differ in the last bit; two runners whose scores are
 * equal as rationals are tied (SPEC §4) and the smaller runnerId wins. Placement compares
 * floats first and comes here only when two scores are within {@link NEAR} of each other.
 *
 * Each function mirrors its float twin in `strategies.ts` term for term, with
 * f_d = (A_d − q_d) / C_d as a fraction of integers.
 */

/** Float scores closer than this (on the 0–100 scale) are compared exactly. Float error on a score is below 1e-12. */
export const NEAR = 1e-9;

/** A rational `num / den` with `den > 0`. */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const ONE: Ratio = { num: 1n, den: 1n };

/** Compares two rationals: positive when `a > b`. */
export function compareRatios(a: Ratio, b: Ratio): number {
  const d = a.num * b.den - b.num * a.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/**
 * A runner's score as an exact rational (the 0–100 scale divided by 100, which orders the same).
 * Mirrors its float twin in `strategies.ts` term for term, with f_d = (A_d − q_d) / C_d.
 */
export function exactScore(strategy: Strategy, t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio {
  const A0 = t.availCpu[slot] as number;
  const A1 = t.availMem[slot] as number;
  const A2 = t.availGpu[slot] as number;
  const M0 = t.maxCpu[slot] as number;
  const M1 = t.maxMem[slot] as number;
  const M2 = t.maxGpu[slot] as number;
  // Capacity C_d: the disclosed maximum, else what is available; 0 leaves the dimension out.
  const C0 = M0 > 0 ? M0 : A0;
  const C1 = M1 > 0 ? M1 : A1;
  const C2 = M2 > 0 ? M2 : A2;
  if (strategy === 'firstFit') return ONE;
  if (strategy === 'balanced') {
    // 1 − (max f − min f) over every dimension with a capacity (1 when none).
    let hi: Ratio | undefined;
    let lo: Ratio | undefined;
    for (const [a, c, q] of [[A0, C0, cpu], [A1, C1, mem], [A2, C2, gpu]] as const) {
      if (c <= 0) continue;
      const f = { num: BigInt(a - q), den: BigInt(c) };
      if (!hi || compareRatios(f, hi) > 0) hi = f;
      if (!lo || compareRatios(f, lo) < 0) lo = f;
    }
    if (!hi || !lo) return ONE;
    const den = hi.den * lo.den;
    return { num: den - (hi.num * lo.den - lo.num * hi.den), den };
  }
  // spread: the mean free fraction over the requested dimensions with a capacity (else every
  // dimension with one; 1/2 when none); binpack: 1 − spread. Sums over a common denominator.
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
  const spread: Ratio = n === 0 ? { num: 1n, den: 2n } : { num, den: den * BigInt(n) };
  return strategy === 'spread' ? spread : { num: spread.den - spread.num, den: spread.den };
}

/** Whether two runners are in the same state (same maxima and amounts free): then they tie. */
export function sameState(t: RunnerTable, a: number, b: number): boolean {
  return (
    t.availCpu[a] === t.availCpu[b] &&
    t.availMem[a] === t.availMem[b] &&
    t.availGpu[a] === t.availGpu[b] &&
    t.maxCpu[a] === t.maxCpu[b] &&
    t.maxMem[a] === t.maxMem[b] &&
    t.maxGpu[a] === t.maxGpu[b]
  );
}

/**
 * The exact comparison of two runners with the same disclosed maxima under spread or binpack,
 * in integer arithmetic on doubles: the request cancels out, so spread(a) − spread(b) has the
 * sign of Σ_d (A_d − B_d) · (L / M_d) with L the least common multiple of the maxima used. Every
 * product and sum is checked to stay below 2^52 before it is made, so the arithmetic is exact;
 * when it would not stay below, the answer is undefined and BigInt decides.
 *
 * Returns a positive number when `a` scores higher, negative when lower, 0 when tied.
 */
export function compareSameShape(strategy: Strategy, t: RunnerTable, a: number, b: number, cpu: number, mem: number, gpu: number): number | undefined {
  if (strategy !== 'spread' && strategy !== 'binpack') return undefined;
  const M0 = t.maxCpu[a] as number;
  const M1 = t.maxMem[a] as number;
  const M2 = t.maxGpu[a] as number;
  if (M0 !== t.maxCpu[b] || M1 !== t.maxMem[b] || M2 !== t.maxGpu[b]) return undefined;
  // An undisclosed maximum makes the capacity the runner's own availability: not the same shape.
  const used0 = M0 > 0 && cpu > 0;
  const used1 = M1 > 0 && mem > 0;
  const used2 = M2 > 0 && gpu > 0;
  if (!used0 && !used1 && !used2) return undefined;
  if ((M0 === 0 && cpu > 0) || (M1 === 0 && mem > 0) || (M2 === 0 && gpu > 0)) return undefined;
  let lcm = 1;
  for (const [used, m] of [[used0, M0], [used1, M1], [used2, M2]] as const) {
    if (!used) continue;
    const next = (lcm / gcd(lcm, m)) * m;
    if (!(next < LIMIT)) return undefined;
    lcm = next;
  }
  let sum = 0;
  for (const [used, x, y, m] of [
    [used0, t.availCpu[a] as number, t.availCpu[b] as number, M0],
    [used1, t.availMem[a] as number, t.availMem[b] as number, M1],
    [used2, t.availGpu[a] as number, t.availGpu[b] as number, M2],
  ] as const) {
    if (!used) continue;
    const d = x - y;
    const factor = lcm / m;
    if (d !== 0 && !(Math.abs(d) < LIMIT / factor)) return undefined;
    sum += d * factor;
    if (!(Math.abs(sum) < LIMIT)) return undefined;
  }
  return strategy === 'spread' ? Math.sign(sum) : -Math.sign(sum);
}

/** Integers below this add and multiply exactly in doubles (with a bit to spare). */
const LIMIT = 2 ** 52;

function gcd(x: number, y: number): number {
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
