import { ProfileNotFoundError, RunnerNotFoundError } from '../errors.js';
import { compareIds } from '../order.js';
import type { Profile, ProfileFilter, ProfilePage, Runner, RunnerFilter, RunnerPage } from '../types.js';
import { type ArgumentKind, checkArguments, checkId } from './arguments.js';
import { slotAt } from './bitset.js';
import { answerAt, type Band, type Conjunction, collectConjunction, countConjunction, materialiseConjunction, testConjunction } from './kernel.js';
import type { ProfileTable } from './profile-table.js';
import type { RunnerTable } from './runner-table.js';
import { WordScratch, WordStamps } from './scratch.js';
import { addValueBitsets } from './value-index.js';

const RUNNER_FILTER: Record<keyof RunnerFilter, ArgumentKind> = {
  runnerGroupId: 'string',
  profileName: 'string',
  gpuType: 'string',
  architecture: 'string',
  ingressMode: 'string',
  egressMode: 'string',
  healthyOnly: 'boolean',
  excludeShared: 'boolean',
  includeResources: 'boolean',
  minAvailableCpuMillicores: 'count',
  minAvailableMemoryBytes: 'count',
  minAvailableGpuCount: 'count',
};

const PROFILE_FILTER: Record<keyof ProfileFilter, ArgumentKind> = {
  excludeShared: 'boolean',
  gpuType: 'string',
  architecture: 'string',
  runnerId: 'string',
  ingressMode: 'string',
  egressMode: 'string',
};

/** A filter resolved against a table: the conjunction to run, or `empty` when a value is unknown. */
type Plan = Conjunction | 'empty';

/**
 * Resolves a runner filter into bitsets. Cheapest exclusion first: capability bitsets AND-ed
 * word by word; capacity filters add their threshold bitsets, and only slots between a
 * threshold's lower and upper bitset are compared exactly.
 */
function runnerPlan(t: RunnerTable, f: RunnerFilter): Plan {
  const must: Uint32Array[] = [t.indexes.live.words];
  const known = addValueBitsets(must, [
    [f.runnerGroupId, t.indexes.group],
    [f.profileName, t.indexes.profileName],
    [f.gpuType, t.indexes.gpuType],
    [f.architecture, t.indexes.architecture],
    [f.ingressMode, t.indexes.ingress],
    [f.egressMode, t.indexes.egress],
  ]);
  if (!known) return 'empty';
  if (f.healthyOnly === true) must.push(t.indexes.healthy.words);
  if (f.excludeShared === true) must.push(t.indexes.unshared.words);

  const bands: Band[] = [];
  for (const [min, index, available] of [
    [f.minAvailableCpuMillicores, t.indexes.cpuIndex, t.availCpu],
    [f.minAvailableMemoryBytes, t.indexes.memIndex, t.availMem],
    [f.minAvailableGpuCount, t.indexes.gpuIndex, t.availGpu],
  ] as const) {
    if (min === undefined) continue;
    const { lower, upper } = index.bounds(min);
    must.push(lower.words);
    if (upper) bands.push({ upper: upper.words, available, min });
  }
  return { must, bands };
}

function hasCapacityFilter(f: RunnerFilter): boolean {
  return f.minAvailableCpuMillicores !== undefined || f.minAvailableMemoryBytes !== undefined || f.minAvailableGpuCount !== undefined;
}

export function checkRunnerFilter(operation: string, filter: unknown): RunnerFilter {
  return checkArguments<RunnerFilter>(operation, filter, RUNNER_FILTER);
}

export function checkProfileFilter(operation: string, filter: unknown): ProfileFilter {
  return checkArguments<ProfileFilter>(operation, filter, PROFILE_FILTER);
}

export function countRunners(t: RunnerTable, filter: RunnerFilter): number {
  const plan = runnerPlan(t, filter);
  return plan === 'empty' ? 0 : countConjunction(plan, t.activeWords);
}

export function checkRunnerPage(operation: string, page: unknown): RunnerPage {
  return checkArguments<RunnerPage>(operation, page, { after: 'string', limit: 'count' });
}

