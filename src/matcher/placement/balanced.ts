import { slotAt } from '../bitset.js';
import type { DeltaGroups } from '../delta-groups.js';
import type { RunnerTable } from '../runner-table.js';
import { BALANCE, BUCKETS, bucketHigh, bucketLow, bucketOf, CPU, GPU, GPU_BALANCE, MEMORY, type ShapeKey } from '../shape-index.js';
import { compareProducts, compareRatios, type Ratio, sameProduct } from './exact.js';
import { searchCells } from './cells.js';
import { boundCell, fitsCapacity, LIST_WORK, offerFitting, requestedDimensions, type ScoringStrategy, type Search, SEARCH_TUNING, SLACK } from './strategy.js';

const ONE: Ratio = { num: 1n, den: 1n };

/**
 * `balanced`: 100 × (1 − (max u_d − min u_d)) over every dimension with a capacity: the closer
 * CPU, memory and GPU utilisation stay to each other after placing, the higher. One dimension
 * (or none) scores 100.
 *
 * Worked example: M = (8000 m, 32 GiB), A = (4000 m, 24 GiB), q = (2000 m, 4 GiB):
 * u = (1 − 2000/8000, 1 − 20/32) = (0.75, 0.375) → 100 × (1 − 0.375) = 62.5.
 *
 * **Bounds.** Two, both valid, the smaller used:
 * - *the walk*: a runner whose CPU and memory maxima are disclosed has
 *   max u_d − min u_d ≥ |u_cpu − u_mem| = |ρ − δ| with δ = a_cpu − a_mem (the index's BALANCE
 *   key) and ρ = r_cpu − r_mem. Within a cell, ρ lies in [q_cpu / L_cpu − q_mem / s_mem,
 *   q_cpu / s_cpu − q_mem / L_mem] (s, L: the cell's smallest and largest maxima), and bucket k
 *   holds δ in [2 low(k) − 1, 2 high(k) − 1) (`bucketLow`, `bucketHigh`); so
 *   balanced ≤ 100 × (1 − the distance between the two intervals). Exact for cells without
 *   GPUs (the range is |ρ − δ| itself). For a request without GPUs in a cell with GPUs and
 *   every maximum disclosed, the GPU utilisation is what most often keeps a runner from balance
 *   (such requests leave it where it is), so the walk there is over the GPU_BALANCE key
 *   δ₂ = (a_cpu + a_mem) / 2 − a_gpu instead: u_gpu and (u_cpu + u_mem) / 2 both lie in
 *   [min u, max u], so max u − min u ≥ |u_gpu − (u_cpu + u_mem) / 2| = |δ₂ − T| with
 *   T = (r_cpu + r_mem) / 2 − r_gpu, whose interval over the cell's maxima is the target.
 *   Cells come largest first; each is visited outward from the bucket of the target interval,
 *   the side with the better bound first, and left when neither side can beat the k-th best
 *   score.
 * - *per bucket* (`bucketBound`): from the least and most each dimension has available in the
 *   bucket, an interval for each utilisation, GPUs and undisclosed maxima included; a bucket
 *   that cannot beat the k-th best score is skipped. Cells with an undisclosed CPU or memory
 *   maximum have no walk: each of their buckets is judged by this bound alone.
 *
 * **Groups of equal balance.** In a cell of CPU and memory alone (no GPUs, both maxima
 * disclosed) the score is exactly 100 × (1 − |δ − ρ|): runners of the same maxima and δ score
 * the same for any request, and balanced placement gathers many runners at a few δ. There a
 * list is read group by group ({@link DeltaGroups}, when its groups average four runners or
 * more): the group of the highest score first, a group that cannot beat the k-th best left
 * unread, and of one that can, its `keep` lowest fitting runnerIds offered (the rest tie them
 * and lose) — on the standard fleet a third of the runners a search read before.
 *
 * **Perfect balance.** A score of exactly 100 is the most there is. First (`perfectFirst`), when
 * `keep` perfectly balanced fitting runners come first in runnerId order, they are the answer
 * and no bound is needed. Then, in the search (`PerfectTies`), once the runner to beat is
 * perfectly balanced, a bucket whose runners all come after it in runnerId order is skipped.
 *
 * **Near-ties** (scores within `NEAR`, common once a fleet fills up: many machines end at the
 * same utilisations) are decided exactly without BigInt where the amounts allow
 * (`compareQuick`): perfect balance first, then each runner's imbalance max f − min f as a
 * fraction of integers small enough to multiply in doubles (`imbalance`).
 */
