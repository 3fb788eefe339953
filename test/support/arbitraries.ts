import fc from 'fast-check';
import type { Profile, ProfileFilter, Runner, RunnerFilter, RunnerResources, SandboxRequest, Snapshot, Strategy } from '../../src/index.js';

/**
 * Random valid snapshots over small value domains, so that filters hit, miss and collide.
 * Values include ids that look like object-prototype keys: they must behave as ordinary data.
 */
export const GROUPS = ['g1', 'g2', '__proto__'] as const;
export const GPU_TYPES = ['A100', 'H100', 'h100', 'B200'] as const;
export const ARCHES = ['amd64', 'arm64'] as const;
export const MODES_IN = ['public', 'private', 'constructor'] as const;
export const MODES_OUT = ['internet', 'blocked'] as const;
export const PROFILE_NAMES = ['default', 'gpu', 'toString', 'p3'] as const;
export const STORAGE = ['ssd', 'hdd'] as const;
export const TAGS = ['a', 'b', 'c'] as const;

const subset = <T>(values: readonly T[]) => fc.subarray([...values]);

export const resourcesArb = (max: { cpu: number; mem: number; gpu: number }): fc.Arbitrary<RunnerResources> =>
  fc.record({
    availableCpuMillicores: fc.integer({ min: 0, max: max.cpu || 64_000 }),
    availableMemoryBytes: fc.integer({ min: 0, max: max.mem || 2 ** 38 }),
    availableGpuCount: fc.integer({ min: 0, max: max.gpu || 8 }),
    runningSandboxes: fc.integer({ min: 0, max: 50 }),
  });

export const runnerArb = (runnerId: string): fc.Arbitrary<Runner> =>
  fc
    .record({
      runnerGroupId: fc.constantFrom(...GROUPS),
      tags: subset(TAGS),
      healthy: fc.nat(4).map((n) => n > 0),
      profileNames: subset(PROFILE_NAMES),
      connectedAt: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }).map((t) => new Date(t).toISOString()),
      maxCpuMillicores: fc.oneof(fc.constant(0), fc.integer({ min: 1000, max: 64_000 })),
      maxMemoryBytes: fc.oneof(fc.constant(0), fc.integer({ min: 2 ** 30, max: 2 ** 38 })),
      maxGpuCount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 })),
      supportedGpuTypes: subset(GPU_TYPES),
      supportedArchitectures: subset(ARCHES),
      supportsPrivileged: fc.boolean(),
      availableStorageClasses: subset(STORAGE),
      isShared: fc.nat(3).map((n) => n === 0),
      hasResources: fc.nat(9),
    })
    .chain(({ hasResources, ...r }) =>
      (hasResources === 0 ? fc.constant(null) : resourcesArb({ cpu: r.maxCpuMillicores, mem: r.maxMemoryBytes, gpu: r.maxGpuCount })).map(
        (resources): Runner => ({ runnerId, ...r, resources }),
      ),
    );

export const profileArb = (profileName: string, runnerId: string): fc.Arbitrary<Profile> =>
  fc.record({
    profileName: fc.constant(profileName),
    runnerId: fc.constant(runnerId),
    supportedGpuTypes: subset(GPU_TYPES),
    supportedArchitectures: subset(ARCHES),
    ingressModes: subset(MODES_IN),
    egressModes: subset(MODES_OUT),
  });

/** Ids that collide with prototype keys, and ids whose UTF-16 order differs from code point order. */
export const RUNNER_IDS = ['r0', 'r1', 'r10', 'r2', 'R3', '__proto__', 'constructor', 'r\u200b', 'hasOwnProperty', 'r9', 'r-\u{1F600}', 'r-\uFF61', 'r-\uFFFF'];

