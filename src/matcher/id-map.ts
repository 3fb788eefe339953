/** What an empty position holds as its value. */
const EMPTY = -1;

/** The smallest capacity (positions; a power of two). */
const MIN_CAPACITY = 16;

/**
 * Runner id → slot (a non-negative integer), the runner table's id index: open addressing with
 * linear probing over one `Int32Array` of (hash, value) pairs, the keys beside it. Made to size
 * for a snapshot's runners, it is filled without a rehash, and cloned by copying two arrays.
 *
 * A `Map` grows by rehashing every entry at each doubling and cannot be made to size: building
 * one of 100,000 runner ids took ~3× the time of this one, and was a tenth of `fromSnapshot`.
 *
 * Hashes are seeded per map (a random seed, kept by clones), so ids chosen to collide in one
 * process do not collide in another. Nothing observable depends on the seed: there is no
 * iteration, only lookups.
 */
export class IdMap {
  /** Capacity − 1 (the capacity is a power of two, at most half full). */
  private mask: number;
  /** Position i: its key's hash at 2i, its value at 2i + 1 ({@link EMPTY}: no key). */
  private table: Int32Array;
  private keys: Array<string | undefined>;
  private count: number;
  private readonly seed: number;

  /** An empty map with room for `expected` ids before it grows. */
  constructor(expected = 0, seed = (Math.random() * 2 ** 32) | 0) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.count = 0;
    this.seed = seed | 0;
  }

  /** A copy, to change apart from this one. */
  clone(): IdMap {
    const copy = new IdMap(0, this.seed);
    copy.mask = this.mask;
    copy.table = this.table.slice();
    copy.keys = this.keys.slice();
    copy.count = this.count;
    return copy;
  }

  get size(): number {
    return this.count;
  }

  get(id: string): number | undefined {
    const at = this.find(id, this.hash(id));
    return at < 0 ? undefined : (this.table[2 * at + 1] as number);
  }

  has(id: string): boolean {
    return this.find(id, this.hash(id)) >= 0;
  }

  /** Maps `id` to `value` (a non-negative int32). */
  set(id: string, value: number): void {
    if (value < 0 || value !== (value | 0)) throw new RangeError(`IdMap values are non-negative int32, got ${value}`);
    const hash = this.hash(id);
    const found = this.find(id, hash);
    if (found >= 0) {
      this.table[2 * found + 1] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.place(id, hash, value);
    this.count++;
  }

  /** Replaces every value `v` by `to[v]` (each a non-negative int32): one pass, no id hashed. */
  remap(to: Int32Array): void {
    const t = this.table;
    // Checked first, so that a bad table changes nothing.
    for (let at = 1; at < t.length; at += 2) {
      const value = t[at] as number;
      if (value !== EMPTY && !((to[value] ?? -1) >= 0)) throw new RangeError(`IdMap.remap has no value for ${value}`);
    }
    for (let at = 1; at < t.length; at += 2) {
      const value = t[at] as number;
      if (value !== EMPTY) t[at] = to[value] as number;
    }
  }

  /** Removes `id`; whether it was there. */
  delete(id: string): boolean {
    let at = this.find(id, this.hash(id));
    if (at < 0) return false;
    // Backward shift: each later entry of the run that may stand at `at` moves there, so that
    // no probe from its home runs into the hole before reaching it.
    const t = this.table;
    const mask = this.mask;
    for (let next = (at + 1) & mask; t[2 * next + 1] !== EMPTY; next = (next + 1) & mask) {
      const home = (t[2 * next] as number) & mask;
      // Whether `home` lies cyclically in (at, next]: then the entry stays where it is.
      const stays = at <= next ? at < home && home <= next : at < home || home <= next;
      if (stays) continue;
      t[2 * at] = t[2 * next] as number;
      t[2 * at + 1] = t[2 * next + 1] as number;
      this.keys[at] = this.keys[next];
      at = next;
    }
    t[2 * at + 1] = EMPTY;
    this.keys[at] = undefined;
    this.count--;
    return true;
  }

  /** The position holding `id`, or -1. */
  private find(id: string, hash: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      if (t[2 * at + 1] === EMPTY) return -1;
      if (t[2 * at] === hash && this.keys[at] === id) return at;
    }
  }

  /** Puts a key not in the map at the first empty position of its run. */
  private place(id: string, hash: number, value: number): void {
    const t = this.table;
    const mask = this.mask;
    let at = hash & mask;
    while (t[2 * at + 1] !== EMPTY) at = (at + 1) & mask;
    t[2 * at] = hash;
    t[2 * at + 1] = value;
    this.keys[at] = id;
  }

  private grow(): void {
    const table = this.table;
    const keys = this.keys;
    const capacity = (this.mask + 1) * 2;
    this.mask = capacity - 1;
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    for (let at = 0; at < keys.length; at++) {
      if (table[2 * at + 1] !== EMPTY) this.place(keys[at] as string, table[2 * at] as number, table[2 * at + 1] as number);
    }
  }

  /** A seeded 32-bit hash of the id's code units (murmur3's mixing and finaliser). */
  private hash(id: string): number {
    let h = this.seed ^ id.length;
    for (let i = 0; i < id.length; i++) {
      let k = Math.imul(id.charCodeAt(i), 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
      h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }
}
