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

describe('mode unions of a runner with many profiles (counted, not worked out)', () => {
  it('match the reference through random upserts and removals', () => {
    const modes = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const profileArb = fc.record({ name: fc.integer({ min: 0, max: 59 }), ingress: fc.subarray(modes), egress: fc.subarray(modes) });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), profileArb), { minLength: 30, maxLength: 120 }), (steps) => {
        const names = Array.from({ length: 60 }, (_, i) => `p${i}`);
        const runner = { runnerId: 'r', runnerGroupId: 'g', healthy: true, connectedAt: '2026-01-01T00:00:00Z', profileNames: names };
        const c = Catalog.fromSnapshot({ runners: [runner], profiles: [] });
        const fork = c.fork();
        const held = new Map<string, { ingress: string[]; egress: string[] }>();
        for (const [remove, p] of steps) {
          const name = `p${p.name}`;
          if (remove && held.has(name)) {
            c.apply([{ type: 'removeProfile', profileName: name, runnerId: 'r' }]);
            held.delete(name);
          } else {
            c.apply([{ type: 'upsertProfile', profile: { profileName: name, runnerId: 'r', ingressModes: p.ingress, egressModes: p.egress } }]);
            held.set(name, { ingress: p.ingress, egress: p.egress });
          }
          for (const m of modes) {
            expect(c.countRunners({ ingressMode: m })).toBe([...held.values()].some((h) => h.ingress.includes(m)) ? 1 : 0);
            expect(c.countRunners({ egressMode: m })).toBe([...held.values()].some((h) => h.egress.includes(m)) ? 1 : 0);
          }
        }
        expect(fork.countRunners({ ingressMode: 'm0' })).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
