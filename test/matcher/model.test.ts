import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryValidationError,
  StalePlacementError,
  type Change,
  type Profile,
  type Reservation,
  type Runner,
  type RunnerResources,
  type SandboxRequest,
  type Snapshot,
  type Strategy,
} from '../../src/index.js';
import {
  PROFILE_NAMES,
  MANY_RUNNER_IDS,
  jsonCopy,
  profileArb,
  profileFilterArb,
  requestArb,
  resourcesArb,
  runnerArb,
  runnerFilterArb,
  snapshotArb,
  strategyArb,
} from '../support/arbitraries.js';
import { refListProfiles, refListRunners, refPlace, refRejection } from '../support/reference.js';

/**
 * Model-based tests: random sequences of batches (valid and invalid), placements, reservations
 * and releases, with the catalog compared to a plain model after every step.
 */
interface Model {
  runners: Map<string, Runner>; // as reported by the source of truth
  profiles: Map<string, Profile>;
  reservations: Map<number, Reservation>;
  generation: number;
}

const key = (name: string, runnerId: string) => JSON.stringify([name, runnerId]);

/** What the catalog should show: reported resources minus what is reserved, floored at zero. */
function effective(m: Model): Snapshot {
  const runners = [...m.runners.values()].map((r): Runner => {
    if (!r.resources) return r;
    const held = [...m.reservations.values()].filter((x) => x.runnerId === r.runnerId);
    if (held.length === 0) return r;
    const sum = (f: (x: Reservation) => number) => held.reduce((s, x) => s + f(x), 0);
    const res: RunnerResources = {
      availableCpuMillicores: Math.max(0, r.resources.availableCpuMillicores - sum((x) => x.cpuMillicores)),
      availableMemoryBytes: Math.max(0, r.resources.availableMemoryBytes - sum((x) => x.memoryBytes)),
      availableGpuCount: Math.max(0, r.resources.availableGpuCount - sum((x) => x.gpuCount)),
      runningSandboxes: r.resources.runningSandboxes + held.length,
    };
    return { ...r, resources: res };
  });
  return { runners, profiles: [...m.profiles.values()] };
}

function compare(m: Model, c: Catalog, filters: { runner: Parameters<Catalog['listRunners']>[0]; profile: Parameters<Catalog['listProfiles']>[0] }): void {
  const s = effective(m);
  expect(c.generation).toBe(m.generation);
  expect(c.toSnapshot().runners).toEqual(refListRunners(s, { includeResources: true }));
  expect(c.listProfiles()).toEqual(refListProfiles(s, {}));
  expect(c.listRunners(filters.runner)).toEqual(refListRunners(s, filters.runner ?? {}));
  expect(c.countRunners(filters.runner)).toBe(refListRunners(s, filters.runner ?? {}).length);
  expect(c.listProfiles(filters.profile)).toEqual(refListProfiles(s, filters.profile ?? {}));
}

type ChangeSpec =
  | { kind: 'upsertRunner'; runner: Runner }
  | { kind: 'removeRunner'; pick: number }
  | { kind: 'setResources'; pick: number; resources: RunnerResources | null }
  | { kind: 'upsertProfile'; pick: number; profile: (runnerId: string) => Profile }
  | { kind: 'removeProfile'; pick: number }
  | { kind: 'setHealthy'; pick: number; healthy: boolean }
  | { kind: 'corrupt'; which: number };

const changeSpecArb: fc.Arbitrary<ChangeSpec> = fc.oneof(
  fc.constantFrom(...MANY_RUNNER_IDS).chain((id) => runnerArb(id)).map((runner) => ({ kind: 'upsertRunner' as const, runner })),
  fc.nat().map((pick) => ({ kind: 'removeRunner' as const, pick })),
  fc.tuple(fc.nat(), fc.option(resourcesArb({ cpu: 0, mem: 0, gpu: 0 }), { nil: null })).map(([pick, resources]) => ({ kind: 'setResources' as const, pick, resources })),
  fc.tuple(fc.nat(), fc.constantFrom(...PROFILE_NAMES), fc.nat()).map(([pick, name, seed]) => ({
    kind: 'upsertProfile' as const,
    pick,
    profile: (runnerId: string) => fc.sample(profileArb(name, runnerId), { numRuns: 1, seed })[0] as Profile,
  })),
  fc.nat().map((pick) => ({ kind: 'removeProfile' as const, pick })),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, healthy]) => ({ kind: 'setHealthy' as const, pick, healthy })),
  fc.nat(3).map((which) => ({ kind: 'corrupt' as const, which })),
);

