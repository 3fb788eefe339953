import { slotAt } from './bitset.js';

/**
 * Keeps the `keep` slots of lowest rank (position in runnerId order) seen so far, ascending:
 * the "first k by runnerId" of first-fit and of nearest misses, without sorting everything.
 */
export class LowestRanks {
  readonly slots: number[] = [];

  constructor(
    private readonly rank: Int32Array,
    private readonly keep: number,
  ) {}

  /** The highest rank kept once full (Infinity until then): nothing at or above it can enter. */
  get bar(): number {
    return this.slots.length === this.keep ? (this.rank[this.slots[this.keep - 1] as number] as number) : Infinity;
  }

  /** Offers every set bit of word `i` (slots i·32 … i·32 + 31). */
  offerWord(i: number, word: number): void {
    let w = word;
    while (w !== 0) {
      const low = w & -w;
      w ^= low;
      this.offer(slotAt(i, low));
    }
  }

  offer(slot: number): void {
    const r = this.rank[slot] as number;
    if (r >= this.bar) return;
    const slots = this.slots;
    let at = slots.length;
    while (at > 0 && (this.rank[slots[at - 1] as number] as number) > r) at--;
    slots.splice(at, 0, slot);
    if (slots.length > this.keep) slots.pop();
  }
}
