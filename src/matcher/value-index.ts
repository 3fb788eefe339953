import { Bitset } from './bitset.js';
import { Interner } from './interner.js';

/**
 * One bitset per distinct value of a capability (a GPU type, a group, a mode…) over the slots
 * of one table: `bitsetOf('H100')` holds exactly the slots whose value list contains `H100`.
 */
export class ValueIndex {
  readonly interner: Interner;
  private readonly bitsets: Bitset[];
  private wordCount: number;

  constructor(wordCount: number, from?: ValueIndex) {
    this.wordCount = from ? from.wordCount : wordCount;
    this.interner = new Interner(from?.interner);
    this.bitsets = from ? from.bitsets.map((b) => b.clone()) : [];
  }

  add(slot: number, value: string): void {
    const id = this.interner.intern(value);
    let bitset = this.bitsets[id];
    if (!bitset) {
      bitset = new Bitset(this.wordCount);
      this.bitsets[id] = bitset;
    }
    bitset.add(slot);
  }

  delete(slot: number, value: string): void {
    const id = this.interner.lookup(value);
    if (id >= 0) this.bitsets[id]?.delete(slot);
  }

  addAll(slot: number, values: readonly string[]): void {
    for (const v of values) this.add(slot, v);
  }

  deleteAll(slot: number, values: readonly string[]): void {
    for (const v of values) this.delete(slot, v);
  }

  /** The slots holding `value`; undefined when no slot ever held it. */
  bitsetOf(value: string): Bitset | undefined {
    const id = this.interner.lookup(value);
    return id < 0 ? undefined : this.bitsets[id];
  }

  /** Every value ever seen, with its bitset. */
  entries(): Array<[string, Bitset]> {
    return this.bitsets.map((b, id) => [this.interner.valueOf(id), b]);
  }

  grow(wordCount: number): void {
    this.wordCount = wordCount;
    for (const b of this.bitsets) b.grow(wordCount);
  }

  clone(): ValueIndex {
    return new ValueIndex(this.wordCount, this);
  }
}

/**
 * Adds the bitset of each given value to `must` (values left undefined do not filter).
 * Returns false when a value was never seen: nothing can match it.
 */
export function addValueBitsets(must: Uint32Array[], wanted: ReadonlyArray<readonly [string | undefined, ValueIndex]>): boolean {
  for (const [value, index] of wanted) {
    if (value === undefined) continue;
    const bitset = index.bitsetOf(value);
    if (!bitset) return false;
    must.push(bitset.words);
  }
  return true;
}