export function checkProfilePage(operation: string, page: unknown): ProfilePage {
  const p = checkArguments<{ after?: unknown; limit?: number }>(operation, page, { after: 'object', limit: 'count' });
  if (p.after === undefined) return p as ProfilePage;
  const after = checkArguments<{ runnerId: string; profileName: string }>(operation, p.after, { runnerId: 'string', profileName: 'string' }, ['runnerId', 'profileName'], 'after.');
  return { after, limit: p.limit };
}

/** The answer's words worked out so far by one page, and which of them are. */
const PAGE_WORDS = new WordScratch();
const PAGE_FILLED = new WordStamps();
/** The answer of a whole listing. */
const ANSWER = new WordScratch();

/**
 * A page of runners in runnerId order, strictly after `page.after`: a walk in runnerId order
 * from there that works out each word of the answer the first time it needs it, so a page
 * costs the runners it passes over, not the fleet.
 */
export function listRunnersPage(t: RunnerTable, filter: RunnerFilter, page: RunnerPage): Runner[] {
  if (page.after === undefined && page.limit === undefined) return listRunners(t, filter);
  const plan = runnerPlan(t, filter);
  if (plan === 'empty') return [];
  const withResources = filter.includeResources === true || hasCapacityFilter(filter);
  const limit = page.limit ?? Infinity;
  const order = t.slotsInIdOrder();
  const words = PAGE_WORDS.get(t.wordCount, false);
  const { stamps, stamp } = PAGE_FILLED.next(t.wordCount);
  const out: Runner[] = [];
  for (let k = page.after === undefined ? 0 : t.positionAfter(page.after); k < order.length && out.length < limit; k++) {
    const slot = order[k] as number;
    const i = slot >>> 5;
    if (stamps[i] !== stamp) {
      words[i] = answerAt(plan, i);
      stamps[i] = stamp;
    }
    if ((((words[i] as number) >>> (slot & 31)) & 1) !== 0) out.push(withResources ? t.viewAt(slot) : t.bareAt(slot));
  }
  return out;
}

export function listRunners(t: RunnerTable, filter: RunnerFilter): Runner[] {
  const plan = runnerPlan(t, filter);
  if (plan === 'empty') return [];
  const withResources = filter.includeResources === true || hasCapacityFilter(filter);
  const view = (slot: number) => (withResources ? t.viewAt(slot) : t.bareAt(slot));
  const answer = ANSWER.get(t.wordCount, false);
  const count = materialiseConjunction(plan, t.activeWords, answer);
  const out: Runner[] = new Array<Runner>(count);
  if (count * 2 > t.size) {
    // Most of the fleet: walk runnerId order once, testing each bit (cheaper than sorting).
    let k = 0;
    for (const slot of t.slotsInIdOrder()) {
      if ((((answer[slot >>> 5] as number) >>> (slot & 31)) & 1) !== 0) out[k++] = view(slot);
    }
    return out;
  }
  // A few: sort their positions in runnerId order (a numeric sort).
  const rank = t.ranks();
  const order = t.slotsInIdOrder();
  const ranks = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < t.activeWords; i++) {
    let w = answer[i] as number;
    while (w !== 0) {
      const low = w & -w;
      ranks[k++] = rank[slotAt(i, low)] as number;
      w ^= low;
    }
  }
  ranks.sort();
  for (let j = 0; j < count; j++) out[j] = view(order[ranks[j] as number] as number);
  return out;
}

export function getRunner(t: RunnerTable, runnerId: unknown): Runner {
  const id = checkId('getRunner', 'runnerId', runnerId);
  const slot = t.slotOf.get(id);
  if (slot === undefined) throw new RunnerNotFoundError(id);
  return t.viewAt(slot);
}

function profilePlan(p: ProfileTable, f: ProfileFilter): Plan {
  const must: Uint32Array[] = [p.live.words];
  if (f.excludeShared === true) must.push(p.unshared.words);
  const known = addValueBitsets(must, [
    [f.gpuType, p.gpuType],
    [f.architecture, p.architecture],
    [f.ingressMode, p.ingress],
    [f.egressMode, p.egress],
  ]);
  return known ? { must, bands: [] } : 'empty';
}

