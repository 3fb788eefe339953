import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapacityIndex, THRESHOLDS } from '../../src/matcher/capacity-index.js';

describe('CapacityIndex.countAtLeast against a count of every slot', () => {
  // Amounts near the thresholds (where a level's band starts and ends), on them, anywhere, and
  // many within a few wide bands (891–1,113–1,391–1,738: several slots of a word in one band).
  const amount = fc.oneof(
    fc.constantFrom(...THRESHOLDS.slice(0, 40)),
    fc.integer({ min: 0, max: 40 }).chain((k) => fc.integer({ min: -1, max: 1 }).map((d) => Math.max(0, (THRESHOLDS[k] as number) + d))),
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: 880, max: 1750 }),
    fc.integer({ min: 880, max: 1750 }),
  );
  const step = fc.record({ slot: fc.integer({ min: 0, max: 199 }), amount: fc.option(amount, { nil: -1, freq: 6 }) });

  it('after slots enter, move between levels and leave, with the table grown on the way, and in a clone', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300, size: 'max' }), fc.array(amount, { minLength: 1, maxLength: 12 }), (steps, queries) => {
        // Starts small and grows as slots beyond it come: the per-word summaries grow with the levels.
        let words = 2;
        const index = new CapacityIndex(words);
        const available = new Float64Array(200).fill(-1);
        const check = (copy: CapacityIndex) => {
          for (const min of queries) {
            let expected = 0;
            for (let slot = 0; slot < words * 32 && slot < available.length; slot++) if ((available[slot] as number) >= min) expected++;
            expect(copy.countAtLeast(min, available, words)).toBe(expected);
          }
        };
        for (const [n, { slot, amount: after }] of steps.entries()) {
          if (slot >>> 5 >= words) {
            words = (slot >>> 5) + 1;
            index.grow(words);
          }
          index.update(slot, available[slot] as number, after);
          available[slot] = after;
          if (n % 25 === 0) check(index);
        }
        check(index);
        check(index.clone());
      }),
      { numRuns: 200 },
    );
  });
});

describe('CapacityIndex.countAtLeast kept between calls', () => {
  it('follows slots entering, leaving and moving within the band it counted, and other minima', () => {
    // Level of 1000: the band 891–1112.
    const index = new CapacityIndex(2);
    const available = new Float64Array(64).fill(-1);
    const set = (slot: number, amount: number) => {
      index.update(slot, available[slot] as number, amount);
      available[slot] = amount;
    };
    const count = (min: number) => index.countAtLeast(min, available, 2);
    set(0, 900);
    set(1, 1000);
    set(2, 1100);
    set(40, 5000);
    expect(count(1000)).toBe(3);
    set(40, 1050); // enters the band, above the minimum
    expect(count(1000)).toBe(3);
    set(40, 990); // within the band, below it
    set(1, 1001); // within, still above
    expect(count(1000)).toBe(2);
    set(2, -1); // unknown: out of every level
    expect(count(1000)).toBe(1);
    expect(count(995)).toBe(1);
    set(0, 1000);
    expect(count(995)).toBe(2);
    expect(count(1000)).toBe(2);
    // Every slot of the band at or above the minimum (the band's least), then none.
    set(40, 1112);
    expect(count(950)).toBe(3);
    set(1, 960);
    expect(count(950)).toBe(3);
    set(0, 940);
    expect(count(950)).toBe(2);
  });
});

describe('CapacityIndex loaded a word at a time (beginLoad … endLoad)', () => {
  const amount = fc.oneof(fc.constantFrom(...THRESHOLDS.slice(0, 40)), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 880, max: 1750 }), fc.constant(-1));

  it('is the index the same updates leave one slot at a time, and stays so as slots change after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 150 }),
        fc.array(amount, { minLength: 150, maxLength: 150 }),
        fc.array(fc.record({ slot: fc.integer({ min: 0, max: 149 }), amount }), { maxLength: 20 }),
        fc.array(fc.record({ slot: fc.integer({ min: 0, max: 149 }), amount }), { maxLength: 40 }),
        (slots, amounts, again, later) => {
          const words = 5;
          const loaded = new CapacityIndex(words);
          const updated = new CapacityIndex(words);
          const available = new Float64Array(words * 32).fill(-1);
          const set = (slot: number, after: number) => {
            loaded.update(slot, available[slot] as number, after);
            updated.update(slot, available[slot] as number, after);
            available[slot] = after;
          };
          // Every slot enters (or stays unknown), some move again before the load ends.
          loaded.beginLoad(slots);
          for (let slot = 0; slot < slots; slot++) set(slot, amounts[slot] as number);
          for (const { slot, amount: after } of again) if (slot < slots) set(slot, after);
          loaded.endLoad();
          expect(loaded).toEqual(updated);
          for (const { slot, amount: after } of later) set(slot, after);
          expect(loaded).toEqual(updated);
          for (const min of [0, 1, 2, 5, 900, 1000, 1113, 50_000]) {
            let expected = 0;
            for (const a of available) if (a >= min) expected++;
            expect(loaded.countAtLeast(min, available, words)).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses to start on an index that holds a slot', () => {
    const index = new CapacityIndex(1);
    index.update(3, -1, 10);
    expect(() => index.beginLoad(32)).toThrow(/empty/);
  });
});
