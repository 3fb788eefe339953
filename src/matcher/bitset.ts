import { grown } from '../grown.js';

/**
 * A fixed-width bitset over `Uint32Array`, one bit per slot. Every bitset of one table has the
 * same number of words, so the kernels can AND them word by word without bounds checks.
 *
 * The multi-way kernels over these words (AND, count, collect) live in `kernel.ts`.
 */
export class Bitset {
  words: Uint32Array;

  constructor(wordCount: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(wordCount);
  }

  has(slot: number): boolean {
    return ((this.words[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0;
  }

  add(slot: number): void {
    const i = slot >>> 5;
    this.words[i] = (this.words[i] ?? 0) | (1 << (slot & 31));
  }

  delete(slot: number): void {
    const i = slot >>> 5;
    this.words[i] = (this.words[i] ?? 0) & ~(1 << (slot & 31));
  }

  /** Sets or clears one bit. */
  assign(slot: number, on: boolean): void {
    if (on) this.add(slot);
    else this.delete(slot);
  }

  /** Widens to `wordCount` words, keeping the bits. */
  grow(wordCount: number): void {
    if (wordCount <= this.words.length) return;
    this.words = grown(this.words, wordCount);
  }

  clone(): Bitset {
    return new Bitset(0, this.words.slice());
  }

  /** Calls `visit` with every set slot in ascending order. */
  forEach(visit: (slot: number) => void): void {
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      let word = w[i] as number;
      while (word !== 0) {
        const low = word & -word;
        visit(slotAt(i, low));
        word ^= low;
      }
    }
  }
}

/**
 * A {@link Bitset} that keeps its number of set bits, for sets written only through `add`,
 * `delete` and `assign` (the table's flags): a rejection reads how many runners pass them in
 * O(1) instead of counting their words.
 */
export class CountedBitset extends Bitset {
  /** Number of set bits. */
  count = 0;

  override add(slot: number): void {
    if (!this.has(slot)) this.count++;
    super.add(slot);
  }

  override delete(slot: number): void {
    if (this.has(slot)) this.count--;
    super.delete(slot);
  }

  override clone(): CountedBitset {
    const copy = new CountedBitset(0, this.words.slice());
    copy.count = this.count;
    return copy;
  }
}

/** The slot of bit `low` (a word with one bit set) of word `i`: the set-bit loops' one formula. */
export function slotAt(i: number, low: number): number {
  return (i << 5) + 31 - Math.clz32(low);
}

/** Number of set bits of a 32-bit word (SWAR). */
export function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
