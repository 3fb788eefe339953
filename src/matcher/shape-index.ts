import { grown } from '../grown.js';
import { slotAt } from './bitset.js';
import { ChangeLog } from './change-log.js';
import { DeltaGroups } from './delta-groups.js';

/** Dimension bits of a key: the dimensions a key averages over. */
export const CPU = 1;
export const MEMORY = 2;
export const GPU = 4;
/** The key of `balanced`: the CPU free fraction minus the memory one, a_cpu − a_mem ∈ [−1, 1]. */
export const BALANCE = 8;
/**
 * `balanced`'s key for cells with GPUs whose three maxima are disclosed: the mean of the CPU and
 * memory free fractions minus the GPU one, (a_cpu + a_mem) / 2 − a_gpu ∈ [−1, 1].
 */
export const GPU_BALANCE = 16;
/**
 * Buckets per cell and key (a multiple of 32: {@link CELL_WORDS} words mark the non-empty ones).
 * Finer buckets make the bounds tighter but give a search more lists to step through: on fleets
 * of many machine shapes (a hundred cells of a hundred runners) most of a search's time goes to
 * stepping from list to list. Measured against 256, simulations there ran 3–13 % faster; spread
 * over a fleet of a few large cells, 7 % slower.
 */
export const BUCKETS = 128;
const CELL_WORDS = BUCKETS / 32;
/** 1 / {@link BUCKETS}, exact (a power of two): a bucket's width, to multiply by. */
export const PER_BUCKET = 1 / BUCKETS;

/** What the index reads of a runner: amounts available and maxima, by slot; and the order of runnerIds. */
export interface Amounts {
  readonly availCpu: Float64Array;
  readonly availMem: Float64Array;
  readonly availGpu: Float64Array;
  readonly maxCpu: Float64Array;
  readonly maxMem: Float64Array;
  readonly maxGpu: Float64Array;
  /** Whether the runner of slot `a` comes before that of slot `b` in runnerId order. */
  slotBefore(a: number, b: number): boolean;
}

/**
 * Runners by machine shape and by how free they are, for the scoring strategies to visit the
 * runners that can win first and stop once no remaining one can (the equivalence classes of
 * Nomad's computed node class, with a free-fraction order inside each).
 *
 * **Cells.** Every runner filed here (the table files those some request can fit: healthy,
 * resources known, a bound profile) is in one cell. A cell is a set of dimensions the runners
 * have (CPU and memory always; GPUs when the maximum or the amount available is positive), the
 * subset of them whose maximum is undisclosed (0), and the disclosed maxima, each rounded down
 * to a power of √2. A cell keeps the smallest and largest disclosed maximum of each
 * dimension it has seen (never shrunk, so they stay bounds; Infinity for an undisclosed one).
 * Within a cell a request's term q_d / M_d differs by less than √2 from runner to runner, and not
 * at all when the cell holds one shape — which is what makes the strategies' bounds tight.
 *
 * **Keys.** A key is a function of the free fractions a_d = A_d / M_d of the disclosed
 * dimensions alone, each in [0, 1]: the mean of a_d over a set of dimensions S (spread and
 * binpack, one key per set of requested dimensions; the undisclosed ones of S are left out of
 * the mean, 0 when none is left), (a_cpu − a_mem + 1) / 2 (balanced; when one of the two is
 * undisclosed, the other's a_d; 1/2 when both are), or ((a_cpu + a_mem) / 2 − a_gpu + 1) / 2
 * (balanced in the cells with GPUs and no undisclosed maximum, the only cells it covers). Per
 * key, each cell files its runners in {@link BUCKETS} buckets of equal width (their edges off
 * the round values: see {@link bucketOf}), with a bit per non-empty bucket. Keys are built the
 * first time a request needs them and kept current on every change after that; a change that
 * leaves a runner in its bucket moves nothing, and its bucket's summaries follow it in place.
 */
