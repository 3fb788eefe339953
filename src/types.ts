/**
 * The public contract of capmatch: every type a caller sees. This module imports nothing.
 *
 * Quantities are integers: CPU in millicores, memory in bytes, GPUs as a count.
 * Identifiers and capability values are case-sensitive strings.
 */

/** Live, unreserved capacity of a runner. */
export interface RunnerResources {
  readonly availableCpuMillicores: number;
  readonly availableMemoryBytes: number;
  readonly availableGpuCount: number;
  readonly runningSandboxes: number;
}

/** A compute deployment that runs sandboxes. */
export interface Runner {
  readonly runnerId: string;
  readonly runnerGroupId: string;
  readonly tags: readonly string[];
  /** Unhealthy runners are listed, but never chosen by placement. */
  readonly healthy: boolean;
  readonly profileNames: readonly string[];
  /** ISO 8601 timestamp of registration. */
  readonly connectedAt: string;
  /** Totals; 0 means "not disclosed", not "none". */
  readonly maxCpuMillicores: number;
  readonly maxMemoryBytes: number;
  readonly maxGpuCount: number;
  readonly supportedGpuTypes: readonly string[];
  readonly supportedArchitectures: readonly string[];
  readonly supportsPrivileged: boolean;
  readonly availableStorageClasses: readonly string[];
  /** Live capacity; null when the runner does not report it. */
  readonly resources: RunnerResources | null;
  /** The runner belongs to a shared organisation (`is_shared`); default false. */
  readonly isShared: boolean;
}

/** Guardrails bound to one runner, identified by (profileName, runnerId). */
export interface Profile {
  readonly profileName: string;
  readonly runnerId: string;
  readonly supportedGpuTypes: readonly string[];
  readonly supportedArchitectures: readonly string[];
  readonly ingressModes: readonly string[];
  readonly egressModes: readonly string[];
}

/** A fleet at one moment. */
export interface Snapshot {
  readonly runners: readonly Runner[];
  readonly profiles: readonly Profile[];
}

/** Filters of `listRunners` / `countRunners`; all combine with AND, `undefined` does not filter. */
export interface RunnerFilter {
  readonly runnerGroupId?: string | undefined;
  readonly profileName?: string | undefined;
  readonly gpuType?: string | undefined;
  readonly architecture?: string | undefined;
  /** Matches when the mode is in the union of the ingress modes of all the runner's profiles. */
  readonly ingressMode?: string | undefined;
  /** Matches when the mode is in the union of the egress modes of all the runner's profiles. */
  readonly egressMode?: string | undefined;
  /** Default false: unhealthy runners are listed. */
  readonly healthyOnly?: boolean | undefined;
  /** Default false: runners come back with `resources: null`. Implied by any capacity filter. */
  readonly includeResources?: boolean | undefined;
  /** Default false: when true, runners with `isShared` are left out. */
  readonly excludeShared?: boolean | undefined;
  /** Inclusive; drops runners whose resources are unknown, even at 0. */
  readonly minAvailableCpuMillicores?: number | undefined;
  readonly minAvailableMemoryBytes?: number | undefined;
  readonly minAvailableGpuCount?: number | undefined;
}

/** Filters of `listProfiles` / `countProfiles`; all combine with AND. */
export interface ProfileFilter {
  /** Default false: when true, profiles bound to shared runners are left out. */
  readonly excludeShared?: boolean | undefined;
  readonly gpuType?: string | undefined;
  readonly architecture?: string | undefined;
  readonly runnerId?: string | undefined;
  readonly ingressMode?: string | undefined;
  readonly egressMode?: string | undefined;
}

/**
 * A page of a listing (keyset pagination): at most `limit` results that come strictly after
 * `after` in the listing's order. A runner present throughout a listing is listed exactly once,
 * however the catalog changes between pages.
 */
export interface RunnerPage {
  /** A runnerId: the page starts after it. */
  readonly after?: string | undefined;
  /** Default: no limit. */
  readonly limit?: number | undefined;
}

/** A page of profiles: after the pair (runnerId, profileName) in the listing's order. */
export interface ProfilePage {
  readonly after?: { readonly runnerId: string; readonly profileName: string } | undefined;
  readonly limit?: number | undefined;
}

/** Runner and profile objects in a change may use either spelling of the snapshot JSON. */
export type RunnerInput = Runner | Readonly<Record<string, unknown>>;
export type ProfileInput = Profile | Readonly<Record<string, unknown>>;

/** One change of a batch given to `Catalog.apply`. */
export type Change =
  | { readonly type: 'upsertRunner'; readonly runner: RunnerInput }
  | { readonly type: 'removeRunner'; readonly runnerId: string }
  | { readonly type: 'setResources'; readonly runnerId: string; readonly resources: RunnerResources | Readonly<Record<string, unknown>> | null }
  | { readonly type: 'setHealthy'; readonly runnerId: string; readonly healthy: boolean }
  | { readonly type: 'upsertProfile'; readonly profile: ProfileInput }
  | { readonly type: 'removeProfile'; readonly profileName: string; readonly runnerId: string };

/** What a sandbox needs. */
export interface SandboxRequest {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly gpuCount: number;
  readonly gpuType?: string | undefined;
  readonly architecture?: string | undefined;
  readonly profileName?: string | undefined;
  readonly ingressMode?: string | undefined;
  readonly egressMode?: string | undefined;
  readonly privileged?: boolean | undefined;
  readonly storageClass?: string | undefined;
  readonly runnerGroupId?: string | undefined;
  /** Allow-list of runner ids. */
  readonly runnerIds?: readonly string[] | undefined;
  /** Every tag is required. */
  readonly tags?: readonly string[] | undefined;
}

