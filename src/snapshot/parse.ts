import { throwIfViolations } from '../errors.js';
import type { Profile, Runner, RunnerResources, Snapshot } from '../types.js';
import { quote } from '../quote.js';
import { type FieldName, isRecord, RecordReader, type Violations } from './fields.js';

function field(camel: string, snake: string, ...aliases: string[]): FieldName {
  return { camel, snake, aliases };
}

const R = {
  runnerId: field('runnerId', 'runner_id'),
  runnerGroupId: field('runnerGroupId', 'runner_group_id'),
  tags: field('tags', 'tags'),
  healthy: field('healthy', 'healthy'),
  profileNames: field('profileNames', 'profile_names'),
  connectedAt: field('connectedAt', 'connected_at'),
  maxCpuMillicores: field('maxCpuMillicores', 'max_cpu_millicores'),
  maxMemoryBytes: field('maxMemoryBytes', 'max_memory_bytes'),
  maxGpuCount: field('maxGpuCount', 'max_gpu_count'),
  supportedGpuTypes: field('supportedGpuTypes', 'supported_gpu_types'),
  supportedArchitectures: field('supportedArchitectures', 'supported_architectures'),
  supportsPrivileged: field('supportsPrivileged', 'supports_privileged'),
  availableStorageClasses: field('availableStorageClasses', 'available_storage_classes'),
  resources: field('resources', 'resources'),
  isShared: field('isShared', 'is_shared'),
} as const;

const RES = {
  availableCpuMillicores: field('availableCpuMillicores', 'available_cpu_millicores'),
  availableMemoryBytes: field('availableMemoryBytes', 'available_memory_bytes'),
  availableGpuCount: field('availableGpuCount', 'available_gpu_count'),
  runningSandboxes: field('runningSandboxes', 'running_sandboxes'),
} as const;

const P = {
  profileName: field('profileName', 'profile_name'),
  runnerId: field('runnerId', 'runner_id'),
  supportedGpuTypes: field('supportedGpuTypes', 'supported_gpu_types'),
  supportedArchitectures: field('supportedArchitectures', 'supported_architectures'),
  ingressModes: field('ingressModes', 'ingress_modes', 'service_exposure_modes', 'serviceExposureModes'),
  egressModes: field('egressModes', 'egress_modes'),
} as const;

const S = {
  runners: field('runners', 'runners'),
  profiles: field('profiles', 'profiles'),
} as const;

const FIELD_LISTS = new Map<object, readonly FieldName[]>([R, RES, P, S].map((names) => [names, Object.values(names)]));

function reader(value: unknown, path: string, violations: Violations, names: Record<string, FieldName>, snakeHint = false): RecordReader | undefined {
  if (!isRecord(value)) {
    violations.push({ field: path, description: `must be an object, got ${quote(value)}` });
    return undefined;
  }
  return new RecordReader(value, path, violations, FIELD_LISTS.get(names) ?? Object.values(names), snakeHint);
}

/**
 * Reads live resources (either spelling). `maxima`, when given, are the runner's disclosed
 * totals: an available quantity above a non-zero maximum is a violation.
 */
export function readResources(
  value: unknown,
  path: string,
  violations: Violations,
  maxima?: { readonly cpu: number; readonly memory: number; readonly gpu: number },
  snakeHint = false,
): RunnerResources | null {
  if (value === null || value === undefined) return null;
  const r = reader(value, path, violations, RES, snakeHint);
  if (!r) return null;
  const resources: RunnerResources = {
    availableCpuMillicores: r.count(RES.availableCpuMillicores, true),
    availableMemoryBytes: r.count(RES.availableMemoryBytes, true),
    availableGpuCount: r.count(RES.availableGpuCount, true),
    runningSandboxes: r.count(RES.runningSandboxes),
  };
  if (maxima) {
    const checks: Array<[FieldName, number, number]> = [
      [RES.availableCpuMillicores, resources.availableCpuMillicores, maxima.cpu],
      [RES.availableMemoryBytes, resources.availableMemoryBytes, maxima.memory],
      [RES.availableGpuCount, resources.availableGpuCount, maxima.gpu],
    ];
    for (const [name, available, max] of checks) {
      if (max !== 0 && available > max) r.violate(r.keyOf(name).key, `must not exceed the runner's maximum ${max}, got ${available}`);
    }
  }
  return Object.freeze(resources);
}

