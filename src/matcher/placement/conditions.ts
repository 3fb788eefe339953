import type { RejectionReason, SandboxRequest } from '../../types.js';
import type { Bitset } from '../bitset.js';
import type { ThresholdBounds } from '../capacity-index.js';
import type { Conjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import type { ValueIndex } from '../value-index.js';

/** One reason a runner may be excluded, as the bitsets a runner must be in to pass it. */
export interface Condition {
  readonly reason: RejectionReason;
  /** A runner passes when its bit is set in every one of these. */
  readonly pass: readonly Uint32Array[];
}

/** A capacity dimension of a request, with its threshold bounds. */
export interface CapacityCondition {
  readonly reason: 'insufficientCpu' | 'insufficientMemory' | 'insufficientGpu';
  readonly requested: number;
  readonly available: Float64Array;
  readonly bounds: ThresholdBounds;
}

/** Every SPEC §4 condition of a request over the runner table. */
export interface RequestConditions {
  readonly conditions: readonly Condition[];
  readonly capacity: readonly CapacityCondition[];
}

/**
 * Turns a request into per-reason bitsets. A value the catalog has never seen (an unknown GPU
 * type, group or tag) passes no runner: its condition is the all-zero bitset.
 */
export function requestConditions(t: RunnerTable, r: SandboxRequest, admitting: Bitset, allowList: Bitset | undefined): RequestConditions {
  const none = t.zeros();
  const valueOf = (index: ValueIndex, value: string) => index.words(value) ?? none;
  const conditions: Condition[] = [{ reason: 'unhealthy', pass: [t.healthy.words] }, { reason: 'unknownResources', pass: [t.known.words] }];
  if (r.gpuType !== undefined) conditions.push({ reason: 'gpuType', pass: [valueOf(t.gpuType, r.gpuType)] });
  else if (r.gpuCount > 0) conditions.push({ reason: 'gpuType', pass: [anyGpuType(t)] });
  if (r.architecture !== undefined) conditions.push({ reason: 'architecture', pass: [valueOf(t.architecture, r.architecture)] });
  if (r.privileged === true) conditions.push({ reason: 'privileged', pass: [t.privileged.words] });
  if (r.storageClass !== undefined) conditions.push({ reason: 'storageClass', pass: [valueOf(t.storageClass, r.storageClass)] });
  conditions.push({ reason: 'noAdmittingProfile', pass: [admitting.words] });
  if (r.runnerGroupId !== undefined) conditions.push({ reason: 'runnerGroup', pass: [valueOf(t.group, r.runnerGroupId)] });
  if (allowList) conditions.push({ reason: 'allowList', pass: [allowList.words] });
  if (r.tags !== undefined && r.tags.length > 0) conditions.push({ reason: 'tags', pass: r.tags.map((tag) => valueOf(t.tag, tag)) });
  const capacity: CapacityCondition[] = [
    { reason: 'insufficientCpu', requested: r.cpuMillicores, available: t.availCpu, bounds: t.cpuIndex.bounds(r.cpuMillicores) },
    { reason: 'insufficientMemory', requested: r.memoryBytes, available: t.availMem, bounds: t.memIndex.bounds(r.memoryBytes) },
    { reason: 'insufficientGpu', requested: r.gpuCount, available: t.availGpu, bounds: t.gpuIndex.bounds(r.gpuCount) },
  ];
  return { conditions, capacity };
}

/** Runners that support at least one GPU type. */
function anyGpuType(t: RunnerTable): Uint32Array {
  const out = new Uint32Array(t.wordCount);
  t.gpuType.unionInto(out);
  return out;
}

/**
 * The fit test as one conjunction: cheapest exclusions first (capability bitsets, then the
 * capacity thresholds), exact comparisons only for the few runners between two thresholds.
 * Requested ≤ maximum needs no test of its own: available never exceeds a disclosed maximum.
 */
/** Conditions almost every runner passes: AND-ed last. */
const DENSE: ReadonlySet<RejectionReason> = new Set<RejectionReason>(['unhealthy', 'unknownResources']);

export function fitConjunction(c: RequestConditions): Conjunction {
  // The most selective bitsets first, so that the word-wise AND stops early on zero words:
  // the request's own values and the admission set, then capacity, then health and liveness.
  const must: Uint32Array[] = [];
  for (const condition of c.conditions) if (!DENSE.has(condition.reason)) must.push(...condition.pass);
  const upper: Uint32Array[] = [];
  for (const cap of c.capacity) {
    // A request of 0 needs only known resources (threshold 0 is the known set, added below).
    if (cap.requested === 0) continue;
    must.push(cap.bounds.lower.words);
    if (cap.bounds.upper) upper.push(cap.bounds.upper.words);
  }
  // Known resources imply a live runner, so `live` itself need not be AND-ed.
  for (const condition of c.conditions) if (DENSE.has(condition.reason)) must.push(...condition.pass);
  const [cpu, mem, gpu] = c.capacity as [CapacityCondition, CapacityCondition, CapacityCondition];
  const exact =
    upper.length === 0
      ? undefined
      : (slot: number) =>
          (cpu.available[slot] as number) >= cpu.requested &&
          (mem.available[slot] as number) >= mem.requested &&
          (gpu.available[slot] as number) >= gpu.requested;
  return { must, upper, exact };
}