class ApplyCommand implements fc.Command<Model, Real> {
  constructor(readonly specs: ChangeSpec[], readonly filters: Parameters<typeof compare>[2]) {}
  check(): boolean {
    return true;
  }
  run(m: Model, { c }: Real): void {
    // Resolve the specs against a scratch copy of the model, as the batch would see it.
    const runners = new Map(m.runners);
    const profiles = new Map(m.profiles);
    const reservations = new Map(m.reservations);
    const changes: Change[] = [];
    let corrupt = false;
    const pickRunner = (n: number) => [...runners.keys()][n % Math.max(1, runners.size)];
    for (const spec of this.specs) {
      switch (spec.kind) {
        case 'upsertRunner':
          runners.set(spec.runner.runnerId, spec.runner);
          changes.push({ type: 'upsertRunner', runner: jsonCopy(spec.runner) });
          break;
        case 'removeRunner': {
          const id = pickRunner(spec.pick);
          if (id === undefined) break;
          runners.delete(id);
          for (const [k, p] of profiles) if (p.runnerId === id) profiles.delete(k);
          for (const [k, r] of reservations) if (r.runnerId === id) reservations.delete(k);
          changes.push({ type: 'removeRunner', runnerId: id });
          break;
        }
        case 'setResources': {
          const id = pickRunner(spec.pick);
          const r = id === undefined ? undefined : runners.get(id);
          if (!r) break;
          const clamp = (v: number, max: number) => (max > 0 ? Math.min(v, max) : v);
          const resources = spec.resources && {
            ...spec.resources,
            availableCpuMillicores: clamp(spec.resources.availableCpuMillicores, r.maxCpuMillicores),
            availableMemoryBytes: clamp(spec.resources.availableMemoryBytes, r.maxMemoryBytes),
            availableGpuCount: clamp(spec.resources.availableGpuCount, r.maxGpuCount),
          };
          runners.set(r.runnerId, { ...r, resources });
          changes.push({ type: 'setResources', runnerId: r.runnerId, resources });
          break;
        }
        case 'upsertProfile': {
          const id = pickRunner(spec.pick);
          if (id === undefined) break;
          const p = spec.profile(id);
          profiles.set(key(p.profileName, id), p);
          changes.push({ type: 'upsertProfile', profile: p });
          break;
        }
        case 'removeProfile': {
          const all = [...profiles.values()];
          const p = all[spec.pick % Math.max(1, all.length)];
          if (!p) break;
          profiles.delete(key(p.profileName, p.runnerId));
          changes.push({ type: 'removeProfile', profileName: p.profileName, runnerId: p.runnerId });
          break;
        }
        case 'setHealthy': {
          const id = pickRunner(spec.pick);
          const r = id === undefined ? undefined : runners.get(id);
          if (!r) break;
          runners.set(r.runnerId, { ...r, healthy: spec.healthy });
          changes.push({ type: 'setHealthy', runnerId: r.runnerId, healthy: spec.healthy });
          break;
        }
        case 'corrupt':
          corrupt = true;
          changes.push(
            [
              { type: 'setResources', runnerId: 'no-such-runner', resources: null },
              { type: 'upsertProfile', profile: { profileName: 'x', runnerId: 'no-such-runner' } },
              { type: 'setResources', runnerId: pickRunner(0) ?? 'none', resources: { availableCpuMillicores: -1, availableMemoryBytes: 0, availableGpuCount: 0 } },
              { type: 'removeProfile', profileName: 'never', runnerId: pickRunner(0) ?? 'none' },
            ][spec.which] as Change,
          );
          break;
      }
    }
    if (corrupt) {
      const before = c.toSnapshot();
      expect(() => c.apply(changes)).toThrow(DiscoveryValidationError);
      expect(c.toSnapshot()).toEqual(before);
    } else {
      // An empty batch changes nothing, its generation included.
      const next = changes.length === 0 ? m.generation : m.generation + 1;
      expect(c.apply(changes)).toBe(next);
      m.runners = runners;
      m.profiles = profiles;
      m.reservations = reservations;
      m.generation = next;
    }
    compare(m, c, this.filters);
  }
  toString(): string {
    return `apply(${JSON.stringify(this.specs.map((s) => s.kind))})`;
  }
}