/** How `place` ranks fitting runners. */
export type Strategy = 'spread' | 'binpack' | 'balanced' | 'firstFit';

/** Every strategy, in the order simulations and reports list them. */
export const STRATEGIES: readonly Strategy[] = Object.freeze(['spread', 'binpack', 'balanced', 'firstFit']);

export interface PlaceOptions {
  /** Default `'spread'`. */
  readonly strategy?: Strategy | undefined;
  /** Also return the best `topK` runners, chosen one included. Default 0 (none). */
  readonly topK?: number | undefined;
  /** How many nearest misses a rejection carries. Default 3. */
  readonly nearestMisses?: number | undefined;
}

/** A scored candidate runner. */
export interface ScoredRunner {
  readonly runnerId: string;
  readonly profileName: string;
  readonly score: number;
}

/** Where a sandbox should go. */
export interface Placement {
  readonly ok: true;
  readonly runnerId: string;
  readonly profileName: string;
  /** 0–100, higher is better for the strategy used. */
  readonly score: number;
  readonly strategy: Strategy;
  /** The runner's generation when the placement was decided; `reserve` refuses a stale one. */
  readonly generation: number;
  readonly request: SandboxRequest;
  /** The best `topK` runners in rank order (the chosen one first), when `topK` was asked. */
  readonly alternatives?: readonly ScoredRunner[];
}

/** Why a runner cannot take a request. */
export type RejectionReason =
  | 'unhealthy'
  | 'unknownResources'
  | 'insufficientCpu'
  | 'insufficientMemory'
  | 'insufficientGpu'
  | 'gpuType'
  | 'architecture'
  | 'privileged'
  | 'storageClass'
  | 'noAdmittingProfile'
  | 'runnerGroup'
  | 'allowList'
  | 'tags';

/** Every reason, in the order messages list equal counts. */
export const REASONS: readonly RejectionReason[] = Object.freeze([
  'unhealthy',
  'unknownResources',
  'insufficientCpu',
  'insufficientMemory',
  'insufficientGpu',
  'gpuType',
  'architecture',
  'privileged',
  'storageClass',
  'noAdmittingProfile',
  'runnerGroup',
  'allowList',
  'tags',
]);

/** How each reason reads in a message. */
export const REASON_LABELS: Readonly<Record<RejectionReason, string>> = Object.freeze({
  unhealthy: 'unhealthy',
  unknownResources: 'unknown resources',
  insufficientCpu: 'insufficient cpu',
  insufficientMemory: 'insufficient memory',
  insufficientGpu: 'insufficient gpu',
  gpuType: 'gpu type',
  architecture: 'architecture',
  privileged: 'privileged',
  storageClass: 'storage class',
  noAdmittingProfile: 'no admitting profile',
  runnerGroup: 'runner group',
  allowList: 'allow-list',
  tags: 'tags',
});

/** How much a runner lacks of each resource (0 where it has enough). */
export interface Shortfall {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly gpuCount: number;
}

/** A runner that almost fits. */
export interface NearestMiss {
  readonly runnerId: string;
  readonly reasons: readonly RejectionReason[];
  /** Null when the runner's resources are unknown. */
  readonly shortfall: Shortfall | null;
}

export type RejectionCode = 'NO_SUITABLE_RUNNER' | 'PROFILE_MISMATCH';

/** Why a sandbox could not be placed. A value, not an exception. */
export interface Rejection {
  readonly ok: false;
  readonly code: RejectionCode;
  /** How many runners were considered (every runner in the catalog). */
  readonly considered: number;
  /** For each reason, how many runners it excludes; a runner is counted under every reason that applies. */
  readonly reasons: Readonly<Record<RejectionReason, number>>;
  /** The runners that fail the fewest reasons, fewest first, then by runnerId. */
  readonly nearestMisses: readonly NearestMiss[];
  /** One line, e.g. `0/1200 runners fit: 800 insufficient gpu, 300 gpu type, 40 unhealthy`; built on first read. */
  readonly message: string;
}

export type PlaceResult = Placement | Rejection;

/**
 * Capacity held for one sandbox until it is released (or expires). A value the catalog issued:
 * `release` and `renew` accept only reservations this very catalog made.
 */
export interface Reservation {
  /** Tells a reservation from a {@link Rejection} in `reserve(request)`'s result. */
  readonly ok: true;
  /** Unique among a catalog and all its forks. */
  readonly reservationId: number;
  readonly runnerId: string;
  readonly profileName: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly gpuCount: number;
  /** The caller's id for the sandbox, when given: reserving it again returns this reservation. */
  readonly sandboxId?: string;
  /** When it expires, in the caller's clock (whatever unit `expire(now)` is given); absent: never. */
  readonly expiresAt?: number;
}

/** Lease terms of `reserve`: both optional. */
export interface LeaseOptions {
  /** The caller's id for the sandbox: a second `reserve` with it returns the first reservation, booking nothing more. */
  readonly sandboxId?: string | undefined;
  /** A time on the caller's clock; `expire(now)` releases the reservation once `now >= expiresAt`. */
  readonly expiresAt?: number | undefined;
}

/** Options of `reserve(request, options)`: how to place, and the lease terms. */
export interface ReserveOptions extends PlaceOptions, LeaseOptions {}

/** One violation of a validated input. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}