export class ShapeIndex {
  /** The cell of each slot filed here; -1 for every other slot. */
  private cellOf: Int32Array;
  private readonly cellByShape: Map<number, number>;
  /** Per cell: its dimensions (CPU | MEMORY, or with GPU). */
  readonly cellDims: number[];
  /** Per cell: the dimensions of `cellDims` whose maximum is undisclosed. */
  readonly cellUndisclosed: number[];
  /** Per cell and dimension (3 entries a cell): smallest and largest disclosed maximum seen. */
  readonly smallest: number[];
  readonly largest: number[];
  /** Runners per cell. */
  readonly cellSize: number[];
  /**
   * Per cell, a count of the changes to it: a runner filed there, taken out, or changed in its
   * amounts or maxima. What a search learnt about a cell holds while its version stays.
   */
  readonly cellVersion: number[];
  /**
   * The version bumps ({@link cellVersion}), each with its cell: a search that knows every
   * cell's version as of a count reads the cells changed since then instead of comparing every
   * cell's version.
   */
  readonly changes: ChangeLog;
  /** In step with {@link changes}: the slot of each bump (the runner filed, taken out or changed). */
  readonly changedSlots: ChangeLog;
  /** The cells, largest first, as of the last sort; reads since then; whether a size changed since. */
  private bySize: number[] = [];
  private readsSinceSort = 0;
  private sizesChanged = false;
  /** By key (dimension bits, BALANCE or GPU_BALANCE). */
  private readonly keys: Array<ShapeKey | undefined>;

  /** `amounts` is read through at every change, so a table that replaces its arrays as it grows is still read right. */
  constructor(
    private readonly amounts: Amounts,
    slots: number,
    from?: ShapeIndex,
  ) {
    this.cellOf = from ? from.cellOf.slice() : new Int32Array(slots).fill(-1);
    this.cellByShape = new Map(from?.cellByShape);
    this.cellDims = from ? from.cellDims.slice() : [];
    this.cellUndisclosed = from ? from.cellUndisclosed.slice() : [];
    this.smallest = from ? from.smallest.slice() : [];
    this.largest = from ? from.largest.slice() : [];
    this.cellSize = from ? from.cellSize.slice() : [];
    this.cellVersion = from ? from.cellVersion.slice() : [];
    this.changes = new ChangeLog(from?.changes);
    this.changedSlots = new ChangeLog(from?.changedSlots);
    this.keys = from ? from.keys.map((k) => k?.clone(amounts)) : [];
  }

  /** A copy reading `amounts` (the clone's own table). */
  clone(amounts: Amounts): ShapeIndex {
    return new ShapeIndex(amounts, 0, this);
  }

  get cellCount(): number {
    return this.cellDims.length;
  }

  /** After the table grew to `slots` slots. */
  grow(slots: number): void {
    this.cellOf = grown(this.cellOf, slots, -1);
    for (const key of this.keys) key?.grow(slots);
  }

  /**
   * Files a slot again after its amounts or maxima changed; `filed` false takes it out. `cpuFrom`,
   * `memFrom` and `gpuFrom` are the amounts available it had when last filed (by default what it
   * has now): the bucket summaries it leaves or stays in are then kept current in place, and
   * worked out again only where it held the most or the least.
   */
  refresh(slot: number, filed: boolean, cpuFrom?: number, memFrom?: number, gpuFrom?: number): void {
    const a = this.amounts;
    const c0 = cpuFrom ?? (a.availCpu[slot] as number);
    const m0 = memFrom ?? (a.availMem[slot] as number);
    const g0 = gpuFrom ?? (a.availGpu[slot] as number);
    const before = this.cellOf[slot] as number;
    const cell = filed ? this.cellFor(slot) : -1;
    if (before >= 0) this.bump(before, slot);
    if (cell >= 0 && cell !== before) this.bump(cell, slot);
    if (cell !== before) {
      if (before >= 0) this.cellSize[before] = (this.cellSize[before] as number) - 1;
      if (cell >= 0) this.cellSize[cell] = (this.cellSize[cell] as number) + 1;
      this.cellOf[slot] = cell;
      this.sizesChanged = true;
    }
    for (let id = 0; id < this.keys.length; id++) {
      const key = this.keys[id];
      if (key) this.file(key, slot, cell, c0, m0, g0);
    }
  }

