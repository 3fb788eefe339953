import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryValidationError,
  ProfileNotFoundError,
  RunnerNotFoundError,
  type RunnerFilter,
} from '../../src/index.js';
import { PROFILE_NAMES, RUNNER_IDS, jsonCopy, profileFilterArb, runnerFilterArb, snapshotArb } from '../support/arbitraries.js';
import { refGetProfile, refListProfiles, refListRunners } from '../support/reference.js';
import { fleet, profile, runner } from '../support/builders.js';

describe('listRunners — SPEC §2 rules', () => {
  const c = Catalog.fromSnapshot(
    fleet(
      [
        runner('r-a', { resources: { availableCpuMillicores: 4000, availableMemoryBytes: 2 ** 34, availableGpuCount: 2, runningSandboxes: 0 }, supportedGpuTypes: ['H100'] }),
        runner('r-b', { resources: { availableCpuMillicores: 3999, availableMemoryBytes: 2 ** 30, availableGpuCount: 0, runningSandboxes: 3 } }),
        runner('r-c', { resources: null, healthy: false }),
        runner('r-d', { resources: { availableCpuMillicores: 0, availableMemoryBytes: 0, availableGpuCount: 0, runningSandboxes: 0 } }),
      ],
      [
        profile('p', 'r-a', { ingressModes: ['public'], egressModes: ['internet'] }),
        profile('p', 'r-b', { ingressModes: ['private'], egressModes: ['blocked'] }),
        profile('q', 'r-b', { egressModes: ['internet', 'blocked'] }),
      ],
    ),
  );
  const ids = (f: RunnerFilter) => c.listRunners(f).map((r) => r.runnerId);

  it('capacity thresholds are inclusive', () => {
    expect(ids({ minAvailableCpuMillicores: 4000 })).toEqual(['r-a']);
    expect(ids({ minAvailableCpuMillicores: 3999 })).toEqual(['r-a', 'r-b']);
  });
  it('a runner with null resources is dropped by every capacity filter, even at 0', () => {
    expect(ids({ minAvailableCpuMillicores: 0 })).toEqual(['r-a', 'r-b', 'r-d']);
    expect(ids({ minAvailableGpuCount: 0 })).toEqual(['r-a', 'r-b', 'r-d']);
    expect(ids({})).toEqual(['r-a', 'r-b', 'r-c', 'r-d']);
  });
  it('resources are null unless included; a capacity filter implies them', () => {
    expect(c.listRunners()[0]?.resources).toBeNull();
    expect(c.listRunners({ includeResources: true })[0]?.resources?.availableCpuMillicores).toBe(4000);
    expect(c.listRunners({ minAvailableMemoryBytes: 0 })[0]?.resources?.availableCpuMillicores).toBe(4000);
  });
  it('exposure public: runners whose profiles are {public} match, {private} do not', () => {
    expect(ids({ ingressMode: 'public' })).toEqual(['r-a']);
    expect(ids({ ingressMode: 'private' })).toEqual(['r-b']);
  });
  it('egress internet: union over all the runner’s profiles ({blocked} plus {internet, blocked})', () => {
    expect(ids({ egressMode: 'internet' })).toEqual(['r-a', 'r-b']);
    expect(ids({ egressMode: 'blocked' })).toEqual(['r-b']);
  });
  it('a runner with no profiles never matches a mode filter', () => {
    expect(ids({ egressMode: 'internet' })).not.toContain('r-d');
  });
  it('combines capacity and mode filters with AND', () => {
    expect(ids({ egressMode: 'internet', minAvailableCpuMillicores: 4000 })).toEqual(['r-a']);
    expect(ids({ egressMode: 'internet', minAvailableGpuCount: 1, gpuType: 'H100' })).toEqual(['r-a']);
  });
  it('unhealthy runners are listed unless healthyOnly', () => {
    expect(ids({ healthyOnly: true })).toEqual(['r-a', 'r-b', 'r-d']);
  });
  it('unknown values give empty results; values are case-sensitive', () => {
    expect(ids({ gpuType: 'h100' })).toEqual([]);
    expect(c.countRunners({ runnerGroupId: 'nope' })).toBe(0);
  });
  it('refuses blank filter values and unknown keys, naming each', () => {
    try {
      c.listRunners({ gpuType: ' ', minAvailableGpuCount: -1, gpu: 'H100' } as RunnerFilter);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiscoveryValidationError);
      expect((e as DiscoveryValidationError).fieldViolations.map((v) => v.field).sort()).toEqual(['gpu', 'gpuType', 'minAvailableGpuCount']);
    }
  });
  it('getRunner always includes resources; a missing runner is a typed error', () => {
    expect(c.getRunner('r-b').resources?.runningSandboxes).toBe(3);
    const e = (() => { try { c.getRunner('zz'); } catch (x) { return x; } return undefined; })();
    expect(e).toBeInstanceOf(RunnerNotFoundError);
    expect((e as RunnerNotFoundError).runnerId).toBe('zz');
  });
  it('returned objects are frozen: callers cannot corrupt the catalog', () => {
    const r = c.getRunner('r-a');
    expect(Object.isFrozen(r)).toBe(true);
    expect(() => { (r.supportedGpuTypes as string[]).push('B200'); }).toThrow();
    expect(c.countRunners({ gpuType: 'B200' })).toBe(0);
  });
});

