import { throwIfViolations } from '../errors.js';
import type { Profile, Runner, RunnerResources, Snapshot } from '../types.js';
import { IdMap } from '../matcher/id-map.js';
import { idBefore } from '../order.js';
import { quote } from '../quote.js';
import { type FieldName, isRecord, RecordReader, type Violations } from './fields.js';
import { P, R, RES, S } from './names.js';
import { Lists } from './lists.js';
import { prototypeIsClean, quickProfile, quickRunner } from './quick.js';

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
  // One object literal (no spread of a partial record): every record then shares one shape.
  const runner = {
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
    resources: null as RunnerResources | null,
    isShared: r.bool(R.isShared, false),
  };
  const res = r.nested(R.resources);
  runner.resources = readResources(
    res.value,
    res.path,
    violations,
    { cpu: runner.maxCpuMillicores, memory: runner.maxMemoryBytes, gpu: runner.maxGpuCount },
    r.snakeStyle,
  );
  return violations.length === before ? Object.freeze(runner) : undefined;
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

/** How far on {@link RunnerIds.indexOf} looks for a profile's runner before hashing its id. */
const NEAR = 4;

/** The runners' ids as the input spells them, each with its first index in the input. */
class RunnerIds {
  private readonly first: IdMap;

  /** For `expected` runners. */
  constructor(expected: number) {
    this.first = new IdMap(expected);
  }

  /** runnerId → the first input index with it. */
  get byId(): IdMap {
    return this.first;
  }

  /** The id string of the runner first at each input index. */
  private readonly ids: string[] = [];
  /** The last id looked up, and its index: profiles usually come grouped by runner, in runner order. */
  private lastId: string | undefined;
  private lastIndex: number | undefined;

  /** Whether every id so far came after the one before (in `compareIds` order). */
  ascending = true;
  private lastAdded: string | undefined;

  /** Records the id of the runner at input `index`; returns an earlier index with that id. */
  add(id: string, index: number): number | undefined {
    // An id after every id before it is new: only ids out of order are looked up.
    if (this.lastAdded !== undefined && !(this.ascending && idBefore(this.lastAdded, id))) {
      this.ascending = false;
      const seen = this.first.get(id);
      if (seen !== undefined) return seen;
    }
    this.lastAdded = id;
    this.first.set(id, index);
    this.ids[index] = id;
    return undefined;
  }

  /** Whether the last runner found stood a few places after the one before (see indexOf). */
  private near = true;

  indexOf(id: string): number | undefined {
    if (id !== this.lastId) {
      this.lastId = id;
      // Profiles grouped in their runners' order name the next runner, and profiles listed by
      // name then runner one a few places on: those are compared, not hashed. The places
      // after the next are tried only while runners are found near (in a random order each
      // comparison would be a miss for nothing).
      const last = this.lastIndex ?? -1;
      const reach = this.near ? NEAR : 1;
      let found: number | undefined;
      for (let k = 1; k <= reach && found === undefined; k++) if (this.ids[last + k] === id) found = last + k;
      found ??= this.first.get(id);
      this.near = found !== undefined && found > last && found - last <= NEAR;
      this.lastIndex = found;
    }
    return this.lastIndex;
  }

  /** The declared runner's own string for `id`, or `id` when no runner has it. */
  canonical(id: string): string {
    const index = this.indexOf(id);
    return index === undefined ? id : (this.ids[index] as string);
  }
}

/** Above this many profiles, a runner's profile names are looked up in a map, not a chain. */
const CHAIN_UP_TO = 32;

/**
 * Finds repeated (profileName, runnerId) pairs without building a key string per profile.
 * Names become small numbers. A declared runner's profiles form a chain (newest first) walked
 * by name number, and a map once the runner has more than {@link CHAIN_UP_TO}; profiles of
 * undeclared runners (violations already) are keyed by their text.
 */
class ProfileKeys {
  private readonly names = new Map<string, number>();
  /** Profile index → its name's number, and the runner's previous profile (-1: none). */
  private readonly nameOf: Int32Array;
  private readonly previous: Int32Array;
  /** Runner index → its newest profile (-1: none), and how many it has. */
  private readonly newest: Int32Array;
  private readonly count: Int32Array;
  private readonly large = new Map<number, Map<number, number>>();
  private readonly undeclared = new Map<string, number>();

  constructor(runners: number, profiles: number) {
    this.nameOf = new Int32Array(profiles);
    this.previous = new Int32Array(profiles);
    this.newest = new Int32Array(runners).fill(-1);
    this.count = new Int32Array(runners);
  }

  /** The index of the first profile with this key, or undefined after recording `index` as it. */
  firstOf(name: string, runnerId: string, runnerIndex: number | undefined, index: number): number | undefined {
    if (runnerIndex === undefined) {
      const key = profileKey(name, runnerId);
      const seen = this.undeclared.get(key);
      if (seen === undefined) this.undeclared.set(key, index);
      return seen;
    }
    let number = this.names.get(name);
    if (number === undefined) this.names.set(name, (number = this.names.size));
    const big = this.large.get(runnerIndex);
    if (big) {
      const seen = big.get(number);
      if (seen === undefined) big.set(number, index);
      return seen;
    }
    for (let j = this.newest[runnerIndex] as number; j >= 0; j = this.previous[j] as number) {
      if (this.nameOf[j] === number) return j;
    }
    this.nameOf[index] = number;
    this.previous[index] = this.newest[runnerIndex] as number;
    this.newest[runnerIndex] = index;
    const count = (this.count[runnerIndex] as number) + 1;
    this.count[runnerIndex] = count;
    if (count > CHAIN_UP_TO) {
      const map = new Map<number, number>();
      for (let j = index; j >= 0; j = this.previous[j] as number) map.set(this.nameOf[j] as number, j);
      this.large.set(runnerIndex, map);
    }
    return undefined;
  }
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
  return readSnapshot(json).snapshot;
}

