import type { PlaceResult, Rejection, SandboxRequest, ScoredRunner } from '../../types.js';
import { Bitset, slotAt } from '../bitset.js';
import { andInto, type Conjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import { WordScratch } from '../scratch.js';
import type { AdmissionCache } from './admission.js';
import { fitConjunction, type RequestConditions, requestConditions } from './conditions.js';
import { explainRejection } from './explain.js';
import { firstFits } from './first-fit.js';
import type { ResolvedOptions } from './request.js';
import { SCORING } from './strategies.js';
import { fitsCapacity, requestedDimensions, SEARCH_TUNING, type ScoringStrategy } from './strategy.js';
import { type Ranked, TopK } from './top-k.js';

/**
 * The placement pipeline, one stage per line of cost:
 * 1. profile admission — cached per request class, so usually a map look-up;
 * 2. every condition as bitsets AND-ed a word at a time (capabilities, health, group, tags,
 *    admission, then capacity thresholds) — excludes most runners 32 at a time;
 * 3. exact capacity comparisons only for runners between two thresholds;
 * 4. the strategy's search: the runners that can still win, cell by cell of the shape index,
 *    scored and the best kept (ties: ascending runnerId) — see `strategy.ts`;
 * 5. only when nothing fits, the full explanation — the expensive part, paid by rejections alone.
 */
export function place(t: RunnerTable, admission: AdmissionCache, request: SandboxRequest, options: ResolvedOptions): PlaceResult {
  const ranked = rank(t, admission, request, options);
  if (!Array.isArray(ranked)) return ranked;
  const best = ranked[0] as [number, number];
  const slot = best[0];
  const score = best[1];
  const runnerId = t.runnerAt(slot).runnerId;
  const profileName = admission.admittingProfile(request, slot) as string;
  const generation = t.generation[slot] as number;
  const { strategy } = options;
  // Written out twice rather than spread over a mapped list (160–250 bytes less a decision): the
  // same fields in the same order, `alternatives` last when asked for.
  if (options.topK === 0) return Object.freeze({ ok: true as const, runnerId, profileName, score, strategy, generation, request });
  const alternatives: ScoredRunner[] = [];
  for (let k = 0; k < ranked.length; k++) {
    const [other, otherScore] = ranked[k] as [number, number];
    const otherProfile = k === 0 ? profileName : (admission.admittingProfile(request, other) as string);
    alternatives.push(Object.freeze({ runnerId: t.runnerAt(other).runnerId, profileName: otherProfile, score: otherScore }));
  }
  return Object.freeze({ ok: true as const, runnerId, profileName, score, strategy, generation, request, alternatives: Object.freeze(alternatives) });
}

/** Stages 1–5: the best runners (slot, score), at least one, or the explained rejection. */
export function rank(t: RunnerTable, admission: AdmissionCache, request: SandboxRequest, options: ResolvedOptions): Ranked | Rejection {
  const ranked = rankFitting(t, admission, request, options);
  return ranked.length > 0 ? ranked : explainRejection(t, request, conditionsOf(t, admission, request), options.nearestMisses);
}

/** Stages 1–4: the best fitting runners (none when nothing fits). */
export function rankFitting(t: RunnerTable, admission: AdmissionCache, request: SandboxRequest, options: ResolvedOptions): Ranked {
  const admitting = admission.runnersAdmitting(request);
  const fit = fitConjunction(t, request, admitting, allowListOf(t, request));
  if (fit === undefined) return [];
  const keep = Math.max(1, options.topK);
  if (options.strategy === 'firstFit') return firstFits(t, fit, keep);
  return bestScored(t, fit, keep, SCORING[options.strategy], request, searchWork(admitting), WORK_KINDS[options.strategy]);
}

/** The request's conditions one by one, to explain a rejection (the admission set comes from the cache again). */
export function conditionsOf(t: RunnerTable, admission: AdmissionCache, request: SandboxRequest): RequestConditions {
  return requestConditions(t, request, admission.runnersAdmitting(request), admission.changes, allowListOf(t, request));
}

/** The slots of the request's `runnerIds`, or undefined when it names none. */
function allowListOf(t: RunnerTable, request: SandboxRequest): Bitset | undefined {
  if (request.runnerIds === undefined) return undefined;
  const allow = new Bitset(t.wordCount);
  for (const id of request.runnerIds) {
    const slot = t.slotOf.get(id);
    if (slot !== undefined) allow.add(slot);
  }
  return allow;
}

/** The fitting runners of one decision. */
const FITS = new WordScratch();

/**
 * The `keep` best fitting runners by score, ties by ascending runnerId: exactly the answer of
 * scoring every fitting runner. A few fitting runners are simply all scored — a few, or fewer
 * than recent searches of the kind read ({@link SearchWork}); more are left to the strategy's
 * search over the shape index, which visits only the runners that can still win.
 */
function bestScored(t: RunnerTable, fit: Conjunction, keep: number, strategy: ScoringStrategy, request: SandboxRequest, work: SearchWork, kinds: number): Ranked {
  const { cpuMillicores: cpu, memoryBytes: mem, gpuCount: gpu } = request;
  const kind = kinds + requestedDimensions(cpu, mem, gpu);
  const top = new TopK(t, keep, strategy, cpu, mem, gpu);
  const words = t.activeWords;
  const fits = FITS.get(words, false);
  // The capability bitsets and the lower threshold bitsets: a superset of the fitting runners,
  // the exact capacity comparison left to each runner visited (cheaper than resolving the
  // threshold bands over every word, which at 1.25 steps touch most words).
  const shapes = t.indexes.shapes;
  const few = SEARCH_TUNING.scoreAllBase + SEARCH_TUNING.perCell * shapes.cellCount;
  const scoreAll = Math.max(few, work.scoreAllBelow(kind));
  // Counted only as far as the choice between searching and scoring all needs.
  const fitting = andInto(fit.must, words, fits, scoreAll);
  if (fitting === 0) return top.items;
  if (fitting > scoreAll || (fitting > few && work.searchAnyway(kind))) {
    const s = { t, shapes, fits, top, strategy, cpu, mem, gpu, work: 0, cellBound: Number.NEGATIVE_INFINITY };
    strategy.search(s);
    work.searched(kind, s.work);
    return top.items;
  }
  for (let i = 0; i < words; i++) {
    let w = fits[i] as number;
    while (w !== 0) {
      const low = w & -w;
      const slot = slotAt(i, low);
      if (fitsCapacity(t, slot, cpu, mem, gpu)) top.offer(slot, strategy.score(t, slot, cpu, mem, gpu));
      w ^= low;
    }
  }
  return top.items;
}

/**
 * How much work the searches did lately, per admission class (which profiles admit: GPU type,
 * architecture, modes), strategy and set of requested dimensions (a kind): the search reads
 * whole lists of the shape index, and where most of their runners fail the request's other
 * conditions (a GPU type most runners of the GPU cells lack) it reads several times as many
 * runners as fit — then scoring the fitting ones is cheaper. A moving average over the last
 * searches of the kind; while a decision has fewer than `SEARCH_TUNING.scorePerWork` × that many
 * fitting runners, they are scored instead, and every {@link REFRESH_AFTER}th such decision
 * searches anyway, so that the average follows a fleet that changes. The answer is the same
 * either way.
 */
class SearchWork {
  private readonly average = new Float64Array(24);
  private readonly skipped = new Float64Array(24);

  scoreAllBelow(kind: number): number {
    return SEARCH_TUNING.scorePerWork * (this.average[kind] as number);
  }

  /** Called when the fitting runners are few enough to score by the average alone: whether to search all the same. */
  searchAnyway(kind: number): boolean {
    const skipped = (this.skipped[kind] as number) + 1;
    this.skipped[kind] = skipped >= REFRESH_AFTER ? 0 : skipped;
    return skipped >= REFRESH_AFTER;
  }

  searched(kind: number, work: number): void {
    const average = this.average[kind] as number;
    this.average[kind] = average + (work - average) / 8;
  }
}

/** Decisions that score all on the strength of {@link SearchWork} before one searches again. */
const REFRESH_AFTER = 32;

/** Where each strategy's kinds start in a {@link SearchWork} (then + the requested dimension bits). */
const WORK_KINDS = { spread: 0, binpack: 8, balanced: 16 } as const;

/** {@link SearchWork} by admission class (the cached set of admitting runners). */
const SEARCH_WORK = new WeakMap<Bitset, SearchWork>();

function searchWork(admitting: Bitset): SearchWork {
  let work = SEARCH_WORK.get(admitting);
  if (!work) SEARCH_WORK.set(admitting, (work = new SearchWork()));
  return work;
}
