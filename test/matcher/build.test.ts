import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, parseSnapshot, type Snapshot } from '../../src/index.js';
import { compareIds } from '../../src/order.js';
import { jsonCopy, MANY_RUNNER_IDS, runnerArb, snapshotArb } from '../support/arbitraries.js';

/**
 * `fromSnapshot` builds on what validation worked out when the runners come in runnerId order
 * (their index is their slot, validation's id map becomes the table's); otherwise it sorts.
 * Every way in gives the same catalog, which then changes as any other.
 */
describe('Catalog.fromSnapshot, every way in', () => {
  const sortedById = (s: Snapshot): Snapshot => ({ runners: [...s.runners].sort((a, b) => compareIds(a.runnerId, b.runnerId)), profiles: s.profiles });
  const shuffledProfiles = (s: Snapshot, seed: number): Snapshot => ({ runners: s.runners, profiles: [...s.profiles].sort((a, b) => ((a.profileName.length * 31 + a.runnerId.length * seed) % 7) - ((b.profileName.length * 31 + b.runnerId.length * seed) % 7)) });

  it('gives the same catalog from raw JSON in id order, out of order, and from a parsed snapshot', () => {
    fc.assert(fc.property(snapshotArb(40, MANY_RUNNER_IDS), fc.nat(100), runnerArb('zz-new'), (snapshot, seed, extra) => {
      const ways = [
        Catalog.fromSnapshot(jsonCopy(sortedById(snapshot))),
        Catalog.fromSnapshot(jsonCopy(snapshot)),
        Catalog.fromSnapshot(jsonCopy(shuffledProfiles(sortedById(snapshot), seed))),
        Catalog.fromSnapshot(parseSnapshot(jsonCopy(snapshot))),
      ];
      const expected = JSON.stringify(ways[3]?.toSnapshot());
      // The runners' mode unions (worked out from their profiles, not in the snapshot).
      const modes = [...new Set(snapshot.profiles.flatMap((p) => [...p.ingressModes, ...p.egressModes]))];
      const byMode = (c: Catalog) => modes.map((m) => [c.listRunners({ ingressMode: m }), c.listRunners({ egressMode: m })].map((rs) => rs.map((r) => r.runnerId)));
      const expectedByMode = byMode(ways[3] as Catalog);
      for (const catalog of ways) {
        expect(JSON.stringify(catalog.toSnapshot())).toBe(expected);
        expect(byMode(catalog)).toEqual(expectedByMode);
        for (const r of snapshot.runners) expect(catalog.getRunner(r.runnerId).runnerId).toBe(r.runnerId);
        expect(catalog.countProfiles()).toBe(snapshot.profiles.length);
        // The table's id map is its own to change: a runner leaves, another joins, ids still resolve.
        const leaving = snapshot.runners[seed % Math.max(1, snapshot.runners.length)];
        catalog.apply([...(leaving ? [{ type: 'removeRunner' as const, runnerId: leaving.runnerId }] : []), { type: 'upsertRunner' as const, runner: extra }]);
        expect(catalog.getRunner('zz-new').runnerId).toBe('zz-new');
        if (leaving) expect(() => catalog.getRunner(leaving.runnerId)).toThrow();
        expect(catalog.size).toBe(snapshot.runners.length + (leaving ? 0 : 1));
      }
      const after = JSON.stringify(ways[0]?.toSnapshot());
      for (const catalog of ways) expect(JSON.stringify(catalog.toSnapshot())).toBe(after);
    }));
  });
});
