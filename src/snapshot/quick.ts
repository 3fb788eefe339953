import type { Profile, Runner, RunnerResources } from '../types.js';
import { type FieldName, isIsoTimestamp, nonBlank } from './fields.js';
import type { Lists } from './lists.js';
import { P, R, RES } from './names.js';

/**
 * The fast path of snapshot validation, for the records that need no report: a plain object
 * spelled wholly in camelCase or wholly in snake_case, with every field well-formed. It
 * allocates the frozen record and its lists, and nothing else (no path strings, no readers).
 *
 * Each function accepts a subset of what the full readers in `parse.ts` accept and returns
 * the same record for it; on anything else it returns undefined, and the caller reads the
 * value again with the full reader, which names every violation. So the fast path can only
 * change how long validation takes, never its outcome.
 *
 * "Plain" means a prototype of `Object.prototype` (as `JSON.parse` makes), which holds none
 * of the field names (checked once per snapshot by {@link prototypeIsClean}): a field read or
 * `in` test then sees own properties only, as the full readers do.
 */

/** One spelling of a record's fields: the key of each, and the keys that must be absent. */
interface Spelling<K extends string> {
  readonly key: Readonly<Record<K, string>>;
  /** The other spellings and aliases: one present means the full reader must judge. */
  readonly absent: readonly string[];
}

function spellings<K extends string>(names: Readonly<Record<K, FieldName>>): readonly [Spelling<K>, Spelling<K>] {
  const fields = Object.entries(names) as Array<[K, FieldName]>;
  const one = (style: 'camel' | 'snake'): Spelling<K> => {
    const other = style === 'camel' ? 'snake' : 'camel';
    return {
      key: Object.fromEntries(fields.map(([k, n]) => [k, n[style]])) as Record<K, string>,
      absent: fields.flatMap(([, n]) => [...(n[other] !== n[style] ? [n[other]] : []), ...(n.aliases ?? [])]),
    };
  };
  return [one('camel'), one('snake')];
}

const RUNNER = spellings(R);
const RESOURCES = spellings(RES);
const PROFILE = spellings(P);

const NAMES = [R, RES, P].flatMap((names) => Object.values<FieldName>(names).flatMap((n) => [n.camel, n.snake, ...(n.aliases ?? [])]));

/** Whether `Object.prototype` holds none of the field names (the fast path's premise). */
export function prototypeIsClean(): boolean {
  return NAMES.every((name) => !(name in Object.prototype));
}

type Plain = Readonly<Record<string, unknown>>;

function plain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** The spelling the record uses (told by `probe`), provided no other spelling is present. */
function spellingOf<K extends string>(record: Plain, pair: readonly [Spelling<K>, Spelling<K>], probe: NoInfer<K>): Spelling<K> | undefined {
  const s = pair[0].key[probe] in record ? pair[0] : pair[1];
  for (const key of s.absent) if (key in record) return undefined;
  return s;
}

/** An optional boolean: absent (`undefined`) reads as false; null is not a boolean. */
function optional(value: unknown): unknown {
  return value === undefined ? false : value;
}

/** A non-negative safe integer, or undefined. Absent (`undefined`) reads as `fallback`. */
function count(value: unknown, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Live resources within the runner's disclosed maxima (0: undisclosed). */
function resources(value: unknown, maxCpu: number, maxMemory: number, maxGpu: number): RunnerResources | null | undefined {
  if (value === undefined || value === null) return null;
  if (!plain(value)) return undefined;
  const s = spellingOf(value, RESOURCES, 'availableCpuMillicores');
  if (!s) return undefined;
  const cpu = count(value[s.key.availableCpuMillicores]);
  const memory = count(value[s.key.availableMemoryBytes]);
  const gpu = count(value[s.key.availableGpuCount]);
  const running = count(value[s.key.runningSandboxes], 0);
  if (cpu === undefined || memory === undefined || gpu === undefined || running === undefined) return undefined;
  if ((maxCpu !== 0 && cpu > maxCpu) || (maxMemory !== 0 && memory > maxMemory) || (maxGpu !== 0 && gpu > maxGpu)) return undefined;
  return Object.freeze({ availableCpuMillicores: cpu, availableMemoryBytes: memory, availableGpuCount: gpu, runningSandboxes: running });
}

/** A well-formed runner as `readRunner` returns it, or undefined. */
export function quickRunner(value: unknown, lists: Lists): Runner | undefined {
  if (!plain(value)) return undefined;
  const s = spellingOf(value, RUNNER, 'runnerId');
  if (!s) return undefined;
  const k = s.key;
  const runnerId = value[k.runnerId];
  const runnerGroupId = value[k.runnerGroupId];
  const healthy = value[k.healthy];
  const connectedAt = value[k.connectedAt];
  const supportsPrivileged = optional(value[k.supportsPrivileged]);
  const isShared = optional(value[k.isShared]);
  if (!nonBlank(runnerId) || !nonBlank(runnerGroupId) || typeof healthy !== 'boolean' || typeof supportsPrivileged !== 'boolean' || typeof isShared !== 'boolean') return undefined;
  if (typeof connectedAt !== 'string' || !isIsoTimestamp(connectedAt)) return undefined;
  const maxCpuMillicores = count(value[k.maxCpuMillicores], 0);
  const maxMemoryBytes = count(value[k.maxMemoryBytes], 0);
  const maxGpuCount = count(value[k.maxGpuCount], 0);
  if (maxCpuMillicores === undefined || maxMemoryBytes === undefined || maxGpuCount === undefined) return undefined;
  const tags = lists.read(value[k.tags]);
  const profileNames = lists.read(value[k.profileNames]);
  const supportedGpuTypes = lists.read(value[k.supportedGpuTypes]);
  const supportedArchitectures = lists.read(value[k.supportedArchitectures]);
  const availableStorageClasses = lists.read(value[k.availableStorageClasses]);
  if (!tags || !profileNames || !supportedGpuTypes || !supportedArchitectures || !availableStorageClasses) return undefined;
  const live = resources(value[k.resources], maxCpuMillicores, maxMemoryBytes, maxGpuCount);
  if (live === undefined) return undefined;
  return Object.freeze({
    runnerId,
    runnerGroupId,
    tags,
    healthy,
    profileNames,
    connectedAt,
    maxCpuMillicores,
    maxMemoryBytes,
    maxGpuCount,
    supportedGpuTypes,
    supportedArchitectures,
    supportsPrivileged,
    availableStorageClasses,
    resources: live,
    isShared,
  });
}

/**
 * A well-formed profile as `readProfile` returns it, or undefined. `canonicalId` may give an
 * equal string for its runnerId (the runner's own, so that records share it).
 */
export function quickProfile(value: unknown, lists: Lists, canonicalId: (id: string) => string = (id) => id): Profile | undefined {
  if (!plain(value)) return undefined;
  const s = spellingOf(value, PROFILE, 'profileName');
  if (!s) return undefined;
  const k = s.key;
  const profileName = value[k.profileName];
  const runnerId = value[k.runnerId];
  if (!nonBlank(profileName) || !nonBlank(runnerId)) return undefined;
  const supportedGpuTypes = lists.read(value[k.supportedGpuTypes]);
  const supportedArchitectures = lists.read(value[k.supportedArchitectures]);
  const ingressModes = lists.read(value[k.ingressModes]);
  const egressModes = lists.read(value[k.egressModes]);
  if (!supportedGpuTypes || !supportedArchitectures || !ingressModes || !egressModes) return undefined;
  return Object.freeze({ profileName, runnerId: canonicalId(runnerId), supportedGpuTypes, supportedArchitectures, ingressModes, egressModes });
}
