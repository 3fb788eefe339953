import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andInto } from '../../src/matcher/kernel.js';

describe('andInto against a word-by-word AND', () => {
  it('writes the AND of any number of sets and counts its bits (or enough of them), dense or sparse, empty or not', () => {
    // Words mostly set (the AND stays non-empty through many sets) or random (it empties early).
    const word = fc.oneof(fc.constant(0xffffffff), fc.integer({ min: 0, max: 0xffffffff }), fc.constant(0));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10 }), fc.infiniteStream(word), (words, count, stream) => {
        const draws = stream[Symbol.iterator]();
        const sets = Array.from({ length: count }, () => Uint32Array.from({ length: words + 2 }, () => draws.next().value as number));
        const out = new Uint32Array(words + 2).fill(0xdeadbeef);
        const got = andInto(sets, words, out);
        // Counting only as far as `enough`: more than it once more are set, else exact; 0 only when empty.
        for (const enough of [-1, 0, 1, 7, 40]) {
          const partial = andInto(sets, words, new Uint32Array(words), enough);
          if (partial <= Math.max(0, enough)) expect(partial).toBe(got);
          else expect(got).toBeGreaterThanOrEqual(partial);
          expect(partial === 0).toBe(got === 0);
        }
        const expected = Array.from({ length: words }, (_, i) => sets.reduce((w, set) => (w & (set[i] as number)) >>> 0, 0xffffffff));
        const bits = expected.reduce((n, w) => n + w.toString(2).replaceAll('0', '').length, 0);
        expect(got).toBe(bits);
        // When something is set, every word is written; the words beyond wordCount never are.
        if (bits > 0) expect([...out.subarray(0, words)]).toEqual(expected);
        expect([...out.subarray(words)]).toEqual([0xdeadbeef, 0xdeadbeef]);
      }),
      { numRuns: 1000 },
    );
  });
});
