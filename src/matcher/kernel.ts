import { popcount } from './bitset.js';

/**
 * A conjunctive query over one table's slots, resolved word by word:
 * a slot is in the answer when its bit is set in every `must` bitset and either set in every
 * `upper` bitset (certainly in) or it passes `exact` (the few slots between a capacity
 * threshold's lower and upper bitsets).
 */
export interface Conjunction {
  readonly must: readonly Uint32Array[];
  readonly upper: readonly Uint32Array[];
  readonly exact: ((slot: number) => boolean) | undefined;
}

/** Fused multi-way AND of word `i`. */
function andAt(sets: readonly Uint32Array[], i: number): number {
  let w = (sets[0] as Uint32Array)[i] as number;
  for (let j = 1; j < sets.length && w !== 0; j++) w &= (sets[j] as Uint32Array)[i] as number;
  return w;
}

/** The answer's bits in word `i`. */
export function answerAt(q: Conjunction, i: number): number {
  const w = andAt(q.must, i);
  if (w === 0 || q.upper.length === 0) return w;
  let sure = w;
  for (let j = 0; j < q.upper.length && sure !== 0; j++) sure &= (q.upper[j] as Uint32Array)[i] as number;
  let maybe = w & ~sure;
  const exact = q.exact;
  while (maybe !== 0) {
    const low = maybe & -maybe;
    if (exact === undefined || exact((i << 5) + 31 - Math.clz32(low))) sure |= low;
    maybe ^= low;
  }
  return sure;
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
      out.push((i << 5) + 31 - Math.clz32(low));
      w ^= low;
    }
  }
}

/** Whether `slot` answers `q`. */
export function testConjunction(q: Conjunction, slot: number): boolean {
  const i = slot >>> 5;
  const bit = 1 << (slot & 31);
  for (const m of q.must) if ((((m[i] as number) & bit) >>> 0) === 0) return false;
  let sure = true;
  for (const u of q.upper) if ((((u[i] as number) & bit) >>> 0) === 0) sure = false;
  return sure || q.exact === undefined || q.exact(slot);
}

/** Calls `visit` with every slot answering `q`, ascending. */
export function forEachConjunction(q: Conjunction, wordCount: number, visit: (slot: number) => void): void {
  for (let i = 0; i < wordCount; i++) {
    let w = answerAt(q, i);
    while (w !== 0) {
      const low = w & -w;
      visit((i << 5) + 31 - Math.clz32(low));
      w ^= low;
    }
  }
}

/** Writes the answer's words into `out` (length >= wordCount); returns whether any bit is set. */
export function materialiseConjunction(q: Conjunction, wordCount: number, out: Uint32Array): boolean {
  let any = 0;
  for (let i = 0; i < wordCount; i++) {
    const w = answerAt(q, i);
    out[i] = w;
    any |= w;
  }
  return any !== 0;
}
