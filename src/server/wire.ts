import { create } from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import type { Profile, Runner } from '../types.js';
import {
  type AvailableRunner,
  AvailableRunnerSchema,
  type ProfileSummary,
  ProfileSummarySchema,
  RunnerView,
} from './gen/coreweave/sandbox/v1beta2/discovery_pb.js';

/**
 * Translations from the core's objects to the discovery API's wire messages (PROTOCOL.md §1).
 * `capabilities` is always sent; `resources` only in the FULL view and only when known — the
 * client tells "unknown" from "zero" by the message's presence.
 */
export function runnerMessage(r: Runner, view: RunnerView): AvailableRunner {
  return create(AvailableRunnerSchema, {
    runnerId: r.runnerId,
    runnerGroupId: r.runnerGroupId,
    tags: [...r.tags],
    healthy: r.healthy,
    capabilities: {
      maxCpuMillicores: BigInt(r.maxCpuMillicores),
      maxMemoryBytes: BigInt(r.maxMemoryBytes),
      maxGpuCount: BigInt(r.maxGpuCount),
      supportedGpuTypes: [...r.supportedGpuTypes],
      supportedArchitectures: [...r.supportedArchitectures],
      supportsPrivileged: r.supportsPrivileged,
      availableStorageClasses: [...r.availableStorageClasses],
    },
    ...(view === RunnerView.FULL && r.resources
      ? {
          resources: {
            availableCpuMillicores: BigInt(r.resources.availableCpuMillicores),
            availableMemoryBytes: BigInt(r.resources.availableMemoryBytes),
            availableGpuCount: BigInt(r.resources.availableGpuCount),
            runningSandboxes: Math.min(r.resources.runningSandboxes, 2 ** 31 - 1),
          },
        }
      : {}),
    profileNames: [...r.profileNames],
    connectedAt: timestamp(r.connectedAt),
    isShared: r.isShared,
  });
}

export function profileMessage(p: Profile): ProfileSummary {
  return create(ProfileSummarySchema, {
    profileName: p.profileName,
    runnerId: p.runnerId,
    supportedGpuTypes: [...p.supportedGpuTypes],
    supportedArchitectures: [...p.supportedArchitectures],
    serviceExposureModes: p.ingressModes.map((name) => ({ name })),
    egressModes: p.egressModes.map((name) => ({ name })),
  });
}

/** An ISO 8601 date-time (validated on ingest) as a Timestamp, nanoseconds kept exactly. */
export function timestamp(iso: string): Timestamp {
  const fraction = /\.(\d{1,9})/.exec(iso);
  const whole = Date.parse(iso.replace(/\.\d{1,9}/, ''));
  return create(TimestampSchema, {
    seconds: BigInt(Math.floor(whole / 1000)),
    nanos: fraction ? Number((fraction[1] as string).padEnd(9, '0')) : 0,
  });
}