export const balanced: ScoringStrategy = {
  score: balancedScore,
  exact: exactBalanced,
  compareQuick(t, a, b, cpu, mem, gpu) {
    // Perfect balance (every utilisation equal, score exactly 100) is common on fleets whose
    // amounts come in steps: two such runners tie, and one beats any imperfect runner.
    const pa = perfectlyBalanced(t, a, cpu, mem, gpu);
    const pb = perfectlyBalanced(t, b, cpu, mem, gpu);
    if (pa || pb) return pa && pb ? 0 : pa ? 1 : -1;
    // Else the imbalances X / Y, in integers: a scores higher when X_a / Y_a < X_b / Y_b.
    if (!imbalance(t, a, cpu, mem, gpu, 0) || !imbalance(t, b, cpu, mem, gpu, 2)) return undefined;
    return compareProducts(IMBALANCE[2] as number, IMBALANCE[1] as number, IMBALANCE[0] as number, IMBALANCE[3] as number);
  },
  search(s: Search): void {
    if (perfectFirst(s)) return;
    const { shapes, cpu, mem, gpu } = s;
    const small = shapes.smallest;
    const large = shapes.largest;
    const balance = shapes.key(BALANCE);
    let gpuBalance: ShapeKey | undefined;
    const ties = new PerfectTies(s);
    searchCells(s, (cell) => {
      const undisclosed = shapes.cellUndisclosed[cell] as number;
      if (undisclosed & (CPU | MEMORY)) {
        // No order to walk in: every bucket, each skipped on its own bound.
        for (let k = balance.aboveFitting(cell, 0, cpu, mem, gpu); k < BUCKETS; k = balance.aboveFitting(cell, k + 1, cpu, mem, gpu)) offerMayWin(s, balance, cell, k, ties);
        return;
      }
      const at = cell * 3;
      if (gpu === 0 && (shapes.cellDims[cell] as number) & GPU && undisclosed === 0) {
        // (r_cpu + r_mem) / 2 − r_gpu over the cell's maxima, with r_gpu = 0.
        const lo = (cpu / (large[at] as number) + mem / (large[at + 1] as number)) / 2;
        const hi = (cpu / (small[at] as number) + mem / (small[at + 1] as number)) / 2;
        walk(s, (gpuBalance ??= shapes.key(GPU_BALANCE)), cell, lo, hi, ties);
      } else {
        // ρ = r_cpu − r_mem, over the cell's maxima.
        const lo = cpu / (large[at] as number) - mem / (small[at + 1] as number);
        const hi = cpu / (small[at] as number) - mem / (large[at + 1] as number);
        walk(s, balance, cell, lo, hi, ties);
      }
    });
  },
};

/**
 * The walk of one cell over a key whose δ = 2 × value − 1 bounds the imbalance by its distance
 * to [lo, hi]: outward from the bucket of the interval's middle, the side with the better bound
 * first, each bucket also judged by {@link bucketBound}; left when neither side can beat the
 * k-th best score.
 */
function walk(s: Search, key: ShapeKey, cell: number, lo: number, hi: number, ties: PerfectTies): void {
  const { top, cpu, mem, gpu } = s;
  const start = bucketOf(((lo + hi) / 2 + 1) / 2);
  // The next bucket each way where a runner may fit, and its bound.
  let up = key.aboveFitting(cell, start, cpu, mem, gpu);
  let down = key.belowFitting(cell, start - 1, cpu, mem, gpu);
  let upBound = up < BUCKETS ? deltaBound(up, lo, hi) : -Infinity;
  let downBound = down >= 0 ? deltaBound(down, lo, hi) : -Infinity;
  while (up < BUCKETS || down >= 0) {
    if (Math.max(upBound, downBound) + SLACK < top.threshold) {
      boundCell(s, Math.max(upBound, downBound));
      break;
    }
    let k: number;
    if (upBound >= downBound) {
      k = up;
      up = key.aboveFitting(cell, up + 1, cpu, mem, gpu);
      upBound = up < BUCKETS ? deltaBound(up, lo, hi) : -Infinity;
    } else {
      k = down;
      down = key.belowFitting(cell, down - 1, cpu, mem, gpu);
      downBound = down >= 0 ? deltaBound(down, lo, hi) : -Infinity;
    }
    offerMayWin(s, key, cell, k, ties);
  }
}

