import type { RunnerTable } from '../runner-table.js';
import { BUCKETS, CPU, GPU, MEMORY, type ShapeIndex, type ShapeKey } from '../shape-index.js';
import type { Ratio } from './exact.js';
import type { TopK } from './top-k.js';

/**
 * A scoring strategy, whole: its formula in floating point and in exact rationals, and its
 * search — the pruning bound over the {@link ShapeIndex} that lets it skip runners that provably
 * cannot win. Each lives in one file (`spread.ts`, `binpack.ts`, `balanced.ts`), with its worked
 * example; `first-fit.ts` needs no score.
 *
 * Common terms, per dimension d ∈ {cpu, memory, gpu}, for a runner with available A_d and
 * maximum M_d and a request q_d:
 * - capacity C_d = M_d when disclosed (M_d > 0), else A_d (the best bound known);
 *   a dimension with C_d = 0 is left out;
 * - free fraction after placing f_d = (A_d − q_d) / C_d, in [0, 1] for a fitting runner;
 * - utilisation after placing u_d = 1 − f_d;
 * - for a disclosed maximum, free fraction before placing a_d = A_d / M_d and request term
 *   r_d = q_d / M_d, so that f_d = a_d − r_d (the keys of the {@link ShapeIndex} are over a_d).
 */
