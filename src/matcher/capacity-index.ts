import { Bitset, popcount, slotAt } from './bitset.js';
import { type Band, passBand } from './kernel.js';

/**
 * Range-encoded threshold bitsets for one capacity dimension: `levels[k]` holds every slot
 * whose resources are known and whose available amount is at least `THRESHOLDS[k]`.
 *
 * Why this and not a sorted structure: a query `available >= x` becomes one bitset that the
 * fused AND kernel combines with the capability bitsets (`levels[k]` with `THRESHOLDS[k] <= x`
 * is a superset, `levels[k + 1]` a subset; only the slots between the two are checked exactly),
 * so a filtered count never touches slots the other filters already excluded. An update flips
 * only the levels between the old and the new amount — a few word writes, no shifting, where
 * a sorted array of 100,000 entries moves tens of kilobytes per update. Thresholds grow by
 * ×1.25 (exact for 0–4, where GPU counts live), ~170 levels cover 0 to 2^53. Each level knows
 * its size, and of its band (its slots not in the next level) the words that hold one and the
 * least and most available there, so how many slots have `available >= x` is counted from the
 * sizes alone when x is at most the band's least or above its most — as when a fleet's free
 * amounts come in round steps and so do requests — and else from the band's slots alone (a
 * rejection's capacity counts), that count then kept current as slots enter and leave the band.
 * Measured (`npm run bench -- updates discovery`): one setResources costs 0.7–0.8 µs at
 * 100,000 runners and 0.5 µs at 1,000; a 4-capability + 1-capacity count at 100,000 runners
 * takes 40 µs where the scan takes 6–17 ms.
 */
export const THRESHOLDS: readonly number[] = (() => {
  const t = [0, 1];
  for (;;) {
    const last = t[t.length - 1] as number;
    if (last > Number.MAX_SAFE_INTEGER) break;
    t.push(Math.max(last + 1, Math.floor(last * 1.25)));
  }
  return t;
})();

