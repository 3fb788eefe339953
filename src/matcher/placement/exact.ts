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

/** A non-negative-denominator rational. */
interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const ratio = (num: bigint, den: bigint): Ratio => (den < 0n ? { num: -num, den: -den } : { num, den });
const add = (a: Ratio, b: Ratio): Ratio => ratio(a.num * b.den + b.num * a.den, a.den * b.den);
const sub = (a: Ratio, b: Ratio): Ratio => ratio(a.num * b.den - b.num * a.den, a.den * b.den);
const cmp = (a: Ratio, b: Ratio): number => {
  const d = a.num * b.den - b.num * a.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};
const ONE: Ratio = { num: 1n, den: 1n };

/** The free fraction after placing of each dimension that has a capacity, with whether it was requested. */
function fractions(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Array<{ f: Ratio; requested: boolean }> {
  const out: Array<{ f: Ratio; requested: boolean }> = [];
  const dims: ReadonlyArray<readonly [number, number, number]> = [
    [t.availCpu[slot] as number, t.maxCpu[slot] as number, cpu],
    [t.availMem[slot] as number, t.maxMem[slot] as number, mem],
    [t.availGpu[slot] as number, t.maxGpu[slot] as number, gpu],
  ];
  for (const [available, max, q] of dims) {
    const capacity = max > 0 ? max : available;
    if (capacity > 0) out.push({ f: ratio(BigInt(available - q), BigInt(capacity)), requested: q > 0 });
  }
  return out;
}

/** spread / 100: the mean free fraction over the requested dimensions (else every one; 1/2 when none). */
function spread(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio {
  const all = fractions(t, slot, cpu, mem, gpu);
  const requested = all.filter((d) => d.requested);
  const over = requested.length > 0 ? requested : all;
  if (over.length === 0) return { num: 1n, den: 2n };
  let sum: Ratio = { num: 0n, den: 1n };
  for (const d of over) sum = add(sum, d.f);
  return ratio(sum.num, sum.den * BigInt(over.length));
}

/** balanced / 100: 1 − (max f − min f) over every dimension with a capacity (1 when none). */
function balanced(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio {
  const all = fractions(t, slot, cpu, mem, gpu);
  if (all.length === 0) return ONE;
  let lo = (all[0] as { f: Ratio }).f;
  let hi = lo;
  for (const { f } of all) {
    if (cmp(f, lo) < 0) lo = f;
    if (cmp(f, hi) > 0) hi = f;
  }
  return sub(ONE, sub(hi, lo));
}

/** Compares two runners' scores exactly: positive when `a` scores higher, 0 when tied. */
export function compareExact(strategy: Strategy, t: RunnerTable, a: number, b: number, cpu: number, mem: number, gpu: number): number {
  // Runners in the same state (same maxima and amounts free) tie without arithmetic: in a
  // fleet of few machine types, the common case.
  if (
    t.availCpu[a] === t.availCpu[b] &&
    t.availMem[a] === t.availMem[b] &&
    t.availGpu[a] === t.availGpu[b] &&
    t.maxCpu[a] === t.maxCpu[b] &&
    t.maxMem[a] === t.maxMem[b] &&
    t.maxGpu[a] === t.maxGpu[b]
  ) {
    return 0;
  }
  switch (strategy) {
    case 'spread':
      return cmp(spread(t, a, cpu, mem, gpu), spread(t, b, cpu, mem, gpu));
    case 'binpack':
      return cmp(spread(t, b, cpu, mem, gpu), spread(t, a, cpu, mem, gpu));
    case 'balanced':
      return cmp(balanced(t, a, cpu, mem, gpu), balanced(t, b, cpu, mem, gpu));
    case 'firstFit':
      return 0;
  }
}