/** Enough ids for a fleet to spill past one 32-bit word of slots. */
export const MANY_RUNNER_IDS = [...RUNNER_IDS, ...Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(2, '0')}`)];

export function snapshotArb(maxRunners = 10, ids: readonly string[] = RUNNER_IDS): fc.Arbitrary<Snapshot> {
  return fc
    .uniqueArray(fc.constantFrom(...ids), { maxLength: maxRunners })
    .chain((ids) =>
      fc.tuple(
        fc.tuple(...ids.map((id) => runnerArb(id))),
        fc.tuple(...ids.map((id) => subset(PROFILE_NAMES).chain((names) => fc.tuple(...names.map((n) => profileArb(n, id)))))),
      ),
    )
    .map(([runners, profiles]) => ({ runners, profiles: profiles.flat() }));
}

const SNAKE: Record<string, string> = {
  runnerId: 'runner_id',
  runnerGroupId: 'runner_group_id',
  profileNames: 'profile_names',
  connectedAt: 'connected_at',
  maxCpuMillicores: 'max_cpu_millicores',
  maxMemoryBytes: 'max_memory_bytes',
  maxGpuCount: 'max_gpu_count',
  supportedGpuTypes: 'supported_gpu_types',
  supportedArchitectures: 'supported_architectures',
  supportsPrivileged: 'supports_privileged',
  availableStorageClasses: 'available_storage_classes',
  availableCpuMillicores: 'available_cpu_millicores',
  availableMemoryBytes: 'available_memory_bytes',
  availableGpuCount: 'available_gpu_count',
  runningSandboxes: 'running_sandboxes',
  isShared: 'is_shared',
  profileName: 'profile_name',
  ingressModes: 'ingress_modes',
  egressModes: 'egress_modes',
};

/** The discovery API's snake_case spelling of a camelCase object (deep). */
export function toSnakeCase(value: unknown, ingressAlias = false): unknown {
  if (Array.isArray(value)) return value.map((v) => toSnakeCase(v, ingressAlias));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const snake = key === 'ingressModes' && ingressAlias ? 'service_exposure_modes' : (SNAKE[key] ?? key);
    Object.defineProperty(out, snake, { value: toSnakeCase(v, ingressAlias), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A plain JSON copy, as a file would carry it. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A value of the domain, now and then one the fleet has never seen. */
const value = <T extends string>(values: readonly T[]) => fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.constant('absent-value') });

/** Requests over the arbitraries' value domains; `rare` sets how seldom each optional condition appears. */
const requestWith = (rare: number, maxCpu: number, maxMem: number): fc.Arbitrary<SandboxRequest> => {
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: rare, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  return fc.record(
    {
      cpuMillicores: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxCpu })),
      memoryBytes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxMem })),
      gpuCount: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 9 })),
      gpuType: maybe(value(GPU_TYPES)),
      architecture: maybe(value(ARCHES)),
      profileName: maybe(value(PROFILE_NAMES)),
      ingressMode: maybe(value(MODES_IN)),
      egressMode: maybe(value(MODES_OUT)),
      privileged: maybe(fc.boolean()),
      storageClass: maybe(value(STORAGE)),
      runnerGroupId: maybe(value(GROUPS)),
      runnerIds: maybe(fc.subarray([...RUNNER_IDS, 'nobody'])),
      tags: maybe(fc.subarray([...TAGS, 'absent-tag'])),
    },
    { requiredKeys: ['cpuMillicores', 'memoryBytes', 'gpuCount'] },
  );
};

/** Half sparse requests that often fit, half dense ones that mostly do not (and exercise explanations). */
export const requestArb: fc.Arbitrary<SandboxRequest> = fc.oneof({ weight: 3, arbitrary: requestWith(12, 8000, 2 ** 31) }, { weight: 1, arbitrary: requestWith(1, 70_000, 2 ** 38) });
export const strategyArb = fc.constantFrom<Strategy>('spread', 'binpack', 'balanced', 'firstFit');

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

export const runnerFilterArb: fc.Arbitrary<RunnerFilter> = fc.record(
  {
    runnerGroupId: maybe(value(GROUPS)),
    profileName: maybe(value(PROFILE_NAMES)),
    gpuType: maybe(value(GPU_TYPES)),
    architecture: maybe(value(ARCHES)),
    ingressMode: maybe(value(MODES_IN)),
    egressMode: maybe(value(MODES_OUT)),
    healthyOnly: maybe(fc.boolean()),
    excludeShared: maybe(fc.boolean()),
    includeResources: maybe(fc.boolean()),
    minAvailableCpuMillicores: maybe(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 70_000 }))),
    minAvailableMemoryBytes: maybe(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 38 }))),
    minAvailableGpuCount: maybe(fc.integer({ min: 0, max: 9 })),
  },
  { requiredKeys: [] },
);

export const profileFilterArb: fc.Arbitrary<ProfileFilter> = fc.record(
  {
    excludeShared: maybe(fc.boolean()),
    gpuType: maybe(value(GPU_TYPES)),
    architecture: maybe(value(ARCHES)),
    runnerId: maybe(fc.constantFrom(...RUNNER_IDS, 'nobody')),
    ingressMode: maybe(value(MODES_IN)),
    egressMode: maybe(value(MODES_OUT)),
  },
  { requiredKeys: [] },
);