  private bump(cell: number, slot: number): void {
    this.cellVersion[cell] = (this.cellVersion[cell] as number) + 1;
    this.changes.record(cell);
    this.changedSlots.record(slot);
  }

  /** The cell a slot is filed in, or -1. */
  cellOfSlot(slot: number): number {
    return this.cellOf[slot] as number;
  }

  /**
   * Every cell, the largest first: a search that visits the cells in this order finds a
   * strong k-th best early (a large cell is more likely to hold the best runners and the
   * lowest runnerIds), so that more of the other cells are skipped. Any order gives the same
   * answer, so the order is sorted again only when a cell was added, or after sizes changed
   * and {@link RESORT_AFTER} reads went by — a fleet that changes shape often costs no sort
   * per decision.
   */
  cellsBySize(): readonly number[] {
    if (this.bySize.length !== this.cellDims.length || (this.sizesChanged && ++this.readsSinceSort >= RESORT_AFTER)) {
      const size = this.cellSize;
      this.bySize = Array.from(this.cellDims, (_, cell) => cell).sort((a, b) => (size[b] as number) - (size[a] as number) || a - b);
      this.readsSinceSort = 0;
      this.sizesChanged = false;
    }
    return this.bySize;
  }

  /** The key over `id` (dimension bits, BALANCE or GPU_BALANCE), built on first use. */
  key(id: number): ShapeKey {
    let key = this.keys[id];
    if (!key) {
      key = new ShapeKey(id, this.amounts, this.cellOf.length);
      key.ensureCells(this.cellCount);
      this.keys[id] = key;
      // (Filed for the first time: no amounts it had are read.)
      for (let slot = 0; slot < this.cellOf.length; slot++) if ((this.cellOf[slot] as number) >= 0) this.file(key, slot, this.cellOf[slot] as number, 0, 0, 0);
    }
    return key;
  }

  private file(key: ShapeKey, slot: number, cell: number, cpuFrom: number, memFrom: number, gpuFrom: number): void {
    // A key over GPUs covers only the cells that have them; GPU_BALANCE, only those with every maximum disclosed.
    const undisclosed = cell < 0 ? 0 : (this.cellUndisclosed[cell] as number);
    if (cell < 0 || (key.id & (GPU | GPU_BALANCE) && !((this.cellDims[cell] as number) & GPU)) || (key.id === GPU_BALANCE && undisclosed !== 0)) {
      key.move(slot, -1, cpuFrom, memFrom, gpuFrom);
      key.groups?.drop(slot);
      return;
    }
    const value = this.valueOf(key.id, slot, undisclosed);
    const list = cell * BUCKETS + bucketOf(value);
    key.move(slot, list, cpuFrom, memFrom, gpuFrom);
    if (key.groups) this.fileGroup(key, key.groups, slot, cell, list, value);
  }

  /** Files a slot of balanced's key in its groups, when its cell has CPU and memory alone, both maxima disclosed. */
  private fileGroup(key: ShapeKey, groups: DeltaGroups, slot: number, cell: number, list: number, value: number): void {
    if (this.cellDims[cell] !== (CPU | MEMORY) || this.cellUndisclosed[cell] !== 0) groups.drop(slot);
    else if (groups.grouped(cell)) this.group(groups, slot, cell, list, value);
    else {
      // (It may come from a grouped cell.)
      groups.drop(slot);
      if (groups.waited(cell)) groups.regroup(cell, () => this.groupCell(key, groups, cell));
    }
  }

