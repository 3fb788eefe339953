import { Bitset } from './bitset.js';

/**
 * The slots of one value: a sorted array of slots while few hold it, a bitset once many do
 * (the roaring idea). A bitset costs 4 bytes per 32 slots of the whole table; an array 4
 * bytes per member, so the array is the smaller below one member per 32 slots.
 */
interface Members {
  count: number;
  /** Ascending slots, while sparse. */
  sparse: number[] | undefined;
  /** The bitset, once dense. */
  dense: Bitset | undefined;
}

/**
 * One set of slots per distinct value of a capability (a GPU type, a group, a mode…) over the
 * slots of one table: `words('H100')` holds exactly the slots whose value list contains `H100`.
 *
 * Sparse values (a tag on a handful of runners) cost memory in proportion to their members,
 * not to the table; a value no slot holds any longer is dropped. A `Map` keeps `__proto__`
 * and friends ordinary keys.
 */
export class ValueIndex {
  private readonly values: Map<string, Members>;
  private wordCount: number;
  /**
   * The list `addAll` was last given, and its values' members (each still in `values`): the
   * first `lastList.length` items of `lastMembers`.
   */
  private lastList: readonly string[] | undefined;
  private readonly lastMembers: Members[] = [];
  /**
   * Table-wide words built for sparse values, the {@link BUILT} asked for last (requests name
   * the same group or tag again and again), each dropped when its value's members change.
   */
  private readonly built = new Map<Members, Uint32Array>();

  constructor(wordCount: number, from?: ValueIndex) {
    this.wordCount = from ? from.wordCount : wordCount;
    this.values = new Map();
    if (from) {
      for (const [value, m] of from.values) {
        this.values.set(value, { count: m.count, sparse: m.sparse?.slice(), dense: m.dense?.clone() });
      }
    }
  }

  add(slot: number, value: string): void {
    this.addTo(this.membersOf(value), slot);
  }

  private membersOf(value: string): Members {
    let m = this.values.get(value);
    if (!m) {
      m = { count: 0, sparse: [], dense: undefined };
      this.values.set(value, m);
    }
    return m;
  }

  private addTo(m: Members, slot: number): void {
    if (this.built.size > 0) this.built.delete(m);
    if (m.dense) {
      if (m.dense.has(slot)) return;
      m.dense.add(slot);
    } else {
      const sparse = m.sparse as number[];
      // Slots mostly come in ascending order (a bulk load): then a push, which allocates nothing.
      const last = sparse.length === 0 ? -1 : (sparse[sparse.length - 1] as number);
      if (slot > last) sparse.push(slot);
      else {
        const at = lowerBound(sparse, slot);
        if (sparse[at] === slot) return;
        sparse.splice(at, 0, slot);
      }
      if (sparse.length >= this.denseAbove()) {
        const dense = new Bitset(this.wordCount);
        for (const s of sparse) dense.add(s);
        m.dense = dense;
        m.sparse = undefined;
      }
    }
    m.count++;
  }

  delete(slot: number, value: string): void {
    const m = this.values.get(value);
    if (!m) return;
    if (this.built.size > 0) this.built.delete(m);
    if (m.dense) {
      if (!m.dense.has(slot)) return;
      m.dense.delete(slot);
    } else {
      const sparse = m.sparse as number[];
      const at = lowerBound(sparse, slot);
      if (sparse[at] !== slot) return;
      sparse.splice(at, 1);
    }
    m.count--;
    if (m.count === 0) {
      this.values.delete(value);
      this.lastList = undefined;
    }
    else if (m.dense && m.count < this.denseAbove() / 4) {
      const sparse: number[] = [];
      m.dense.forEach((s) => sparse.push(s));
      m.sparse = sparse;
      m.dense = undefined;
    }
  }

  // Indexed loops: records' lists are frozen, and V8 allocates an iterator result per item
  // of a for-of over a frozen array (measured: 0.5 GB during a 100,000-runner load).
  /** Adds `slot` under each of `values`, a list that never changes (records' lists are frozen). */
  addAll(slot: number, values: readonly string[]): void {
    // Records share equal lists (see `Lists`), and neighbours often hold equal ones: the
    // members of the last list are kept, so its values are not looked up again.
    // (The members are written over by index: setting an array's length is a runtime call.)
    if (values !== this.lastList) {
      for (let i = 0; i < values.length; i++) this.lastMembers[i] = this.membersOf(values[i] as string);
      this.lastList = values;
    }
    for (let i = 0; i < values.length; i++) this.addTo(this.lastMembers[i] as Members, slot);
  }

  deleteAll(slot: number, values: readonly string[]): void {
    for (let i = 0; i < values.length; i++) this.delete(slot, values[i] as string);
  }

  has(slot: number, value: string): boolean {
    const m = this.values.get(value);
    if (!m) return false;
    if (m.dense) return m.dense.has(slot);
    const sparse = m.sparse as number[];
    return sparse[lowerBound(sparse, slot)] === slot;
  }

  /**
   * The slots holding `value` as table-wide words, or undefined when no slot holds it (do not
   * write to them): a dense value's own words; a sparse value's built, and kept while it is
   * among the last few asked for and its members stay the same.
   */
  words(value: string): Uint32Array | undefined {
    const m = this.values.get(value);
    if (!m) return undefined;
    if (m.dense) return m.dense.words;
    let words = this.built.get(m);
    if (words?.length === this.wordCount) return words;
    words = new Uint32Array(this.wordCount);
    for (const s of m.sparse as number[]) words[s >>> 5] = (words[s >>> 5] as number) | (1 << (s & 31));
    if (this.built.size >= BUILT) this.built.delete(this.built.keys().next().value as Members);
    this.built.set(m, words);
    return words;
  }

  /** How many slots hold `value`. */
  count(value: string): number {
    return this.values.get(value)?.count ?? 0;
  }

  /** Calls `visit` with every slot holding `value`, ascending. */
  forEachSlot(value: string, visit: (slot: number) => void): void {
    const m = this.values.get(value);
    if (!m) return;
    if (m.dense) m.dense.forEach(visit);
    else for (const s of m.sparse as number[]) visit(s);
  }

  /** ORs the slots of every value into `out`. */
  unionInto(out: Uint32Array): void {
    for (const m of this.values.values()) {
      if (m.dense) {
        const w = m.dense.words;
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) | (w[i] as number);
      } else {
        for (const s of m.sparse as number[]) out[s >>> 5] = (out[s >>> 5] as number) | (1 << (s & 31));
      }
    }
  }

  /** Number of distinct values held by at least one slot. */
  get size(): number {
    return this.values.size;
  }

  grow(wordCount: number): void {
    this.wordCount = wordCount;
    for (const m of this.values.values()) m.dense?.grow(wordCount);
  }

  clone(): ValueIndex {
    return new ValueIndex(this.wordCount, this);
  }

  /** Members at which a value turns into a bitset: one per 32 slots of the table, at least 64. */
  private denseAbove(): number {
    return Math.max(64, this.wordCount);
  }
}

/** How many sparse values' words {@link ValueIndex.words} keeps built. */
const BUILT = 8;

/** The first index of `sorted` whose item is >= `x`. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Adds the words of each given value to `must` (values left undefined do not filter).
 * Returns false when no slot holds a value: nothing can match it.
 */
export function addValueBitsets(must: Uint32Array[], wanted: ReadonlyArray<readonly [string | undefined, ValueIndex]>): boolean {
  for (const [value, index] of wanted) {
    if (value === undefined) continue;
    const words = index.words(value);
    if (!words) return false;
    must.push(words);
  }
  return true;
}
