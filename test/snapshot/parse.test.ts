import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiscoveryValidationError, parseSnapshot, type Snapshot } from '../../src/index.js';
import { jsonCopy, snapshotArb, toSnakeCase } from '../support/arbitraries.js';

const runner = (over: Record<string, unknown> = {}) => ({
  runnerId: 'r1',
  runnerGroupId: 'g1',
  healthy: true,
  connectedAt: '2026-01-02T03:04:05Z',
  maxCpuMillicores: 8000,
  maxMemoryBytes: 2 ** 34,
  maxGpuCount: 0,
  resources: { availableCpuMillicores: 4000, availableMemoryBytes: 2 ** 33, availableGpuCount: 0, runningSandboxes: 1 },
  ...over,
});

function violations(json: unknown) {
  try {
    parseSnapshot(json);
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryValidationError);
    return (e as DiscoveryValidationError).fieldViolations;
  }
  throw new Error('expected a DiscoveryValidationError');
}

describe('parseSnapshot', () => {
  it('fills defaults: missing lists are empty, missing resources null, max 0', () => {
    const s = parseSnapshot({ runners: [{ runner_id: 'a', runner_group_id: 'g', healthy: false, connected_at: '2026-01-01T00:00:00.5+02:00' }] });
    expect(s.runners[0]).toEqual({
      runnerId: 'a', runnerGroupId: 'g', tags: [], healthy: false, profileNames: [], connectedAt: '2026-01-01T00:00:00.5+02:00',
      maxCpuMillicores: 0, maxMemoryBytes: 0, maxGpuCount: 0, supportedGpuTypes: [], supportedArchitectures: [],
      supportsPrivileged: false, availableStorageClasses: [], resources: null, isShared: false,
    });
    expect(s.profiles).toEqual([]);
  });

  it('accepts service_exposure_modes as ingress_modes and ignores unknown fields', () => {
    const s = parseSnapshot({
      runners: [runner({ futureField: { x: 1 } })],
      profiles: [{ profile_name: 'p', runner_id: 'r1', service_exposure_modes: ['public'], egress_modes: ['internet'], new_thing: 1 }],
    });
    expect(s.profiles[0]).toEqual({ profileName: 'p', runnerId: 'r1', supportedGpuTypes: [], supportedArchitectures: [], ingressModes: ['public'], egressModes: ['internet'] });
  });

  it('freezes the result deeply', () => {
    const s = parseSnapshot({ runners: [runner({ tags: ['x'] })] });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.runners)).toBe(true);
    expect(Object.isFrozen(s.runners[0])).toBe(true);
    expect(Object.isFrozen(s.runners[0]?.tags)).toBe(true);
    expect(Object.isFrozen(s.runners[0]?.resources)).toBe(true);
  });

  it('reports every violation with its path, in the spelling used', () => {
    const v = violations({
      runners: [
        runner(),
        { runner_id: 'r2', runner_group_id: 'g', healthy: 'yes', connected_at: 'yesterday', max_gpu_count: 2, resources: { available_cpu_millicores: -1, available_memory_bytes: 1.5, available_gpu_count: 3 } },
        runner({ runnerId: 'r1' }),
        runner({ runnerId: 'r4', maxCpuMillicores: Number.NaN, tags: ['ok', '  ', 7] }),
        'not a runner',
      ],
      profiles: [
        { profileName: 'p', runnerId: 'ghost' },
        { profileName: 'p', runnerId: 'r1' },
        { profileName: 'p', runnerId: 'r1' },
        { profileName: '', runnerId: 'r1', egressModes: 'internet' },
      ],
    });
    expect(v.map((x) => x.field)).toEqual([
      'runners[1].healthy',
      'runners[1].connected_at',
      'runners[1].resources.available_cpu_millicores',
      'runners[1].resources.available_memory_bytes',
      'runners[1].resources.available_gpu_count',
      'runners[2].runnerId',
      'runners[3].tags[1]',
      'runners[3].tags[2]',
      'runners[3].maxCpuMillicores',
      'runners[4]',
      'profiles[0].runnerId',
      'profiles[2].profileName',
      'profiles[3].profileName',
      'profiles[3].egressModes',
    ]);
    expect(v[4]?.description).toContain('maximum 2');
  });

  it('treats prototype-looking ids as ordinary data', () => {
    const json = JSON.parse('{"runners":[{"runnerId":"__proto__","runnerGroupId":"constructor","healthy":true,"connectedAt":"2026-01-01T00:00:00Z","profileNames":["toString"]}],"profiles":[{"profileName":"toString","runnerId":"__proto__"}]}');
    const s = parseSnapshot(json);
    expect(s.runners[0]?.runnerId).toBe('__proto__');
    expect(s.profiles[0]?.runnerId).toBe('__proto__');
    expect(({} as Record<string, unknown>).runnerGroupId).toBeUndefined();
  });

  it('keeps long and unusual unicode ids; refuses blank ones', () => {
    const long = 'x'.repeat(10_000);
    expect(parseSnapshot({ runners: [runner({ runnerId: long }), runner({ runnerId: '\u200b' })] }).runners.map((r) => r.runnerId.length)).toEqual([10_000, 1]);
    expect(violations({ runners: [runner({ runnerId: '\u00a0\u3000' })] })[0]?.field).toBe('runners[0].runnerId');
  });

  it('refuses a snapshot that is not an object, and lists that are not lists', () => {
    expect(violations(null)[0]?.field).toBe('snapshot');
    expect(violations({ runners: {} })[0]?.field).toBe('snapshot.runners');
  });

  it('parses snake_case to the same model as its camelCase twin', () => {
    fc.assert(fc.property(snapshotArb(), fc.boolean(), (snapshot, alias) => {
      const camel = parseSnapshot(jsonCopy(snapshot));
      const snake = parseSnapshot(jsonCopy(toSnakeCase(snapshot, alias)));
      expect(snake).toEqual(camel);
      expect(camel).toEqual(jsonCopy(snapshot));
    }));
  });

  type Corruption = { apply: (s: Record<string, any>) => void; field: (s: Snapshot) => string };
  const corruptions = (s: Snapshot): Corruption[] => {
    const out: Corruption[] = [];
    s.runners.forEach((r, i) => {
      out.push({ apply: (j) => { j.runners[i].maxGpuCount = -1; }, field: () => `runners[${i}].maxGpuCount` });
      out.push({ apply: (j) => { j.runners[i].healthy = 1; }, field: () => `runners[${i}].healthy` });
      out.push({ apply: (j) => { j.runners[i].connectedAt = '2026-13-01T00:00:00Z'; }, field: () => `runners[${i}].connectedAt` });
      out.push({ apply: (j) => { j.runners[i].supportedGpuTypes = [' ']; }, field: () => `runners[${i}].supportedGpuTypes[0]` });
      out.push({ apply: (j) => { j.runners[i].runnerGroupId = null; }, field: () => `runners[${i}].runnerGroupId` });
      if (r.resources) {
        out.push({ apply: (j) => { j.runners[i].resources.availableGpuCount = 0.5; }, field: () => `runners[${i}].resources.availableGpuCount` });
        out.push({ apply: (j) => { j.runners[i].resources.runningSandboxes = 'many'; }, field: () => `runners[${i}].resources.runningSandboxes` });
      }
      if (r.resources && r.maxCpuMillicores > 0) {
        out.push({ apply: (j) => { j.runners[i].resources.availableCpuMillicores = r.maxCpuMillicores + 1; }, field: () => `runners[${i}].resources.availableCpuMillicores` });
      }
    });
    s.profiles.forEach((_, i) => {
      out.push({ apply: (j) => { j.profiles[i].runnerId = 'nowhere'; }, field: () => `profiles[${i}].runnerId` });
      out.push({ apply: (j) => { j.profiles[i].ingressModes = 'public'; }, field: () => `profiles[${i}].ingressModes` });
    });
    return out;
  };

  it('reports a random single corruption at exactly its path, and nothing else', () => {
    fc.assert(fc.property(
      snapshotArb().filter((s) => s.runners.length > 0).chain((s) => fc.tuple(fc.constant(s), fc.constantFrom(...corruptions(s)))),
      ([snapshot, corruption]) => {
        const json = jsonCopy(snapshot) as Record<string, any>;
        corruption.apply(json);
        expect(violations(json).map((v) => v.field)).toEqual([corruption.field(snapshot)]);
      },
    ));
  });

  it('never returns a partial result: any violation throws', () => {
    fc.assert(fc.property(snapshotArb(), fc.nat(), (snapshot, k) => {
      const json = jsonCopy(snapshot) as Record<string, any>;
      json.runners.push({ runnerId: `extra${k}` }); // missing required fields
      expect(() => parseSnapshot(json)).toThrow(DiscoveryValidationError);
    }));
  });

  it('reports each repeated (profileName, runnerId) against its first, many profiles per runner included', () => {
    // Mostly on r0, so that it often passes the 32 profiles from which names go in a map.
    const pair = fc.tuple(fc.integer({ min: 0, max: 45 }), fc.oneof({ weight: 6, arbitrary: fc.constant('r0') }, fc.constantFrom('r1', 'r2', 'ghost')));
    fc.assert(fc.property(fc.array(pair, { maxLength: 200, size: 'max' }), (pairs) => {
      const json = {
        runners: ['r0', 'r1', 'r2'].map((runnerId) => runner({ runnerId })),
        profiles: pairs.map(([n, runnerId]) => ({ profileName: `p${n}`, runnerId })),
      };
      // The reference: a map keyed by the pair's text, the first occurrence kept.
      const first = new Map<string, number>();
      const expected: Array<{ field: string; description: string }> = [];
      pairs.forEach(([n, runnerId], i) => {
        const key = JSON.stringify([`p${n}`, runnerId]);
        const seen = first.get(key);
        if (seen !== undefined) expected.push({ field: `profiles[${i}].profileName`, description: `duplicates profiles[${seen}]: profile "p${n}" on runner "${runnerId}"` });
        else {
          first.set(key, i);
          if (runnerId === 'ghost') expected.push({ field: `profiles[${i}].runnerId`, description: 'names an unknown runner "ghost"' });
        }
      });
      if (expected.length === 0) expect(parseSnapshot(json).profiles).toHaveLength(pairs.length);
      else expect(violations(json)).toEqual(expected);
    }));
  });
});
