import { grown } from '../grown.js';
import { compareIds, idBefore, idOrder } from '../order.js';
import { runnerRecord } from '../snapshot/records.js';
import type { Runner, RunnerResources } from '../types.js';
import { IdMap } from './id-map.js';
import { RunnerIndexes } from './runner-indexes.js';

const INITIAL_WORDS = 4;

/**
 * Runners in dense slots: the records, the amounts as typed arrays (structure of arrays, read
 * by slot), reservations, generations and the runnerId order — and {@link indexes}, every index
 * the queries and placement read, which only this table writes.
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
  slotOf: IdMap;
  private freeSlots: number[];
  /** The next slot never used yet. */
  private highWater: number;

  /** Every index over the slots, kept current by the methods below (see {@link RunnerIndexes}). */
  readonly indexes: RunnerIndexes;
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
  /**
   * Changes whenever the runner's state changes; unique across slots and time, and across a
   * table and its clones, which draw from one shared counter.
   */
  generation: Float64Array;
  private readonly stamps: { value: number };

  private zeroWords: Uint32Array | undefined;
  /**
   * Whether slot order is runnerId order (a higher slot holds a greater id): true while runners
   * are only appended in id order (as `fromSnapshot` adds them) or removed; then the first
   * fitting runners by id are the lowest set bits of the fit bitset.
   */
  private inIdOrder: boolean;
  /** The id of the last runner appended (at the high-water slot). */
  private lastAppended: string | undefined;
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
    this.slotOf = from ? from.slotOf.clone() : new IdMap();
    this.freeSlots = from ? from.freeSlots.slice() : [];
    this.highWater = from ? from.highWater : 0;
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
    this.generation = copy(from?.generation);
    this.indexes = from ? from.indexes.clone(this) : new RunnerIndexes(this, words);
    this.stamps = from ? from.stamps : { value: 0 };
    this.views = from ? from.views.slice() : [];
    this.bare = from ? from.bare.slice() : [];
    this.order = from?.order?.slice();
    this.inIdOrder = from ? from.inIdOrder : true;
    this.lastAppended = from?.lastAppended;
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

  /** Whether slot order is runnerId order (see {@link inIdOrder}). */
  get slotOrderIsIdOrder(): boolean {
    return this.inIdOrder;
  }

  /** Whether the runner of slot `a` comes before that of slot `b` in runnerId order. */
  slotBefore(a: number, b: number): boolean {
    if (this.inIdOrder) return a < b;
    const rank = this.ranks();
    return (rank[a] as number) < (rank[b] as number);
  }

  /** A slot for the runner; `after` when its id is known to come after every id appended before. */
  private allocate(runnerId: string, after = false): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) {
      this.inIdOrder = false;
      return reused;
    }
    if (!after && this.lastAppended !== undefined && !idBefore(this.lastAppended, runnerId)) this.inIdOrder = false;
    this.lastAppended = runnerId;
    const slot = this.highWater++;
    if (slot >= this.wordCount * 32) this.grow(Math.max(this.wordCount * 2, (slot >>> 5) + 1));
    return slot;
  }

  /** Makes room for `slots` slots at once (a bulk load then never grows a structure twice). */
  makeRoom(slots: number): void {
    const words = (slots + 31) >>> 5;
    if (words > this.wordCount) this.grow(words);
    for (const a of [this.runners, this.reported, this.views, this.bare, this.ingressOf, this.egressOf] as unknown[][]) {
      if (a.length < slots) a.length = slots;
    }
  }

  private grow(words: number): void {
    this.wordCount = words;
    const slots = words * 32;
    this.availCpu = grown(this.availCpu, slots);
    this.availMem = grown(this.availMem, slots);
    this.availGpu = grown(this.availGpu, slots);
    this.maxCpu = grown(this.maxCpu, slots);
    this.maxMem = grown(this.maxMem, slots);
    this.maxGpu = grown(this.maxGpu, slots);
    this.reservedCpu = grown(this.reservedCpu, slots);
    this.reservedMem = grown(this.reservedMem, slots);
    this.reservedGpu = grown(this.reservedGpu, slots);
    this.reservedCount = grown(this.reservedCount, slots);
    this.generation = grown(this.generation, slots);
    this.indexes.grow(words);
  }

  private touch(slot: number): void {
    this.generation[slot] = ++this.stamps.value;
    this.views[slot] = undefined;
    this.bare[slot] = undefined;
  }

  /** Adds a runner or replaces the one with the same id (keeping its slot and reservations). */
  upsert(runner: Runner): number {
    return this.put(runner, this.slotOf.get(runner.runnerId));
  }

  /**
   * Fills an empty table: `runners[i]` goes to slot i. The runners come in runnerId order, each
   * id after the one before (as `fromSnapshot` has them: validated so, or sorted), so no id is
   * compared again (in a sorted document's order two far apart records each time). `slotOf`,
   * when given, is already their id → index map: the table takes it over.
   */
  addInSlotOrder(runners: readonly Runner[], slotOf?: IdMap): void {
    if (this.highWater !== 0) throw new Error('addInSlotOrder needs an empty table');
    this.slotOf = slotOf ?? new IdMap(runners.length);
    this.indexes.beginCapacityLoad(runners.length);
    try {
      for (let i = 0; i < runners.length; i++) this.put(runners[i] as Runner, undefined, slotOf === undefined, true);
    } finally {
      this.indexes.endCapacityLoad();
    }
  }

  private put(runner: Runner, existing: number | undefined, mapId = true, afterLast = false): number {
    const slot = existing ?? this.allocate(runner.runnerId, afterLast);
    if (existing !== undefined) this.indexes.removeValues(slot, this.runnerAt(slot));
    this.runners[slot] = runner;
    if (existing === undefined) {
      if (mapId) this.slotOf.set(runner.runnerId, slot);
      this.orderInsert(slot);
    }
    this.reported[slot] = runner.resources;
    this.indexes.addRunner(slot, runner);
    this.maxCpu[slot] = runner.maxCpuMillicores;
    this.maxMem[slot] = runner.maxMemoryBytes;
    this.maxGpu[slot] = runner.maxGpuCount;
    this.refreshCapacity(slot);
    return slot;
  }

  /** Removes a runner and everything held on it; its slot is reused later. */
  remove(slot: number): void {
    const runner = this.runnerAt(slot);
    this.indexes.removeValues(slot, runner);
    this.setModes(slot, [], []);
    // Unknown resources take the slot out of every capacity index; then the rest goes.
    this.reported[slot] = null;
    this.refreshCapacity(slot);
    this.indexes.removeFlags(slot);
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
    this.runners[slot] = runnerRecord({ ...runner, healthy });
    this.indexes.setHealthy(slot, healthy);
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
    const wasKnown = this.indexes.known.has(slot);
    const cpuFrom = wasKnown ? (this.availCpu[slot] as number) : -1;
    const memFrom = wasKnown ? (this.availMem[slot] as number) : -1;
    const gpuFrom = wasKnown ? (this.availGpu[slot] as number) : -1;
    const cpu = reported ? Math.max(0, reported.availableCpuMillicores - (this.reservedCpu[slot] as number)) : -1;
    const mem = reported ? Math.max(0, reported.availableMemoryBytes - (this.reservedMem[slot] as number)) : -1;
    const gpu = reported ? Math.max(0, reported.availableGpuCount - (this.reservedGpu[slot] as number)) : -1;
    this.availCpu[slot] = Math.max(cpu, 0);
    this.availMem[slot] = Math.max(mem, 0);
    this.availGpu[slot] = Math.max(gpu, 0);
    this.indexes.setCapacity(slot, cpuFrom, memFrom, gpuFrom, cpu, mem, gpu);
    this.touch(slot);
  }

  /** An all-zero word array (never written): the bitset of a value no runner has. */
  zeros(): Uint32Array {
    if (!this.zeroWords || this.zeroWords.length !== this.wordCount) this.zeroWords = new Uint32Array(this.wordCount);
    return this.zeroWords;
  }

  /** Sets the union of profile modes of a runner. */
  setModes(slot: number, ingress: readonly string[], egress: readonly string[]): void {
    this.indexes.setModes(slot, this.ingressOf[slot] ?? [], this.egressOf[slot] ?? [], ingress, egress);
    this.ingressOf[slot] = ingress;
    this.egressOf[slot] = egress;
    this.touch(slot);
  }

  /** Sets whether one of the runner's profiles is bound (the catalog works it out from its profiles). */
  setBound(slot: number, bound: boolean): void {
    this.indexes.setBound(slot, bound);
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
      view = resources === runner.resources ? runner : runnerRecord({ ...runner, resources });
      this.views[slot] = view;
    }
    return view;
  }

  /** The runner with the resources last reported (reservations left out). */
  reportedViewAt(slot: number): Runner {
    const runner = this.runnerAt(slot);
    const reported = this.reported[slot] ?? null;
    return reported === runner.resources ? runner : runnerRecord({ ...runner, resources: reported });
  }

  /** The runner without its resources (`resources: null`), as listings return it by default. */
  bareAt(slot: number): Runner {
    let view = this.bare[slot];
    if (!view) {
      const runner = this.runnerAt(slot);
      view = runner.resources === null ? runner : runnerRecord({ ...runner, resources: null });
      this.bare[slot] = view;
    }
    return view;
  }

  /** Live slots in ascending runnerId order (by code point: see `order.ts`). */
  slotsInIdOrder(): readonly number[] {
    if (!this.order) {
      const slots: number[] = [];
      const ids: string[] = [];
      for (let slot = 0; slot < this.highWater; slot++) {
        const runner = this.runners[slot];
        if (runner === undefined) continue;
        slots.push(slot);
        ids.push(runner.runnerId);
      }
      this.order = Array.from(idOrder(ids), (k) => slots[k] as number);
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