  /** The value of key `id` for a slot of a cell with the `undisclosed` maxima. */
  private valueOf(id: number, slot: number, undisclosed: number): number {
    const a = this.amounts;
    const fc = undisclosed & CPU ? 0 : (a.availCpu[slot] as number) / (a.maxCpu[slot] as number);
    const fm = undisclosed & MEMORY ? 0 : (a.availMem[slot] as number) / (a.maxMem[slot] as number);
    if (id === BALANCE) return undisclosed & CPU ? (undisclosed & MEMORY ? 0.5 : fm) : undisclosed & MEMORY ? fc : (fc - fm + 1) / 2;
    if (id === GPU_BALANCE) return ((fc + fm) / 2 - (a.availGpu[slot] as number) / (a.maxGpu[slot] as number) + 1) / 2;
    const disclosed = id & ~undisclosed;
    const fg = disclosed & GPU ? (a.availGpu[slot] as number) / (a.maxGpu[slot] as number) : 0;
    return disclosed === 0 ? 0 : ((disclosed & CPU ? fc : 0) + (disclosed & MEMORY ? fm : 0) + fg) / (DIMENSIONS[disclosed] as number);
  }

  /** {@link DeltaGroups.put} with the slot's amounts and maxima. */
  private group(groups: DeltaGroups, slot: number, cell: number, list: number, value: number): void {
    const a = this.amounts;
    groups.put(slot, cell, list, value, a.availCpu[slot] as number, a.availMem[slot] as number, a.maxCpu[slot] as number, a.maxMem[slot] as number);
  }

  /** Hands every runner of a cell to balanced's groups. */
  private groupCell(key: ShapeKey, groups: DeltaGroups, cell: number): void {
    for (let list = cell * BUCKETS; list < (cell + 1) * BUCKETS; list++) {
      const slots = key.lists[list];
      if (!slots) continue;
      for (let i = 0; i < slots.length; i++) this.group(groups, slots[i] as number, cell, list, this.valueOf(BALANCE, slots[i] as number, 0));
    }
  }

  private cellFor(slot: number): number {
    const a = this.amounts;
    const mc = a.maxCpu[slot] as number;
    const mm = a.maxMem[slot] as number;
    const mg = a.maxGpu[slot] as number;
    const dims = mg > 0 || (a.availGpu[slot] as number) > 0 ? CPU | MEMORY | GPU : CPU | MEMORY;
    const undisclosed = (mc > 0 ? 0 : CPU) | (mm > 0 ? 0 : MEMORY) | (dims & GPU && !(mg > 0) ? GPU : 0);
    const shape = ((dims * 8 + undisclosed) * 256 + rung(mc)) * 65536 + rung(mm) * 256 + (mg > 0 ? rung(mg) + 1 : 0);
    let cell = this.cellByShape.get(shape);
    if (cell === undefined) {
      cell = this.cellDims.length;
      this.cellByShape.set(shape, cell);
      this.cellDims.push(dims);
      this.cellUndisclosed.push(undisclosed);
      const none = (d: number, m: number) => (undisclosed & d ? Infinity : m);
      this.smallest.push(none(CPU, mc), none(MEMORY, mm), none(GPU, mg));
      this.largest.push(none(CPU, mc), none(MEMORY, mm), none(GPU, mg));
      this.cellSize.push(0);
      this.cellVersion.push(0);
      for (const key of this.keys) key?.ensureCells(this.cellDims.length);
    }
    const at = cell * 3;
    const s = this.smallest;
    const l = this.largest;
    if (mc > 0 && mc < (s[at] as number)) s[at] = mc;
    if (mc > (l[at] as number) && l[at] !== Infinity) l[at] = mc;
    if (mm > 0 && mm < (s[at + 1] as number)) s[at + 1] = mm;
    if (mm > (l[at + 1] as number) && l[at + 1] !== Infinity) l[at + 1] = mm;
    if (mg > 0 && mg < (s[at + 2] as number)) s[at + 2] = mg;
    if (mg > (l[at + 2] as number) && l[at + 2] !== Infinity) l[at + 2] = mg;
    return cell;
  }
}

