import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, type Profile, type Runner } from '../../src/index.js';
import { MANY_RUNNER_IDS, jsonCopy, profileFilterArb, runnerArb, runnerFilterArb, snapshotArb } from '../support/arbitraries.js';
import { byString, refListProfiles, refListRunners } from '../support/reference.js';

/** Keyset pages against the reference listing, with the catalog changing between pages. */
const churnArb = fc.array(
  fc.oneof(
    fc.constantFrom(...MANY_RUNNER_IDS).chain((id) => runnerArb(id)).map((runner) => ({ kind: 'upsert' as const, runner })),
    fc.nat().map((pick) => ({ kind: 'remove' as const, pick })),
  ),
  { maxLength: 3 },
);

describe('pages', () => {
  it('runner pages put together are the listing', () => {
    fc.assert(
      fc.property(snapshotArb(50, MANY_RUNNER_IDS), runnerFilterArb, fc.integer({ min: 1, max: 9 }), (snapshot, filter, limit) => {
        const c = Catalog.fromSnapshot(jsonCopy(snapshot));
        const all: Runner[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = c.listRunners(filter, { after, limit });
          expect(page.length).toBeLessThanOrEqual(limit);
          all.push(...page);
          if (page.length < limit) break;
          after = page[page.length - 1]?.runnerId;
        }
        expect(all).toEqual(refListRunners(snapshot, filter));
      }),
    );
  });

  it('profile pages put together are the listing', () => {
    fc.assert(
      fc.property(snapshotArb(30, MANY_RUNNER_IDS), profileFilterArb, fc.integer({ min: 1, max: 9 }), (snapshot, filter, limit) => {
        const c = Catalog.fromSnapshot(jsonCopy(snapshot));
        const all: Profile[] = [];
        let after: { runnerId: string; profileName: string } | undefined;
        for (let guard = 0; guard < 200; guard++) {
          const page = c.listProfiles(filter, { after, limit });
          all.push(...page);
          if (page.length < limit) break;
          const last = page[page.length - 1] as Profile;
          after = { runnerId: last.runnerId, profileName: last.profileName };
        }
        expect(all).toEqual(refListProfiles(snapshot, filter));
      }),
    );
  });

  it('with batches between pages: in order, never twice, every runner present throughout listed', () => {
    fc.assert(
      fc.property(snapshotArb(50, MANY_RUNNER_IDS), runnerFilterArb, fc.integer({ min: 1, max: 6 }), fc.array(churnArb, { maxLength: 12 }), (snapshot, filter, limit, churn) => {
        const c = Catalog.fromSnapshot(jsonCopy(snapshot));
        const ids = (r: Runner[]) => new Set(r.map((x) => x.runnerId));
        let throughout = ids(c.listRunners(filter));
        const seen: string[] = [];
        let after: string | undefined;
        for (let step = 0; step < 100; step++) {
          const page = c.listRunners(filter, { after, limit });
          seen.push(...page.map((r) => r.runnerId));
          if (page.length < limit) break;
          after = page[page.length - 1]?.runnerId;
          for (const change of churn[step] ?? []) {
            if (change.kind === 'upsert') c.apply([{ type: 'upsertRunner', runner: change.runner }]);
            else {
              const present = c.listRunners().map((r) => r.runnerId);
              const id = present[change.pick % Math.max(1, present.length)];
              if (id !== undefined) c.apply([{ type: 'removeRunner', runnerId: id }]);
            }
          }
          const now = ids(c.listRunners(filter));
          throughout = new Set([...throughout].filter((id) => now.has(id)));
        }
        for (let i = 1; i < seen.length; i++) expect(byString(seen[i - 1] as string, seen[i] as string)).toBeLessThan(0);
        for (const id of throughout) expect(seen).toContain(id);
      }),
    );
  });

  it('bad pages are validation errors', () => {
    const c = Catalog.fromSnapshot({ runners: [], profiles: [] });
    expect(() => c.listRunners({}, { limit: -1 })).toThrow(/limit/);
    expect(() => c.listRunners({}, { after: '' })).toThrow(/after/);
    expect(() => c.listProfiles({}, { after: { runnerId: 'r' } as never })).toThrow(/after\.profileName/);
  });
});
