import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileOrder, runnerSlots } from '../../src/matcher/load-order.js';
import { IdMap } from '../../src/matcher/id-map.js';
import { compareIds } from '../../src/order.js';
import type { Runner } from '../../src/types.js';
import { runnerArb } from '../support/arbitraries.js';

describe('load order', () => {
  it('profileOrder: every profile once, each runner slot\'s together, in input order within a runner', () => {
    const input = fc.integer({ min: 1, max: 12 }).chain((runners) =>
      fc.record({
        runners: fc.constant(runners),
        runnerOf: fc.oneof(
          fc.array(fc.nat(runners - 1), { maxLength: 60 }),
          // Runs of one runner each, in any order of runners (added as they come).
          fc.shuffledSubarray([...Array(runners).keys()]).chain((order) => fc.tuple(...order.map((r) => fc.array(fc.constant(r), { maxLength: 4 }))).map((runs) => runs.flat())),
        ),
        permutation: fc.option(fc.shuffledSubarray([...Array(runners).keys()], { minLength: runners, maxLength: runners })),
      }),
    );
    fc.assert(fc.property(input, ({ runners, runnerOf, permutation }) => {
      const slotOfInput = permutation ? Int32Array.from(permutation) : undefined;
      const { slotOf, order } = profileOrder(Int32Array.from(runnerOf), slotOfInput, runnerOf.length, runners);
      const expectedSlots = runnerOf.map((r) => (permutation ? (permutation[r] as number) : r));
      expect([...slotOf]).toEqual(expectedSlots);
      // The reference: whether each slot's profiles form one run in the input.
      const runs = expectedSlots.filter((slot, i) => i === 0 || slot !== expectedSlots[i - 1]);
      const together = new Set(runs).size === runs.length;
      expect(order === undefined).toBe(together);
      // Otherwise the indices sorted by (slot, index).
      if (order) expect([...order]).toEqual(runnerOf.map((_, i) => i).sort((a, b) => (expectedSlots[a] as number) - (expectedSlots[b] as number) || a - b));
    }));
  });

  it('runnerSlots: runners by id, each id mapped to its slot and each input index to its slot', () => {
    const runners = fc.uniqueArray(fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.constantFrom('r-\uFF61', 'r-\u{1F600}', 'r-a')), { maxLength: 20 })
      .chain((ids) => fc.tuple(...ids.map((id) => runnerArb(id))));
    fc.assert(fc.property(runners, fc.boolean(), (list: Runner[], withMap) => {
      const indexOf = withMap ? new IdMap() : undefined;
      list.forEach((r, i) => indexOf?.set(r.runnerId, i));
      const placed = runnerSlots(list, false, indexOf);
      expect(placed).toBeDefined();
      const { bySlot, slotOf, slotOfInput } = placed as NonNullable<typeof placed>;
      expect(bySlot.map((r) => r.runnerId)).toEqual(list.map((r) => r.runnerId).sort(compareIds));
      bySlot.forEach((r, slot) => expect(slotOf.get(r.runnerId)).toBe(slot));
      list.forEach((r, i) => expect(bySlot[slotOfInput?.[i] as number]).toBe(r));
      expect(slotOf.size).toBe(list.length);
    }));
    expect(runnerSlots([], true, undefined)).toBeUndefined();
  });
});