/**
 * A validated snapshot with what validation worked out on the way, for `Catalog.fromSnapshot`
 * to build on rather than work out again.
 */
export interface ReadSnapshot {
  readonly snapshot: Snapshot;
  /** runnerId → the runner's index in `snapshot.runners`; a fresh map the caller may keep. */
  readonly runnerIndex: IdMap;
  /** For each profile, its runner's index in `snapshot.runners`. */
  readonly profileRunner: Int32Array;
  /** Whether the runners come in runnerId order (`compareIds`), each id after the one before. */
  readonly ascending: boolean;
}

/** {@link parseSnapshot}, with the runner index it builds on the way. */
export function readSnapshot(json: unknown): ReadSnapshot {
  const violations: Violations = [];
  const top = reader(json, 'snapshot', violations, S);
  if (!top) throwIfViolations('parseSnapshot', violations);
  const root = top as RecordReader;
  const runnersIn = readList(root, S.runners);
  const profilesIn = readList(root, S.profiles);

  // Well-formed records take the fast path; the rest are read by the full readers, which
  // report every violation. Paths are only spelled out for records with something to report.
  const quick = prototypeIsClean();
  const lists = new Lists();

  // Ids are compared as the input spells them, even on runners with other violations: a
  // duplicate is reported beside a bad field, and a profile is not blamed for its runner's
  // unrelated problem.
  // Without a violation every record read is kept: the arrays are made to size and trimmed
  // (an array grown by push is copied at each doubling).
  const items = runnersIn.items;
  const runners = new Array<Runner>(items.length);
  let runnerCount = 0;
  const runnerIds = new RunnerIds(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const fast = quick ? quickRunner(item, lists) : undefined;
    const runner = fast ?? readRunner(item, `${runnersIn.key}[${i}]`, violations);
    const id = fast ? fast.runnerId : rawId(item, R.runnerId)?.value;
    if (id !== undefined) {
      const seen = runnerIds.add(id, i);
      if (seen !== undefined) {
        const key = (rawId(item, R.runnerId) as { key: string }).key;
        violations.push({ field: `${runnersIn.key}[${i}].${key}`, description: `duplicates the id of ${runnersIn.key}[${seen}]: ${quote(id)}` });
        continue;
      }
    }
    if (runner) runners[runnerCount++] = runner;
  }
  // A profile's runnerId becomes its runner's own string: equal ids then compare as one
  // object, and the catalog keeps one copy of each.
  const canonicalId = (id: string) => runnerIds.canonical(id);

  const profileItems = profilesIn.items;
  const profiles = new Array<Profile>(profileItems.length);
  let profileCount = 0;
  const profileRunner = new Int32Array(profileItems.length);
  const keys = new ProfileKeys(items.length, profileItems.length);
  for (let i = 0; i < profileItems.length; i++) {
    const item = profileItems[i];
    const fast = quick ? quickProfile(item, lists, canonicalId) : undefined;
    const profile = fast ?? readProfile(item, `${profilesIn.key}[${i}]`, violations);
    const name = fast ? fast.profileName : rawId(item, P.profileName)?.value;
    const runnerId = fast ? fast.runnerId : rawId(item, P.runnerId)?.value;
    const runnerIndex = runnerId === undefined ? undefined : runnerIds.indexOf(runnerId);
    if (name !== undefined && runnerId !== undefined) {
      const seen = keys.firstOf(name, runnerId, runnerIndex, i);
      if (seen !== undefined) {
        const nameKey = (rawId(item, P.profileName) as { key: string }).key;
        violations.push({ field: `${profilesIn.key}[${i}].${nameKey}`, description: `duplicates ${profilesIn.key}[${seen}]: profile ${quote(name)} on runner ${quote(runnerId)}` });
        continue;
      }
    }
    if (runnerId !== undefined && runnerIndex === undefined) {
      const idKey = (rawId(item, P.runnerId) as { key: string }).key;
      violations.push({ field: `${profilesIn.key}[${i}].${idKey}`, description: `names an unknown runner ${quote(runnerId)}` });
      continue;
    }
    if (profile) {
      profileRunner[profileCount] = runnerIndex as number;
      profiles[profileCount++] = profile;
    }
  }

  throwIfViolations('parseSnapshot', violations);
  runners.length = runnerCount;
  profiles.length = profileCount;
  const snapshot = Object.freeze({ runners: Object.freeze(runners), profiles: Object.freeze(profiles) });
  parsed.add(snapshot);
  // Without violations, every runner read is in `runners` at its input index.
  return { snapshot, runnerIndex: runnerIds.byId, profileRunner, ascending: runnerIds.ascending };
}
