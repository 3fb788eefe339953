import { Bitset, popcount } from './bitset.js';
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
 * its size, so how many slots have `available >= x` is counted from the sizes and the slots
 * between two levels alone (a rejection's capacity counts).
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
  /** Slots certainly in the answer, or undefined when `lower` is already exact. */
  readonly upper: Bitset | undefined;
}

export class CapacityIndex {
  private readonly levels: Bitset[];
  /** How many slots each level holds. */
  private readonly sizes: Float64Array;

  constructor(wordCount: number, from?: CapacityIndex) {
    this.levels = from ? from.levels.map((b) => b.clone()) : THRESHOLDS.map(() => new Bitset(wordCount));
    this.sizes = from ? from.sizes.slice() : new Float64Array(THRESHOLDS.length);
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

  /**
   * How many slots have `available[slot] >= min`: the size of the level above `min`, and the
   * slots between the two levels compared exactly (over the first `words` words).
   */
  countAtLeast(min: number, available: Float64Array, words: number): number {
    const k = levelOf(min);
    if (THRESHOLDS[k] === min) return this.sizes[k] as number;
    let n = this.sizes[k + 1] as number;
    // The slots between the two levels, read until every one of them is.
    let between = (this.sizes[k] as number) - n;
    const lo = (this.levels[k] as Bitset).words;
    const band: Band = { upper: (this.levels[k + 1] as Bitset).words, available, min };
    for (let i = 0; i < words && between > 0; i++) {
      const maybe = (lo[i] as number) & ~(band.upper[i] as number);
      if (maybe === 0) continue;
      between -= popcount(maybe);
      n += popcount(passBand(band, i, maybe));
    }
    return n;
  }

  bounds(min: number): ThresholdBounds {
    const k = levelOf(min);
    const lower = this.levels[k] as Bitset;
    return { lower, upper: THRESHOLDS[k] === min ? undefined : this.levels[k + 1] };
  }

  grow(wordCount: number): void {
    for (const b of this.levels) b.grow(wordCount);
  }

  clone(): CapacityIndex {
    return new CapacityIndex(0, this);
  }
}