/** Offers bucket `k` of a cell unless the tie rule or its {@link bucketBound} says none of its runners can enter. */
function offerMayWin(s: Search, key: ShapeKey, cell: number, k: number, ties: PerfectTies): void {
  const list = cell * BUCKETS + k;
  // Left to the tie rule, a list's runners may score up to 100.
  if (!ties.mayEnter(key, list)) {
    boundCell(s, 100);
    return;
  }
  const bound = bucketBound(s, key, list, cell);
  if (bound + SLACK < s.top.threshold) boundCell(s, bound);
  else if (key.groups !== undefined && byGroups(s, key, key.groups, cell, list)) offerGroups(s, key.groups, list, bound);
  else offerFitting(s, key, list, bound);
}

/**
 * Whether to read a list group by group: its cell is grouped (CPU and memory alone, both maxima
 * disclosed, groups that pay) and the list's groups average four runners or more.
 */
function byGroups(s: Search, key: ShapeKey, groups: DeltaGroups, cell: number, list: number): boolean {
  const { shapes } = s;
  return shapes.cellDims[cell] === (CPU | MEMORY) && shapes.cellUndisclosed[cell] === 0 && groups.grouped(cell) && 4 * (groups.ofList[list] as number[]).length <= (key.lists[list] as number[]).length;
}

/** Per group of a list {@link offerGroups} reads: its bound, then its group (in descending order of bound once sorted). */
let groupBounds = new Float64Array(64);
let groupOrder = new Int32Array(64);

/**
 * Offers the fitting runners of a list of a cell of CPU and memory alone, group by group of
 * exactly equal balance ({@link DeltaGroups}), the group of the highest score first: every
 * runner of a group scores 100 × (1 − |δ − ρ|), so a group that cannot beat the k-th best is
 * left unread, and of one that can, only its `keep` lowest fitting runnerIds are offered (its
 * members are in runnerId order) — the rest tie them exactly and lose.
 */
function offerGroups(s: Search, groups: DeltaGroups, list: number, bound: number): void {
  const { t, fits, top, cpu, mem, gpu } = s;
  const ids = groups.ofList[list] as number[];
  const n = ids.length;
  if (groupBounds.length < n) {
    groupBounds = new Float64Array(2 * n);
    groupOrder = new Int32Array(2 * n);
  }
  // Insertion sort by bound, highest first (a list holds a handful of groups).
  for (let i = 0; i < n; i++) {
    const g = ids[i] as number;
    const rho = cpu / (groups.maxCpu[g] as number) - mem / (groups.maxMem[g] as number);
    const b = Math.min(bound, 100 * (1 - Math.abs(2 * (groups.value[g] as number) - 1 - rho)));
    let at = i;
    while (at > 0 && (groupBounds[at - 1] as number) < b) {
      groupBounds[at] = groupBounds[at - 1] as number;
      groupOrder[at] = groupOrder[at - 1] as number;
      at--;
    }
    groupBounds[at] = b;
    groupOrder[at] = g;
  }
  const keep = top.keep;
  let best = s.cellBound;
  let read = 0;
  for (let i = 0; i < n; i++) {
    const b = groupBounds[i] as number;
    const members = groups.members[groupOrder[i] as number] as number[];
    if (b + SLACK < top.threshold) {
      // Unread, and so are the groups after it; the cell's bound takes b if a runner has the amounts.
      if (b <= best) break;
      for (let j = 0; j < members.length; j++) {
        read++;
        if (fitsCapacity(t, members[j] as number, cpu, mem, gpu)) {
          best = b;
          break;
        }
      }
      continue;
    }
    let kept = 0;
    for (let j = 0; j < members.length && kept < keep; j++) {
      const slot = members[j] as number;
      read++;
      if ((((fits[slot >>> 5] as number) >>> (slot & 31)) & 1) === 0) {
        if (b > best && fitsCapacity(t, slot, cpu, mem, gpu)) best = b;
        continue;
      }
      if (!fitsCapacity(t, slot, cpu, mem, gpu)) continue;
      const score = balancedScore(t, slot, cpu, mem, gpu);
      if (score > best) best = score;
      top.offer(slot, score);
      kept++;
    }
  }
  s.work += read + LIST_WORK;
  s.cellBound = best;
}

