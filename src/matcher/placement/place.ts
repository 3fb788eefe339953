import type { PlaceResult, SandboxRequest, ScoredRunner, Strategy } from '../../types.js';
import { Bitset, popcount } from '../bitset.js';
import { answerAt, type Conjunction, forEachConjunction, materialiseConjunction } from '../kernel.js';
import { FREE_BUCKETS } from '../free-index.js';
import type { RunnerTable } from '../runner-table.js';
import type { AdmissionCache } from './admission.js';
import { fitConjunction, requestConditions } from './conditions.js';
import { compareRatios, compareSameShape, exactScore, NEAR, type Ratio, sameState } from './exact.js';
import { explainRejection } from './explain.js';
import type { ResolvedOptions } from './request.js';
import { SCORES } from './strategies.js';

/**
 * The placement pipeline, one stage per line of cost:
 * 1. profile admission — cached per request class, so usually a map look-up;
 * 2. every condition as bitsets AND-ed a word at a time (capabilities, health, group, tags,
 *    admission, then capacity thresholds) — excludes most runners 32 at a time;
 * 3. exact capacity comparisons only for runners between two thresholds;
 * 4. every remaining runner scored by the strategy, the best kept (ties: ascending runnerId);
 * 5. only when nothing fits, the full explanation — the expensive part, paid by rejections alone.
 */
export function place(t: RunnerTable, admission: AdmissionCache, request: SandboxRequest, options: ResolvedOptions): PlaceResult {
  const admitting = admission.runnersAdmitting(request);
  const allowList = request.runnerIds === undefined ? undefined : allowListBitset(t, request.runnerIds);
  const conditions = requestConditions(t, request, admitting, allowList);
  const fit = fitConjunction(conditions);
  const keep = Math.max(1, options.topK);

  const ranked = options.strategy === 'firstFit' ? firstFits(t, fit, keep) : bestScored(t, fit, keep, options.strategy, request);
  const best = ranked[0];
  if (best === undefined) return explainRejection(t, request, conditions, options.nearestMisses);

  const scored = ranked.map(
    ([slot, score]): ScoredRunner => {
      const runnerId = t.runnerAt(slot).runnerId;
      return Object.freeze({ runnerId, profileName: admission.admittingProfile(request, runnerId) as string, score });
    },
  );
  const chosen = scored[0] as ScoredRunner;
  return Object.freeze({
    ok: true as const,
    runnerId: chosen.runnerId,
    profileName: chosen.profileName,
    score: chosen.score,
    strategy: options.strategy,
    generation: t.generation[best[0]] as number,
    request,
    ...(options.topK > 0 ? { alternatives: Object.freeze(scored) } : {}),
  });
}

function allowListBitset(t: RunnerTable, runnerIds: readonly string[]): Bitset {
  const allow = new Bitset(t.wordCount);
  for (const id of runnerIds) {
    const slot = t.slotOf.get(id);
    if (slot !== undefined) allow.add(slot);
  }
  return allow;
}

/**
 * The `keep` first fitting runners in runnerId order, each scoring 100: a walk in runnerId
 * order that works out each word of the fit conjunction the first time it needs it, so a
 * runner found early costs only the words before it.
 */
function firstFits(t: RunnerTable, fit: Conjunction, keep: number): Ranked {
  const fits = t.scratch(6, false);
  const { stamps, stamp } = t.wordStamps();
  const out: Ranked = [];
  for (const slot of t.slotsInIdOrder()) {
    const i = slot >>> 5;
    if (stamps[i] !== stamp) {
      fits[i] = answerAt(fit, i);
      stamps[i] = stamp;
    }
    if ((((fits[i] as number) >>> (slot & 31)) & 1) === 0) continue;
    out.push([slot, 100]);
    if (out.length === keep) break;
  }
  return out;
}

type Ranked = Array<[number, number]>;

/**
 * Keeps the `keep` best (slot, score) pairs: higher score first, ties by ascending runnerId.
 * Scores further apart than {@link NEAR} are ordered by their floats; closer ones exactly
 * (see `exact.ts`), so that a tie in rational arithmetic is a tie whatever the rounding. The
 * exact score of a kept runner is worked out once, when a near-tie first needs it.
 */
class TopK {
  readonly items: Ranked = [];
  private readonly exact: Array<Ratio | undefined> = [];
  private readonly rank: Int32Array;

  constructor(
    private readonly t: RunnerTable,
    private readonly keep: number,
    private readonly strategy: Strategy,
    private readonly request: SandboxRequest,
  ) {
    this.rank = t.ranks();
  }

  /** The score a runner must reach to enter (ties may still enter on runnerId). */
  get threshold(): number {
    return this.items.length === this.keep ? (this.items[this.keep - 1] as [number, number])[1] : -Infinity;
  }

  /** The offered runner's exact score, once a near-tie needed it (reset by each offer). */
  private mine: Ratio | undefined;

  offer(slot: number, score: number): void {
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
  }

