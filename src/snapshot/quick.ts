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

/** The spelling the record uses, told by `probe` (whether it holds no other is {@link onlyIts}). */
function spellingOf<K extends string>(record: Plain, pair: readonly [Spelling<K>, Spelling<K>], probe: NoInfer<K>): Spelling<K> {
  return pair[0].key[probe] in record ? pair[0] : pair[1];
}

/**
 * Whether the record holds no key of another spelling or alias than `s`, given that `defined`
 * of its fields read other than undefined in `s`. Those are own keys (the prototype holds no
 * field name), so when the record has no more own keys than that, it has no other key at all:
 * one call, where asking for each other spelling by name is a lookup per name at one site
 * that sees every name (measured: ~100 ns a profile against ~15 ns).
 */
function onlyIts(record: Plain, s: Spelling<string>, defined: number): boolean {
  if (Object.getOwnPropertyNames(record).length === defined) return true;
  for (let i = 0; i < s.absent.length; i++) if ((s.absent[i] as string) in record) return false;
  return true;
}

/** 1 for a value given, 0 for undefined (a field absent, or present as undefined). */
function given(value: unknown): number {
  return value === undefined ? 0 : 1;
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
  const k = s.key;
  const runningIn = value[k.runningSandboxes];
  const cpu = count(value[k.availableCpuMillicores]);
  const memory = count(value[k.availableMemoryBytes]);
  const gpu = count(value[k.availableGpuCount]);
  const running = count(runningIn, 0);
  if (cpu === undefined || memory === undefined || gpu === undefined || running === undefined) return undefined;
  if ((maxCpu !== 0 && cpu > maxCpu) || (maxMemory !== 0 && memory > maxMemory) || (maxGpu !== 0 && gpu > maxGpu)) return undefined;
  if (!onlyIts(value, s, 3 + given(runningIn))) return undefined;
  return Object.freeze({ availableCpuMillicores: cpu, availableMemoryBytes: memory, availableGpuCount: gpu, runningSandboxes: running });
}

/** A well-formed runner as `readRunner` returns it, or undefined. */
export function quickRunner(value: unknown, lists: Lists): Runner | undefined {
  if (!plain(value)) return undefined;
  const s = spellingOf(value, RUNNER, 'runnerId');
  const k = s.key;
  const runnerId = value[k.runnerId];
  const runnerGroupId = value[k.runnerGroupId];
  const healthy = value[k.healthy];
  const connectedAt = value[k.connectedAt];
  // The optional fields as given (each read once), then as read.
  const privilegedIn = value[k.supportsPrivileged];
  const sharedIn = value[k.isShared];
  const maxCpuIn = value[k.maxCpuMillicores];
  const maxMemoryIn = value[k.maxMemoryBytes];
  const maxGpuIn = value[k.maxGpuCount];
  const tagsIn = value[k.tags];
  const profileNamesIn = value[k.profileNames];
  const gpuTypesIn = value[k.supportedGpuTypes];
  const architecturesIn = value[k.supportedArchitectures];
  const storageIn = value[k.availableStorageClasses];
  const resourcesIn = value[k.resources];
  const supportsPrivileged = optional(privilegedIn);
  const isShared = optional(sharedIn);
  if (!nonBlank(runnerId) || !nonBlank(runnerGroupId) || typeof healthy !== 'boolean' || typeof supportsPrivileged !== 'boolean' || typeof isShared !== 'boolean') return undefined;
  if (typeof connectedAt !== 'string' || !isIsoTimestamp(connectedAt)) return undefined;
  const maxCpuMillicores = count(maxCpuIn, 0);
  const maxMemoryBytes = count(maxMemoryIn, 0);
  const maxGpuCount = count(maxGpuIn, 0);
  if (maxCpuMillicores === undefined || maxMemoryBytes === undefined || maxGpuCount === undefined) return undefined;
  const fields =
    4 + given(privilegedIn) + given(sharedIn) + given(maxCpuIn) + given(maxMemoryIn) + given(maxGpuIn) + given(tagsIn) +
    given(profileNamesIn) + given(gpuTypesIn) + given(architecturesIn) + given(storageIn) + given(resourcesIn);
  if (!onlyIts(value, s, fields)) return undefined;
  // Each list field in a lane of its own (see Lists.read).
  const tags = lists.read(tagsIn, 0);
  const profileNames = lists.read(profileNamesIn, 1);
  const supportedGpuTypes = lists.read(gpuTypesIn, 2);
  const supportedArchitectures = lists.read(architecturesIn, 3);
  const availableStorageClasses = lists.read(storageIn, 4);
  if (!tags || !profileNames || !supportedGpuTypes || !supportedArchitectures || !availableStorageClasses) return undefined;
  const live = resources(resourcesIn, maxCpuMillicores, maxMemoryBytes, maxGpuCount);
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
  const k = s.key;
  const profileName = value[k.profileName];
  const runnerId = value[k.runnerId];
  const gpuTypesIn = value[k.supportedGpuTypes];
  const architecturesIn = value[k.supportedArchitectures];
  const ingressIn = value[k.ingressModes];
  const egressIn = value[k.egressModes];
  if (!nonBlank(profileName) || !nonBlank(runnerId)) return undefined;
  if (!onlyIts(value, s, 2 + given(gpuTypesIn) + given(architecturesIn) + given(ingressIn) + given(egressIn))) return undefined;
  const supportedGpuTypes = lists.read(gpuTypesIn, 5);
  const supportedArchitectures = lists.read(architecturesIn, 6);
  const ingressModes = lists.read(ingressIn, 7);
  const egressModes = lists.read(egressIn, 8);
  if (!supportedGpuTypes || !supportedArchitectures || !ingressModes || !egressModes) return undefined;
  return Object.freeze({ profileName, runnerId: canonicalId(runnerId), supportedGpuTypes, supportedArchitectures, ingressModes, egressModes });
}
