import { grown } from '../grown.js';
import { sameProduct } from './placement/exact.js';
import type { Amounts } from './shape-index.js';

/**
 * The runners of `balanced`'s key in the cells of CPU and memory alone (no GPUs, both maxima
 * disclosed), grouped per list by exactly equal maxima and free-fraction difference
 * δ = A_cpu / M_cpu − A_mem / M_mem. There a runner's balanced score is
 * 100 × (1 − |δ − ρ|) with ρ = q_cpu / M_cpu − q_mem / M_mem: every runner of a group scores
 * exactly the same for any request, so the group's lowest fitting runnerIds are its best, and
 * its score is known before any of them is read.
 *
 * Balanced placement gathers the runners of a machine type at a few such differences (a request
 * in the machine's proportions leaves δ where it was), so a list of a hundred runners holds a
 * handful of groups. Members are kept in runnerId order; a group is identified by the key value
 * of the runner that made it (a float, compared first) and then exactly: a runner joins when
 * (A_cpu − A'_cpu) · M_mem = (A_mem − A'_mem) · M_cpu against that runner's amounts A', in
 * integer products without rounding ({@link sameProduct}).
 *
 * Where amounts are scattered (free capacity anywhere from empty to full), groups hold a runner
 * or two and keeping them costs more than they save: a cell of at least `GROUP_TUNING.judgeFrom`
 * runners where more than `GROUP_TUNING.alone` of them are alone in their groups is left
 * ungrouped, and grouped again once its runners changed `GROUP_TUNING.retryAfter` times as many
 * times as it had runners — twice as long after each time grouping it again found it no better,
 * up to `GROUP_TUNING.mostPatience` times as long.
 */
export class DeltaGroups {
  /** Per slot, its group (-1: none). */
  private groupOf: Int32Array;
  /** Per group: the key value, maxima and amounts of the runner that made it, and its list. */
  readonly value: number[];
  readonly maxCpu: number[];
  readonly maxMem: number[];
  private readonly cpuAt: number[];
  private readonly memAt: number[];
  private readonly listOf: number[];
  /** Per group, its slots in runnerId order (empty: a free group). */
  readonly members: number[][];
  private readonly free: number[];
  /** Per list (cell × buckets + bucket), its groups. */
  readonly ofList: Array<number[] | undefined>;
  /** Per cell: its runners in groups, those alone in theirs, and changes left before it is grouped again (0: grouped). */
  private runnersIn: Int32Array;
  private alone: Int32Array;
  private ungrouped: Float64Array;
  /** Per cell, how many times `GROUP_TUNING.retryAfter` it waits when left ungrouped. */
  private patience: Int32Array;
  /** While {@link regroup} runs: a cell is judged once, at the end. */
  private regrouping = false;

  constructor(
    private readonly table: Amounts,
    /** Lists per cell. */
    private readonly buckets: number,
    slots: number,
    from?: DeltaGroups,
  ) {
    this.groupOf = from ? from.groupOf.slice() : new Int32Array(slots).fill(-1);
    this.value = from ? from.value.slice() : [];
    this.maxCpu = from ? from.maxCpu.slice() : [];
    this.maxMem = from ? from.maxMem.slice() : [];
    this.cpuAt = from ? from.cpuAt.slice() : [];
    this.memAt = from ? from.memAt.slice() : [];
    this.listOf = from ? from.listOf.slice() : [];
    this.members = from ? from.members.map((m) => m.slice()) : [];
    this.free = from ? from.free.slice() : [];
    this.ofList = from ? from.ofList.map((l) => l?.slice()) : [];
    this.runnersIn = from ? from.runnersIn.slice() : new Int32Array(0);
    this.alone = from ? from.alone.slice() : new Int32Array(0);
    this.ungrouped = from ? from.ungrouped.slice() : new Float64Array(0);
    this.patience = from ? from.patience.slice() : new Int32Array(0);
  }

  clone(table: Amounts): DeltaGroups {
    return new DeltaGroups(table, this.buckets, 0, this);
  }

  grow(slots: number): void {
    this.groupOf = grown(this.groupOf, slots, -1);
  }

  /** Makes room for `cells` cells (a new cell is grouped). */
  ensureCells(cells: number): void {
    if (this.runnersIn.length >= cells) return;
    const room = Math.max(cells, 2 * this.runnersIn.length);
    this.runnersIn = grown(this.runnersIn, room);
    this.alone = grown(this.alone, room);
    this.ungrouped = grown(this.ungrouped, room);
    this.patience = grown(this.patience, room, 1);
  }

  /** The group of a slot, or -1. */
  of(slot: number): number {
    return this.groupOf[slot] as number;
  }

  /** Whether every runner of the cell is in a group (else none is). */
  grouped(cell: number): boolean {
    return this.ungrouped[cell] === 0;
  }

  /**
   * An ungrouped cell's runner changed: true when the cell is due to be grouped again (the
   * caller then hands {@link regroup} every runner of it).
   */
  waited(cell: number): boolean {
    const left = this.ungrouped[cell] as number;
    this.ungrouped[cell] = left - 1;
    return left === 1;
  }

  /** Files a slot of a grouped `cell` and list `list` with key value `value`, amounts available and maxima as given. */
  put(slot: number, cell: number, list: number, value: number, cpu: number, mem: number, maxCpu: number, maxMem: number): void {
    const before = this.groupOf[slot] as number;
    if (before >= 0) {
      if (this.listOf[before] === list && this.holds(before, value, cpu, mem, maxCpu, maxMem)) return;
      this.leave(slot, before);
    }
    this.join(slot, cell, list, value, cpu, mem, maxCpu, maxMem);
  }

