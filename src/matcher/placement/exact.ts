import type { RunnerTable } from '../runner-table.js';

/**
 * Scores in exact rational arithmetic, for ties. The strategies score in floating point, where
 * free fractions 0.0 + 0.3 and 0.1 + 0.2 differ in the last bit; two runners whose scores are
 * equal as rationals are tied (SPEC §4) and the smaller runnerId wins. Placement compares
 * floats first and comes here only when two scores are within {@link NEAR} of each other.
 *
 * Each strategy's exact score (`spread.ts`, `binpack.ts`, `balanced.ts`) mirrors its float
 * score term for term, with f_d = (A_d − q_d) / C_d as a fraction of integers; here are what
 * they share.
 */

/** Float scores closer than this (on the 0–100 scale) are compared exactly. Float error on a score is below 1e-12. */
export const NEAR = 1e-9;

/** A rational `num / den` with `den > 0`. */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

/** Compares two rationals: positive when `a > b`. */
export function compareRatios(a: Ratio, b: Ratio): number {
  const d = a.num * b.den - b.num * a.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
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
 * The exact comparison of two runners with the same disclosed maxima under spread (binpack: its
 * opposite), in integer arithmetic on doubles: the request cancels out, so spread(a) − spread(b) has the
 * sign of Σ_d (A_d − B_d) · (L / M_d) with L the least common multiple of the maxima used. Every
 * product and sum is checked to stay below 2^52 before it is made, so the arithmetic is exact;
 * when it would not stay below, the answer is undefined and BigInt decides.
 *
 * Returns a positive number when `a` has the higher spread score, negative when lower, 0 when tied.
 */
export function compareSameShape(t: RunnerTable, a: number, b: number, cpu: number, mem: number, gpu: number): number | undefined {
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
  // Written out per dimension (no arrays): this runs for every near-tie of a placement.
  const used = (used0 ? 1 : 0) | (used1 ? 2 : 0) | (used2 ? 4 : 0);
  let lcm = LCM[4] as number;
  if (M0 !== LCM[0] || M1 !== LCM[1] || M2 !== LCM[2] || used !== LCM[3]) {
    // Euclid's remainders of doubles are slow: the last multiple is kept (near-ties come in runs of one shape).
    lcm = 1;
    if (used0) lcm = M0;
    if (used1) lcm = lcmBelowLimit(lcm, M1);
    if (used2) lcm = lcmBelowLimit(lcm, M2);
    LCM[0] = M0;
    LCM[1] = M1;
    LCM[2] = M2;
    LCM[3] = used;
    LCM[4] = lcm;
  }
  if (!(lcm < LIMIT)) return undefined;
  let sum = 0;
  if (used0) sum = addTerm(sum, (t.availCpu[a] as number) - (t.availCpu[b] as number), lcm / M0);
  if (used1) sum = addTerm(sum, (t.availMem[a] as number) - (t.availMem[b] as number), lcm / M1);
  if (used2) sum = addTerm(sum, (t.availGpu[a] as number) - (t.availGpu[b] as number), lcm / M2);
  if (Number.isNaN(sum)) return undefined;
  return Math.sign(sum);
}

/** The least common multiple {@link compareSameShape} worked out last: maxima M0, M1, M2, the dimensions used (bits), and the multiple. */
const LCM = Float64Array.of(-1, -1, -1, -1, 1);

/** Integers below this add and multiply exactly in doubles (with a bit to spare). */
const LIMIT = 2 ** 52;

/** lcm(l, m), or Infinity when it would reach {@link LIMIT} (or `l` already has). */
function lcmBelowLimit(l: number, m: number): number {
  if (!(l < LIMIT)) return Infinity;
  const next = (l / gcd(l, m)) * m;
  return next < LIMIT ? next : Infinity;
}

/** `sum + d · factor`, or NaN when a product or the sum would reach {@link LIMIT} (NaN stays NaN). */
function addTerm(sum: number, d: number, factor: number): number {
  if (d !== 0 && !(Math.abs(d) < LIMIT / factor)) return Number.NaN;
  const next = sum + d * factor;
  return Math.abs(next) < LIMIT ? next : Number.NaN;
}

function gcd(x: number, y: number): number {
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

/**
 * Whether x · y = z · w exactly, for integers below 2^53: the rounded products first, then —
 * when they are equal — their rounding errors, each exact by Dekker's two-product (Veltkamp's
 * split into 26-bit halves), so no BigInt is needed.
 */
export function sameProduct(x: number, y: number, z: number, w: number): boolean {
  const p = x * y;
  return p === z * w && productError(x, y, p) === productError(z, w, p);
}

/**
 * The sign of x · y − z · w, exactly, for non-negative integers below 2^53: rounding is
 * monotone, so rounded products that differ are in the exact products' order; rounded products
 * that are equal are ordered by their exact rounding errors.
 */
export function compareProducts(x: number, y: number, z: number, w: number): number {
  const p = x * y;
  const r = z * w;
  if (p !== r) return p > r ? 1 : -1;
  return Math.sign(productError(x, y, p) - productError(z, w, r));
}

/** x · y − p exactly, with p the rounded product. */
function productError(x: number, y: number, p: number): number {
  const cx = SPLITTER * x;
  const xh = cx - (cx - x);
  const xl = x - xh;
  const cy = SPLITTER * y;
  const yh = cy - (cy - y);
  const yl = y - yh;
  return xh * yh - p + xh * yl + xl * yh + xl * yl;
}

const SPLITTER = 2 ** 27 + 1;
