import type { Profile, Runner, Snapshot } from '../../src/index.js';

/** Readable fixture builders: a runner or profile with sensible defaults, overridden per test. */
export function runner(runnerId: string, over: Partial<Runner> = {}): Runner {
  return {
    runnerId,
    runnerGroupId: 'g1',
    tags: [],
    healthy: true,
    profileNames: ['p', 'q', 'gpu', 'a', 'cpu', 'default'],
    connectedAt: '2026-01-01T00:00:00Z',
    maxCpuMillicores: 8000,
    maxMemoryBytes: 2 ** 35,
    maxGpuCount: 0,
    supportedGpuTypes: [],
    supportedArchitectures: ['amd64'],
    supportsPrivileged: false,
    availableStorageClasses: ['ssd'],
    resources: { availableCpuMillicores: 8000, availableMemoryBytes: 2 ** 35, availableGpuCount: 0, runningSandboxes: 0 },
    isShared: false,
    ...over,
  };
}

export function profile(profileName: string, runnerId: string, over: Partial<Profile> = {}): Profile {
  return {
    profileName,
    runnerId,
    supportedGpuTypes: [],
    supportedArchitectures: ['amd64'],
    ingressModes: [],
    egressModes: [],
    ...over,
  };
}

export function fleet(runners: Runner[], profiles: Profile[] = []): Snapshot {
  return { runners, profiles };
}