  /** Groups a cell again: `each` hands {@link put} every runner of it. */
  regroup(cell: number, each: () => void): void {
    this.ungrouped[cell] = 0;
    this.regrouping = true;
    try {
      each();
    } finally {
      this.regrouping = false;
    }
    const patience = this.patience[cell] as number;
    this.patience[cell] = 1;
    if (this.judge(cell, patience)) this.patience[cell] = Math.min(GROUP_TUNING.mostPatience, 2 * patience);
  }

  /** Takes a slot out of its group, if it has one. */
  drop(slot: number): void {
    const g = this.groupOf[slot] as number;
    if (g >= 0) this.leave(slot, g);
  }

  private join(slot: number, cell: number, list: number, value: number, cpu: number, mem: number, maxCpu: number, maxMem: number): void {
    let groups = this.ofList[list];
    if (!groups) this.ofList[list] = groups = [];
    let g = -1;
    for (let i = 0; i < groups.length && g < 0; i++) if (this.holds(groups[i] as number, value, cpu, mem, maxCpu, maxMem)) g = groups[i] as number;
    const made = g < 0;
    if (made) {
      g = this.make(list, value, cpu, mem, maxCpu, maxMem);
      groups.push(g);
    }
    const members = this.members[g] as number[];
    // After every member before it in runnerId order (binary search), the rest moved up one.
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.table.slotBefore(members[mid] as number, slot)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = members.length; i > lo; i--) members[i] = members[i - 1] as number;
    members[lo] = slot;
    this.groupOf[slot] = g;
    this.runnersIn[cell] = (this.runnersIn[cell] as number) + 1;
    this.alone[cell] = (this.alone[cell] as number) + (made ? 1 : members.length === 2 ? -1 : 0);
    if (made && !this.regrouping) this.judge(cell, this.patience[cell] as number);
  }

  /**
   * Leaves a cell ungrouped, for `patience` × `GROUP_TUNING.retryAfter` changes a runner, when
   * too many of its runners are alone in their groups for the groups to pay; true when it did.
   */
  private judge(cell: number, patience: number): boolean {
    const runners = this.runnersIn[cell] as number;
    if (runners < GROUP_TUNING.judgeFrom || (this.alone[cell] as number) <= GROUP_TUNING.alone * runners) return false;
    for (let list = cell * this.buckets; list < (cell + 1) * this.buckets; list++) {
      const groups = this.ofList[list];
      if (!groups) continue;
      for (const g of groups) {
        for (const slot of this.members[g] as number[]) this.groupOf[slot] = -1;
        (this.members[g] as number[]).length = 0;
        this.free.push(g);
      }
      groups.length = 0;
    }
    this.runnersIn[cell] = 0;
    this.alone[cell] = 0;
    this.ungrouped[cell] = Math.max(1, GROUP_TUNING.retryAfter * patience * runners);
    return true;
  }

  /** Whether a runner of these amounts and maxima belongs to group `g`: the same key value, maxima and δ, exactly. */
  private holds(g: number, value: number, cpu: number, mem: number, maxCpu: number, maxMem: number): boolean {
    if (this.value[g] !== value || this.maxCpu[g] !== maxCpu || this.maxMem[g] !== maxMem) return false;
    // (A_cpu − A'_cpu) / M_cpu = (A_mem − A'_mem) / M_mem, both sides of one sign.
    const dc = cpu - (this.cpuAt[g] as number);
    const dm = mem - (this.memAt[g] as number);
    if (dc === 0 || dm === 0) return dc === 0 && dm === 0;
    if (dc > 0 !== dm > 0) return false;
    return sameProduct(Math.abs(dc), maxMem, Math.abs(dm), maxCpu);
  }

  private make(list: number, value: number, cpu: number, mem: number, maxCpu: number, maxMem: number): number {
    const g = this.free.length > 0 ? (this.free.pop() as number) : this.members.length;
    if (g === this.members.length) this.members.push([]);
    this.value[g] = value;
    this.maxCpu[g] = maxCpu;
    this.maxMem[g] = maxMem;
    this.cpuAt[g] = cpu;
    this.memAt[g] = mem;
    this.listOf[g] = list;
    return g;
  }

  private leave(slot: number, g: number): void {
    const members = this.members[g] as number[];
    const last = members.length - 1;
    for (let i = members.indexOf(slot); i < last; i++) members[i] = members[i + 1] as number;
    members.length = last;
    this.groupOf[slot] = -1;
    const list = this.listOf[g] as number;
    const cell = (list / this.buckets) | 0;
    this.runnersIn[cell] = (this.runnersIn[cell] as number) - 1;
    this.alone[cell] = (this.alone[cell] as number) + (last === 0 ? -1 : last === 1 ? 1 : 0);
    if (last > 0) return;
    const groups = this.ofList[list] as number[];
    groups[groups.indexOf(g)] = groups[groups.length - 1] as number;
    groups.pop();
    this.free.push(g);
  }
}

/**
 * When a cell is grouped (see {@link DeltaGroups}); the answers are the same either way.
 * Internal: the tests set these so that cells are left ungrouped and grouped again often.
 */
export const GROUP_TUNING = { alone: 1 / 2, judgeFrom: 32, retryAfter: 16, mostPatience: 64 };
