/**
 * capmatch on the network: the discovery API (gRPC, gRPC-Web, Connect and REST) over a catalog.
 * A separate entry point (`capmatch/server`), so that the core needs no runtime dependency.
 *
 * @example
 * import { serve } from 'capmatch/server';
 * const server = await serve({ catalog: () => catalog, port: 8080 });
 * console.log(server.url);
 */
export { serve, capmatchRoutes, type RoutesOptions, type ServeOptions, type RunningServer } from './server.js';
export { discoveryService, type Discovery, type DiscoveryOptions, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './discovery.js';
export { BearerTokens, bearerAuth } from './auth.js';
export { toConnectError, ERROR_DOMAIN } from './errors.js';
export { PageTokens } from './page-token.js';
export { handleRest, isRestPath } from './rest.js';
export * from './gen/coreweave/sandbox/v1beta2/discovery_pb.js';
export { Health } from './gen/grpc/health/v1/health_pb.js';
export { PlacementHandlers, type LeaseRecord, type PlacementOptions, DEFAULT_TTL_MS, MAX_TTL_MS } from './placement.js';
export { Metrics } from './metrics.js';
export { loadState, saveState, StateFileError } from './state-file.js';
export { writeFileAtomic } from './atomic-file.js';
export * from './gen/capmatch/v1/placement_pb.js';