/** The perfectly balanced runners a walk found, in runnerId order. */
const found: number[] = [];
/** How many of `found` the last walk wrote (reset by count: setting an array's length is a runtime call). */
let foundLength = 0;
/**
 * Per set of requested dimensions (the kinds of request differ in how often they find perfect
 * balance): walks in a row that gave no answer, and decisions since the last walk.
 */
const misses = new Float64Array(8);
const skipped = new Float64Array(8);

/**
 * Perfect balance scores exactly 100, which nothing beats: when it is common (fleets whose
 * amounts come in steps, requests in the machines' proportions), the winners are the `keep`
 * perfectly balanced fitting runners of lowest runnerId. A walk of up to
 * `SEARCH_TUNING.perfectWalk` runners in runnerId order looks for them; when it finds `keep`,
 * they are the answer (every runner before them was walked), else the search decides. After
 * `SEARCH_TUNING.perfectMisses` walks in a row without an answer, the walk is tried only every
 * so many decisions (one more per miss, up to every 64th), so that a fleet where perfect balance
 * is rare pays little for it; the answer is the same either way.
 */
function perfectFirst(s: Search): boolean {
  const { t, fits, top, cpu, mem, gpu } = s;
  const kind = requestedDimensions(cpu, mem, gpu);
  const missed = misses[kind] as number;
  if (missed >= SEARCH_TUNING.perfectMisses && (skipped[kind] = (skipped[kind] as number) + 1) < Math.min(64, missed)) return false;
  skipped[kind] = 0;
  const order = t.slotsInIdOrder();
  const walk = Math.min(order.length, SEARCH_TUNING.perfectWalk);
  s.work += walk;
  const keep = top.keep;
  foundLength = 0;
  if (walk > 0 && t.slotOrderIsIdOrder) {
    // The same runners: the set bits of the fit words, up to the last slot of the walk.
    const last = order[walk - 1] as number;
    const lastWord = last >>> 5;
    for (let i = 0; i <= lastWord && foundLength < keep; i++) {
      let w = fits[i] as number;
      if (i === lastWord && (last & 31) !== 31) w &= (1 << ((last & 31) + 1)) - 1;
      while (w !== 0 && foundLength < keep) {
        const low = w & -w;
        const slot = slotAt(i, low);
        w ^= low;
        if (perfectFit(t, slot, cpu, mem, gpu)) found[foundLength++] = slot;
      }
    }
  } else {
    for (let k = 0; k < walk && foundLength < keep; k++) {
      const slot = order[k] as number;
      if ((((fits[slot >>> 5] as number) >>> (slot & 31)) & 1) === 1 && perfectFit(t, slot, cpu, mem, gpu)) found[foundLength++] = slot;
    }
  }
  if (foundLength < keep) {
    misses[kind] = missed + 1;
    return false;
  }
  misses[kind] = 0;
  for (let i = 0; i < foundLength; i++) {
    const slot = found[i] as number;
    top.offer(slot, balancedScore(t, slot, cpu, mem, gpu));
  }
  return true;
}

/** Whether a runner of the fit words has the amounts and is perfectly balanced after placing. */
function perfectFit(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): boolean {
  // Equal rationals round to equal floats: a score below 100 is not perfect balance.
  return fitsCapacity(t, slot, cpu, mem, gpu) && balancedScore(t, slot, cpu, mem, gpu) === 100 && perfectlyBalanced(t, slot, cpu, mem, gpu);
}

/**
 * Once the runner to beat is perfectly balanced (score exactly 100, the most there is), only a
 * perfectly balanced runner of lower runnerId can enter: while slot order is runnerId order, a
 * bucket whose lowest slot is above that runner's is skipped.
 */
class PerfectTies {
  private readonly inOrder: boolean;
  /** The runner to beat when last looked at, and the slot a bucket must start below (Infinity: any). */
  private last = -1;
  private below = Number.POSITIVE_INFINITY;

  constructor(private readonly s: Search) {
    this.inOrder = s.t.slotOrderIsIdOrder;
  }

