import { compareIds, idBefore } from '../order.js';
import type { Runner, RunnerResources } from '../types.js';
import { Bitset } from './bitset.js';
import { CapacityIndex } from './capacity-index.js';
import { ShapeIndex } from './shape-index.js';
import { ValueIndex } from './value-index.js';

const INITIAL_WORDS = 4;


function grownFloat64(a: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length);
  next.set(a);
  return next;
}

/**
 * Runners in dense slots, with every index the queries and placement read: one bitset per
 * capability value, threshold bitsets per capacity dimension, and typed arrays of amounts.
 *
 * Available amounts are effective: what the source of truth reported minus what is reserved
 * here, never below zero. Removed slots are reused.
 */
export class RunnerTable {
  wordCount: number;
  /** The runner as last upserted, by slot (its `resources` may be outdated: see `reported`). */
  runners: Array<Runner | undefined>;
  /** Resources as last reported by the source of truth, by slot. */
  reported: Array<RunnerResources | null>;
  slotOf: Map<string, number>;
  private freeSlots: number[];
  /** The next slot never used yet. */
  private highWater: number;

  readonly live: Bitset;
  readonly healthy: Bitset;
  readonly known: Bitset;
  readonly privileged: Bitset;
  /** Healthy runners with known resources: what every placement needs, as one bitset. */
  readonly placeable: Bitset;
  /** Runners that support at least one GPU type (what a GPU request without a type needs). */
  readonly anyGpuType: Bitset;
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
  ingressOf: Array<readonly string[] | undefined>;
  egressOf: Array<readonly string[] | undefined>;

  availCpu: Float64Array;
  availMem: Float64Array;
  availGpu: Float64Array;
  maxCpu: Float64Array;
  maxMem: Float64Array;
  maxGpu: Float64Array;
  reservedCpu: Float64Array;
  reservedMem: Float64Array;
  reservedGpu: Float64Array;
  reservedCount: Float64Array;
  readonly cpuIndex: CapacityIndex;
  readonly memIndex: CapacityIndex;
  readonly gpuIndex: CapacityIndex;
  /** Runners by machine shape and free fractions, for the scoring strategies (see {@link ShapeIndex}). */
  readonly shapes: ShapeIndex;
  /**
   * Changes whenever the runner's state changes; unique across slots and time, and across a
   * table and its clones, which draw from one shared counter.
   */
  generation: Float64Array;
  private readonly stamps: { value: number };

  private zeroWords: Uint32Array | undefined;
  /** Runners as callers see them (effective resources), built on first read. */
  private views: Array<Runner | undefined>;
  /** Runners with `resources: null`, for listings that do not include resources. */
  private bare: Array<Runner | undefined>;
  /** Live slots in ascending runnerId order, built on first read after a membership change. */
  private order: number[] | undefined;
  private rank: Int32Array | undefined;

