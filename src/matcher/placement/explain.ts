import { REASON_LABELS, REASONS, type NearestMiss, type Rejection, type RejectionCode, type RejectionReason, type SandboxRequest } from '../../types.js';
import { type Bitset, popcount, slotAt } from '../bitset.js';
import { andAt, passBand } from '../kernel.js';
import { LowestRanks } from '../lowest-ranks.js';
import type { RunnerTable } from '../runner-table.js';
import { type CapacityCondition, type Condition, conditionsKey, type RequestConditions } from './conditions.js';

/**
 * Why nothing fits, in two parts. What a request asks besides capacity (health, known
 * resources, capabilities, admission, group, allow-list, tags: its class of conditions) changes
 * seldom and recurs from request to request, so it is worked out once per class and kept, brought
 * up to date in the words of the runners that change ({@link classCounts}): how many live
 * runners fail each condition, how many conditions each runner fails (four bit-sliced planes),
 * and per word the fewest. Capacity, which changes all the time, is added per rejection: its
 * counts from the capacity index's level sizes (`CapacityIndex.countAtLeast`), and for the
 * nearest misses only the words of the runners that can still be among the nearest.
 */

/** Formats the one-line message, e.g. `0/1200 runners fit: 800 insufficient gpu, 40 unhealthy`. */
export function rejectionMessage(considered: number, reasons: Readonly<Record<RejectionReason, number>>): string {
  const parts = REASONS.filter((r) => reasons[r] > 0)
    .sort((a, b) => reasons[b] - reasons[a] || REASON_AT[a] - REASON_AT[b])
    .map((r) => `${reasons[r]} ${REASON_LABELS[r]}`);
  return `0/${considered} runners fit${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Explains why no runner fits: how many live runners fail each reason, and the nearest misses
 * (the runners failing the fewest reasons, then by ascending runnerId).
 */
export function explainRejection(t: RunnerTable, request: SandboxRequest, c: RequestConditions, missCount: number): Rejection {
  const counts = classCounts(t, c, true);
  const tally = new Float64Array(REASONS.length);
  for (let j = 0; j < c.conditions.length; j++) {
    const at = REASON_AT[(c.conditions[j] as Condition).reason];
    tally[at] = (tally[at] as number) + (counts.failing[j] as number);
  }
  const ix = t.indexes;
  const known = ix.known.count;
  const words = t.activeWords;
  // Runners with unknown resources fail no capacity condition (that is a reason of its own).
  if (request.cpuMillicores > 0) tally[REASON_AT.insufficientCpu] = known - ix.cpuIndex.countAtLeast(request.cpuMillicores, t.availCpu, words);
  if (request.memoryBytes > 0) tally[REASON_AT.insufficientMemory] = known - ix.memIndex.countAtLeast(request.memoryBytes, t.availMem, words);
  if (request.gpuCount > 0) tally[REASON_AT.insufficientGpu] = known - ix.gpuIndex.countAtLeast(request.gpuCount, t.availGpu, words);
  // The capacity conditions every runner with known resources fails.
  let everyKnownFails = 0;
  for (const reason of CAPACITY_REASONS) if (known > 0 && tally[reason] === known) everyKnownFails++;
  return rejection(rejectionCode(request), t.size, countsOf(tally), nearest(t, request, c, counts, missCount, everyKnownFails));
}

/** Each reason's position in REASONS. */
const REASON_AT = Object.fromEntries(REASONS.map((reason, at) => [reason, at])) as Readonly<Record<RejectionReason, number>>;
const CAPACITY_REASONS = [REASON_AT.insufficientCpu, REASON_AT.insufficientMemory, REASON_AT.insufficientGpu];

/** As the reference gateway: a request that named a profile and found no place is a profile mismatch, whatever the reasons. */
export function rejectionCode(request: SandboxRequest): RejectionCode {
  return request.profileName !== undefined ? 'PROFILE_MISMATCH' : 'NO_SUITABLE_RUNNER';
}

/**
 * The nearest misses alone, without the count of every reason (what a simulation records): the
 * walk first, without the class counts (a simulation changes runners often enough that they
 * would mostly be worked out afresh); then, for the one miss a simulation asks, one pass over
 * the words ({@link nearestInOnePass}), for more the counts and the words.
 */
export function nearestMisses(t: RunnerTable, request: SandboxRequest, c: RequestConditions, missCount: number): NearestMiss[] {
  const slots = walkToFewest(t, c, 1, missCount) ?? (missCount === 1 ? nearestInOnePass(t, c) : fewestByWords(t, c, classCounts(t, c, false), missCount, 0));
  return slots.map((slot) => describeMiss(t, request, c, slot));
}

/**
 * The one nearest miss in one pass over the words: per word, every reason each runner fails
 * counted bit-sliced (its class conditions, and the capacity conditions when its resources are
 * known), and the fewest of them; of the runners failing the fewest of all, the one of lowest
 * runnerId. While slot order is runnerId order, that is the first runner of the first word
 * holding the fewest, and the pass stops at a word holding a runner that fails one reason, the
 * fewest there can be in a rejection. None when no runner is live.
 */
function nearestInOnePass(t: RunnerTable, c: RequestConditions): number[] {
  const live = t.indexes.live.words;
  const known = t.indexes.known.words;
  const { conditions, capacity } = c;
  const words = t.activeWords;
  const inOrder = t.slotOrderIsIdOrder;
  const rank = inOrder ? undefined : t.ranks();
  let fewest = 16;
  let best = -1;
  const n = conditions.length;
  const m = capacity.length;
  words: for (let i = 0; i < words && !(inOrder && fewest <= 1); i++) {
    const l = live[i] as number;
    if (l === 0) continue;
    const k = l & (known[i] as number);
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let j = 0; j < n; j++) {
      // Carry-save, as in countWord.
      const f = l & ~andAt((conditions[j] as Condition).pass, i);
      const k0 = c0 & f;
      c0 ^= f;
      const k1 = c1 & k0;
      c1 ^= k0;
      const k2 = c2 & k1;
      c2 ^= k1;
      c3 ^= k2;
    }
    // The capacity conditions, for runners with known resources: first the certain failures
    // (below the lower threshold level); then, unless every runner of the word fails more than
    // the fewest so far already, the failures in each band, compared exactly.
    for (let j = 0; j < 2 * m; j++) {
      let f: number;
      if (j < m) f = k & ~((capacity[j] as CapacityCondition).lower[i] as number);
      else {
        if (j === m && fewestOf(l, c0, c1, c2, c3) > fewest) continue words;
        const cap = capacity[j - m] as CapacityCondition;
        if (cap.band === undefined) continue;
        const lower = cap.lower[i] as number;
        f = k & lower & ~passBand(cap.band, i, lower);
      }
      const k0 = c0 & f;
      c0 ^= f;
      const k1 = c1 & k0;
      c1 ^= k0;
      const k2 = c2 & k1;
      c2 ^= k1;
      c3 ^= k2;
    }
    const least = fewestOf(l, c0, c1, c2, c3);
    if (least > fewest) continue;
    let w = countIs(least, c0, c1, c2, c3) & l;
    if (rank === undefined) {
      if (least < fewest) best = slotAt(i, w & -w);
    } else {
      // The lowest runnerId of the word's runners at its fewest, against the best so far.
      if (least < fewest) best = -1;
      while (w !== 0) {
        const low = w & -w;
        const slot = slotAt(i, low);
        if (best < 0 || (rank[slot] as number) < (rank[best] as number)) best = slot;
        w ^= low;
      }
    }
    fewest = least;
  }
  return best < 0 ? [] : [best];
}

/**
 * For one class of conditions (everything a request asks but capacity): how many live runners
 * fail each condition, and how many of the conditions each runner fails, bit-sliced — bit b of
 * the words of plane k (at k × words) is bit k of runner b's count — and, per word, the fewest
 * any of its live runners fails. Mutable: brought up to date word by word ({@link patchClass}).
 */
interface ClassCounts {
  /** When it was last read (the least recently read is dropped first). */
  read: number;
  /** What they were worked out from: the admission set, the words, and the counts of changes to the indexes and to the admission answers as of then. */
  readonly admitting: Bitset;
  readonly words: number;
  indexChanges: number;
  admissionChanges: number;
  readonly failing: Int32Array;
  /** Per condition and word (at j × words + i), how many live runners there fail it. */
  readonly failingIn: Uint8Array;
  readonly planes: Uint32Array;
  /**
   * Per word, the fewest conditions a live runner there fails, of those with known resources
   * (at i) and of the others (at words + i); 16 when it holds none.
   */
  readonly fewestIn: Uint8Array;
  /** Per word, how many of its live runners fail that fewest (laid out as `fewestIn`). */
  readonly atFewestIn: Uint8Array;
  /**
   * Per count of failed conditions f (0–16), how many live runners fail f and are at their
   * word's fewest: of those with known resources at f, of the others at 17 + f. Kept with the
   * words' fewest ({@link fileFewest}), so that the lowest is read here, not from every word.
   */
  readonly atFewest: Int32Array;
  /** The fewest conditions a live runner fails, of those with known resources and of the others (16 when there is none). */
  lowestKnown: number;
  lowestUnknown: number;
  /** How many live runners fail exactly that fewest, of those with known resources and of the others. */
  atLowestKnown: number;
  atLowestUnknown: number;
}

/** Classes of conditions kept per runner table (per 32 runners: 4 words of planes, 2 bytes of fewest, a byte per condition), the least recently used dropped first. */
const CLASSES_KEPT = 64;

/** Changes to the runners since a class was counted that are brought in word by word; more, and it is counted afresh. */
const PATCH_MOST = 64;

/** By runner table (a fork starts with none), then by the class's key. */
const CLASS_COUNTS = new WeakMap<RunnerTable, Map<string, ClassCounts>>();
/** Reads of class counts so far, for their `read`. */
let reads = 0;

/**
 * The counts of the request's conditions but capacity, as kept for their class while nothing
 * they were worked out from has changed (a runner joining or leaving, its flags, values or
 * whether its resources are known, any admission answer); after a few such changes, brought up
 * to date in the words of the runners that changed ({@link patchClass}); else worked out again:
 * a pass over the words per condition. A control plane meets the same few classes again and
 * again; the amounts available, which change all the time, are not part of them. With `keep`
 * false, counts worked out again are not kept (a simulation, whose runners join, leave and
 * change health between most of its rejections): they go to scratch arrays, allocated once.
 */
function classCounts(t: RunnerTable, c: RequestConditions, keep: boolean): ClassCounts {
  let byKey = CLASS_COUNTS.get(t);
  if (!byKey) CLASS_COUNTS.set(t, (byKey = new Map()));
  const words = t.activeWords;
  const key = conditionsKey(c.request);
  let counts = byKey.get(key);
  if (counts !== undefined && counts.admitting === c.admitting && counts.words === words && patchClass(t, c, counts)) {
    counts.read = ++reads;
    return counts;
  }
  if (!keep) return (scratch = countClass(t, c, scratch));
  // Counted into the arrays of the stale counts of the class, or of the class dropped for it.
  const into = counts ?? (byKey.size >= CLASSES_KEPT ? dropLeastRecent(byKey) : undefined);
  counts = countClass(t, c, into);
  counts.read = ++reads;
  byKey.set(key, counts);
  return counts;
}

/**
 * The fewest of its class's conditions a live runner fails, with how many fail that few — of the
 * runners with known resources and of the others (16 and 0 when there is none) — as kept for the
 * request's class and brought up to date. Internal: tests compare it with a count runner by runner.
 */
export function fewestOfClass(t: RunnerTable, c: RequestConditions): { readonly known: readonly [number, number]; readonly unknown: readonly [number, number] } {
  const counts = classCounts(t, c, true);
  return { known: [counts.lowestKnown, counts.atLowestKnown], unknown: [counts.lowestUnknown, counts.atLowestUnknown] };
}

/** The counts a simulation's rejection works out and does not keep. */
let scratch: ClassCounts | undefined;

/** Drops the class read least recently (a scan of {@link CLASSES_KEPT} entries, when one is counted afresh); returns its counts. */
function dropLeastRecent(byKey: Map<string, ClassCounts>): ClassCounts | undefined {
  let oldest: string | undefined;
  let at = Infinity;
  for (const [key, { read }] of byKey) {
    if (read < at) {
      at = read;
      oldest = key;
    }
  }
  if (oldest === undefined) return undefined;
  const dropped = byKey.get(oldest);
  byKey.delete(oldest);
  return dropped;
}

/** Counts a class afresh, into the arrays of `into` where they fit (no garbage where classes are counted often). */
function countClass(t: RunnerTable, c: RequestConditions, into: ClassCounts | undefined): ClassCounts {
  const words = t.activeWords;
  const n = c.conditions.length;
  const reuse = into !== undefined && into.words === words && into.failing.length === n;
  const counts: ClassCounts = {
    read: 0,
    admitting: c.admitting,
    words,
    indexChanges: t.indexes.changes.count,
    admissionChanges: c.admissionChanges.count,
    failing: reuse ? into.failing.fill(0) : new Int32Array(n),
    failingIn: reuse ? into.failingIn.fill(0) : new Uint8Array(n * words),
    planes: reuse ? into.planes : new Uint32Array(4 * words),
    // Words not counted yet hold no runner (16, none at it): filing a word takes off nothing.
    fewestIn: reuse ? into.fewestIn.fill(16) : new Uint8Array(2 * words).fill(16),
    atFewestIn: reuse ? into.atFewestIn.fill(0) : new Uint8Array(2 * words),
    atFewest: reuse ? into.atFewest.fill(0) : new Int32Array(2 * 17),
    lowestKnown: 16,
    lowestUnknown: 16,
    atLowestKnown: 0,
    atLowestUnknown: 0,
  };
  for (let i = 0; i < words; i++) countWord(t, c, counts, i);
  settle(c, counts);
  return counts;
}

/**
 * Brings counts worked out before up to date, if they are not: from the changes to the indexes
 * and to the admission answers since, each a runner's slot, by counting their words again —
 * while there are at most {@link PATCH_MOST} and the logs still hold them all, and none changed
 * every slot. False when they must be counted afresh.
 */
function patchClass(t: RunnerTable, c: RequestConditions, counts: ClassCounts): boolean {
  const ix = t.indexes.changes;
  const ad = c.admissionChanges;
  if (counts.indexChanges === ix.count && counts.admissionChanges === ad.count) return true;
  if (ix.count - counts.indexChanges + ad.count - counts.admissionChanges > PATCH_MOST || !ix.holdsSince(counts.indexChanges) || !ad.holdsSince(counts.admissionChanges)) return false;
  const logs = [
    [ix, counts.indexChanges],
    [ad, counts.admissionChanges],
  ] as const;
  for (const [log, since] of logs) {
    for (let n = since; n < log.count; n++) if (log.at(n) < 0 || log.at(n) >>> 5 >= counts.words) return false;
  }
  // A word counted twice is counted the same.
  for (const [log, since] of logs) for (let n = since; n < log.count; n++) countWord(t, c, counts, log.at(n) >>> 5);
  settle(c, counts);
  counts.indexChanges = ix.count;
  counts.admissionChanges = ad.count;
  return true;
}

/**
 * Counts word `i` of a class: the runners failing each condition whose count the index does not
 * know (into `failing`, the word's old count taken off), the runners' counts of failed
 * conditions in the planes, and the word's fewest.
 */
function countWord(t: RunnerTable, c: RequestConditions, counts: ClassCounts, i: number): void {
  const { words, failing, failingIn, planes } = counts;
  const l = t.indexes.live.words[i] as number;
  const conditions = c.conditions;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let j = 0; j < conditions.length; j++) {
    const condition = conditions[j] as Condition;
    const sets = condition.pass;
    let pass = (sets[0] as Uint32Array)[i] as number;
    for (let k = 1; k < sets.length; k++) pass &= (sets[k] as Uint32Array)[i] as number;
    // Carry-save, branch-free: whether a runner fails is data.
    const f = l & ~pass;
    // Counted where the index does not know the count (`settle` takes it from the index).
    if (condition.failing === undefined) {
      const at = j * words + i;
      const fails = popcount(f);
      failing[j] = (failing[j] as number) + fails - (failingIn[at] as number);
      failingIn[at] = fails;
    }
    const k0 = c0 & f;
    c0 ^= f;
    const k1 = c1 & k0;
    c1 ^= k0;
    const k2 = c2 & k1;
    c2 ^= k1;
    c3 ^= k2;
  }
  planes[i] = c0;
  planes[words + i] = c1;
  planes[2 * words + i] = c2;
  planes[3 * words + i] = c3;
  const k = t.indexes.known.words[i] as number;
  fileFewest(counts, i, 0, l & k, c0, c1, c2, c3);
  fileFewest(counts, words + i, 17, l & ~k, c0, c1, c2, c3);
}

/**
 * Files a word's fewest of `runners` (those with known resources, or the others: `base` 0 or
 * 17 into `atFewest`) in place of what it held before.
 */
function fileFewest(counts: ClassCounts, at: number, base: number, runners: number, c0: number, c1: number, c2: number, c3: number): void {
  const { fewestIn, atFewestIn, atFewest } = counts;
  atFewest[base + (fewestIn[at] as number)] = (atFewest[base + (fewestIn[at] as number)] as number) - (atFewestIn[at] as number);
  const fewest = fewestOf(runners, c0, c1, c2, c3);
  const n = fewest === 16 ? 0 : popcount(countIs(fewest, c0, c1, c2, c3) & runners);
  fewestIn[at] = fewest;
  atFewestIn[at] = n;
  atFewest[base + fewest] = (atFewest[base + fewest] as number) + n;
}

/**
 * After words were counted: the counts the index knows without counting (a flag's or a value's
 * size) taken from it, and the fewest conditions a runner fails, with how many fail that few,
 * from the words' fewest as filed ({@link fileFewest}).
 */
function settle(c: RequestConditions, counts: ClassCounts): void {
  for (let j = 0; j < c.conditions.length; j++) {
    const known = (c.conditions[j] as Condition).failing;
    if (known !== undefined) counts.failing[j] = known;
  }
  const { atFewest } = counts;
  let lowestKnown = 0;
  while (lowestKnown < 16 && atFewest[lowestKnown] === 0) lowestKnown++;
  let lowestUnknown = 0;
  while (lowestUnknown < 16 && atFewest[17 + lowestUnknown] === 0) lowestUnknown++;
  counts.lowestKnown = lowestKnown;
  counts.lowestUnknown = lowestUnknown;
  // (At 16, none: a word with no runner files 0 there.)
  counts.atLowestKnown = atFewest[lowestKnown] as number;
  counts.atLowestUnknown = atFewest[17 + lowestUnknown] as number;
}

/** The fewest of the bit-sliced counts (c3 c2 c1 c0) of the runners of `runners`, a bit at a time from the highest (16 for none). */
function fewestOf(runners: number, c0: number, c1: number, c2: number, c3: number): number {
  if (runners === 0) return 16;
  // A 0 at a bit if any runner left has one there.
  let fewest = 0;
  let left = runners;
  let zeros = left & ~c3;
  if (zeros !== 0) left = zeros;
  else fewest |= 8;
  zeros = left & ~c2;
  if (zeros !== 0) left = zeros;
  else fewest |= 4;
  zeros = left & ~c1;
  if (zeros !== 0) left = zeros;
  else fewest |= 2;
  if ((left & ~c0) === 0) fewest |= 1;
  return fewest;
}

/** The bits of a word whose bit-sliced count (c3 c2 c1 c0) is `level`. */
function countIs(level: number, c0: number, c1: number, c2: number, c3: number): number {
  return (level & 1 ? c0 : ~c0) & (level & 2 ? c1 : ~c1) & (level & 4 ? c2 : ~c2) & (level & 8 ? c3 : ~c3);
}

/**
 * The `missCount` runners failing the fewest reasons, fewest first, then by ascending runnerId:
 * from a short walk in runnerId order when it finds them ({@link walkToFewest}), else from the
 * words that can hold them ({@link fewestByWords}).
 */
function nearest(t: RunnerTable, request: SandboxRequest, c: RequestConditions, counts: ClassCounts, missCount: number, everyKnownFails: number): NearestMiss[] {
  const least = fewestThereCanBe(counts, everyKnownFails);
  // The walk finds `missCount` runners failing the fewest there can be, or nothing: tried only
  // when the runners that can (those at their class's fewest; with none at 0, every runner fails
  // one at least) are enough, at their share of the fleet, for the walk's first WALK_LIMIT
  // runners in runnerId order to hold `missCount` of them (on a fleet of WALK_LIMIT or fewer:
  // when there are `missCount` of them) — else it reads its runners for nothing before the words
  // answer (the answer is the same either way).
  const atMost = least < 1 ? Number.POSITIVE_INFINITY : (counts.lowestKnown + everyKnownFails === least ? counts.atLowestKnown : 0) + (counts.lowestUnknown === least ? counts.atLowestUnknown : 0);
  const walk = atMost * Math.min(t.size, WALK_LIMIT) >= missCount * t.size;
  const slots = (walk ? walkToFewest(t, c, Math.max(1, least), missCount) : undefined) ?? fewestByWords(t, c, counts, missCount, everyKnownFails);
  return slots.map((slot) => describeMiss(t, request, c, slot));
}

/**
 * The fewest reasons a runner can fail: a runner with known resources fails its class
 * conditions and, at least, the `everyKnownFails` capacity conditions no such runner passes.
 */
function fewestThereCanBe(counts: ClassCounts, everyKnownFails: number): number {
  return Math.min(counts.lowestKnown + everyKnownFails, counts.lowestUnknown);
}

/** How many runners {@link walkToFewest} reads in runnerId order before giving up. */
const WALK_LIMIT = 256;
/** …and after this many, when none of them failed the fewest reasons there can be. */
const GIVE_UP = 64;

/**
 * The nearest misses without reading every word, in the common case: when `missCount` runners
 * fail `fewest` reasons, fewer than any runner can (in a rejection every runner fails one at
 * least; its class's fewest and the capacity no runner has, when known, may say more), they
 * are the answer — the first of them in runnerId order. Runners are read in that order, each
 * until it fails more, and the walk stops once they are found; undefined when the first
 * {@link WALK_LIMIT} runners do not hold them, or the first {@link GIVE_UP} hold none.
 */
function walkToFewest(t: RunnerTable, c: RequestConditions, fewest: number, missCount: number): number[] | undefined {
  if (missCount <= 0) return [];
  const order = t.slotsInIdOrder();
  const limit = Math.min(order.length, WALK_LIMIT);
  const known = t.indexes.known.words;
  const conditions = c.conditions;
  const capacity = c.capacity;
  const found: number[] = [];
  for (let p = 0; p < limit; p++) {
    if (p === GIVE_UP && found.length === 0) return undefined;
    const slot = order[p] as number;
    const i = slot >>> 5;
    const bit = 1 << (slot & 31);
    let fails = 0;
    for (let j = 0; j < conditions.length && fails <= fewest; j++) if (!passesAll((conditions[j] as Condition).pass, i, bit)) fails++;
    if (((known[i] as number) & bit) !== 0) {
      for (let j = 0; j < capacity.length && fails <= fewest; j++) {
        const cap = capacity[j] as CapacityCondition;
        if ((cap.available[slot] as number) < cap.requested) fails++;
      }
    }
    if (fails !== fewest) continue;
    found.push(slot);
    if (found.length === missCount) return found;
  }
  return undefined;
}

/**
 * The nearest misses from the words. A runner fails as many reasons as its class conditions
 * plus 0–3 capacity conditions (at least `everyKnownFails` of them when its resources are
 * known), so the runners failing `total` reasons are in the words holding a class count that
 * low: for each total from the fewest there can be ({@link fewestThereCanBe}; one at least, as
 * in a rejection every runner fails one) up, only those words are read, the capacity
 * conditions worked out there a word at a time — in ascending order when slot order is
 * runnerId order, stopping once enough are found; else all of them, the lowest ranks kept.
 */
function fewestByWords(t: RunnerTable, c: RequestConditions, counts: ClassCounts, missCount: number, everyKnownFails: number): number[] {
  const chosen: number[] = [];
  const { planes, words, fewestIn } = counts;
  const live = t.indexes.live.words;
  const known = t.indexes.known.words;
  const [a, b, d] = [0, 1, 2].map((j) => c.capacity[j]);
  const inOrder = t.slotOrderIsIdOrder;
  for (let total = Math.max(1, fewestThereCanBe(counts, everyKnownFails)); total < 16 && chosen.length < missCount; total++) {
    const need = missCount - chosen.length;
    const best = inOrder ? undefined : new LowestRanks(t.ranks(), need);
    let found = 0;
    for (let i = 0; i < words && found < need; i++) {
      if ((fewestIn[i] as number) + everyKnownFails > total && (fewestIn[words + i] as number) > total) continue;
      const k = (live[i] as number) & (known[i] as number);
      // The capacity conditions each runner of the word fails, as a 2-bit count (x1 x0).
      const fa = a ? k & ~passing(a, i) : 0;
      const fb = b ? k & ~passing(b, i) : 0;
      const fd = d ? k & ~passing(d, i) : 0;
      const x0 = fa ^ fb ^ fd;
      const x1 = (fa & fb) | (fd & (fa ^ fb));
      const c0 = planes[i] as number;
      const c1 = planes[words + i] as number;
      const c2 = planes[2 * words + i] as number;
      const c3 = planes[3 * words + i] as number;
      let w = 0;
      for (let extra = 0; extra <= 3 && extra <= total; extra++) {
        w |= countIs(total - extra, c0, c1, c2, c3) & (extra & 1 ? x0 : ~x0) & (extra & 2 ? x1 : ~x1);
      }
      w &= live[i] as number;
      if (w === 0) continue;
      if (best) {
        best.offerWord(i, w);
        continue;
      }
      while (w !== 0 && found < need) {
        const low = w & -w;
        chosen.push(slotAt(i, low));
        found++;
        w ^= low;
      }
    }
    if (best) chosen.push(...best.slots);
  }
  return chosen;
}

/** The runners of word `i` with the condition's amount available (the band between its two threshold levels compared exactly). */
function passing(cap: CapacityCondition, i: number): number {
  const lower = cap.lower[i] as number;
  return cap.band === undefined ? lower : passBand(cap.band, i, lower);
}

/** Reason counts as a record with a fixed shape (REASONS order). */
function countsOf(tally: Float64Array): Record<RejectionReason, number> {
  const at = (k: number) => tally[k] as number;
  return Object.freeze({
    unhealthy: at(0),
    unknownResources: at(1),
    insufficientCpu: at(2),
    insufficientMemory: at(3),
    insufficientGpu: at(4),
    gpuType: at(5),
    architecture: at(6),
    privileged: at(7),
    storageClass: at(8),
    noAdmittingProfile: at(9),
    runnerGroup: at(10),
    allowList: at(11),
    tags: at(12),
  });
}

/** A rejection whose message is formatted on first read (simulations never read it); `toJSON` includes it. */
class RejectionResult implements Rejection {
  readonly ok = false as const;
  private formatted: string | undefined;

  constructor(
    readonly code: RejectionCode,
    readonly considered: number,
    readonly reasons: Readonly<Record<RejectionReason, number>>,
    readonly nearestMisses: readonly NearestMiss[],
  ) {}

  get message(): string {
    return (this.formatted ??= rejectionMessage(this.considered, this.reasons));
  }

  toJSON(): Omit<Rejection, never> {
    return { ok: false, code: this.code, considered: this.considered, reasons: this.reasons, nearestMisses: this.nearestMisses, message: this.message };
  }
}

function rejection(code: RejectionCode, considered: number, reasons: Record<RejectionReason, number>, nearestMisses: NearestMiss[]): Rejection {
  return new RejectionResult(code, considered, reasons, Object.freeze(nearestMisses));
}

/** Whether the runner at `bit` of word `i` is in every one of `sets` (passes a condition). */
function passesAll(sets: readonly Uint32Array[], i: number, bit: number): boolean {
  for (let k = 0; k < sets.length; k++) if ((((sets[k] as Uint32Array)[i] as number) & bit) === 0) return false;
  return true;
}

function describeMiss(t: RunnerTable, request: SandboxRequest, c: RequestConditions, slot: number): NearestMiss {
  const i = slot >>> 5;
  const bit = 1 << (slot & 31);
  const reasons: RejectionReason[] = [];
  const known = t.indexes.known.has(slot);
  // In the order of REASONS: health and known resources, capacity, then the rest.
  for (let j = 0; j < c.conditions.length; j++) {
    const condition = c.conditions[j] as Condition;
    if (!passesAll(condition.pass, i, bit)) reasons.push(condition.reason);
    if (j === 1 && known) for (const cap of c.capacity) if ((cap.available[slot] as number) < cap.requested) reasons.push(cap.reason);
  }
  const shortfall = known
    ? Object.freeze({
        cpuMillicores: Math.max(0, request.cpuMillicores - (t.availCpu[slot] as number)),
        memoryBytes: Math.max(0, request.memoryBytes - (t.availMem[slot] as number)),
        gpuCount: Math.max(0, request.gpuCount - (t.availGpu[slot] as number)),
      })
    : null;
  return Object.freeze({ runnerId: t.runnerAt(slot).runnerId, reasons: Object.freeze(reasons), shortfall });
}
