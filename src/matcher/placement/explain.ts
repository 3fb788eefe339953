import { REASON_LABELS, REASONS, type NearestMiss, type Rejection, type RejectionCode, type RejectionReason, type SandboxRequest } from '../../types.js';
import { popcount } from '../bitset.js';
import { passBand } from '../kernel.js';
import { LowestRanks } from '../lowest-ranks.js';
import type { RunnerTable } from '../runner-table.js';
import { WordScratch } from '../scratch.js';
import type { CapacityCondition, Condition, RequestConditions } from './conditions.js';

/** The four counter planes of {@link explainRejection}. */
const PLANES = [new WordScratch(), new WordScratch(), new WordScratch(), new WordScratch()];
/** The pass sets that need building (several tags AND-ed, a capacity dimension resolved), by position. */
const PASSES: WordScratch[] = [];
/** The runners at one count of reasons, in {@link nearest}. */
const MASK = new WordScratch();

function passBuffer(k: number, words: number): Uint32Array {
  while (PASSES.length <= k) PASSES.push(new WordScratch());
  return (PASSES[k] as WordScratch).get(words, false);
}

/**
 * Writes into `out` the runners that pass one capacity dimension — enough available, or
 * resources unknown (that is a reason of its own) — for the first `words` words; with `live`,
 * returns how many live runners fail it (else 0).
 */
function capacityPass(cap: CapacityCondition, known: Uint32Array, live: Uint32Array | undefined, words: number, out: Uint32Array): number {
  const { lower, band } = cap;
  let failing = 0;
  for (let i = 0; i < words; i++) {
    const ok = band === undefined ? (lower[i] as number) : passBand(band, i, lower[i] as number);
    const pass = ~(known[i] as number) | ok;
    out[i] = pass;
    if (live) failing += popcount((live[i] as number) & ~pass);
  }
  return failing;
}

