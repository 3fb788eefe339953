import type { RejectionReason, SandboxRequest } from '../../types.js';
import type { Bitset, CountedBitset } from '../bitset.js';
import type { ThresholdBounds } from '../capacity-index.js';
import type { Band, Conjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import type { ValueIndex } from '../value-index.js';

/** One reason a runner may be excluded, as the bitsets a runner must be in to pass it. */
export interface Condition {
  readonly reason: RejectionReason;
  /** A runner passes when its bit is set in every one of these. */
  readonly pass: readonly Uint32Array[];
  /**
   * How many live runners fail it, when the index knows without counting (a flag's or a
   * value's size; every such set holds live runners only); else undefined.
   */
  readonly failing: number | undefined;
}

/**
 * A capacity dimension of a request: the runners at or above the threshold level below the
 * request (`lower`), and the band of them to compare exactly (undefined when `lower` is exact).
 */
export interface CapacityCondition {
  readonly reason: 'insufficientCpu' | 'insufficientMemory' | 'insufficientGpu';
  readonly requested: number;
  readonly available: Float64Array;
  readonly lower: Uint32Array;
  readonly band: Band | undefined;
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
  const ix = t.indexes;
  const live = ix.live.count;
  const flag = (reason: RejectionReason, set: CountedBitset): Condition => ({ reason, pass: [set.words], failing: live - set.count });
  const value = (reason: RejectionReason, index: ValueIndex, v: string): Condition => ({ reason, pass: [index.words(v) ?? none], failing: live - index.count(v) });
  const conditions: Condition[] = [flag('unhealthy', ix.healthy), flag('unknownResources', ix.known)];
  if (r.gpuType !== undefined) conditions.push(value('gpuType', ix.gpuType, r.gpuType));
  else if (r.gpuCount > 0) conditions.push(flag('gpuType', ix.anyGpuType));
  if (r.architecture !== undefined) conditions.push(value('architecture', ix.architecture, r.architecture));
  if (r.privileged === true) conditions.push(flag('privileged', ix.privileged));
  if (r.storageClass !== undefined) conditions.push(value('storageClass', ix.storageClass, r.storageClass));
  conditions.push({ reason: 'noAdmittingProfile', pass: [admitting.words], failing: undefined });
  if (r.runnerGroupId !== undefined) conditions.push(value('runnerGroup', ix.group, r.runnerGroupId));
  if (allowList) conditions.push({ reason: 'allowList', pass: [allowList.words], failing: undefined });
  if (r.tags?.length === 1) conditions.push(value('tags', ix.tag, r.tags[0] as string));
  else if (r.tags !== undefined && r.tags.length > 1) conditions.push({ reason: 'tags', pass: r.tags.map((tag) => ix.tag.words(tag) ?? none), failing: undefined });
  const capacity: CapacityCondition[] = [
    capacityCondition('insufficientCpu', r.cpuMillicores, t.availCpu, t.indexes.cpuIndex.bounds(r.cpuMillicores)),
    capacityCondition('insufficientMemory', r.memoryBytes, t.availMem, t.indexes.memIndex.bounds(r.memoryBytes)),
    capacityCondition('insufficientGpu', r.gpuCount, t.availGpu, t.indexes.gpuIndex.bounds(r.gpuCount)),
  ];
  return { conditions, capacity };
}

function capacityCondition(reason: CapacityCondition['reason'], requested: number, available: Float64Array, bounds: ThresholdBounds): CapacityCondition {
  const band = bounds.upper ? { upper: bounds.upper.words, available, min: requested } : undefined;
  return { reason, requested, available, lower: bounds.lower.words, band };
}

/** Conditions almost every runner passes: AND-ed last, as the one `placeable` set. */
const DENSE: ReadonlySet<RejectionReason> = new Set<RejectionReason>(['unhealthy', 'unknownResources']);

/**
 * The fit test as one conjunction: cheapest exclusions first (capability bitsets, then the
 * capacity thresholds), exact comparisons only for the few runners between two thresholds.
 * Requested ≤ maximum needs no test of its own: available never exceeds a disclosed maximum.
 */
export function fitConjunction(t: RunnerTable, c: RequestConditions): Conjunction {
  // The most selective bitsets first, so that the word-wise AND stops early on zero words:
  // the request's own values and the admission set, then capacity, then health and liveness.
  const must: Uint32Array[] = [];
  for (const condition of c.conditions) if (!DENSE.has(condition.reason)) must.push(...condition.pass);
  const bands: Band[] = [];
  for (const cap of c.capacity) {
    // A request of 0 needs only known resources (threshold 0 is the known set, added below).
    if (cap.requested === 0) continue;
    must.push(cap.lower);
    if (cap.band) bands.push(cap.band);
  }
  // Healthy with known resources, in one set (known resources imply a live runner, so `live`
  // itself need not be AND-ed).
  must.push(t.indexes.placeable.words);
  return { must, bands };
}
