export type {
  Change,
  FieldViolation,
  NearestMiss,
  PlaceOptions,
  PlaceResult,
  Placement,
  Profile,
  ProfileFilter,
  ProfileInput,
  ProfilePage,
  Rejection,
  RejectionCode,
  RejectionReason,
  LeaseOptions,
  Reservation,
  ReserveOptions,
  Runner,
  RunnerFilter,
  RunnerInput,
  RunnerPage,
  RunnerResources,
  SandboxRequest,
  ScoredRunner,
  Shortfall,
  Snapshot,
  Strategy,
} from './types.js';
export {
  AuthenticationError,
  DiscoveryError,
  DiscoveryValidationError,
  ProfileNotFoundError,
  RunnerNotFoundError,
  StalePlacementError,
} from './errors.js';
export { REASON_LABELS, REASONS, STRATEGIES } from './types.js';
export { formatBytes, formatCpu, parseCpu, parseMemory } from './units/index.js';
export { parseSnapshot } from './snapshot/parse.js';
export { Catalog } from './matcher/catalog.js';
export { request, type QuantityRequest } from './matcher/placement/request.js';
export { generateFleet, type FleetOptions } from './fleet/generate.js';
export { generateRequests, type RequestMixOptions } from './fleet/requests.js';
export { simulate, type GroupResult, type Sample, type SimulateOptions, type SimulationResult, type StrategyResult } from './simulate/simulate.js';
export { formatTrace, parseTrace, type TraceEvent, type TraceEventType } from './simulate/trace.js';
export { generateTrace, type TraceOptions } from './simulate/generate-trace.js';
export { renderReport, type ReportMeta } from './report/html.js';