/** Reads one runner (either spelling) at `path`, recording every violation. */
export function readRunner(value: unknown, path: string, violations: Violations): Runner | undefined {
  const r = reader(value, path, violations, R);
  if (!r) return undefined;
  const before = violations.length;
  const runner: Runner = {
    runnerId: r.id(R.runnerId),
    runnerGroupId: r.id(R.runnerGroupId),
    tags: r.list(R.tags),
    healthy: r.bool(R.healthy),
    profileNames: r.list(R.profileNames),
    connectedAt: r.timestamp(R.connectedAt),
    maxCpuMillicores: r.count(R.maxCpuMillicores),
    maxMemoryBytes: r.count(R.maxMemoryBytes),
    maxGpuCount: r.count(R.maxGpuCount),
    supportedGpuTypes: r.list(R.supportedGpuTypes),
    supportedArchitectures: r.list(R.supportedArchitectures),
    supportsPrivileged: r.bool(R.supportsPrivileged, false),
    availableStorageClasses: r.list(R.availableStorageClasses),
    resources: null,
    isShared: r.bool(R.isShared, false),
  };
  const res = r.nested(R.resources);
  const resources = readResources(
    res.value,
    res.path,
    violations,
    { cpu: runner.maxCpuMillicores, memory: runner.maxMemoryBytes, gpu: runner.maxGpuCount },
    r.snakeStyle,
  );
  return violations.length === before ? Object.freeze({ ...runner, resources }) : undefined;
}

/** Reads one profile (either spelling; `service_exposure_modes` is an alias of `ingress_modes`). */
export function readProfile(value: unknown, path: string, violations: Violations): Profile | undefined {
  const r = reader(value, path, violations, P);
  if (!r) return undefined;
  const before = violations.length;
  const profile: Profile = {
    profileName: r.id(P.profileName),
    runnerId: r.id(P.runnerId),
    supportedGpuTypes: r.list(P.supportedGpuTypes),
    supportedArchitectures: r.list(P.supportedArchitectures),
    ingressModes: r.list(P.ingressModes),
    egressModes: r.list(P.egressModes),
  };
  return violations.length === before ? Object.freeze(profile) : undefined;
}

function readList(r: RecordReader, name: FieldName): { items: readonly unknown[]; key: string } {
  const f = r.nested(name);
  if (!f.present || f.value === undefined || f.value === null) return { items: [], key: f.key };
  if (!Array.isArray(f.value)) {
    r.violate(f.key, 'must be a list');
    return { items: [], key: f.key };
  }
  return { items: f.value, key: f.key };
}

/** Snapshots this module validated and froze: `Catalog.fromSnapshot` need not check them again. */
const parsed = new WeakSet<object>();

export function isParsedSnapshot(value: unknown): value is Snapshot {
  return typeof value === 'object' && value !== null && parsed.has(value);
}

/**
 * Freezes a snapshot built by capmatch itself (already valid by construction) and marks it as
 * validated. Not exported from the package: outside input always goes through parseSnapshot.
 */
export function trustSnapshot(snapshot: Snapshot): Snapshot {
  for (const runner of snapshot.runners) {
    for (const list of [runner.tags, runner.profileNames, runner.supportedGpuTypes, runner.supportedArchitectures, runner.availableStorageClasses]) Object.freeze(list);
    if (runner.resources) Object.freeze(runner.resources);
    Object.freeze(runner);
  }
  for (const profile of snapshot.profiles) {
    for (const list of [profile.supportedGpuTypes, profile.supportedArchitectures, profile.ingressModes, profile.egressModes]) Object.freeze(list);
    Object.freeze(profile);
  }
  const frozen = Object.freeze({ runners: Object.freeze(snapshot.runners), profiles: Object.freeze(snapshot.profiles) });
  parsed.add(frozen);
  return frozen;
}