/** Reads of {@link ShapeIndex.cellsBySize} after a size changed before the cells are sorted again. */
const RESORT_AFTER = 256;

/** How many dimensions a set of dimension bits holds. */
export const DIMENSIONS: readonly number[] = [0, 1, 1, 2, 1, 2, 2, 3];

/**
 * Where the bucket edges sit, in buckets: bucket k holds the key values in
 * [(k − EDGE) / B, (k + 1 − EDGE) / B) — the first from 0, the last up to 1. Amounts in steps
 * (whole cores, whole GiB, maxima in powers of two) give free fractions with small power-of-two
 * denominators, exactly at k / B: were the edges there, the best runners would sit on an edge,
 * and the bucket beside theirs, whose bound equals their score, would be searched for nothing.
 * 2 − φ keeps such values inside the buckets.
 */
const EDGE = 0.3819660112501051;

/** The bucket of a key value in [0, 1] (values just outside are clamped). */
export function bucketOf(value: number): number {
  const k = Math.floor(value * BUCKETS + EDGE);
  return k < 0 ? 0 : k >= BUCKETS ? BUCKETS - 1 : k;
}

/** The least key value bucket `k` holds. */
export function bucketLow(k: number): number {
  return k <= 0 ? 0 : (k - EDGE) * PER_BUCKET;
}

/** The key values of bucket `k` are below this (at most 1, for the last bucket). */
export function bucketHigh(k: number): number {
  return k >= BUCKETS - 1 ? 1 : (k + 1 - EDGE) * PER_BUCKET;
}

