import { Bitset } from './bitset.js';

/** Number of free-fraction buckets. */
export const FREE_BUCKETS = 64;

/**
 * Runners by how free they are, for placement to score the most free (spread) or least free
 * (binpack) runners first and stop once no remaining bucket can beat the best score.
 *
 * A runner's key is its mean free fraction over the index's dimensions,
 * g = mean_d A_d / M_d with M_d the disclosed maximum, and bucket k holds the keys in
 * [k / B, (k + 1) / B). A runner with an undisclosed maximum in one of the dimensions has no
 * bound: it sits in `unbounded` and is always scored. Runners outside the index's scope (no
 * GPUs, for the GPU index) are in no bucket at all.
 */
export class FreeIndex {
  readonly buckets: Bitset[];
  readonly unbounded: Bitset;
  /** Members per bucket (the last entry: unbounded), so that empty buckets cost nothing. */
  readonly counts: Int32Array;
  /**
   * Per bucket, which of its words hold any member (a bitset over word indexes), so that
   * visiting a bucket costs its occupied words, not the whole slot space.
   */
  readonly occupied: Uint32Array[];
  private bucketOf: Int16Array;

  constructor(wordCount: number, from?: FreeIndex) {
    this.buckets = from ? from.buckets.map((b) => b.clone()) : Array.from({ length: FREE_BUCKETS }, () => new Bitset(wordCount));
    this.unbounded = from ? from.unbounded.clone() : new Bitset(wordCount);
    this.bucketOf = from ? from.bucketOf.slice() : new Int16Array(wordCount * 32).fill(-1);
    this.counts = from ? from.counts.slice() : new Int32Array(FREE_BUCKETS + 1);
    this.occupied = from ? from.occupied.map((o) => o.slice()) : Array.from({ length: FREE_BUCKETS }, () => new Uint32Array((wordCount + 31) >>> 5));
  }

  clone(): FreeIndex {
    return new FreeIndex(0, this);
  }

  grow(wordCount: number): void {
    for (const b of [...this.buckets, this.unbounded]) b.grow(wordCount);
    for (let k = 0; k < this.occupied.length; k++) {
      const wider = new Uint32Array((wordCount + 31) >>> 5);
      wider.set(this.occupied[k] as Uint32Array);
      this.occupied[k] = wider;
    }
    const bucketOf = new Int16Array(wordCount * 32).fill(-1);
    bucketOf.set(this.bucketOf);
    this.bucketOf = bucketOf;
  }

  /** Files a slot under its key in [0, 1]; `'unbounded'` or `'none'` as described above. */
  place(slot: number, key: number | 'unbounded' | 'none'): void {
    const k = key === 'none' ? -1 : key === 'unbounded' ? FREE_BUCKETS : Math.min(FREE_BUCKETS - 1, Math.floor(key * FREE_BUCKETS));
    const before = this.bucketOf[slot] as number;
    if (before === k) return;
    const word = slot >>> 5;
    if (before === FREE_BUCKETS) this.unbounded.delete(slot);
    else if (before >= 0) {
      const bucket = this.buckets[before] as Bitset;
      bucket.delete(slot);
      if (bucket.words[word] === 0) {
        const o = this.occupied[before] as Uint32Array;
        o[word >>> 5] = (o[word >>> 5] as number) & ~(1 << (word & 31));
      }
    }
    if (before >= 0) this.counts[before] = (this.counts[before] as number) - 1;
    if (k === FREE_BUCKETS) this.unbounded.add(slot);
    else if (k >= 0) {
      (this.buckets[k] as Bitset).add(slot);
      const o = this.occupied[k] as Uint32Array;
      o[word >>> 5] = (o[word >>> 5] as number) | (1 << (word & 31));
    }
    if (k >= 0) this.counts[k] = (this.counts[k] as number) + 1;
    this.bucketOf[slot] = k;
  }
}
