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
  readonly items: Ranked = [];
  /** The score a runner must come within {@link NEAR} of to enter; -Infinity until `keep` are kept. */
  threshold = -Infinity;
  private readonly exact: Array<Ratio | undefined> = [];
  private readonly rank: Int32Array;
  /** The offered runner's exact score, once a near-tie needed it (reset by each offer). */
  private mine: Ratio | undefined;

  constructor(
    private readonly t: RunnerTable,
    private readonly keep: number,
    private readonly strategy: ScoringStrategy,
    private readonly cpu: number,
    private readonly mem: number,
    private readonly gpu: number,
  ) {
    this.rank = t.ranks();
  }

  offer(slot: number, score: number): void {
    if (score < this.threshold - NEAR) return;
    const items = this.items;
    this.mine = undefined;
    // Where the runner goes: after every kept runner that beats it.
    let at = items.length;
    while (at > 0 && this.beats(slot, score, at - 1)) at--;
    if (at >= this.keep) return;
    items.splice(at, 0, [slot, score]);
    this.exact.splice(at, 0, this.mine);
    if (items.length > this.keep) {
      items.pop();
      this.exact.pop();
    }
    if (items.length === this.keep) this.threshold = (items[this.keep - 1] as [number, number])[1];
  }

  /** Whether the offered runner beats kept item `k`. */
  private beats(slot: number, score: number, k: number): boolean {
    const [other, otherScore] = this.items[k] as [number, number];
    const d = score - otherScore;
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
