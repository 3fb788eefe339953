import type { FieldName } from './fields.js';

/** The fields of snapshot records, each known by its camelCase and snake_case spelling (and aliases). */

function field(camel: string, snake: string, ...aliases: string[]): FieldName {
  return { camel, snake, aliases };
}

export const R = {
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

export const RES = {
  availableCpuMillicores: field('availableCpuMillicores', 'available_cpu_millicores'),
  availableMemoryBytes: field('availableMemoryBytes', 'available_memory_bytes'),
  availableGpuCount: field('availableGpuCount', 'available_gpu_count'),
  runningSandboxes: field('runningSandboxes', 'running_sandboxes'),
} as const;

export const P = {
  profileName: field('profileName', 'profile_name'),
  runnerId: field('runnerId', 'runner_id'),
  supportedGpuTypes: field('supportedGpuTypes', 'supported_gpu_types'),
  supportedArchitectures: field('supportedArchitectures', 'supported_architectures'),
  ingressModes: field('ingressModes', 'ingress_modes', 'service_exposure_modes', 'serviceExposureModes'),
  egressModes: field('egressModes', 'egress_modes'),
} as const;

export const S = {
  runners: field('runners', 'runners'),
  profiles: field('profiles', 'profiles'),
} as const;

