import { describe, expect, it } from 'vitest';
import { Catalog, DiscoveryValidationError, type Change } from '../../src/index.js';
import { fleet, profile, runner } from '../support/builders.js';

const make = () => Catalog.fromSnapshot(fleet([runner('r1'), runner('r2')], [profile('p', 'r1', { egressModes: ['internet'] })]));

function violations(c: Catalog, changes: unknown[]) {
  try {
    c.apply(changes as Change[]);
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryValidationError);
    return (e as DiscoveryValidationError).fieldViolations.map((v) => v.field);
  }
  throw new Error('expected a DiscoveryValidationError');
}

describe('apply', () => {
  it('takes runners and profiles in the snake_case spelling too', () => {
    const c = make();
    expect(c.apply([
      { type: 'upsertRunner', runner: { runner_id: 'r3', runner_group_id: 'g9', healthy: true, connected_at: '2026-02-01T00:00:00Z', profile_names: ['web'], resources: { available_cpu_millicores: 1000, available_memory_bytes: 2048, available_gpu_count: 0, running_sandboxes: 0 } } },
      { type: 'upsertProfile', profile: { profile_name: 'web', runner_id: 'r3', service_exposure_modes: ['public'] } },
    ])).toBe(1);
    expect(c.listRunners({ runnerGroupId: 'g9', ingressMode: 'public', minAvailableCpuMillicores: 1000 }).map((r) => r.runnerId)).toEqual(['r3']);
  });

  it('is atomic: one bad change and nothing of the batch applies', () => {
    const c = make();
    const before = c.toSnapshot();
    const fields = violations(c, [
      { type: 'removeRunner', runnerId: 'r2' },
      { type: 'setResources', runnerId: 'r1', resources: { availableCpuMillicores: 9000, availableMemoryBytes: 0, availableGpuCount: 0 } },
      { type: 'setHealthy', runnerId: 'r1', healthy: 'no' },
      { type: 'upsertProfile', profile: { profileName: 'q', runnerId: 'r2' } },
      { type: 'teleport' },
      { type: 'removeRunner', runnerId: 'r1', extra: 1 },
    ]);
    expect(fields).toEqual([
      'changes[1].resources.availableCpuMillicores', // above the disclosed maximum 8000
      'changes[2].healthy',
      'changes[3].profile.runnerId', // r2 was removed earlier in the same batch
      'changes[4].type',
      'changes[5].extra',
    ]);
    expect(c.toSnapshot()).toEqual(before);
    expect(c.generation).toBe(0);
  });

  it('sees earlier changes of the batch: upsert then use, remove then refer', () => {
    const c = make();
    c.apply([
      { type: 'upsertRunner', runner: runner('r9') },
      { type: 'upsertProfile', profile: profile('p', 'r9', { egressModes: ['internet'] }) },
      { type: 'removeRunner', runnerId: 'r1' },
    ]);
    expect(c.listRunners({ egressMode: 'internet' }).map((r) => r.runnerId)).toEqual(['r9']);
    expect(c.listProfiles().map((p) => p.runnerId)).toEqual(['r9']); // r1's profile went with it
    expect(violations(c, [{ type: 'removeProfile', profileName: 'p', runnerId: 'r1' }])).toEqual(['changes[0].profileName']);
  });

  it('setHealthy changes health only, and placement follows it', () => {
    const c = make();
    const q = { cpuMillicores: 100, memoryBytes: 0, gpuCount: 0 };
    expect(c.place(q).ok).toBe(true);
    c.apply([{ type: 'setHealthy', runnerId: 'r1', healthy: false }]);
    const r = c.place(q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons.unhealthy).toBe(1);
    expect(c.getRunner('r1').resources).toEqual(make().getRunner('r1').resources);
  });

  it('refuses what is not a list of changes', () => {
    expect(violations(make(), 'nope' as unknown as unknown[])).toEqual(['changes']);
  });
});