/** log2(m) rounded down to halves, as an integer in [0, 255]: the rung of a √2 ladder (0 for an undisclosed maximum). */
function rung(m: number): number {
  if (!(m > 0)) return 0;
  const r = Math.floor(2 * Math.log2(m));
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * One key's buckets: per cell, {@link BUCKETS} lists of slots (in no particular order) and a
 * bit per bucket marking the non-empty ones.
 */
export class ShapeKey {
  /** The list a slot is in (cell × BUCKETS + bucket), -1 for none; and its index there. */
  private at: Int32Array;
  private pos: Int32Array;
  /** Lists by cell × BUCKETS + bucket, made on first use. */
  readonly lists: Array<number[] | undefined>;
  /** {@link CELL_WORDS} words per cell: bit k set when bucket k is not empty. */
  occupied: Uint32Array;
  /**
   * Per list, the most and the least CPU, memory and GPUs available on one of its runners (3
   * entries a list), so that a search skips a bucket where nothing fits or nothing can win;
   * valid unless `stale` (worked out again on the next read after a runner left the list or
   * changed within it). Read after {@link summarise}.
   */
  most: Float64Array;
  least: Float64Array;
  /** Per list, its lowest slot (Infinity for none), kept as `most` and `least` are. */
  lowest: Float64Array;
  private stale: Uint8Array;
  /**
   * Per chunk of 32 buckets (one occupancy word), the most available on one of its runners, so
   * that a walk skips 32 buckets where nothing fits at once; `chunkStale` as `stale`.
   */
  private chunkMost: Float64Array;
  private chunkStale: Uint8Array;
  /** For {@link BALANCE}: its runners in the cells of CPU and memory alone, grouped by exactly equal balance. */
  readonly groups: DeltaGroups | undefined;

  constructor(
    readonly id: number,
    private readonly amounts: Amounts,
    slots: number,
    from?: ShapeKey,
  ) {
    this.at = from ? from.at.slice() : new Int32Array(slots).fill(-1);
    this.pos = from ? from.pos.slice() : new Int32Array(slots);
    this.lists = from ? from.lists.map((l) => l?.slice()) : [];
    this.occupied = from ? from.occupied.slice() : new Uint32Array(0);
    this.most = from ? from.most.slice() : new Float64Array(0);
    this.least = from ? from.least.slice() : new Float64Array(0);
    this.lowest = from ? from.lowest.slice() : new Float64Array(0);
    this.stale = from ? from.stale.slice() : new Uint8Array(0);
    this.chunkMost = from ? from.chunkMost.slice() : new Float64Array(0);
    this.chunkStale = from ? from.chunkStale.slice() : new Uint8Array(0);
    this.groups = id !== BALANCE ? undefined : from?.groups ? from.groups.clone(amounts) : new DeltaGroups(amounts, BUCKETS, slots);
  }

  clone(amounts: Amounts): ShapeKey {
    return new ShapeKey(this.id, amounts, 0, this);
  }

  grow(slots: number): void {
    this.at = grown(this.at, slots, -1);
    this.pos = grown(this.pos, slots);
    this.groups?.grow(slots);
  }

  ensureCells(cells: number): void {
    this.groups?.ensureCells(cells);
    if (this.occupied.length >= cells * CELL_WORDS) return;
    const wider = Math.max(cells, (this.occupied.length / CELL_WORDS) * 2);
    this.occupied = grown(this.occupied, wider * CELL_WORDS);
    this.most = grown(this.most, wider * BUCKETS * 3);
    this.least = grown(this.least, wider * BUCKETS * 3);
    this.lowest = grown(this.lowest, wider * BUCKETS);
    this.stale = grown(this.stale, wider * BUCKETS);
    this.chunkMost = grown(this.chunkMost, wider * CELL_WORDS * 3);
    this.chunkStale = grown(this.chunkStale, wider * CELL_WORDS);
  }

  /**
   * Files a slot in list `to` (-1: out of the key) after its amounts changed from (`cpuFrom`,
   * `memFrom`, `gpuFrom`) to those the table holds now.
   */
  move(slot: number, to: number, cpuFrom: number, memFrom: number, gpuFrom: number): void {
    const from = this.at[slot] as number;
    if (from === to) {
      if (to >= 0) this.changedWithin(to, slot, cpuFrom, memFrom, gpuFrom);
      return;
    }
    if (from >= 0) {
      const list = this.lists[from] as number[];
      const i = this.pos[slot] as number;
      const last = list.pop() as number;
      if (last !== slot) {
        list[i] = last;
        this.pos[last] = i;
      }
      if (list.length === 0) this.mark(from, false);
      this.left(from, slot, cpuFrom, memFrom, gpuFrom);
    }
    this.at[slot] = to;
    if (to >= 0) {
      let list = this.lists[to];
      if (!list) {
        list = [];
        this.lists[to] = list;
      }
      this.pos[slot] = list.length;
      list.push(slot);
      if (list.length === 1) this.mark(to, true);
      // Entering can only widen a list's summaries: widened in place when they are current.
      if (list.length === 1 || this.stale[to] === 1) this.stale[to] = 1;
      else this.include(to, slot);
      this.widenChunk(to >>> 5, slot);
    }
  }

  /**
   * A runner with amounts `cpuFrom`, `memFrom`, `gpuFrom` left `list`: its summaries stay valid
   * unless it held the most or the least of a dimension there, or the lowest slot; its chunk's,
   * unless it held the chunk's most.
   */
  private left(list: number, slot: number, cpuFrom: number, memFrom: number, gpuFrom: number): void {
    const at = list * 3;
    const most = this.most;
    const least = this.least;
    if (
      this.stale[list] === 0 &&
      (cpuFrom === most[at] || memFrom === most[at + 1] || gpuFrom === most[at + 2] || cpuFrom === least[at] || memFrom === least[at + 1] || gpuFrom === least[at + 2] || slot === this.lowest[list])
    ) {
      this.stale[list] = 1;
    }
    this.narrowChunk(list >>> 5, cpuFrom, memFrom, gpuFrom);
  }

  /** A runner of `list` changed its amounts from `cpuFrom`, `memFrom`, `gpuFrom`: the summaries follow in place where they can. */
  private changedWithin(list: number, slot: number, cpuFrom: number, memFrom: number, gpuFrom: number): void {
    const a = this.amounts;
    const cpu = a.availCpu[slot] as number;
    const mem = a.availMem[slot] as number;
    const gpu = a.availGpu[slot] as number;
    if (cpu === cpuFrom && mem === memFrom && gpu === gpuFrom) return;
    if (this.stale[list] === 0) {
      const at = list * 3;
      // A dimension whose amount fell may have taken the most down with it, one that rose the least up.
      if ((cpu < cpuFrom && cpuFrom === this.most[at]) || (mem < memFrom && memFrom === this.most[at + 1]) || (gpu < gpuFrom && gpuFrom === this.most[at + 2])) this.stale[list] = 1;
      else if ((cpu > cpuFrom && cpuFrom === this.least[at]) || (mem > memFrom && memFrom === this.least[at + 1]) || (gpu > gpuFrom && gpuFrom === this.least[at + 2])) this.stale[list] = 1;
      else this.include(list, slot);
    }
    const chunk = list >>> 5;
    this.narrowChunk(chunk, cpu < cpuFrom ? cpuFrom : -1, mem < memFrom ? memFrom : -1, gpu < gpuFrom ? gpuFrom : -1);
    this.widenChunk(chunk, slot);
  }

  /** A runner of the chunk gave up amounts it had: the chunk's most is worked out again if it was one of them. */
  private narrowChunk(chunk: number, cpuFrom: number, memFrom: number, gpuFrom: number): void {
    const m = this.chunkMost;
    const at = chunk * 3;
    if (this.chunkStale[chunk] === 0 && (cpuFrom === m[at] || memFrom === m[at + 1] || gpuFrom === m[at + 2])) this.chunkStale[chunk] = 1;
  }

  /** A runner of the chunk has its current amounts: the chunk's most widens to them when current. */
  private widenChunk(chunk: number, slot: number): void {
    if (this.chunkStale[chunk] === 1) return;
    const a = this.amounts;
    const m = this.chunkMost;
    const at = chunk * 3;
    m[at] = Math.max(m[at] as number, a.availCpu[slot] as number);
    m[at + 1] = Math.max(m[at + 1] as number, a.availMem[slot] as number);
    m[at + 2] = Math.max(m[at + 2] as number, a.availGpu[slot] as number);
  }

  /**
   * The lowest non-empty bucket of `cell` at or above `k` where a runner may have `cpu`, `mem`
   * and `gpu` available, or BUCKETS: chunks of 32 buckets where none may are skipped whole.
   */
  aboveFitting(cell: number, k: number, cpu: number, mem: number, gpu: number): number {
    for (k = this.above(cell, k); k < BUCKETS; k = this.above(cell, k + 1)) {
      const list = cell * BUCKETS + k;
      if (!this.chunkMayFit(list >>> 5, cpu, mem, gpu)) k |= 31;
      else if (this.mayFit(list, cpu, mem, gpu)) return k;
    }
    return BUCKETS;
  }

  /** As {@link aboveFitting}, downwards: the highest such bucket at or below `k`, or -1. */
  belowFitting(cell: number, k: number, cpu: number, mem: number, gpu: number): number {
    for (k = this.below(cell, k); k >= 0; k = this.below(cell, k - 1)) {
      const list = cell * BUCKETS + k;
      if (!this.chunkMayFit(list >>> 5, cpu, mem, gpu)) k &= ~31;
      else if (this.mayFit(list, cpu, mem, gpu)) return k;
    }
    return -1;
  }

  private chunkMayFit(chunk: number, cpu: number, mem: number, gpu: number): boolean {
    const m = this.chunkMost;
    const at = chunk * 3;
    if (this.chunkStale[chunk] === 1) {
      m.fill(0, at, at + 3);
      let bits = this.occupied[chunk] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        const list = slotAt(chunk, low);
        bits ^= low;
        this.summarise(list);
        for (let d = 0; d < 3; d++) if ((this.most[list * 3 + d] as number) > (m[at + d] as number)) m[at + d] = this.most[list * 3 + d] as number;
      }
      this.chunkStale[chunk] = 0;
    }
    return (m[at] as number) >= cpu && (m[at + 1] as number) >= mem && (m[at + 2] as number) >= gpu;
  }

  /**
   * Whether a runner of list `list` may have `cpu`, `mem` and `gpu` available: false only
   * when none does.
   */
  mayFit(list: number, cpu: number, mem: number, gpu: number): boolean {
    this.summarise(list);
    const m = this.most;
    const at = list * 3;
    return (m[at] as number) >= cpu && (m[at + 1] as number) >= mem && (m[at + 2] as number) >= gpu;
  }

  /**
   * Makes {@link most} and {@link least} (CPU, memory, GPUs at list × 3 + 0, 1, 2) and
   * {@link lowest} current for `list`.
   */
  summarise(list: number): void {
    if (this.stale[list] === 1) this.recount(list);
  }

  private recount(list: number): void {
    const at = list * 3;
    this.most.fill(0, at, at + 3);
    this.least.fill(Infinity, at, at + 3);
    this.lowest[list] = Infinity;
    const slots = this.lists[list];
    if (slots) for (let i = 0; i < slots.length; i++) this.include(list, slots[i] as number);
    this.stale[list] = 0;
  }

  private include(list: number, slot: number): void {
    const a = this.amounts;
    const most = this.most;
    const least = this.least;
    const at = list * 3;
    const cpu = a.availCpu[slot] as number;
    const mem = a.availMem[slot] as number;
    const gpu = a.availGpu[slot] as number;
    if (cpu > (most[at] as number)) most[at] = cpu;
    if (mem > (most[at + 1] as number)) most[at + 1] = mem;
    if (gpu > (most[at + 2] as number)) most[at + 2] = gpu;
    if (cpu < (least[at] as number)) least[at] = cpu;
    if (mem < (least[at + 1] as number)) least[at + 1] = mem;
    if (gpu < (least[at + 2] as number)) least[at + 2] = gpu;
    if (slot < (this.lowest[list] as number)) this.lowest[list] = slot;
  }

  private mark(list: number, on: boolean): void {
    const cell = (list / BUCKETS) | 0;
    const k = list - cell * BUCKETS;
    const w = cell * CELL_WORDS + (k >>> 5);
    const bit = 1 << (k & 31);
    this.occupied[w] = on ? (this.occupied[w] as number) | bit : (this.occupied[w] as number) & ~bit;
  }

  /** The highest non-empty bucket of `cell` at or below `k`, or -1. */
  below(cell: number, k: number): number {
    if (k < 0) return -1;
    const o = this.occupied;
    const base = cell * CELL_WORDS;
    let w = k >>> 5;
    // Bits 0..(k & 31) of the first word looked at.
    let bits = (o[base + w] as number) & (((k & 31) === 31 ? 0 : -2 << (k & 31)) ^ -1);
    for (;;) {
      if (bits !== 0) return (w << 5) + 31 - Math.clz32(bits);
      if (--w < 0) return -1;
      bits = o[base + w] as number;
    }
  }

  /** The lowest non-empty bucket of `cell` at or above `k`, or BUCKETS. */
  above(cell: number, k: number): number {
    if (k < 0) k = 0;
    if (k >= BUCKETS) return BUCKETS;
    const o = this.occupied;
    const base = cell * CELL_WORDS;
    let w = k >>> 5;
    // Bits (k & 31)..31 of the first word looked at.
    let bits = (o[base + w] as number) & (-1 << (k & 31));
    for (;;) {
      if (bits !== 0) return (w << 5) + 31 - Math.clz32(bits & -bits);
      if (++w >= CELL_WORDS) return BUCKETS;
      bits = o[base + w] as number;
    }
  }
}
