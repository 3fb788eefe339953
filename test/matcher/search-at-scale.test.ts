import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEARCH_TUNING } from '../../src/matcher/placement/strategy.js';
import { Catalog, generateFleet, generateRequests, type Placement, type Reservation, type Strategy } from '../../src/index.js';
import { useSearchNow } from '../support/search.js';

/**
 * Runs `place` with every decision searched (firstFit: by the fit set, not slot order), or with
 * every fitting runner scored (firstFit: as it goes by default); the tuning restored after.
 */
function decide<T>(search: boolean, place: () => T): T {
  const restore = useSearchNow(search);
  if (!search) SEARCH_TUNING.scoreAllBase = Number.POSITIVE_INFINITY;
  try {
    return place();
  } finally {
    restore();
  }
}

/**
 * The small fleets of the reference properties leave a bucket of the shape index a runner or
 * two; here thousands of runners fill the buckets near every target, many of them with equal
 * scores, while a replay takes capacity and gives some back: the search must still answer as
 * scoring every fitting runner does (itself the brute-force reference's answer, property-tested
 * on smaller fleets), decision by decision. (A walk that stopped at the bucket holding the
 * target when all of its runners lay on one side of it, though the next bucket held a nearer
 * runner — a mistake the smaller properties do not catch — fails here.)
 */
describe('the search on fleets of thousands of runners, against scoring every fitting runner', () => {
  it.each([
    ['standard', 'default'],
    ['standard', 0.9],
    ['heterogeneous', 'default'],
  ] as const)('a replay of placements, reservations and releases (%s fleet, share of capacity in use: %s)', (shapes, utilisation) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom<Strategy>('spread', 'binpack', 'balanced', 'firstFit'), (seed, strategy) => {
        const fleet = generateFleet({ runners: 3000, seed, shapes, ...(utilisation === 'default' ? {} : { utilisation }) });
        const searched = Catalog.fromSnapshot(fleet);
        const scored = Catalog.fromSnapshot(fleet);
        const requests = generateRequests({ count: 500, seed: seed + 1 });
        const held: Array<[Reservation, Reservation]> = [];
        for (const [i, q] of requests.entries()) {
          // Every third step frees the oldest sandbox but one: capacity is taken and given back.
          if (i % 3 === 2 && held.length > 1) {
            const [a, b] = held.splice(1, 1)[0] as [Reservation, Reservation];
            searched.release(a);
            scored.release(b);
          }
          const got = decide(true, () => searched.place(q, { strategy, topK: 2, nearestMisses: 0 }));
          const want = decide(false, () => scored.place(q, { strategy, topK: 2, nearestMisses: 0 }));
          expect(got.ok, `request ${i}`).toBe(want.ok);
          if (!got.ok || !want.ok) continue;
          const pick = (p: Placement) => [p.runnerId, p.score, p.profileName, p.alternatives?.map((a) => [a.runnerId, a.score])];
          expect(pick(got), `request ${i}`).toEqual(pick(want));
          held.push([searched.reserve(got), scored.reserve(want)]);
        }
        // Placements were made (and compared).
        return held.length > 0;
      }),
      { numRuns: 4 },
    );
  });
});
