import type { RejectionReason, SandboxRequest } from '../../types.js';
import type { Bitset, CountedBitset } from '../bitset.js';
import type { CapacityIndex, ThresholdBounds } from '../capacity-index.js';
import type { ChangeLog } from '../change-log.js';
import type { Band, Conjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import type { ValueIndex } from '../value-index.js';
import { admissionKey } from './admission.js';

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
  /** Every condition but capacity, in the order of REASONS. */
  readonly conditions: readonly Condition[];
  /** The requested dimensions only (a request of 0 fails no runner). */
  readonly capacity: readonly CapacityCondition[];
  /**
   * What `conditions` depend on: the request ({@link conditionsKey} names the fields they come
   * from), the admission set and the admission cache's changes (its sets change in place).
   */
  readonly request: SandboxRequest;
  readonly admitting: Bitset;
  readonly admissionChanges: ChangeLog;
}

/**
 * Turns a request into per-reason bitsets. A value the catalog has never seen (an unknown GPU
 * type, group or tag) passes no runner: its condition is the all-zero bitset. Built only to
 * explain a rejection; {@link fitConjunction} ANDs the same sets without building these (the
 * placement properties against the brute-force placer hold the two to the same runners).
 */
export function requestConditions(t: RunnerTable, r: SandboxRequest, admitting: Bitset, admissionChanges: ChangeLog, allowList: Bitset | undefined): RequestConditions {
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
  // A dimension requested as 0 fails no runner: it has no condition.
  const capacity: CapacityCondition[] = [];
  if (r.cpuMillicores > 0) capacity.push(capacityCondition('insufficientCpu', r.cpuMillicores, t.availCpu, t.indexes.cpuIndex.bounds(r.cpuMillicores)));
  if (r.memoryBytes > 0) capacity.push(capacityCondition('insufficientMemory', r.memoryBytes, t.availMem, t.indexes.memIndex.bounds(r.memoryBytes)));
  if (r.gpuCount > 0) capacity.push(capacityCondition('insufficientGpu', r.gpuCount, t.availGpu, t.indexes.gpuIndex.bounds(r.gpuCount)));
  return { conditions, capacity, request: r, admitting, admissionChanges };
}

/**
 * The request fields {@link requestConditions}' `conditions` come from, as one string, equal for
 * two requests whose `conditions` are the same sets: the admission class's key (which holds the
 * GPU type or the need of one, and the architecture), then the other fields joined by NUL, each
 * value marked, lists' items by NUL too (JSON when a value holds one).
 */
export function conditionsKey(r: SandboxRequest): string {
  const admission = admissionKey(r);
  let key = `${admission}\0${r.privileged === true ? 'p' : '-'}`;
  let nul = false;
  for (const value of [r.storageClass, r.runnerGroupId]) {
    if (value === undefined) key += '\0-';
    else {
      key += `\0=${value}`;
      nul ||= value.includes('\0');
    }
  }
  for (const list of [r.runnerIds, r.tags]) {
    if (list === undefined) key += '\0-';
    else {
      key += `\0[${list.length}`;
      for (const item of list) {
        key += `\0${item}`;
        nul ||= item.includes('\0');
      }
    }
  }
  return nul ? JSON.stringify([admission, r.privileged === true, r.storageClass, r.runnerGroupId, r.runnerIds, r.tags]) : key;
}

function capacityCondition(reason: CapacityCondition['reason'], requested: number, available: Float64Array, bounds: ThresholdBounds): CapacityCondition {
  const band = bounds.upper ? { upper: bounds.upper.words, available, min: requested } : undefined;
  return { reason, requested, available, lower: bounds.lower.words, band };
}

/**
 * The fit test as one conjunction, built straight from the request (no {@link Condition} objects:
 * those are built only when nothing fits, to explain it): the same sets as
 * {@link requestConditions}, health and known resources as the one `placeable` set, AND-ed last.
 * The most selective bitsets come first, so that the word-wise AND stops early on zero words:
 * the request's own values and the admission set, then capacity, then placeable. Exact
 * comparisons only for the few runners between two thresholds. Requested ≤ maximum needs no test
 * of its own: available never exceeds a disclosed maximum.
 *
 * Undefined when one of the sets is known to be empty without reading it — a value no runner
 * has (an unknown GPU type, group or tag), a flag no runner has, a capacity level no runner
 * reaches (more GPUs than any runner has free): then nothing fits, and no word is AND-ed.
 */
export function fitConjunction(t: RunnerTable, r: SandboxRequest, admitting: Bitset, allowList: Bitset | undefined): Conjunction | undefined {
  const ix = t.indexes;
  const must: Uint32Array[] = [];
  if (r.gpuType !== undefined ? !added(must, ix.gpuType.words(r.gpuType)) : r.gpuCount > 0 && !addedFlag(must, ix.anyGpuType)) return undefined;
  if (r.architecture !== undefined && !added(must, ix.architecture.words(r.architecture))) return undefined;
  if (r.privileged === true && !addedFlag(must, ix.privileged)) return undefined;
  if (r.storageClass !== undefined && !added(must, ix.storageClass.words(r.storageClass))) return undefined;
  must.push(admitting.words);
  if (r.runnerGroupId !== undefined && !added(must, ix.group.words(r.runnerGroupId))) return undefined;
  if (allowList) must.push(allowList.words);
  if (r.tags !== undefined) for (const tag of r.tags) if (!added(must, ix.tag.words(tag))) return undefined;
  const bands: Band[] = [];
  if (!threshold(must, bands, r.cpuMillicores, ix.cpuIndex, t.availCpu)) return undefined;
  if (!threshold(must, bands, r.memoryBytes, ix.memIndex, t.availMem)) return undefined;
  if (!threshold(must, bands, r.gpuCount, ix.gpuIndex, t.availGpu)) return undefined;
  // Healthy with known resources, in one set (known resources imply a live runner, so `live`
  // itself need not be AND-ed).
  must.push(ix.placeable.words);
  return { must, bands };
}

/** Adds a value's set to `must`; false for a value no runner has (a value index keeps no empty value). */
function added(must: Uint32Array[], words: Uint32Array | undefined): boolean {
  if (words === undefined) return false;
  must.push(words);
  return true;
}

/** Adds a flag's set to `must`; false when no runner has the flag. */
function addedFlag(must: Uint32Array[], set: CountedBitset): boolean {
  if (set.count === 0) return false;
  must.push(set.words);
  return true;
}

/**
 * A capacity minimum: its lower threshold bitset, and the band to compare exactly (none for a
 * request of 0: threshold 0 is the known set, in placeable). False when no runner reaches the
 * lower threshold.
 */
function threshold(must: Uint32Array[], bands: Band[], requested: number, index: CapacityIndex, available: Float64Array): boolean {
  if (requested === 0) return true;
  const bounds = index.bounds(requested);
  if (bounds.lowerSize === 0) return false;
  must.push(bounds.lower.words);
  if (bounds.upper) bands.push({ upper: bounds.upper.words, available, min: requested });
  return true;
}
