/**
 * Word arrays a stage of a query or placement reuses from call to call: each stage owns its
 * own (a module-level constant beside the code that uses it), so no two stages can share one by
 * accident. Calls run one at a time and none keeps an array beyond its return.
 */
export class WordScratch {
  private array = new Uint32Array(0);

  /** `words` words, zeroed when `zero` (otherwise holding whatever the last call left). */
  get(words: number, zero: boolean): Uint32Array {
    if (this.array.length < words) this.array = new Uint32Array(words);
    else if (zero) this.array.fill(0, 0, words);
    return this.array;
  }
}

/**
 * Marks which words of a scratch array one call has filled: a call takes a fresh stamp and
 * compares, so nothing needs clearing between calls.
 */
export class WordStamps {
  private stamps = new Int32Array(0);
  private counter = 0;

  /** The stamps (at least `words` long) and this call's stamp. */
  next(words: number): { stamps: Int32Array; stamp: number } {
    if (this.stamps.length < words) {
      this.stamps = new Int32Array(words);
      this.counter = 0;
    }
    this.counter = (this.counter + 1) | 0 || 1;
    return { stamps: this.stamps, stamp: this.counter };
  }
}
