import { create } from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import type { Placement as CorePlacement, Profile, Rejection as CoreRejection, Runner } from '../types.js';
import {
  type Placement as WirePlacement,
  PlacementSchema,
  type Rejection as WireRejection,
  RejectionSchema,
  type SandboxRequest as WireSandboxRequest,
  SandboxRequestSchema,
} from './gen/capmatch/v1/placement_pb.js';
import {
  type AvailableRunner,
  AvailableRunnerSchema,
  type ProfileSummary,
  ProfileSummarySchema,
  type RunnerResourceSummary,
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

// ---- placement service ------------------------------------------------------------------------

/** A wire request as the core's: proto3 defaults (0, "", false, []) mean "not asked". */
export function requestFromWire(r: WireSandboxRequest | undefined): Record<string, unknown> {
  const q = r ?? create(SandboxRequestSchema, {});
  const text = (v: string) => (v === '' ? undefined : v);
  return {
    cpuMillicores: Number(q.cpuMillicores),
    memoryBytes: Number(q.memoryBytes),
    gpuCount: Number(q.gpuCount),
    gpuType: text(q.gpuType),
    architecture: text(q.architecture),
    profileName: text(q.profileName),
    ingressMode: text(q.ingressMode),
    egressMode: text(q.egressMode),
    privileged: q.privileged || undefined,
    storageClass: text(q.storageClass),
    runnerGroupId: text(q.runnerGroupId),
    runnerIds: q.runnerIds.length > 0 ? [...q.runnerIds] : undefined,
    tags: q.tags.length > 0 ? [...q.tags] : undefined,
  };
}

export function placementMessage(p: CorePlacement): WirePlacement {
  return create(PlacementSchema, {
    runnerId: p.runnerId,
    profileName: p.profileName,
    score: p.score,
    strategy: p.strategy,
    alternatives: (p.alternatives ?? []).map((a) => ({ runnerId: a.runnerId, profileName: a.profileName, score: a.score })),
  });
}

export function rejectionMessage(r: CoreRejection): WireRejection {
  return create(RejectionSchema, {
    code: r.code,
    considered: r.considered,
    reasons: Object.fromEntries(Object.entries(r.reasons).filter(([, n]) => n > 0)),
    nearestMisses: r.nearestMisses.map((m) => ({
      runnerId: m.runnerId,
      reasons: [...m.reasons],
      ...(m.shortfall ? { shortfall: { cpuMillicores: BigInt(m.shortfall.cpuMillicores), memoryBytes: BigInt(m.shortfall.memoryBytes), gpuCount: BigInt(m.shortfall.gpuCount) } } : {}),
    })),
    message: r.message,
  });
}

/** A wire runner as a snapshot runner (either spelling is accepted by the core; this is camelCase). */
export function runnerFromWire(r: AvailableRunner): Record<string, unknown> {
  const c = r.capabilities;
  return {
    runnerId: r.runnerId,
    runnerGroupId: r.runnerGroupId,
    tags: [...r.tags],
    healthy: r.healthy,
    profileNames: [...r.profileNames],
    connectedAt: r.connectedAt ? isoOf(r.connectedAt) : undefined,
    maxCpuMillicores: c ? Number(c.maxCpuMillicores) : 0,
    maxMemoryBytes: c ? Number(c.maxMemoryBytes) : 0,
    maxGpuCount: c ? Number(c.maxGpuCount) : 0,
    supportedGpuTypes: c ? [...c.supportedGpuTypes] : [],
    supportedArchitectures: c ? [...c.supportedArchitectures] : [],
    supportsPrivileged: c?.supportsPrivileged ?? false,
    availableStorageClasses: c ? [...c.availableStorageClasses] : [],
    resources: r.resources ? resourcesFromWire(r.resources) : null,
    isShared: r.isShared,
  };
}

export function resourcesFromWire(r: RunnerResourceSummary): Record<string, unknown> {
  return {
    availableCpuMillicores: Number(r.availableCpuMillicores),
    availableMemoryBytes: Number(r.availableMemoryBytes),
    availableGpuCount: Number(r.availableGpuCount),
    runningSandboxes: r.runningSandboxes,
  };
}

export function profileFromWire(p: ProfileSummary): Record<string, unknown> {
  return {
    profileName: p.profileName,
    runnerId: p.runnerId,
    supportedGpuTypes: [...p.supportedGpuTypes],
    supportedArchitectures: [...p.supportedArchitectures],
    ingressModes: p.serviceExposureModes.map((m) => m.name),
    egressModes: p.egressModes.map((m) => m.name),
  };
}

/** A Timestamp as ISO 8601 with its nanoseconds kept. */
export function isoOf(t: Timestamp): string {
  const seconds = Number(t.seconds);
  const base = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return t.nanos === 0 ? `${base}Z` : `${base}.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

export function timestampOfMs(ms: number): Timestamp {
  return create(TimestampSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: Math.round((ms % 1000) * 1e6) });
}