describe('profiles — SPEC §2 rules', () => {
  const c = Catalog.fromSnapshot(fleet([runner('r2'), runner('r10'), runner('r1')], [profile('gpu', 'r2'), profile('gpu', 'r10'), profile('a', 'r2'), profile('cpu', 'r1')]));

  it('lists by runnerId then profileName, plain string order', () => {
    expect(c.listProfiles().map((p) => `${p.runnerId}/${p.profileName}`)).toEqual(['r1/cpu', 'r10/gpu', 'r2/a', 'r2/gpu']);
  });
  it('getProfile without a runner picks the smallest runnerId', () => {
    expect(c.getProfile('gpu').runnerId).toBe('r10');
    expect(c.getProfile('gpu', { runnerId: 'r2' }).runnerId).toBe('r2');
  });
  it('ProfileNotFoundError carries the name and the runnerId as passed', () => {
    for (const [name, runnerId] of [['none', undefined], ['gpu', 'r1']] as const) {
      try {
        c.getProfile(name, runnerId === undefined ? undefined : { runnerId });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ProfileNotFoundError);
        expect([(e as ProfileNotFoundError).profileName, (e as ProfileNotFoundError).runnerId]).toEqual([name, runnerId]);
        expect((e as ProfileNotFoundError).code).toBe('PROFILE_NOT_FOUND');
      }
    }
  });
});

describe('queries against the brute-force reference', () => {
  it('listRunners and countRunners', () => {
    fc.assert(fc.property(snapshotArb(), fc.array(runnerFilterArb, { maxLength: 8 }), (snapshot, filters) => {
      const c = Catalog.fromSnapshot(jsonCopy(snapshot));
      for (const f of filters) {
        const expected = refListRunners(snapshot, f);
        expect(c.listRunners(f)).toEqual(expected);
        expect(c.countRunners(f)).toBe(expected.length);
      }
    }), { numRuns: 300 });
  });

  it('listProfiles, countProfiles and getProfile', () => {
    fc.assert(fc.property(snapshotArb(), fc.array(profileFilterArb, { maxLength: 8 }), fc.constantFrom(...PROFILE_NAMES), fc.option(fc.constantFrom(...RUNNER_IDS), { nil: undefined }), (snapshot, filters, name, runnerId) => {
      const c = Catalog.fromSnapshot(jsonCopy(snapshot));
      for (const f of filters) {
        const expected = refListProfiles(snapshot, f);
        expect(c.listProfiles(f)).toEqual(expected);
        expect(c.countProfiles(f)).toBe(expected.length);
      }
      const expected = refGetProfile(snapshot, name, runnerId);
      if (expected) expect(c.getProfile(name, runnerId === undefined ? undefined : { runnerId })).toEqual(expected);
      else expect(() => c.getProfile(name, runnerId === undefined ? undefined : { runnerId })).toThrow(ProfileNotFoundError);
    }), { numRuns: 300 });
  });

  it('toSnapshot round-trips', () => {
    fc.assert(fc.property(snapshotArb(), (snapshot) => {
      const c = Catalog.fromSnapshot(jsonCopy(snapshot));
      const out = c.toSnapshot();
      expect(out.runners).toEqual(refListRunners(snapshot, { includeResources: true }));
      expect(out.profiles).toEqual(refListProfiles(snapshot, {}));
      expect(Catalog.fromSnapshot(jsonCopy(out)).toSnapshot()).toEqual(out);
    }));
  });
});