/** The catalog under test; a fork command swaps in a fork, which must carry on as its parent did. */
interface Real {
  c: Catalog;
}

class PlaceCommand implements fc.Command<Model, Real> {
  constructor(readonly request: SandboxRequest, readonly strategy: Strategy, readonly reserve: boolean, readonly lease: { sandboxId?: string; expiresAt?: number }) {}
  check(): boolean {
    return true;
  }
  run(m: Model, { c }: Real): void {
    const s = effective(m);
    const expected = refPlace(s, this.request, this.strategy);
    const asked = jsonCopy(this.request) as { -readonly [K in keyof SandboxRequest]: SandboxRequest[K] };
    const got = c.place(asked, { strategy: this.strategy, nearestMisses: 3 });
    // The caller's object is the caller's: changing it after the call changes nothing here.
    asked.cpuMillicores = -20_000;
    asked.gpuType = 'mutated';
    asked.tags = ['mutated'];
    expect(got.ok).toBe(expected.best !== undefined);
    if (!got.ok) {
      const want = refRejection(s, this.request, 3);
      expect({ code: got.code, considered: got.considered, reasons: { ...got.reasons }, nearestMisses: jsonCopy(got.nearestMisses) }).toEqual(want);
      return;
    }
    if (!expected.best) return;
    expect({ runnerId: got.runnerId, score: got.score, profileName: got.profileName }).toEqual(expected.best);
    expect(got.request).toEqual(this.request);
    if (!this.reserve) return;
    // A forged copy is refused and changes nothing.
    const before = jsonCopy(c.toSnapshot());
    expect(() => c.reserve({ ...got, request: { ...got.request, cpuMillicores: 0 } })).toThrow(DiscoveryValidationError);
    expect(() => c.reserve(jsonCopy(got))).toThrow(DiscoveryValidationError);
    expect(jsonCopy(c.toSnapshot())).toEqual(before);
    const held = this.lease.sandboxId === undefined ? undefined : c.reservationFor(this.lease.sandboxId);
    const r = c.reserve(got, this.lease);
    if (held) {
      expect(r).toBe(held); // an idempotent retry books nothing more
      expect(jsonCopy(c.toSnapshot())).toEqual(before);
      return;
    }
    expect([r.cpuMillicores, r.memoryBytes, r.gpuCount]).toEqual([this.request.cpuMillicores, this.request.memoryBytes, this.request.gpuCount]);
    m.reservations.set(r.reservationId, r);
    expect(() => c.reserve(got)).toThrow(StalePlacementError); // the runner changed: the placement is stale
    compare(m, c, { runner: undefined, profile: undefined });
  }
  toString(): string {
    return `place(${JSON.stringify(this.request)}, ${this.strategy}, reserve=${this.reserve}, ${JSON.stringify(this.lease)})`;
  }
}

class ReleaseCommand implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return m.reservations.size > 0;
  }
  run(m: Model, { c }: Real): void {
    const r = [...m.reservations.values()][this.pick % m.reservations.size] as Reservation;
    // An altered copy is not the reservation.
    expect(() => c.release({ ...r, cpuMillicores: r.cpuMillicores + 1 })).toThrow(DiscoveryValidationError);
    c.release(r);
    m.reservations.delete(r.reservationId);
    expect(() => c.release(r)).toThrow(DiscoveryValidationError);
    compare(m, c, { runner: undefined, profile: undefined });
  }
  toString(): string {
    return `release(#${this.pick})`;
  }
}

class ExpireCommand implements fc.Command<Model, Real> {
  constructor(readonly now: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, { c }: Real): void {
    const due = [...m.reservations.values()].filter((r) => r.expiresAt !== undefined && r.expiresAt <= this.now);
    due.sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number) || a.reservationId - b.reservationId);
    expect(c.expire(this.now)).toEqual(due);
    for (const r of due) m.reservations.delete(r.reservationId);
    compare(m, c, { runner: undefined, profile: undefined });
  }
  toString(): string {
    return `expire(${this.now})`;
  }
}

