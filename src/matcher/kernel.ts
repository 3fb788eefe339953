import { popcount, slotAt } from './bitset.js';

/**
 * A conjunctive query over one table's slots, resolved word by word: a slot is in the answer
 * when its bit is set in every `must` bitset and it passes every band.
 */
export interface Conjunction {
  readonly must: readonly Uint32Array[];
  readonly bands: readonly Band[];
}

/**
 * The exact part of one capacity threshold, `available >= min`: the threshold's lower bitset is
 * among the `must` sets; the slots in it but not in `upper` (certainly in) are compared exactly.
 */
export interface Band {
  readonly upper: Uint32Array;
  readonly available: Float64Array;
  readonly min: number;
}

/**
 * The bits of `w` (word `i`, every bit in the band's lower bitset) that pass the band: the
 * threshold check, in one place.
 */
export function passBand(band: Band, i: number, w: number): number {
  let maybe = w & ~(band.upper[i] as number);
  while (maybe !== 0) {
    const low = maybe & -maybe;
    if ((band.available[slotAt(i, low)] as number) < band.min) w ^= low;
    maybe ^= low;
  }
  return w;
}

/** Fused multi-way AND of word `i`. */
export function andAt(sets: readonly Uint32Array[], i: number): number {
  let w = (sets[0] as Uint32Array)[i] as number;
  for (let j = 1; j < sets.length && w !== 0; j++) w &= (sets[j] as Uint32Array)[i] as number;
  return w;
}

/** The answer's bits in word `i`. */
export function answerAt(q: Conjunction, i: number): number {
  let w = andAt(q.must, i);
  for (let b = 0; b < q.bands.length && w !== 0; b++) w = passBand(q.bands[b] as Band, i, w);
  return w;
}

/** How many slots answer `q`, over the first `wordCount` words; builds nothing. */
export function countConjunction(q: Conjunction, wordCount: number): number {
  let n = 0;
  for (let i = 0; i < wordCount; i++) n += popcount(answerAt(q, i));
  return n;
}

/** Appends the slots answering `q` to `out`, ascending. */
export function collectConjunction(q: Conjunction, wordCount: number, out: number[]): void {
  for (let i = 0; i < wordCount; i++) {
    let w = answerAt(q, i);
    while (w !== 0) {
      const low = w & -w;
      out.push(slotAt(i, low));
      w ^= low;
    }
  }
}

/** Whether `slot` answers `q`. */
export function testConjunction(q: Conjunction, slot: number): boolean {
  const i = slot >>> 5;
  const bit = 1 << (slot & 31);
  for (const m of q.must) if ((((m[i] as number) & bit) >>> 0) === 0) return false;
  for (const b of q.bands) if (passBand(b, i, bit) === 0) return false;
  return true;
}

/**
 * Writes the AND of `sets` into `out` (length >= wordCount), four sets at a time over every word
 * (tight loops, a quarter of the passes over `out`); returns how many bits are set — or, once
 * more than `enough` are, that many so far (0 only when the AND is empty). Once the AND is
 * empty the remaining sets are not read: a selective request, or one nothing fits, stops after
 * its first few sets.
 */
export function andInto(sets: readonly Uint32Array[], wordCount: number, out: Uint32Array, enough = Number.POSITIVE_INFINITY): number {
  const n = sets.length;
  const a = sets[0] as Uint32Array;
  const b = n > 1 ? (sets[1] as Uint32Array) : a;
  const c = n > 2 ? (sets[2] as Uint32Array) : a;
  const d = n > 3 ? (sets[3] as Uint32Array) : a;
  let any = 0;
  for (let i = 0; i < wordCount; i++) {
    const w = (a[i] as number) & (b[i] as number) & (c[i] as number) & (d[i] as number);
    out[i] = w;
    any |= w;
  }
  for (let j = 4; j < n && any !== 0; j += 4) {
    const e = sets[j] as Uint32Array;
    const f = j + 1 < n ? (sets[j + 1] as Uint32Array) : e;
    const g = j + 2 < n ? (sets[j + 2] as Uint32Array) : e;
    const h = j + 3 < n ? (sets[j + 3] as Uint32Array) : e;
    any = 0;
    for (let i = 0; i < wordCount; i++) {
      const w = (out[i] as number) & (e[i] as number) & (f[i] as number) & (g[i] as number) & (h[i] as number);
      out[i] = w;
      any |= w;
    }
  }
  if (any === 0) return 0;
  let count = 0;
  // At least one bit counted: 0 means empty.
  const stop = Math.max(0, enough);
  for (let i = 0; i < wordCount && count <= stop; i++) count += popcount(out[i] as number);
  return count;
}

/** Writes the answer's words into `out` (length >= wordCount); returns how many slots answer. */
export function materialiseConjunction(q: Conjunction, wordCount: number, out: Uint32Array): number {
  let count = andInto(q.must, wordCount, out);
  for (let b = 0; b < q.bands.length && count > 0; b++) {
    const band = q.bands[b] as Band;
    const upper = band.upper;
    for (let i = 0; i < wordCount; i++) {
      const w = out[i] as number;
      if ((w & ~(upper[i] as number)) === 0) continue;
      const passed = passBand(band, i, w);
      count -= popcount(w ^ passed);
      out[i] = passed;
    }
  }
  return count;
}
