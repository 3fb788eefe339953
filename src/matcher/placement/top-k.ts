import type { RunnerTable } from '../runner-table.js';
import { compareRatios, NEAR, type Ratio, sameState } from './exact.js';
import type { ScoringStrategy } from './strategy.js';

/** Slot and score pairs, best first. */
export type Ranked = Array<[slot: number, score: number]>;

/**
 * Keeps the `keep` best (slot, score) pairs: higher score first, ties by ascending runnerId.
 * Scores further apart than {@link NEAR} are ordered by their floats; closer ones exactly
 * (the strategy's quick exact comparison, else its rational score), so that a tie in rational
 * arithmetic is a tie whatever the rounding. The exact score of a kept runner is worked out
 * once, when a near-tie first needs it.
 */
export class TopK {
  /**
   * The `n` kept slots and scores, best first (structure of arrays, sized once: an offer
   * allocates nothing).
   */
  private readonly slots: number[];
  private readonly scores: number[];
  private n = 0;
  /** The score a runner must come within {@link NEAR} of to enter; -Infinity until `keep` are kept. */
  threshold = -Infinity;
  private readonly exact: Array<Ratio | undefined>;
  private readonly rank: Int32Array;
  /** The offered runner's exact score, once a near-tie needed it (reset by each offer). */
  private mine: Ratio | undefined;

  constructor(
    private readonly t: RunnerTable,
    readonly keep: number,
    private readonly strategy: ScoringStrategy,
    private readonly cpu: number,
    private readonly mem: number,
    private readonly gpu: number,
  ) {
    this.rank = t.ranks();
    // Room for as many as can be kept: no more than `keep`, nor than there are runners.
    const room = Math.min(keep, t.size);
    this.slots = new Array<number>(room).fill(-1);
    this.scores = new Array<number>(room).fill(0);
    this.exact = new Array<Ratio | undefined>(room).fill(undefined);
  }

  /** The slot of the `keep`-th kept runner, the one a runner must beat to enter; -1 until `keep` are kept. */
  get last(): number {
    return this.n === this.keep ? (this.slots[this.keep - 1] as number) : -1;
  }

  /** The kept (slot, score) pairs, best first. */
  get items(): Ranked {
    const items: Ranked = [];
    for (let k = 0; k < this.n; k++) items.push([this.slots[k] as number, this.scores[k] as number]);
    return items;
  }

  offer(slot: number, score: number): void {
    if (score < this.threshold - NEAR) return;
    const { slots, scores, exact } = this;
    this.mine = undefined;
    // Where the runner goes: after every kept runner that beats it.
    let at = this.n;
    while (at > 0 && this.beats(slot, score, at - 1)) at--;
    if (at >= this.keep) return;
    // Insert at `at`, the last one dropping out once `keep` are kept.
    if (this.n < this.keep) this.n++;
    for (let k = this.n - 1; k > at; k--) {
      slots[k] = slots[k - 1] as number;
      scores[k] = scores[k - 1] as number;
      exact[k] = exact[k - 1];
    }
    slots[at] = slot;
    scores[at] = score;
    exact[at] = this.mine;
    if (this.n === this.keep) this.threshold = scores[this.keep - 1] as number;
  }

  /** Whether the offered runner beats kept item `k`. */
  private beats(slot: number, score: number, k: number): boolean {
    const other = this.slots[k] as number;
    const d = score - (this.scores[k] as number);
    if (d > NEAR) return true;
    if (d < -NEAR) return false;
    const t = this.t;
    if (!sameState(t, slot, other)) {
      const { strategy, cpu, mem, gpu } = this;
      const quick = strategy.compareQuick(t, slot, other, cpu, mem, gpu);
      if (quick !== undefined) {
        if (quick !== 0) return quick > 0;
      } else {
        this.mine ??= strategy.exact(t, slot, cpu, mem, gpu);
        const theirs = (this.exact[k] ??= strategy.exact(t, other, cpu, mem, gpu));
        const c = compareRatios(this.mine, theirs);
        if (c !== 0) return c > 0;
      }
    }
    return (this.rank[slot] as number) < (this.rank[other] as number);
  }
}