/** Largest `k` with `THRESHOLDS[k] <= amount` (amount >= 0). */
export function levelOf(amount: number): number {
  let lo = 0;
  let hi = THRESHOLDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((THRESHOLDS[mid] as number) <= amount) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where `available >= min` stands in the index: `lower` ⊇ answer ⊇ `upper`. */
export interface ThresholdBounds {
  /** Slots with available >= THRESHOLDS[k] for the largest THRESHOLDS[k] <= min. */
  readonly lower: Bitset;
  /** How many slots `lower` holds. */
  readonly lowerSize: number;
  /** Slots certainly in the answer, or undefined when `lower` is already exact. */
  readonly upper: Bitset | undefined;
}

/** Words of a bitset with a bit per word of `wordCount` words. */
const wordsOf = (wordCount: number) => Math.ceil(wordCount / 32);

export class CapacityIndex {
  private readonly levels: Bitset[];
  /** How many slots each level holds. */
  private readonly sizes: Float64Array;
  /**
   * Per level k, a bit per word of the levels: set when the word holds a slot of level k's band
   * (in level k, not in level k + 1), so that a count reads the words of the band alone.
   */
  private readonly bandWords: Bitset[];
  /**
   * Per level, the least and the most available on a slot of its band (+Infinity and -Infinity
   * for none), so that a count whose minimum is at most the least or above the most reads no
   * slot of the band; valid unless `bandStale` (worked out again on the next count that needs
   * them, after the slot that held the least or the most left or changed).
   */
  private readonly bandLeast: Float64Array;
  private readonly bandMost: Float64Array;
  private readonly bandStale: Uint8Array;
  /**
   * Per level, once counted (`counted` 1): how many slots of its band have at least
   * `countedMin` available — kept current by every update that moves a slot into, out of or
   * within the band, so that the same count asked again (a rejection retried while runners
   * change) reads no slot.
   */
  private readonly counted: Uint8Array;
  private readonly countedMin: Float64Array;
  private readonly countedSlots: Float64Array;
  /** While a load is under way ({@link beginLoad}): each slot's level, -1 for none. */
  private loading: Int16Array | undefined;

  constructor(wordCount: number, from?: CapacityIndex) {
    this.levels = from ? from.levels.map((b) => b.clone()) : THRESHOLDS.map(() => new Bitset(wordCount));
    this.sizes = from ? from.sizes.slice() : new Float64Array(THRESHOLDS.length);
    this.bandWords = from ? from.bandWords.map((b) => b.clone()) : THRESHOLDS.map(() => new Bitset(wordsOf(wordCount)));
    this.bandLeast = from ? from.bandLeast.slice() : new Float64Array(THRESHOLDS.length).fill(Number.POSITIVE_INFINITY);
    this.bandMost = from ? from.bandMost.slice() : new Float64Array(THRESHOLDS.length).fill(Number.NEGATIVE_INFINITY);
    this.bandStale = from ? from.bandStale.slice() : new Uint8Array(THRESHOLDS.length);
    this.counted = from ? from.counted.slice() : new Uint8Array(THRESHOLDS.length);
    this.countedMin = from ? from.countedMin.slice() : new Float64Array(THRESHOLDS.length);
    this.countedSlots = from ? from.countedSlots.slice() : new Float64Array(THRESHOLDS.length);
  }

  /**
   * Starts filling the index while it holds no slot (a catalog's first load): until
   * {@link endLoad}, `update` notes each slot's level (and keeps the bands' least, most and
   * counts as ever), and `endLoad` files the slots a word at a time — each level's word written
   * once, where `update` writes it once for every slot of the word at or above the level (up to
   * ~170 levels a slot). Nothing may read the index meanwhile.
   */
  beginLoad(slots: number): void {
    if (this.sizes[0] !== 0) throw new Error('beginLoad needs an empty capacity index');
    this.loading = new Int16Array(slots).fill(-1);
  }

  /** Files the slots noted since {@link beginLoad}: the index as `update` would have left it. */
  endLoad(): void {
    const loading = this.loading;
    if (!loading) return;
    this.loading = undefined;
    const levels = this.levels;
    const sizes = this.sizes;
    // Per word: the bits of its slots at each level exactly, then or-ed from the top level
    // down (a slot at level k is in every level up to k).
    const exact = new Int32Array(THRESHOLDS.length);
    const words = (loading.length + 31) >>> 5;
    for (let i = 0; i < words; i++) {
      let top = -1;
      const end = Math.min(loading.length, (i + 1) * 32);
      for (let slot = i * 32; slot < end; slot++) {
        const k = loading[slot] as number;
        if (k < 0) continue;
        exact[k] = (exact[k] as number) | (1 << (slot & 31));
        sizes[k] = (sizes[k] as number) + 1;
        if (k > top) top = k;
      }
      let word = 0;
      for (let k = top; k >= 0; k--) {
        const bits = exact[k] as number;
        if (bits !== 0) {
          word |= bits;
          exact[k] = 0;
          (this.bandWords[k] as Bitset).add(i);
        }
        (levels[k] as Bitset).words[i] = word;
      }
    }
    // The sizes counted each slot at its own level: summed from the top, at or above it.
    for (let k = sizes.length - 2; k >= 0; k--) sizes[k] = (sizes[k] as number) + (sizes[k + 1] as number);
  }

  /** Moves `slot` from `before` to `after` (-1 for unknown resources). */
  update(slot: number, before: number, after: number): void {
    const from = before < 0 ? -1 : levelOf(before);
    const to = after < 0 ? -1 : levelOf(after);
    // One word per level, the same in each: up to ~170 levels for a runner that enters.
    const i = slot >>> 5;
    const bit = 1 << (slot & 31);
    const levels = this.levels;
    const sizes = this.sizes;
    // While loading, only the level is noted: `endLoad` files it (the words, sizes, band words).
    if (this.loading) this.loading[slot] = to;
    else {
      for (let k = from + 1; k <= to; k++) {
        const w = (levels[k] as Bitset).words;
        w[i] = (w[i] as number) | bit;
        sizes[k] = (sizes[k] as number) + 1;
      }
      for (let k = to + 1; k <= from; k++) {
        const w = (levels[k] as Bitset).words;
        w[i] = (w[i] as number) & ~bit;
        sizes[k] = (sizes[k] as number) - 1;
      }
    }
    // The slot leaves the band of level `from` and enters that of level `to` (maybe the same).
    if (from >= 0 && this.counted[from] === 1 && before >= (this.countedMin[from] as number)) this.countedSlots[from] = (this.countedSlots[from] as number) - 1;
    if (to >= 0 && this.counted[to] === 1 && after >= (this.countedMin[to] as number)) this.countedSlots[to] = (this.countedSlots[to] as number) + 1;
    if (from >= 0 && (before === this.bandLeast[from] || before === this.bandMost[from])) this.bandStale[from] = 1;
    if (to >= 0 && this.bandStale[to] === 0) {
      if (after < (this.bandLeast[to] as number)) this.bandLeast[to] = after;
      if (after > (this.bandMost[to] as number)) this.bandMost[to] = after;
    }
    if (from === to || this.loading) return;
    if (to >= 0) (this.bandWords[to] as Bitset).add(i);
    if (from >= 0 && this.band(from, i) === 0) (this.bandWords[from] as Bitset).delete(i);
  }

  /** Word `i` of level k's band: its slots in level k and not in level k + 1. */
  private band(k: number, i: number): number {
    const above = this.levels[k + 1];
    return ((this.levels[k] as Bitset).words[i] as number) & ~(above ? (above.words[i] as number) : 0);
  }

  /**
   * How many slots have `available[slot] >= min`: the size of the level above `min`, and the
   * slots between the two levels compared exactly. `words`: words that hold every slot (the
   * table's active words) — the band is read no further.
   */
  countAtLeast(min: number, available: Float64Array, words: number): number {
    const k = levelOf(min);
    if (THRESHOLDS[k] === min) return this.sizes[k] as number;
    const n = this.sizes[k + 1] as number;
    if (this.sizes[k] === n) return n;
    if (this.counted[k] === 1 && this.countedMin[k] === min) return n + (this.countedSlots[k] as number);
    if (this.bandStale[k] === 1) this.summariseBand(k, available);
    let slots: number;
    // Every slot of the band has at least `min`, or none has; else they are compared.
    if ((this.bandLeast[k] as number) >= min) slots = (this.sizes[k] as number) - n;
    else if ((this.bandMost[k] as number) < min) slots = 0;
    else {
      const band: Band = { upper: (this.levels[k + 1] as Bitset).words, available, min };
      slots = this.readBand(k, words, (maybe, i) => popcount(passBand(band, i, maybe)));
    }
    this.counted[k] = 1;
    this.countedMin[k] = min;
    this.countedSlots[k] = slots;
    return n + slots;
  }

  /** Works out level k's least and most from its band's slots. */
  private summariseBand(k: number, available: Float64Array): void {
    let least = Number.POSITIVE_INFINITY;
    let most = Number.NEGATIVE_INFINITY;
    this.readBand(k, Number.POSITIVE_INFINITY, (maybe, i) => {
      for (let w = maybe; w !== 0; w &= w - 1) {
        const a = available[slotAt(i, w & -w)] as number;
        if (a < least) least = a;
        if (a > most) most = a;
      }
      return 0;
    });
    this.bandLeast[k] = least;
    this.bandMost[k] = most;
    this.bandStale[k] = 0;
  }

  /**
   * Hands `read` each word of level k's band (its slots, and the word's index) until every slot
   * of the band was, over the first `words` words; the sum of what it returns.
   */
  private readBand(k: number, words: number, read: (maybe: number, i: number) => number): number {
    let between = (this.sizes[k] as number) - (this.sizes[k + 1] as number);
    const summary = (this.bandWords[k] as Bitset).words;
    let sum = 0;
    for (let j = 0; j < summary.length && between > 0; j++) {
      let bits = summary[j] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const i = slotAt(j, low);
        if (i >= words) return sum;
        const maybe = this.band(k, i);
        between -= popcount(maybe);
        sum += read(maybe, i);
      }
    }
    return sum;
  }

  bounds(min: number): ThresholdBounds {
    const k = levelOf(min);
    const lower = this.levels[k] as Bitset;
    return { lower, lowerSize: this.sizes[k] as number, upper: THRESHOLDS[k] === min ? undefined : this.levels[k + 1] };
  }

  grow(wordCount: number): void {
    for (const b of this.levels) b.grow(wordCount);
    for (const b of this.bandWords) b.grow(wordsOf(wordCount));
  }

  clone(): CapacityIndex {
    return new CapacityIndex(0, this);
  }
}
