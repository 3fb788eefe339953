import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountedBitset, popcount } from '../../src/matcher/bitset.js';
import { ValueIndex } from '../../src/matcher/value-index.js';

const ops = fc.array(fc.record({ slot: fc.integer({ min: 0, max: 199 }), on: fc.boolean(), value: fc.constantFrom('a', 'b', 'c') }), { maxLength: 300 });
const bits = (words: Uint32Array) => words.reduce((n, w) => n + popcount(w), 0);

describe('CountedBitset: its count is its number of set bits', () => {
  it('after any adds and deletes, and in a clone that then diverges', () => {
    fc.assert(
      fc.property(ops, ops, (first, second) => {
        const b = new CountedBitset(7);
        for (const { slot, on } of first) b.assign(slot, on);
        expect(b.count).toBe(bits(b.words));
        const copy = b.clone();
        const before = b.count;
        for (const { slot, on } of second) copy.assign(slot, on);
        expect(copy.count).toBe(bits(copy.words));
        expect(b.count).toBe(before);
      }),
    );
  });
});

describe('ValueIndex.count: how many slots hold a value, sparse or dense', () => {
  it('matches the members a model keeps', () => {
    fc.assert(
      fc.property(ops, (list) => {
        // 7 words (224 slots): a value turns dense at 64 members, and sparse again below 16.
        const index = new ValueIndex(7);
        const model = new Map<string, Set<number>>();
        for (const { slot, on, value } of list) {
          if (on) index.add(slot, value);
          else index.delete(slot, value);
          const set = model.get(value) ?? new Set<number>();
          if (on) set.add(slot);
          else set.delete(slot);
          model.set(value, set);
        }
        for (const value of ['a', 'b', 'c', 'never']) expect(index.count(value)).toBe(model.get(value)?.size ?? 0);
      }),
    );
  });
});
