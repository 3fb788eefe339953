/**
 * A count of changes, and what each of the last {@link CHANGE_LOG} changed (a slot or a cell; -1
 * for everything): a ring, change n at n mod CHANGE_LOG. What was worked out as of count c is
 * brought up to date from the changes since c while the log still holds them all
 * ({@link holdsSince}), else worked out again.
 */
export class ChangeLog {
  count: number;
  private readonly log: Int32Array;

  constructor(from?: ChangeLog) {
    this.count = from ? from.count : 0;
    this.log = from ? from.log.slice() : new Int32Array(CHANGE_LOG);
  }

  record(what: number): void {
    this.log[this.count & MASK] = what;
    this.count++;
  }

  /** Whether the log still holds every change since `since` (a past {@link count}): changes `since` to `count` − 1, read by {@link at}. */
  holdsSince(since: number): boolean {
    return this.count - since <= CHANGE_LOG;
  }

  /** What change `n` changed (one {@link holdsSince} vouched for). */
  at(n: number): number {
    return this.log[n & MASK] as number;
  }
}

/** Changes a {@link ChangeLog} remembers (a power of two). */
export const CHANGE_LOG = 1024;
/** n mod CHANGE_LOG for a count n ≥ 0 below 2⁵³: `&` takes n mod 2³² first, of which CHANGE_LOG is a divisor. */
const MASK = CHANGE_LOG - 1;