  /** Whether a runner of list `list` may enter, as far as the tie rule says (a list `aboveFitting` or `belowFitting` returned: summarised). */
  mayEnter(key: ShapeKey, list: number): boolean {
    if (!this.inOrder) return true;
    const { t, top, cpu, mem, gpu } = this.s;
    const last = top.last;
    if (last !== this.last) {
      this.last = last;
      // A perfectly balanced runner scores exactly 100 in floating point too (equal rationals round equal).
      this.below = last >= 0 && top.threshold === 100 && perfectlyBalanced(t, last, cpu, mem, gpu) ? last : Number.POSITIVE_INFINITY;
    }
    return (key.lowest[list] as number) < this.below;
  }
}

/** 100 × (1 − the distance from bucket k's δ interval to [lo, hi]): the bound of the walk. */
function deltaBound(k: number, lo: number, hi: number): number {
  return 100 * (1 - Math.max(0, 2 * bucketLow(k) - 1 - hi, lo - (2 * bucketHigh(k) - 1)));
}

/**
 * A bound on the balanced score of the fitting runners of one bucket, from the least and most
 * each dimension has available there: each utilisation lies in an interval (for a disclosed
 * maximum M_d in [s_d, L_d], u_d = 1 − (A_d − q_d) / M_d; for an undisclosed one, u_d = q_d / A_d),
 * and max u − min u is at least the largest low end minus the smallest high end.
 */
function bucketBound(s: Search, key: ShapeKey, list: number, cell: number): number {
  key.summarise(list);
  const { shapes, cpu, mem, gpu } = s;
  const dims = shapes.cellDims[cell] as number;
  const undisclosed = shapes.cellUndisclosed[cell] as number;
  let highestLow = -Infinity;
  let lowestHigh = Infinity;
  for (let d = 0; d < 3; d++) {
    const bit = 1 << d;
    if (!(dims & bit)) continue;
    const q = d === 0 ? cpu : d === 1 ? mem : gpu;
    const most = key.most[list * 3 + d] as number;
    const least = Math.max(key.least[list * 3 + d] as number, q);
    let low: number;
    let high: number;
    if (undisclosed & bit) {
      // u = q / A for q > 0 (a fitting runner has A ≥ q); with q = 0, u = 0 — unless A = 0
      // leaves the dimension out, which only a bucket with no such runner rules out.
      if (q === 0 && !((key.least[list * 3 + d] as number) > 0)) continue;
      low = q / most;
      high = q / least;
    } else {
      const at = cell * 3 + d;
      low = 1 - (most - q) / (shapes.smallest[at] as number);
      high = 1 - (least - q) / (shapes.largest[at] as number);
    }
    if (low > highestLow) highestLow = low;
    if (high < lowestHigh) lowestHigh = high;
  }
  return 100 * (1 - Math.max(0, highestLow - lowestHigh));
}