  /** Whether the offered runner beats kept item `k`. */
  private beats(slot: number, score: number, k: number): boolean {
    const [other, otherScore] = this.items[k] as [number, number];
    const d = score - otherScore;
    if (d > NEAR) return true;
    if (d < -NEAR) return false;
    if (this.strategy !== 'firstFit' && !sameState(this.t, slot, other)) {
      const { cpuMillicores: cpu, memoryBytes: mem, gpuCount: gpu } = this.request;
      // Same machine shape: exact in doubles when the integers stay small enough.
      const quick = compareSameShape(this.strategy, this.t, slot, other, cpu, mem, gpu);
      if (quick !== undefined) return quick !== 0 ? quick > 0 : (this.rank[slot] as number) < (this.rank[other] as number);
      this.mine ??= exactScore(this.strategy, this.t, slot, cpu, mem, gpu);
      const theirs = (this.exact[k] ??= exactScore(this.strategy, this.t, other, cpu, mem, gpu));
      const c = compareRatios(this.mine, theirs);
      if (c !== 0) return c > 0;
    }
    return (this.rank[slot] as number) < (this.rank[other] as number);
  }
}

/** Float slack for the bucket bounds: a bound is only trusted to prune when clearly below. */
const SLACK = 1e-9;

/**
 * The `keep` best fitting runners by score, ties by ascending runnerId. The answer is exactly
 * that of scoring every fitting runner; for spread and binpack, when the request asks for CPU
 * and memory (and GPUs or not), the free-fraction buckets over those same dimensions let it
 * skip runners that provably cannot win. With g the bucket key (mean of A_d / M_d) and
 * k / B <= g < (k + 1) / B:
 * - spread = 100 × g − 100 × mean_d q_d / M_d < 100 × (k + 1) / B − 100 × mean_d q_d / max M_d;
 * - binpack = 100 × (1 − g) + 100 × mean_d q_d / M_d <= 100 × (1 − k / B) + 100 × mean_d q_d / min M_d.
 * Buckets are visited best bound first; the scan stops at the first bucket whose bound falls
 * below the current k-th best score. Unbounded runners (an undisclosed maximum) are always scored.
 */
function bestScored(t: RunnerTable, fit: Conjunction, keep: number, strategy: ResolvedOptions['strategy'], request: SandboxRequest): Ranked {
  const score = SCORES[strategy];
  const { cpuMillicores: cpu, memoryBytes: mem, gpuCount: gpu } = request;
  const top = new TopK(t, keep, strategy, request);
  const index = (strategy === 'spread' || strategy === 'binpack') && cpu > 0 && mem > 0 ? (gpu > 0 ? t.freeCpuMemGpu : t.freeCpuMem) : undefined;
  if (!index) {
    forEachConjunction(fit, t.activeWords, (slot) => top.offer(slot, score(t, slot, cpu, mem, gpu)));
    return top.items;
  }
  const fits = t.scratch(6, false);
  if (!materialiseConjunction(fit, t.activeWords, fits)) return top.items;
  // The words that hold any fitting runner, and how many fit: few fits are simply all scored
  // (cheaper than visiting buckets); many are visited bucket by bucket over these words only.
  const nonZero = t.wordIndexes();
  let words = 0;
  let fitting = 0;
  for (let i = 0; i < t.activeWords; i++) {
    const w = fits[i] as number;
    if (w === 0) continue;
    nonZero[words++] = i;
    fitting += popcount(w);
  }
  const offerWord = (i: number, w: number) => {
    while (w !== 0) {
      const low = w & -w;
      const slot = (i << 5) + 31 - Math.clz32(low);
      top.offer(slot, score(t, slot, cpu, mem, gpu));
      w ^= low;
    }
  };
  const scanAll = () => {
    for (let j = 0; j < words; j++) offerWord(nonZero[j] as number, fits[nonZero[j] as number] as number);
  };
  /** Visits one bucket: only the words it occupies. */
  const scanBucket = (k: number) => {
    const bucket = (index.buckets[k] as Bitset).words;
    const occupied = index.occupied[k] as Uint32Array;
    for (let o = 0; o < occupied.length; o++) {
      let ow = occupied[o] as number;
      while (ow !== 0) {
        const low = ow & -ow;
        const i = (o << 5) + 31 - Math.clz32(low);
        ow ^= low;
        const w = (fits[i] as number) & (bucket[i] as number);
        if (w !== 0) offerWord(i, w);
      }
    }
  };
  if (fitting <= words) {
    scanAll();
    return top.items;
  }
  const B = FREE_BUCKETS;
  const counts = index.counts;
  if (counts[B] !== 0) for (let i = 0; i < t.activeWords; i++) offerWord(i, (fits[i] as number) & (index.unbounded.words[i] as number));
  const meanOver = (m: readonly [number, number, number]) => (gpu > 0 ? (100 * (cpu / m[0] + mem / m[1] + gpu / m[2])) / 3 : (100 * (cpu / m[0] + mem / m[1])) / 2);
  if (strategy === 'spread') {
    const requestTerm = meanOver(t.maximumMaxima());
    for (let k = B - 1; k >= 0; k--) {
      if ((100 * (k + 1)) / B - requestTerm + SLACK < top.threshold) break;
      if (counts[k] !== 0) scanBucket(k);
    }
  } else {
    const requestTerm = meanOver(t.minimumMaxima());
    for (let k = 0; k < B; k++) {
      if (100 * (1 - k / B) + requestTerm + SLACK < top.threshold) break;
      if (counts[k] !== 0) scanBucket(k);
    }
  }
  return top.items;
}