/** The key under which a profile is unique (NUL cannot be confused: lengths lead). */
export function profileKey(profileName: string, runnerId: string): string {
  return `${profileName.length}:${profileName}\0${runnerId}`;
}

/** An id field as the input spells it: a non-blank string under exactly one of its spellings. */
function rawId(item: unknown, name: FieldName): { key: string; value: string } | undefined {
  if (!isRecord(item)) return undefined;
  const keys = [name.camel, name.snake].filter((k, i, all) => all.indexOf(k) === i && Object.hasOwn(item, k));
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  const value = item[key];
  return typeof value === 'string' && value.trim() !== '' ? { key, value } : undefined;
}

/**
 * Validates untrusted snapshot JSON (camelCase or the discovery API's snake_case) into a frozen
 * camelCase {@link Snapshot}. Unknown fields are ignored; missing lists are empty; a missing
 * `resources` is null.
 *
 * @throws DiscoveryValidationError listing every violation with its path, e.g.
 *   `runners[3].resources.available_gpu_count`; nothing partial is ever returned.
 * @example
 * const snapshot = parseSnapshot(JSON.parse(text));
 * snapshot.runners[0]?.runnerId;
 */
export function parseSnapshot(json: unknown): Snapshot {
  const violations: Violations = [];
  const top = reader(json, 'snapshot', violations, S);
  if (!top) throwIfViolations('parseSnapshot', violations);
  const root = top as RecordReader;
  const runnersIn = readList(root, S.runners);
  const profilesIn = readList(root, S.profiles);

  // Ids are compared as the input spells them, even on runners with other violations: a
  // duplicate is reported beside a bad field, and a profile is not blamed for its runner's
  // unrelated problem.
  const runners: Runner[] = [];
  const firstIndex = new Map<string, number>();
  const declaredRunnerIds = new Set<string>();
  runnersIn.items.forEach((item, i) => {
    const path = `${runnersIn.key}[${i}]`;
    const runner = readRunner(item, path, violations);
    const id = rawId(item, R.runnerId);
    if (id !== undefined) {
      declaredRunnerIds.add(id.value);
      const seen = firstIndex.get(id.value);
      if (seen !== undefined) {
        violations.push({ field: `${path}.${id.key}`, description: `duplicates the id of ${runnersIn.key}[${seen}]: ${quote(id.value)}` });
        return;
      }
      firstIndex.set(id.value, i);
    }
    if (runner) runners.push(runner);
  });

  const profiles: Profile[] = [];
  const seenProfiles = new Map<string, number>();
  profilesIn.items.forEach((item, i) => {
    const path = `${profilesIn.key}[${i}]`;
    const profile = readProfile(item, path, violations);
    const name = rawId(item, P.profileName);
    const runnerId = rawId(item, P.runnerId);
    if (name !== undefined && runnerId !== undefined) {
      const key = profileKey(name.value, runnerId.value);
      const seen = seenProfiles.get(key);
      if (seen !== undefined) {
        violations.push({ field: `${path}.${name.key}`, description: `duplicates ${profilesIn.key}[${seen}]: profile ${quote(name.value)} on runner ${quote(runnerId.value)}` });
        return;
      }
      seenProfiles.set(key, i);
    }
    if (runnerId !== undefined && !declaredRunnerIds.has(runnerId.value)) {
      violations.push({ field: `${path}.${runnerId.key}`, description: `names an unknown runner ${quote(runnerId.value)}` });
      return;
    }
    if (profile) profiles.push(profile);
  });

  throwIfViolations('parseSnapshot', violations);
  const snapshot = Object.freeze({ runners: Object.freeze(runners), profiles: Object.freeze(profiles) });
  parsed.add(snapshot);
  return snapshot;
}
