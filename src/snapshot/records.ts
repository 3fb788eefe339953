import type { Runner } from '../types.js';

/**
 * A frozen copy of a runner record, written as one object literal in the field order of
 * {@link Runner}. Every record then shares one hidden class; a spread (`{ ...runner, healthy }`)
 * gives each copy a hidden class of its own, which costs about 400 bytes a record.
 *
 * @example runnerRecord({ ...runner, healthy: false })  // the spread object is short-lived
 */
export function runnerRecord(r: Runner): Runner {
  return Object.freeze({
    runnerId: r.runnerId,
    runnerGroupId: r.runnerGroupId,
    tags: r.tags,
    healthy: r.healthy,
    profileNames: r.profileNames,
    connectedAt: r.connectedAt,
    maxCpuMillicores: r.maxCpuMillicores,
    maxMemoryBytes: r.maxMemoryBytes,
    maxGpuCount: r.maxGpuCount,
    supportedGpuTypes: r.supportedGpuTypes,
    supportedArchitectures: r.supportedArchitectures,
    supportsPrivileged: r.supportsPrivileged,
    availableStorageClasses: r.availableStorageClasses,
    resources: r.resources,
    isShared: r.isShared,
  });
}