/** Profile slots answering the filter, unordered. A runnerId filter visits that runner's few profiles only. */
function profileSlots(t: RunnerTable, p: ProfileTable, f: ProfileFilter): number[] {
  const plan = profilePlan(p, f);
  if (plan === 'empty') return [];
  const out: number[] = [];
  if (f.runnerId !== undefined) {
    const runnerSlot = t.slotOf.get(f.runnerId);
    if (runnerSlot === undefined) return out;
    for (const slot of p.slotsOfRunner(runnerSlot)) if (testConjunction(plan, slot)) out.push(slot);
  } else {
    collectConjunction(plan, p.activeWords, out);
  }
  return out;
}

export function countProfiles(t: RunnerTable, p: ProfileTable, f: ProfileFilter): number {
  if (f.runnerId !== undefined) return profileSlots(t, p, f).length;
  const plan = profilePlan(p, f);
  return plan === 'empty' ? 0 : countConjunction(plan, p.activeWords);
}

/**
 * A page of profiles in (runnerId, profileName) order, strictly after `page.after`: runners are
 * walked in runnerId order from the one named, each runner's profiles tested and sorted by
 * name, until the page is full.
 */
export function listProfilesPage(t: RunnerTable, p: ProfileTable, f: ProfileFilter, page: ProfilePage): Profile[] {
  if (page.after === undefined && page.limit === undefined) return listProfiles(t, p, f);
  const plan = profilePlan(p, f);
  if (plan === 'empty') return [];
  const limit = page.limit ?? Infinity;
  const out: Profile[] = [];
  const after = page.after;
  const order = t.slotsInIdOrder();
  // The runner of `after` itself may still have profiles after its name; then the runners after it.
  let k = after === undefined ? 0 : t.positionAfter(after.runnerId);
  if (after !== undefined && k > 0 && t.runnerAt(order[k - 1] as number).runnerId === after.runnerId) k--;
  for (; k < order.length && out.length < limit; k++) {
    const runnerSlot = order[k] as number;
    const runnerId = t.runnerAt(runnerSlot).runnerId;
    if (f.runnerId !== undefined && runnerId !== f.runnerId) continue;
    const names: Profile[] = [];
    for (const slot of p.slotsOfRunner(runnerSlot)) {
      if (!testConjunction(plan, slot)) continue;
      const profile = p.profileAt(slot);
      if (after !== undefined && runnerId === after.runnerId && compareIds(profile.profileName, after.profileName) <= 0) continue;
      names.push(profile);
    }
    names.sort((a, b) => compareIds(a.profileName, b.profileName));
    for (const profile of names) {
      if (out.length === limit) break;
      out.push(profile);
    }
  }
  return out;
}

export function listProfiles(t: RunnerTable, p: ProfileTable, f: ProfileFilter): Profile[] {
  const slots = profileSlots(t, p, f);
  const rank = t.ranks();
  const runnerRank = (slot: number) => rank[p.runnerSlot[slot] as number] as number;
  slots.sort((a, b) => {
    const d = runnerRank(a) - runnerRank(b);
    if (d !== 0) return d;
    return compareIds(p.profileAt(a).profileName, p.profileAt(b).profileName);
  });
  return slots.map((slot) => p.profileAt(slot));
}

export function getProfile(t: RunnerTable, p: ProfileTable, profileName: unknown, options: unknown): Profile {
  const name = checkId('getProfile', 'profileName', profileName);
  const { runnerId } = checkArguments<{ runnerId?: string }>('getProfile', options, { runnerId: 'string' });
  if (runnerId !== undefined) {
    const runnerSlot = t.slotOf.get(runnerId);
    const slot = runnerSlot === undefined ? undefined : p.find(name, runnerSlot);
    if (slot === undefined) throw new ProfileNotFoundError(name, runnerId);
    return p.profileAt(slot);
  }
  let best = -1;
  let bestRank = Infinity;
  const rank = t.ranks();
  p.name.forEachSlot(name, (slot) => {
    const r = rank[p.runnerSlot[slot] as number] as number;
    if (r < bestRank) {
      bestRank = r;
      best = slot;
    }
  });
  if (best < 0) throw new ProfileNotFoundError(name);
  return p.profileAt(best);
}