export interface ScoringStrategy {
  /** The score on a 0–100 scale, higher is better. */
  score(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): number;
  /** The same score divided by 100, as an exact rational (for near-ties). */
  exact(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio;
  /**
   * An exact comparison of two runners that needs no rationals (sign: positive when `a` scores
   * higher, 0 for a tie), or undefined when there is none for these two.
   */
  compareQuick(t: RunnerTable, a: number, b: number, cpu: number, mem: number, gpu: number): number | undefined;
  /** Offers `s.top` every fitting runner that may beat its threshold, cell by cell of the shape index. */
  search(s: Search): void;
}

/** One decision's search: the runners that may fit and where the best go. */
export interface Search {
  readonly t: RunnerTable;
  readonly shapes: ShapeIndex;
  /**
   * Runners that pass every condition but the exact capacity comparison (a bitset's words):
   * a runner fits when its bit is set and {@link fitsCapacity}.
   */
  readonly fits: Uint32Array;
  readonly top: TopK;
  readonly strategy: ScoringStrategy;
  readonly cpu: number;
  readonly mem: number;
  readonly gpu: number;
  /** The search's work so far: runners read, and {@link LIST_WORK} more per list read (kept by {@link offerFitting} and balanced's walk). */
  work: number;
  /**
   * While a cell is searched (`searchCells` in `cells.ts`): a bound, so far, on the score of
   * every runner of the cell with the requested amounts available, whatever the request's other
   * conditions — the best score offered, and the bound of every list passed over or left unread
   * ({@link offerFitting}, {@link boundCell}).
   */
  cellBound: number;
}

/** What visiting one list costs beside reading its runners (its bounds and summaries), in runners read. */
export const LIST_WORK = 8;

/**
 * When searching pays. Below `scoreAllBase + perCell × cells` fitting runners, scoring them all
 * costs less than visiting the cells of the shape index; so it does below `scorePerWork` × the
 * work recent searches of the same kind did (`SearchWork` in `place.ts`; 0: never), as when most
 * runners of the lists a search visits fail the request's other conditions. (`perCell` was 2:
 * on fleets of many cells of few runners each — every runner a shape of its own, 594 cells at
 * 5,000 runners — that scored up to 1,252 runners one by one where searching them was 12–15 %
 * faster for binpack and balanced; 0.5 was faster still there, but slower in replays of the
 * heterogeneous fleet.) firstFit takes the lowest fitting slots when slot order is runnerId
 * order (`firstFitBySlot`), else walks `firstFitWalk` runners in runnerId order before working
 * out the whole fit set; balanced walks `perfectWalk` runners in runnerId order for perfectly
 * balanced ones before searching, less often after `perfectMisses` walks in a row found none.
 * Internal: the tests set these so that every decision takes the search paths, which small test
 * fleets would otherwise never reach.
 */
export const SEARCH_TUNING = { scoreAllBase: 64, perCell: 1, scorePerWork: 0.25, firstFitWalk: 256, firstFitBySlot: true, perfectWalk: 512, perfectMisses: 8 };

/**
 * Float slack for the bounds: a bucket is skipped only when its bound is below the threshold by
 * more than this, far above the rounding error of a key or a score (under 1e-12).
 */
export const SLACK = 1e-9;

/**
 * Scores and offers the fitting runners of list `at` of a key (cell × BUCKETS + bucket): a list
 * `aboveFitting` or `belowFitting` returned, so its summaries say a runner may fit. `bound`
 * bounds the score of every runner of the list with the amounts available: the cell's bound
 * takes it for those the request's other conditions leave out (they are not scored), and the
 * score of the others.
 */
export function offerFitting(s: Search, key: ShapeKey, at: number, bound: number): void {
  const { t, fits, top, strategy, cpu, mem, gpu } = s;
  const list = key.lists[at] as number[];
  s.work += list.length + LIST_WORK;
  let best = s.cellBound;
  for (let i = 0; i < list.length; i++) {
    const slot = list[i] as number;
    if ((((fits[slot >>> 5] as number) >>> (slot & 31)) & 1) === 0) {
      if (bound > best && fitsCapacity(t, slot, cpu, mem, gpu)) best = bound;
      continue;
    }
    if (!fitsCapacity(t, slot, cpu, mem, gpu)) continue;
    const score = strategy.score(t, slot, cpu, mem, gpu);
    if (score > best) best = score;
    top.offer(slot, score);
  }
  s.cellBound = best;
}

/** A list or the rest of a cell is left unread, its runners' scores bounded by `bound`: the cell's bound takes it. */
export function boundCell(s: Search, bound: number): void {
  if (bound > s.cellBound) s.cellBound = bound;
}

/** Whether the runner has the requested amounts available. */
export function fitsCapacity(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): boolean {
  return (t.availCpu[slot] as number) >= cpu && (t.availMem[slot] as number) >= mem && (t.availGpu[slot] as number) >= gpu;
}

/** Offers every fitting runner of a cell, bucket by bucket (a cell whose scores have no bound but the scale's top). */
export function offerCell(s: Search, key: ShapeKey, cell: number): void {
  const { cpu, mem, gpu } = s;
  for (let k = key.aboveFitting(cell, 0, cpu, mem, gpu); k < BUCKETS; k = key.aboveFitting(cell, k + 1, cpu, mem, gpu)) offerFitting(s, key, cell * BUCKETS + k, 100);
}

/** The dimension bits of the request's positive quantities. */
export function requestedDimensions(cpu: number, mem: number, gpu: number): number {
  return (cpu > 0 ? CPU : 0) | (mem > 0 ? MEMORY : 0) | (gpu > 0 ? GPU : 0);
}

/** Σ_{d∈S} q_d / M_d with M_d taken from `maxima` (a cell's smallest or largest; 0 for an empty S). */
export function requestTerms(maxima: readonly number[], cell: number, S: number, cpu: number, mem: number, gpu: number): number {
  const at = cell * 3;
  return (S & CPU ? cpu / (maxima[at] as number) : 0) + (S & MEMORY ? mem / (maxima[at + 1] as number) : 0) + (S & GPU ? gpu / (maxima[at + 2] as number) : 0);
}

/** Whether a runner of the cell could fit the request: no dimension asks more than its largest maximum. */
export function cellCanFit(shapes: ShapeIndex, cell: number, cpu: number, mem: number, gpu: number): boolean {
  const at = cell * 3;
  const l = shapes.largest;
  return cpu <= (l[at] as number) && mem <= (l[at + 1] as number) && gpu <= (l[at + 2] as number);
}
