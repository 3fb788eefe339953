import type { PlaceResult, SandboxRequest, ScoredRunner } from '../../types.js';
import { Bitset } from '../bitset.js';
import { forEachConjunction, testConjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import type { AdmissionCache } from './admission.js';
import { fitConjunction, requestConditions } from './conditions.js';
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
export function place(t: RunnerTable, admission: AdmissionCache, epoch: number, request: SandboxRequest, options: ResolvedOptions): PlaceResult {
  const admitting = admission.runnersAdmitting(request, epoch);
  const allowList = request.runnerIds === undefined ? undefined : allowListBitset(t, request.runnerIds);
  const conditions = requestConditions(t, request, admitting, allowList);
  const fit = fitConjunction(t, conditions);
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

/** The `keep` first fitting runners in runnerId order, each scoring 100. */
function firstFits(t: RunnerTable, fit: Parameters<typeof testConjunction>[0], keep: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const slot of t.slotsInIdOrder()) {
    if (!testConjunction(fit, slot)) continue;
    out.push([slot, 100]);
    if (out.length === keep) break;
  }
  return out;
}

/** The `keep` best fitting runners by score, ties by ascending runnerId; every fitting runner is scored. */
function bestScored(
  t: RunnerTable,
  fit: Parameters<typeof testConjunction>[0],
  keep: number,
  strategy: ResolvedOptions['strategy'],
  request: SandboxRequest,
): Array<[number, number]> {
  const score = SCORES[strategy];
  const { cpuMillicores: cpu, memoryBytes: mem, gpuCount: gpu } = request;
  const top: Array<[number, number]> = [];
  const better = (slot: number, s: number, than: [number, number]) =>
    s > than[1] || (s === than[1] && t.runnerAt(slot).runnerId < t.runnerAt(than[0]).runnerId);
  forEachConjunction(fit, t.wordCount, (slot) => {
    const s = score(t, slot, cpu, mem, gpu);
    const last = top[top.length - 1];
    if (top.length === keep && last !== undefined && !better(slot, s, last)) return;
    let at = top.length;
    while (at > 0 && better(slot, s, top[at - 1] as [number, number])) at--;
    top.splice(at, 0, [slot, s]);
    if (top.length > keep) top.pop();
  });
  return top;
}