/**
 * Takes a fork and carries on with it: placements and reservations of one catalog are refused
 * by the other, and neither is changed by what is done to the other.
 */
class ForkCommand implements fc.Command<Model, Real> {
  constructor(readonly request: SandboxRequest) {}
  check(): boolean {
    return true;
  }
  run(m: Model, real: Real): void {
    const parent = real.c;
    const fork = parent.fork();
    const parentBefore = jsonCopy(parent.toSnapshot());
    const fromParent = parent.place(this.request);
    const fromFork = fork.place(this.request);
    if (fromParent.ok) expect(() => fork.reserve(fromParent)).toThrow(DiscoveryValidationError);
    if (fromFork.ok) {
      expect(() => parent.reserve(fromFork)).toThrow(DiscoveryValidationError);
      const r = fork.reserve(fromFork);
      expect(m.reservations.has(r.reservationId)).toBe(false); // ids never collide within the family
      expect(() => parent.release(r)).toThrow(DiscoveryValidationError);
      fork.release(r);
    }
    expect(jsonCopy(parent.toSnapshot())).toEqual(parentBefore);
    real.c = fork;
    compare(m, fork, { runner: undefined, profile: undefined });
  }
  toString(): string {
    return `fork(${JSON.stringify(this.request)})`;
  }
}

const leaseArb = fc.record(
  { sandboxId: fc.constantFrom('s1', 's2', 's3', 's4'), expiresAt: fc.integer({ min: 0, max: 100 }) },
  { requiredKeys: [] },
);

const commands = [
  fc.tuple(fc.array(changeSpecArb, { maxLength: 8 }), runnerFilterArb, profileFilterArb).map(([specs, runner, profile]) => new ApplyCommand(specs, { runner, profile })),
  fc.tuple(requestArb, strategyArb, fc.boolean(), leaseArb).map(([q, s, r, lease]) => new PlaceCommand(q, s, r, lease)),
  fc.nat().map((pick) => new ReleaseCommand(pick)),
  fc.integer({ min: 0, max: 100 }).map((now) => new ExpireCommand(now)),
  requestArb.map((q) => new ForkCommand(q)),
];

function modelOf(snapshot: Snapshot): Model {
  return {
    runners: new Map(snapshot.runners.map((r) => [r.runnerId, r])),
    profiles: new Map(snapshot.profiles.map((p) => [key(p.profileName, p.runnerId), p])),
    reservations: new Map(),
    generation: 0,
  };
}

describe('model-based: batches, placements, reservations, leases, forks', () => {
  it('the catalog always equals the model; capacity is conserved', () => {
    fc.assert(
      fc.property(snapshotArb(50, MANY_RUNNER_IDS), fc.commands(commands, { maxCommands: 25 }), (snapshot, cmds) => {
        const real: Real = { c: Catalog.fromSnapshot(jsonCopy(snapshot)) };
        fc.modelRun(() => ({ model: modelOf(snapshot), real }), cmds);
      }),
      { numRuns: 150 },
    );
  });

  it('a fork never changes its parent, nor the parent its fork', () => {
    fc.assert(
      fc.property(snapshotArb(40, MANY_RUNNER_IDS), fc.commands(commands, { maxCommands: 10 }), (snapshot, cmds) => {
        const parent = Catalog.fromSnapshot(jsonCopy(snapshot));
        const before = jsonCopy(parent.toSnapshot());
        const real: Real = { c: parent.fork() };
        fc.modelRun(() => ({ model: modelOf(snapshot), real }), cmds);
        expect(jsonCopy(parent.toSnapshot())).toEqual(before);
        parent.apply([{ type: 'upsertRunner', runner: { runnerId: 'only-in-parent', runnerGroupId: 'g', healthy: true, connectedAt: '2026-01-01T00:00:00Z' } }]);
        expect(() => real.c.getRunner('only-in-parent')).toThrow();
      }),
      { numRuns: 80 },
    );
  });
});
