import type { NearestMiss, Rejection, RejectionCode, RejectionReason, SandboxRequest } from '../../types.js';
import { popcount } from '../bitset.js';
import type { RunnerTable } from '../runner-table.js';
import type { CapacityCondition, RequestConditions } from './conditions.js';

/** Every reason, in the order messages list equal counts. */
export const REASONS: readonly RejectionReason[] = [
  'unhealthy',
  'unknownResources',
  'insufficientCpu',
  'insufficientMemory',
  'insufficientGpu',
  'gpuType',
  'architecture',
  'privileged',
  'storageClass',
  'noAdmittingProfile',
  'runnerGroup',
  'allowList',
  'tags',
];

/** How each reason reads in a message. */
export const REASON_LABELS: Readonly<Record<RejectionReason, string>> = {
  unhealthy: 'unhealthy',
  unknownResources: 'unknown resources',
  insufficientCpu: 'insufficient cpu',
  insufficientMemory: 'insufficient memory',
  insufficientGpu: 'insufficient gpu',
  gpuType: 'gpu type',
  architecture: 'architecture',
  privileged: 'privileged',
  storageClass: 'storage class',
  noAdmittingProfile: 'no admitting profile',
  runnerGroup: 'runner group',
  allowList: 'allow-list',
  tags: 'tags',
};

/** Bits of word `i` whose runners have enough of one capacity dimension. */
function capacityOkAt(cap: CapacityCondition, i: number): number {
  const lower = cap.bounds.lower.words[i] as number;
  if (!cap.bounds.upper) return lower;
  let ok = lower & (cap.bounds.upper.words[i] as number);
  let maybe = lower & ~ok;
  while (maybe !== 0) {
    const low = maybe & -maybe;
    if ((cap.available[(i << 5) + 31 - Math.clz32(low)] as number) >= cap.requested) ok |= low;
    maybe ^= low;
  }
  return ok;
}

/** Formats the one-line message, e.g. `0/1200 runners fit: 800 insufficient gpu, 40 unhealthy`. */
export function rejectionMessage(considered: number, reasons: Readonly<Record<RejectionReason, number>>): string {
  const parts = REASONS.filter((r) => reasons[r] > 0)
    .sort((a, b) => reasons[b] - reasons[a] || REASONS.indexOf(a) - REASONS.indexOf(b))
    .map((r) => `${reasons[r]} ${REASON_LABELS[r]}`);
  return `0/${considered} runners fit${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Explains why no runner fits. Every reason is evaluated for every runner, a word (32 runners)
 * at a time; the number of reasons each runner fails is kept in four bit-sliced counter planes,
 * so finding the runners that fail the fewest reasons needs no per-runner loop.
 */
export function explainRejection(t: RunnerTable, request: SandboxRequest, c: RequestConditions, missCount: number): Rejection {
  const words = t.wordCount;
  const planes = [new Uint32Array(words), new Uint32Array(words), new Uint32Array(words), new Uint32Array(words)];
  const counts = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<RejectionReason, number>;
  const live = t.live.words;
  const known = t.known.words;

  const addFailures = (i: number, fail: number) => {
    let carry = fail;
    for (let k = 0; k < 4 && carry !== 0; k++) {
      const plane = planes[k] as Uint32Array;
      const next = (plane[i] as number) & carry;
      plane[i] = (plane[i] as number) ^ carry;
      carry = next;
    }
  };

  for (let i = 0; i < words; i++) {
    const liveWord = live[i] as number;
    if (liveWord === 0) continue;
    for (const condition of c.conditions) {
      let pass = -1;
      for (const set of condition.pass) pass &= set[i] as number;
      const fail = liveWord & ~pass;
      if (fail === 0) continue;
      counts[condition.reason] += popcount(fail);
      addFailures(i, fail);
    }
    for (const cap of c.capacity) {
      const fail = liveWord & (known[i] as number) & ~capacityOkAt(cap, i);
      if (fail === 0) continue;
      counts[cap.reason] += popcount(fail);
      addFailures(i, fail);
    }
  }

  const considered = t.size;
  const nearestMisses = nearest(t, request, c, planes, missCount);
  const code: RejectionCode = request.profileName !== undefined && considered > 0 && counts.noAdmittingProfile === considered ? 'PROFILE_MISMATCH' : 'NO_SUITABLE_RUNNER';
  return rejection(code, considered, counts, nearestMisses);
}

/** A rejection whose message is formatted on first read (simulations never read it). */
function rejection(code: RejectionCode, considered: number, reasons: Record<RejectionReason, number>, nearestMisses: NearestMiss[]): Rejection {
  let message: string | undefined;
  const result = { ok: false as const, code, considered, reasons: Object.freeze(reasons), nearestMisses: Object.freeze(nearestMisses) };
  Object.defineProperty(result, 'message', {
    enumerable: true,
    get: () => (message ??= rejectionMessage(considered, reasons)),
  });
  return Object.freeze(result) as Rejection;
}

/** Runners failing the fewest reasons, fewest first, then by ascending runnerId. */
function nearest(t: RunnerTable, request: SandboxRequest, c: RequestConditions, planes: Uint32Array[], missCount: number): NearestMiss[] {
  const chosen: number[] = [];
  const idOf = (slot: number) => t.runnerAt(slot).runnerId;
  const [p0, p1, p2, p3] = planes as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  for (let level = 1; level < 16 && chosen.length < missCount; level++) {
    const need = missCount - chosen.length;
    const best: number[] = []; // up to `need` slots of this level, ascending runnerId
    for (let i = 0; i < t.wordCount; i++) {
      let w = (t.live.words[i] as number) & (level & 1 ? (p0[i] as number) : ~(p0[i] as number));
      w &= level & 2 ? (p1[i] as number) : ~(p1[i] as number);
      w &= level & 4 ? (p2[i] as number) : ~(p2[i] as number);
      w &= level & 8 ? (p3[i] as number) : ~(p3[i] as number);
      while (w !== 0) {
        const low = w & -w;
        const slot = (i << 5) + 31 - Math.clz32(low);
        w ^= low;
        const id = idOf(slot);
        if (best.length === need && id >= idOf(best[need - 1] as number)) continue;
        let at = best.length;
        while (at > 0 && idOf(best[at - 1] as number) > id) at--;
        best.splice(at, 0, slot);
        if (best.length > need) best.pop();
      }
    }
    chosen.push(...best);
  }
  return chosen.map((slot) => describeMiss(t, request, c, slot));
}

function describeMiss(t: RunnerTable, request: SandboxRequest, c: RequestConditions, slot: number): NearestMiss {
  const i = slot >>> 5;
  const bit = 1 << (slot & 31);
  const reasons: RejectionReason[] = [];
  for (const condition of c.conditions) {
    if (condition.pass.some((set) => ((set[i] as number) & bit) === 0)) reasons.push(condition.reason);
  }
  const known = t.known.has(slot);
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