export function balancedScore(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): number {
  const ac = t.availCpu[slot] as number;
  const am = t.availMem[slot] as number;
  const ag = t.availGpu[slot] as number;
  // Capacities C_d = M_d when disclosed, else A_d (0: the dimension is left out).
  const mc = t.maxCpu[slot] as number;
  const mm = t.maxMem[slot] as number;
  const mg = t.maxGpu[slot] as number;
  const cc = mc > 0 ? mc : ac;
  const cm = mm > 0 ? mm : am;
  const cg = mg > 0 ? mg : ag;
  // The least and most utilisation u_d = 1 − (A_d − q_d) / C_d over the dimensions left in.
  // Plain comparisons: this runs for every runner a search scores (u is never −0, so which of
  // two equal values is kept cannot matter).
  let lo = Infinity;
  let hi = -Infinity;
  if (cc > 0) lo = hi = 1 - (ac - cpu) / cc;
  if (cm > 0) {
    const u = 1 - (am - mem) / cm;
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  if (cg > 0) {
    const u = 1 - (ag - gpu) / cg;
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  return hi < lo ? 100 : 100 * (1 - (hi - lo));
}

/**
 * Whether every dimension with a capacity has the same free fraction after placing, exactly:
 * (A_d − q_d) / C_d equal for all of them, compared as products of integers.
 */
export function perfectlyBalanced(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): boolean {
  // Written out per dimension: a loop over the three arrays made V8 box the amounts it read.
  const ac = t.availCpu[slot] as number;
  const am = t.availMem[slot] as number;
  const ag = t.availGpu[slot] as number;
  const mc = t.maxCpu[slot] as number;
  const mm = t.maxMem[slot] as number;
  const mg = t.maxGpu[slot] as number;
  const cc = mc > 0 ? mc : ac;
  const cm = mm > 0 ? mm : am;
  const cg = mg > 0 ? mg : ag;
  // Each dimension left in against the first one left in: n_d × C_first = n_first × C_d.
  if (cc > 0) return (!(cm > 0) || sameProduct(am - mem, cc, ac - cpu, cm)) && (!(cg > 0) || sameProduct(ag - gpu, cc, ac - cpu, cg));
  return !(cm > 0) || !(cg > 0) || sameProduct(ag - gpu, cm, am - mem, cg);
}

/** Two imbalances as X, Y pairs (X / Y = max f − min f), written by {@link imbalance}. */
const IMBALANCE = new Float64Array(4);

/** Reduced free fractions n / c whose capacity stays below this multiply exactly in doubles. */
const SMALL = 2 ** 26;
const PER_MIB = 2 ** -20;

/**
 * max f − min f of a fitting runner (1 − balanced / 100) as X / Y in integers below 2^52,
 * written to `IMBALANCE[at]` and `IMBALANCE[at + 1]`; false when a free fraction keeps a
 * capacity of 2^26 or more (then the rationals decide). Each f_d = n / c with c ≥ 2^26 (memory,
 * in bytes) is taken in whole MiB when both are, so that n ≤ c < 2^26: the cross products that
 * find the largest and smallest f stay below 2^52 and are exact, and so are
 * X = n_hi · c_lo − n_lo · c_hi and Y = c_hi · c_lo. Two runners' X / Y are then ordered by
 * {@link compareProducts}: no BigInt.
 */
function imbalance(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number, at: number): boolean {
  let hiN = 0;
  let hiC = 0;
  let loN = 0;
  let loC = 0;
  for (let d = 0; d < 3; d++) {
    const a = (d === 0 ? t.availCpu : d === 1 ? t.availMem : t.availGpu)[slot] as number;
    const m = (d === 0 ? t.maxCpu : d === 1 ? t.maxMem : t.maxGpu)[slot] as number;
    let c = m > 0 ? m : a;
    if (c <= 0) continue;
    let n = a - (d === 0 ? cpu : d === 1 ? mem : gpu);
    if (n < 0 || n > c) return false;
    if (c >= SMALL) {
      // Whole MiB (dividing by a power of two is exact); other amounts this large are left to
      // the rationals, where Euclid would seldom reduce them enough to pay for itself.
      const nMiB = n * PER_MIB;
      const cMiB = c * PER_MIB;
      if (Math.floor(nMiB) !== nMiB || Math.floor(cMiB) !== cMiB || cMiB >= SMALL) return false;
      n = nMiB;
      c = cMiB;
    }
    if (hiC === 0) {
      hiN = loN = n;
      hiC = loC = c;
      continue;
    }
    if (n * hiC > hiN * c) {
      hiN = n;
      hiC = c;
    }
    if (n * loC < loN * c) {
      loN = n;
      loC = c;
    }
  }
  IMBALANCE[at] = hiC === 0 ? 0 : hiN * loC - loN * hiC;
  IMBALANCE[at + 1] = hiC === 0 ? 1 : hiC * loC;
  return true;
}

/** The balanced score divided by 100 as a rational: 1 − (max f − min f), term for term. */
export function exactBalanced(t: RunnerTable, slot: number, cpu: number, mem: number, gpu: number): Ratio {
  let hi: Ratio | undefined;
  let lo: Ratio | undefined;
  for (const [a, m, q] of [
    [t.availCpu[slot] as number, t.maxCpu[slot] as number, cpu],
    [t.availMem[slot] as number, t.maxMem[slot] as number, mem],
    [t.availGpu[slot] as number, t.maxGpu[slot] as number, gpu],
  ] as const) {
    const c = m > 0 ? m : a;
    if (c <= 0) continue;
    const f = { num: BigInt(a - q), den: BigInt(c) };
    if (!hi || compareRatios(f, hi) > 0) hi = f;
    if (!lo || compareRatios(f, lo) < 0) lo = f;
  }
  if (!hi || !lo) return ONE;
  const den = hi.den * lo.den;
  return { num: den - (hi.num * lo.den - lo.num * hi.den), den };
}
