import type { Runner } from '../types.js';
import { Bitset, CountedBitset } from './bitset.js';
import { CapacityIndex } from './capacity-index.js';
import { ChangeLog } from './change-log.js';
import { type Amounts, ShapeIndex } from './shape-index.js';
import { ValueIndex } from './value-index.js';

/**
 * Every index over a runner table's slots — what the queries and placement read: one bitset per
 * flag and per capability value, threshold bitsets per capacity dimension, and the shape index.
 * Written only by the table (`runner-table.ts`), through the few methods below, each saying
 * what changed; read by everyone else.
 */
export class RunnerIndexes {
  readonly live: CountedBitset;
  readonly healthy: CountedBitset;
  readonly known: CountedBitset;
  readonly privileged: CountedBitset;
  /** Healthy runners with known resources: what every placement needs, as one bitset. */
  readonly placeable: Bitset;
  /** Runners with at least one bound profile: no request is admitted on the others. */
  readonly bound: Bitset;
  /** Runners that support at least one GPU type (what a GPU request without a type needs). */
  readonly anyGpuType: CountedBitset;
  /** Runners not in a shared organisation (`isShared` false): `excludeShared` ANDs this. */
  readonly unshared: Bitset;
  readonly group: ValueIndex;
  readonly profileName: ValueIndex;
  readonly gpuType: ValueIndex;
  readonly architecture: ValueIndex;
  readonly storageClass: ValueIndex;
  readonly tag: ValueIndex;
  /** Union of the ingress / egress modes of all profiles on the runner. */
  readonly ingress: ValueIndex;
  readonly egress: ValueIndex;
  /** Amounts available, by threshold (see {@link CapacityIndex}). */
  readonly cpuIndex: CapacityIndex;
  readonly memIndex: CapacityIndex;
  readonly gpuIndex: CapacityIndex;
  /** Runners by machine shape and free fractions, for the scoring strategies (see {@link ShapeIndex}). */
  readonly shapes: ShapeIndex;
  /**
   * The changes to the sets a request's conditions read (all but capacity), each with its slot
   * (-1: every slot, as when the table grows): runners joining or leaving, their flags and
   * capability values, and whether their resources are known — not the amounts available, the
   * shape index, `bound` or the modes (admission, which the modes and `bound` come from with the
   * profiles, logs its own). What was worked out from those sets holds while the count stays,
   * or is brought up to date slot by slot (a rejection's per-class counts, `explain.ts`).
   */
  readonly changes: ChangeLog;

  /** `amounts`: the table's amounts, read by the shape index. */
  constructor(amounts: Amounts, words: number, from?: RunnerIndexes) {
    const bitset = (b: Bitset | undefined) => (b ? b.clone() : new Bitset(words));
    const counted = (b: CountedBitset | undefined) => (b ? b.clone() : new CountedBitset(words));
    this.live = counted(from?.live);
    this.healthy = counted(from?.healthy);
    this.known = counted(from?.known);
    this.privileged = counted(from?.privileged);
    this.placeable = bitset(from?.placeable);
    this.bound = bitset(from?.bound);
    this.anyGpuType = counted(from?.anyGpuType);
    this.unshared = bitset(from?.unshared);
    this.group = new ValueIndex(words, from?.group);
    this.profileName = new ValueIndex(words, from?.profileName);
    this.gpuType = new ValueIndex(words, from?.gpuType);
    this.architecture = new ValueIndex(words, from?.architecture);
    this.storageClass = new ValueIndex(words, from?.storageClass);
    this.tag = new ValueIndex(words, from?.tag);
    this.ingress = new ValueIndex(words, from?.ingress);
    this.egress = new ValueIndex(words, from?.egress);
    this.cpuIndex = from ? from.cpuIndex.clone() : new CapacityIndex(words);
    this.memIndex = from ? from.memIndex.clone() : new CapacityIndex(words);
    this.gpuIndex = from ? from.gpuIndex.clone() : new CapacityIndex(words);
    this.shapes = from ? from.shapes.clone(amounts) : new ShapeIndex(amounts, words * 32);
    this.changes = new ChangeLog(from?.changes);
  }

  /** A copy for a clone of the table, whose amounts are `amounts`. */
  clone(amounts: Amounts): RunnerIndexes {
    return new RunnerIndexes(amounts, 0, this);
  }

  grow(words: number): void {
    this.changes.record(-1);
    for (const b of [this.live, this.healthy, this.known, this.privileged, this.unshared, this.placeable, this.bound, this.anyGpuType]) b.grow(words);
    for (const v of [this.group, this.profileName, this.gpuType, this.architecture, this.storageClass, this.tag, this.ingress, this.egress]) v.grow(words);
    for (const c of [this.cpuIndex, this.memIndex, this.gpuIndex]) c.grow(words);
    this.shapes.grow(words * 32);
  }