/** Formats the one-line message, e.g. `0/1200 runners fit: 800 insufficient gpu, 40 unhealthy`. */
export function rejectionMessage(considered: number, reasons: Readonly<Record<RejectionReason, number>>): string {
  const parts = REASONS.filter((r) => reasons[r] > 0)
    .sort((a, b) => reasons[b] - reasons[a] || REASONS.indexOf(a) - REASONS.indexOf(b))
    .map((r) => `${reasons[r]} ${REASON_LABELS[r]}`);
  return `0/${considered} runners fit${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Explains why no runner fits: how many runners fail each reason, and the nearest misses.
 * Flags and single values know how many runners fail them; the other reasons' failing bits are
 * counted a word (32 runners) at a time. The nearest misses usually come from a short walk in
 * runnerId order ({@link missesFailingOne}); otherwise the number of reasons each runner fails
 * is kept in four bit-sliced counter planes, so finding the runners that fail the fewest needs
 * no per-runner loop.
 */
export function explainRejection(t: RunnerTable, request: SandboxRequest, c: RequestConditions, missCount: number): Rejection {
  const perCondition = new Int32Array(c.conditions.length + c.capacity.length);
  const passes = passSets(t, c, perCondition);
  countFailures(t, c, passes, perCondition);
  const tally = new Float64Array(REASONS.length);
  for (let j = 0; j < perCondition.length; j++) {
    const reason = REASONS.indexOf(j < c.conditions.length ? (c.conditions[j] as Condition).reason : (c.capacity[j - c.conditions.length] as CapacityCondition).reason);
    tally[reason] = (tally[reason] as number) + (perCondition[j] as number);
  }
  const early = missesFailingOne(t, c, missCount);
  const misses = early ? early.map((slot) => describeMiss(t, request, c, slot)) : nearest(t, request, c, countReasons(t, passes), missCount);
  return rejection(rejectionCode(request), t.size, countsOf(tally), misses);
}

/**
 * How many live runners fail each condition (conditions, then capacity), into `perCondition`:
 * the index's own count where it has one; the count {@link passSets} made where it built the
 * pass set (-1 where it did not); else the failing bits of the pass set counted.
 */
function countFailures(t: RunnerTable, c: RequestConditions, passes: readonly Uint32Array[], perCondition: Int32Array): void {
  const words = t.activeWords;
  const live = t.indexes.live.words;
  for (let j = 0; j < passes.length; j++) {
    const failing = j < c.conditions.length ? (c.conditions[j] as Condition).failing : undefined;
    if (failing !== undefined) {
      perCondition[j] = failing;
      continue;
    }
    if ((perCondition[j] as number) >= 0) continue;
    const pass = passes[j] as Uint32Array;
    let n = 0;
    for (let i = 0; i < words; i++) n += popcount((live[i] as number) & ~(pass[i] as number));
    perCondition[j] = n;
  }
}

/** As the reference gateway: a request that named a profile and found no place is a profile mismatch, whatever the reasons. */
export function rejectionCode(request: SandboxRequest): RejectionCode {
  return request.profileName !== undefined ? 'PROFILE_MISMATCH' : 'NO_SUITABLE_RUNNER';
}

/**
 * The nearest misses alone, without the count of every reason (what a simulation records):
 * the same walk first, else the same counter planes, with nothing tallied per reason.
 */
export function nearestMisses(t: RunnerTable, request: SandboxRequest, c: RequestConditions, missCount: number): NearestMiss[] {
  const early = missesFailingOne(t, c, missCount);
  if (early) return early.map((slot) => describeMiss(t, request, c, slot));
  return nearest(t, request, c, countReasons(t, passSets(t, c, undefined)), missCount);
}

/** How many runners {@link missesFailingOne} reads in runnerId order before giving up. */
const WALK_LIMIT = 256;
/** …and after this many, when none of them failed only one reason. */
const GIVE_UP = 64;

/**
 * The nearest misses without counting every runner, in the common case: in a rejection no
 * runner fails nothing, so when `missCount` runners fail exactly one reason those are the
 * answer, the first of them in runnerId order. Runners are read in that order, each until its
 * second failure, and the walk stops once they are found; undefined when the first
 * {@link WALK_LIMIT} runners do not hold them, or the first {@link GIVE_UP} hold none (then
 * the full count answers).
 */
function missesFailingOne(t: RunnerTable, c: RequestConditions, missCount: number): number[] | undefined {
  if (missCount <= 0) return undefined;
  const order = t.slotsInIdOrder();
  const limit = Math.min(order.length, WALK_LIMIT);
  const known = t.indexes.known.words;
  const conditions = c.conditions;
  const capacity = c.capacity;
  const found: number[] = [];
  for (let p = 0; p < limit; p++) {
    if (p === GIVE_UP && found.length === 0) break;
    const slot = order[p] as number;
    const i = slot >>> 5;
    const bit = 1 << (slot & 31);
    let fails = 0;
    for (let j = 0; j < conditions.length && fails < 2; j++) if (!passesAll((conditions[j] as Condition).pass, i, bit)) fails++;
    if (((known[i] as number) & bit) !== 0) {
      for (let j = 0; j < capacity.length && fails < 2; j++) {
        const cap = capacity[j] as CapacityCondition;
        if ((cap.available[slot] as number) < cap.requested) fails++;
      }
    }
    // A runner failing nothing would fit: not a rejection this path answers.
    if (fails === 0) return undefined;
    if (fails === 1) {
      found.push(slot);
      if (found.length === missCount) return found;
    }
  }
  return undefined;
}

/**
 * One pass set per reason (conditions, then capacity), as words: a runner passes when its bit
 * is set. Several sets (tags) are AND-ed; a capacity dimension is resolved exactly, and passed
 * by runners with unknown resources (that is a reason of its own). With `failing`, the live
 * runners failing each set built here are counted as it is built (-1 for the others).
 */
function passSets(t: RunnerTable, c: RequestConditions, failing: Int32Array | undefined): Uint32Array[] {
  const words = t.activeWords;
  const known = t.indexes.known.words;
  // Counted only when asked for (a simulation's rejection records no reason counts).
  const live = failing ? t.indexes.live.words : undefined;
  const passes: Uint32Array[] = [];
  let buffers = 0;
  for (const { pass: sets } of c.conditions) {
    if (failing) failing[passes.length] = -1;
    if (sets.length === 1) {
      passes.push(sets[0] as Uint32Array);
      continue;
    }
    const all = passBuffer(buffers++, t.wordCount);
    all.set((sets[0] as Uint32Array).subarray(0, words));
    for (let k = 1; k < sets.length; k++) {
      const set = sets[k] as Uint32Array;
      for (let i = 0; i < words; i++) all[i] = (all[i] as number) & (set[i] as number);
    }
    passes.push(all);
  }
  for (const cap of c.capacity) {
    const out = passBuffer(buffers++, t.wordCount);
    const n = capacityPass(cap, known, live, words, out);
    if (failing) failing[passes.length] = n;
    passes.push(out);
  }
  return passes;
}

/**
 * Fills the counter planes {@link PLANES} — bit b of (p3 p2 p1 p0) counts how many of the
 * `passes` runner b fails — in one fused pass over the words that adds every reason's failing
 * bits into the four planes held in locals (carry-save), 32 runners at a time. Returns the
 * fewest reasons any live runner fails (16 when there is none).
 */
function countReasons(t: RunnerTable, passes: readonly Uint32Array[]): number {
  const words = t.activeWords;
  const [p0, p1, p2, p3] = PLANES.map((plane) => plane.get(t.wordCount, true)) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  const live = t.indexes.live.words;
  const total = passes.length;
  let lowest = 16;
  for (let i = 0; i < words; i++) {
    const l = live[i] as number;
    if (l === 0) continue;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let j = 0; j < total; j++) {
      // Branch-free: whether a runner fails is data, and a mispredicted branch costs more than
      // the carry chain it would skip.
      const f = l & ~((passes[j] as Uint32Array)[i] as number);
      const k0 = c0 & f;
      c0 ^= f;
      const k1 = c1 & k0;
      c1 ^= k0;
      const k2 = c2 & k1;
      c2 ^= k1;
      c3 ^= k2;
    }
    p0[i] = c0;
    p1[i] = c1;
    p2[i] = c2;
    p3[i] = c3;
    // The fewest reasons any runner fails so far: nearest misses start their search there.
    for (let level = 0; level < lowest; level++) {
      if ((l & (level & 1 ? c0 : ~c0) & (level & 2 ? c1 : ~c1) & (level & 4 ? c2 : ~c2) & (level & 8 ? c3 : ~c3)) !== 0) {
        lowest = level;
        break;
      }
    }
  }
  return lowest;
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

/**
 * Runners failing the fewest reasons, fewest first, then by ascending runnerId. For each count
 * of reasons, the runners with that count form a bitset; when it is large the runners are
 * walked in runnerId order until enough are found, when small its bits are ranked directly.
 */
function nearest(t: RunnerTable, request: SandboxRequest, c: RequestConditions, lowest: number, missCount: number): NearestMiss[] {
  const chosen: number[] = [];
  const rank = t.ranks();
  const [p0, p1, p2, p3] = PLANES.map((plane) => plane.get(t.wordCount, false)) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  const live = t.indexes.live.words;
  const mask = MASK.get(t.wordCount, false);
  const words = t.activeWords;
  for (let level = lowest; level < 16 && chosen.length < missCount; level++) {
    const need = missCount - chosen.length;
    let members = 0;
    for (let i = 0; i < words; i++) {
      let w = (live[i] as number) & (level & 1 ? (p0[i] as number) : ~(p0[i] as number));
      w &= level & 2 ? (p1[i] as number) : ~(p1[i] as number);
      w &= level & 4 ? (p2[i] as number) : ~(p2[i] as number);
      w &= level & 8 ? (p3[i] as number) : ~(p3[i] as number);
      mask[i] = w;
      if (w !== 0) members += popcount(w);
    }
    if (members === 0) continue;
    if (members * members > t.size * need) {
      // Many members: the first `need` of them in runnerId order come early in the walk.
      let found = 0;
      for (const slot of t.slotsInIdOrder()) {
        if ((((mask[slot >>> 5] as number) >>> (slot & 31)) & 1) === 0) continue;
        chosen.push(slot);
        if (++found === need) break;
      }
      continue;
    }
    const best = new LowestRanks(rank, need);
    for (let i = 0; i < words; i++) if (mask[i] !== 0) best.offerWord(i, mask[i] as number);
    chosen.push(...best.slots);
  }
  return chosen.map((slot) => describeMiss(t, request, c, slot));
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
  for (const condition of c.conditions) {
    if (!passesAll(condition.pass, i, bit)) reasons.push(condition.reason);
  }
  const known = t.indexes.known.has(slot);
  if (known) for (const cap of c.capacity) if ((cap.available[slot] as number) < cap.requested) reasons.push(cap.reason);
  reasons.sort((a, b) => REASONS.indexOf(a) - REASONS.indexOf(b));
  const shortfall = known
    ? Object.freeze({
        cpuMillicores: Math.max(0, request.cpuMillicores - (t.availCpu[slot] as number)),
        memoryBytes: Math.max(0, request.memoryBytes - (t.availMem[slot] as number)),
        gpuCount: Math.max(0, request.gpuCount - (t.availGpu[slot] as number)),
      })
    : null;
  return Object.freeze({ runnerId: t.runnerAt(slot).runnerId, reasons: Object.freeze(reasons), shortfall });
}