  constructor(from?: RunnerTable) {
    const words = from ? from.wordCount : INITIAL_WORDS;
    const slots = words * 32;
    this.wordCount = words;
    this.runners = from ? from.runners.slice() : [];
    this.reported = from ? from.reported.slice() : [];
    this.slotOf = new Map(from?.slotOf);
    this.freeSlots = from ? from.freeSlots.slice() : [];
    this.highWater = from ? from.highWater : 0;
    this.live = from ? from.live.clone() : new Bitset(words);
    this.healthy = from ? from.healthy.clone() : new Bitset(words);
    this.known = from ? from.known.clone() : new Bitset(words);
    this.privileged = from ? from.privileged.clone() : new Bitset(words);
    this.placeable = from ? from.placeable.clone() : new Bitset(words);
    this.anyGpuType = from ? from.anyGpuType.clone() : new Bitset(words);
    this.unshared = from ? from.unshared.clone() : new Bitset(words);
    this.group = new ValueIndex(words, from?.group);
    this.profileName = new ValueIndex(words, from?.profileName);
    this.gpuType = new ValueIndex(words, from?.gpuType);
    this.architecture = new ValueIndex(words, from?.architecture);
    this.storageClass = new ValueIndex(words, from?.storageClass);
    this.tag = new ValueIndex(words, from?.tag);
    this.ingress = new ValueIndex(words, from?.ingress);
    this.egress = new ValueIndex(words, from?.egress);
    this.ingressOf = from ? from.ingressOf.slice() : [];
    this.egressOf = from ? from.egressOf.slice() : [];
    const copy = (a: Float64Array | undefined) => (a ? a.slice() : new Float64Array(slots));
    this.availCpu = copy(from?.availCpu);
    this.availMem = copy(from?.availMem);
    this.availGpu = copy(from?.availGpu);
    this.maxCpu = copy(from?.maxCpu);
    this.maxMem = copy(from?.maxMem);
    this.maxGpu = copy(from?.maxGpu);
    this.reservedCpu = copy(from?.reservedCpu);
    this.reservedMem = copy(from?.reservedMem);
    this.reservedGpu = copy(from?.reservedGpu);
    this.reservedCount = copy(from?.reservedCount);
    this.cpuIndex = from ? from.cpuIndex.clone() : new CapacityIndex(words);
    this.memIndex = from ? from.memIndex.clone() : new CapacityIndex(words);
    this.gpuIndex = from ? from.gpuIndex.clone() : new CapacityIndex(words);
    this.generation = copy(from?.generation);
    this.shapes = from ? from.shapes.clone(this) : new ShapeIndex(this, slots);
    this.stamps = from ? from.stamps : { value: 0 };
    this.views = from ? from.views.slice() : [];
    this.bare = from ? from.bare.slice() : [];
    this.order = from?.order?.slice();
    this.rank = from?.rank;
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Words that can hold a live slot: the kernels loop over these, not the whole capacity. */
  get activeWords(): number {
    return (this.highWater + 31) >>> 5;
  }

  clone(): RunnerTable {
    return new RunnerTable(this);
  }

  runnerAt(slot: number): Runner {
    return this.runners[slot] as Runner;
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.highWater++;
    if (slot >= this.wordCount * 32) this.grow(Math.max(this.wordCount * 2, (slot >>> 5) + 1));
    return slot;
  }

  private grow(words: number): void {
    this.wordCount = words;
    const slots = words * 32;
    for (const b of [this.live, this.healthy, this.known, this.privileged, this.unshared, this.placeable, this.anyGpuType]) b.grow(words);
    for (const v of [this.group, this.profileName, this.gpuType, this.architecture, this.storageClass, this.tag, this.ingress, this.egress]) v.grow(words);
    for (const c of [this.cpuIndex, this.memIndex, this.gpuIndex]) c.grow(words);
    this.availCpu = grownFloat64(this.availCpu, slots);
    this.availMem = grownFloat64(this.availMem, slots);
    this.availGpu = grownFloat64(this.availGpu, slots);
    this.maxCpu = grownFloat64(this.maxCpu, slots);
    this.maxMem = grownFloat64(this.maxMem, slots);
    this.maxGpu = grownFloat64(this.maxGpu, slots);
    this.reservedCpu = grownFloat64(this.reservedCpu, slots);
    this.reservedMem = grownFloat64(this.reservedMem, slots);
    this.reservedGpu = grownFloat64(this.reservedGpu, slots);
    this.reservedCount = grownFloat64(this.reservedCount, slots);
    this.generation = grownFloat64(this.generation, slots);
    this.shapes.grow(slots);
  }

  private touch(slot: number): void {
    this.generation[slot] = ++this.stamps.value;
    this.views[slot] = undefined;
    this.bare[slot] = undefined;
  }

  /** Adds a runner or replaces the one with the same id (keeping its slot and reservations). */
  upsert(runner: Runner): number {
    const existing = this.slotOf.get(runner.runnerId);
    const slot = existing ?? this.allocate();
    if (existing !== undefined) this.unindex(slot, this.runnerAt(slot));
    this.runners[slot] = runner;
    if (existing === undefined) {
      this.slotOf.set(runner.runnerId, slot);
      this.live.add(slot);
      this.orderInsert(slot);
    }
    this.reported[slot] = runner.resources;
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
    this.maxCpu[slot] = runner.maxCpuMillicores;
    this.maxMem[slot] = runner.maxMemoryBytes;
    this.maxGpu[slot] = runner.maxGpuCount;
    this.refreshCapacity(slot);
    return slot;
  }

  private unindex(slot: number, runner: Runner): void {
    this.group.delete(slot, runner.runnerGroupId);
    this.profileName.deleteAll(slot, runner.profileNames);
    this.gpuType.deleteAll(slot, runner.supportedGpuTypes);
    this.architecture.deleteAll(slot, runner.supportedArchitectures);
    this.storageClass.deleteAll(slot, runner.availableStorageClasses);
    this.tag.deleteAll(slot, runner.tags);
  }

  /** Removes a runner and everything held on it; its slot is reused later. */
  remove(slot: number): void {
    const runner = this.runnerAt(slot);
    this.unindex(slot, runner);
    this.setModes(slot, [], []);
    // Unknown resources take the slot out of every capacity index; then the rest goes.
    this.reported[slot] = null;
    this.refreshCapacity(slot);
    for (const b of [this.live, this.healthy, this.privileged, this.unshared, this.placeable, this.anyGpuType]) b.delete(slot);
    for (const a of [this.availCpu, this.availMem, this.availGpu, this.maxCpu, this.maxMem, this.maxGpu, this.reservedCpu, this.reservedMem, this.reservedGpu, this.reservedCount]) a[slot] = 0;
    this.orderRemove(slot);
    this.slotOf.delete(runner.runnerId);
    this.runners[slot] = undefined;
    this.touch(slot);
    this.freeSlots.push(slot);
  }

  /** Replaces the reported resources (the source of truth); reservations stay on top. */
  setResources(slot: number, resources: RunnerResources | null): void {
    this.reported[slot] = resources;
    this.refreshCapacity(slot);
  }

  /** Marks a runner healthy or not; everything else about it stays. */
  setHealthy(slot: number, healthy: boolean): void {
    const runner = this.runnerAt(slot);
    if (runner.healthy === healthy) return;
    this.runners[slot] = Object.freeze({ ...runner, healthy });
    this.healthy.assign(slot, healthy);
    this.placeable.assign(slot, healthy && this.known.has(slot));
    this.touch(slot);
  }

  /** Adds (sign 1) or gives back (sign -1) reserved amounts, then refreshes availability. */
  reserve(slot: number, cpu: number, mem: number, gpu: number, sign: 1 | -1): void {
    this.reservedCpu[slot] = (this.reservedCpu[slot] as number) + sign * cpu;
    this.reservedMem[slot] = (this.reservedMem[slot] as number) + sign * mem;
    this.reservedGpu[slot] = (this.reservedGpu[slot] as number) + sign * gpu;
    this.reservedCount[slot] = (this.reservedCount[slot] as number) + sign;
    this.refreshCapacity(slot);
  }

  /** Recomputes effective availability (reported − reserved, floored at 0) and its indexes. */
  private refreshCapacity(slot: number): void {
    const reported = this.reported[slot] ?? null;
    const wasKnown = this.known.has(slot);
    const before = (a: Float64Array) => (wasKnown ? (a[slot] as number) : -1);
    const cpu = reported ? Math.max(0, reported.availableCpuMillicores - (this.reservedCpu[slot] as number)) : -1;
    const mem = reported ? Math.max(0, reported.availableMemoryBytes - (this.reservedMem[slot] as number)) : -1;
    const gpu = reported ? Math.max(0, reported.availableGpuCount - (this.reservedGpu[slot] as number)) : -1;
    this.cpuIndex.update(slot, before(this.availCpu), cpu);
    this.memIndex.update(slot, before(this.availMem), mem);
    this.gpuIndex.update(slot, before(this.availGpu), gpu);
    this.availCpu[slot] = Math.max(cpu, 0);
    this.availMem[slot] = Math.max(mem, 0);
    this.availGpu[slot] = Math.max(gpu, 0);
    this.known.assign(slot, reported !== null);
    this.placeable.assign(slot, reported !== null && this.healthy.has(slot));
    this.shapes.refresh(slot, reported !== null);
    this.touch(slot);
  }

  /** An all-zero word array (never written): the bitset of a value no runner has. */
  zeros(): Uint32Array {
    if (!this.zeroWords || this.zeroWords.length !== this.wordCount) this.zeroWords = new Uint32Array(this.wordCount);
    return this.zeroWords;
  }

  /** Sets the union of profile modes of a runner. */
  setModes(slot: number, ingress: readonly string[], egress: readonly string[]): void {
    this.ingress.deleteAll(slot, this.ingressOf[slot] ?? []);
    this.egress.deleteAll(slot, this.egressOf[slot] ?? []);
    this.ingress.addAll(slot, ingress);
    this.egress.addAll(slot, egress);
    this.ingressOf[slot] = ingress;
    this.egressOf[slot] = egress;
    this.touch(slot);
  }

  /** Effective resources of a slot, or null when unknown. */
  resourcesAt(slot: number): RunnerResources | null {
    const reported = this.reported[slot] ?? null;
    if (!reported) return null;
    if (this.reservedCount[slot] === 0 && this.reservedCpu[slot] === 0 && this.reservedMem[slot] === 0 && this.reservedGpu[slot] === 0) return reported;
    return Object.freeze({
      availableCpuMillicores: this.availCpu[slot] as number,
      availableMemoryBytes: this.availMem[slot] as number,
      availableGpuCount: this.availGpu[slot] as number,
      runningSandboxes: Math.max(0, reported.runningSandboxes + (this.reservedCount[slot] as number)),
    });
  }

  /** The runner as callers see it: frozen, with effective resources. */
  viewAt(slot: number): Runner {
    let view = this.views[slot];
    if (!view) {
      const runner = this.runnerAt(slot);
      const resources = this.resourcesAt(slot);
      view = resources === runner.resources ? runner : Object.freeze({ ...runner, resources });
      this.views[slot] = view;
    }
    return view;
  }

  /** The runner with the resources last reported (reservations left out). */
  reportedViewAt(slot: number): Runner {
    const runner = this.runnerAt(slot);
    const reported = this.reported[slot] ?? null;
    return reported === runner.resources ? runner : Object.freeze({ ...runner, resources: reported });
  }

  /** The runner without its resources (`resources: null`), as listings return it by default. */
  bareAt(slot: number): Runner {
    let view = this.bare[slot];
    if (!view) {
      const runner = this.runnerAt(slot);
      view = runner.resources === null ? runner : Object.freeze({ ...runner, resources: null });
      this.bare[slot] = view;
    }
    return view;
  }

  /** Live slots in ascending runnerId order (by code point: see `order.ts`). */
  slotsInIdOrder(): readonly number[] {
    if (!this.order) {
      const ids = this.runners;
      this.order = Array.from(this.slotOf.values()).sort((a, b) => {
        return compareIds((ids[a] as Runner).runnerId, (ids[b] as Runner).runnerId);
      });
      this.rank = undefined;
    }
    return this.order;
  }

  /** Where `runnerId` goes in the order (binary search). */
  private orderPosition(runnerId: string): number {
    const order = this.order as number[];
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idBefore((this.runners[order[mid] as number] as Runner).runnerId, runnerId)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where the first runnerId strictly after `runnerId` stands in {@link slotsInIdOrder}. */
  positionAfter(runnerId: string): number {
    const order = this.slotsInIdOrder();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds((this.runners[order[mid] as number] as Runner).runnerId, runnerId) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Keeps a built order current on insert: a binary search and one splice, no re-sort. */
  private orderInsert(slot: number): void {
    if (!this.order) return;
    this.order.splice(this.orderPosition(this.runnerAt(slot).runnerId), 0, slot);
    this.rank = undefined;
  }

  private orderRemove(slot: number): void {
    if (!this.order) return;
    const at = this.orderPosition(this.runnerAt(slot).runnerId);
    if (this.order[at] === slot) this.order.splice(at, 1);
    else this.order = undefined;
    this.rank = undefined;
  }

  /** Position of each slot in {@link slotsInIdOrder}. */
  ranks(): Int32Array {
    const order = this.slotsInIdOrder();
    if (!this.rank || this.rank.length < this.wordCount * 32) {
      const rank = new Int32Array(this.wordCount * 32);
      for (let i = 0; i < order.length; i++) rank[order[i] as number] = i;
      this.rank = rank;
    }
    return this.rank;
  }
}