  /** Files a runner's flags and capability values (its capacity: {@link setCapacity}). */
  addRunner(slot: number, runner: Runner): void {
    this.changes.record(slot);
    this.live.add(slot);
    this.healthy.assign(slot, runner.healthy);
    this.anyGpuType.assign(slot, runner.supportedGpuTypes.length > 0);
    this.privileged.assign(slot, runner.supportsPrivileged);
    this.unshared.assign(slot, !runner.isShared);
    this.group.add(slot, runner.runnerGroupId);
    this.profileName.addAll(slot, runner.profileNames);
    this.gpuType.addAll(slot, runner.supportedGpuTypes);
    this.architecture.addAll(slot, runner.supportedArchitectures);
    this.storageClass.addAll(slot, runner.availableStorageClasses);
    this.tag.addAll(slot, runner.tags);
  }

  /** Takes a runner's capability values out (before it is replaced or removed). */
  removeValues(slot: number, runner: Runner): void {
    this.changes.record(slot);
    this.group.delete(slot, runner.runnerGroupId);
    this.profileName.deleteAll(slot, runner.profileNames);
    this.gpuType.deleteAll(slot, runner.supportedGpuTypes);
    this.architecture.deleteAll(slot, runner.supportedArchitectures);
    this.storageClass.deleteAll(slot, runner.availableStorageClasses);
    this.tag.deleteAll(slot, runner.tags);
  }

  /** Clears a removed runner's flags (its values and capacity are out already). */
  removeFlags(slot: number): void {
    this.changes.record(slot);
    for (const b of [this.live, this.healthy, this.privileged, this.unshared, this.placeable, this.bound, this.anyGpuType]) b.delete(slot);
  }

  setHealthy(slot: number, healthy: boolean): void {
    this.changes.record(slot);
    this.healthy.assign(slot, healthy);
    this.placeable.assign(slot, healthy && this.known.has(slot));
    this.refile(slot);
  }

  setBound(slot: number, bound: boolean): void {
    if (this.bound.has(slot) === bound) return;
    this.bound.assign(slot, bound);
    this.refile(slot);
  }

  /** Around a first load of `slots` slots into empty indexes: see {@link CapacityIndex.beginLoad}. */
  beginCapacityLoad(slots: number): void {
    for (const c of [this.cpuIndex, this.memIndex, this.gpuIndex]) c.beginLoad(slots);
  }

  endCapacityLoad(): void {
    for (const c of [this.cpuIndex, this.memIndex, this.gpuIndex]) c.endLoad();
  }

  /**
   * Moves a slot's amounts from (`cpuFrom`, `memFrom`, `gpuFrom`) to (`cpu`, `mem`, `gpu`)
   * (each -1 when unknown) and refiles it by shape; the table has written the amounts already.
   */
  setCapacity(slot: number, cpuFrom: number, memFrom: number, gpuFrom: number, cpu: number, mem: number, gpu: number): void {
    const known = cpu >= 0;
    if (known !== this.known.has(slot)) this.changes.record(slot);
    this.cpuIndex.update(slot, cpuFrom, cpu);
    this.memIndex.update(slot, memFrom, mem);
    this.gpuIndex.update(slot, gpuFrom, gpu);
    this.known.assign(slot, known);
    this.placeable.assign(slot, known && this.healthy.has(slot));
    // The amounts it was filed with (-1 when unknown: then it was not filed).
    this.refile(slot, cpuFrom, memFrom, gpuFrom);
  }

  /**
   * The shape index holds only runners some request can fit: placeable, with a bound profile.
   * Any other, left in, would sit in the top buckets of its cell (nothing is placed on it, so it
   * stays free) for every spread search to read and pass over.
   */
  private refile(slot: number, cpuFrom?: number, memFrom?: number, gpuFrom?: number): void {
    this.shapes.refresh(slot, this.placeable.has(slot) && this.bound.has(slot), cpuFrom, memFrom, gpuFrom);
  }

  /** Replaces the union of profile modes of a runner. */
  setModes(slot: number, oldIngress: readonly string[], oldEgress: readonly string[], ingress: readonly string[], egress: readonly string[]): void {
    this.ingress.deleteAll(slot, oldIngress);
    this.egress.deleteAll(slot, oldEgress);
    this.ingress.addAll(slot, ingress);
    this.egress.addAll(slot, egress);
  }
}
