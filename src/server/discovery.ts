import { create } from '@bufbuild/protobuf';
import type { Catalog } from '../matcher/catalog.js';
import type { ProfileFilter, RunnerFilter } from '../types.js';
import {
  type AvailableRunner,
  type GetAvailableRunnerRequest,
  type GetProfileRequest,
  type ListAvailableRunnersRequest,
  type ListAvailableRunnersResponse,
  ListAvailableRunnersResponseSchema,
  type ListProfilesRequest,
  type ListProfilesResponse,
  ListProfilesResponseSchema,
  type ProfileSummary,
  RunnerView,
} from './gen/coreweave/sandbox/v1beta2/discovery_pb.js';
import { invalidArgument } from './errors.js';
import { PageTokens } from './page-token.js';
import { profileMessage, runnerMessage } from './wire.js';

/** `page_size` 0 means this many (the reference service's default). */
export const DEFAULT_PAGE_SIZE = 100;
/** Larger page sizes are cut to this. */
export const MAX_PAGE_SIZE = 1000;

export interface DiscoveryOptions {
  /** The catalog answering each call (read at every call, so it may be swapped). */
  readonly catalog: () => Catalog;
  /** Page-token signer; one per server process by default. */
  readonly pageTokens?: PageTokens | undefined;
}

/** The discovery handlers: wire request in, wire message out (a Connect `ServiceImpl` too). */
export interface Discovery {
  listAvailableRunners(req: ListAvailableRunnersRequest): ListAvailableRunnersResponse;
  getAvailableRunner(req: GetAvailableRunnerRequest): AvailableRunner;
  listProfiles(req: ListProfilesRequest): ListProfilesResponse;
  getProfile(req: GetProfileRequest): ProfileSummary;
}

/**
 * `coreweave.sandbox.v1beta2.DiscoveryService` over a catalog: thin translations between wire
 * messages and the core's calls (PROTOCOL.md). On the wire the empty string is "no filter";
 * a filter of blanks matches nothing (no value in a catalog is blank).
 */
export function discoveryService(options: DiscoveryOptions): Discovery {
  const tokens = options.pageTokens ?? new PageTokens();
  return {
    listAvailableRunners(req) {
      const pageSize = pageSizeOf(req.pageSize, 'page_size');
      const view = req.view === RunnerView.FULL ? RunnerView.FULL : RunnerView.BASIC;
      const filters = JSON.stringify([req.runnerGroupId, req.profileName, req.gpuType, req.architecture, req.excludeShared, req.healthyOnly, view]);
      const after = req.pageToken === '' ? undefined : tokenKey(tokens, 'runners', filters, req.pageToken, 1);
      const values = [req.runnerGroupId, req.profileName, req.gpuType, req.architecture];
      if (values.some(isBlankFilter)) return create(ListAvailableRunnersResponseSchema, {});
      const filter: RunnerFilter = {
        runnerGroupId: noFilter(req.runnerGroupId),
        profileName: noFilter(req.profileName),
        gpuType: noFilter(req.gpuType),
        architecture: noFilter(req.architecture),
        excludeShared: req.excludeShared || undefined,
        healthyOnly: req.healthyOnly || undefined,
        includeResources: view === RunnerView.FULL || undefined,
      };
      // One more than the page: whether there is a next page is known without another call.
      const found = options.catalog().listRunners(filter, { after: after?.[0], limit: pageSize + 1 });
      const page = found.slice(0, pageSize);
      const last = page[page.length - 1];
      return create(ListAvailableRunnersResponseSchema, {
        runners: page.map((r) => runnerMessage(r, view)),
        nextPageToken: found.length > pageSize && last ? tokens.issue('runners', filters, [last.runnerId]) : '',
      });
    },

    getAvailableRunner(req) {
      if (req.runnerId === '') throw invalidArgument('GetAvailableRunner: runner_id is required', [{ field: 'runner_id', description: 'is required' }]);
      const view = req.view === RunnerView.FULL ? RunnerView.FULL : RunnerView.BASIC;
      return runnerMessage(options.catalog().getRunner(req.runnerId), view);
    },

    listProfiles(req) {
      const pageSize = pageSizeOf(req.pageSize, 'page_size');
      const filters = JSON.stringify([req.gpuType, req.architecture, req.excludeShared, req.runnerId]);
      const after = req.pageToken === '' ? undefined : tokenKey(tokens, 'profiles', filters, req.pageToken, 2);
      if ([req.gpuType, req.architecture, req.runnerId].some(isBlankFilter)) return create(ListProfilesResponseSchema, {});
      const filter: ProfileFilter = {
        gpuType: noFilter(req.gpuType),
        architecture: noFilter(req.architecture),
        runnerId: noFilter(req.runnerId),
        excludeShared: req.excludeShared || undefined,
      };
      const found = options.catalog().listProfiles(filter, { after: after ? { runnerId: after[0] as string, profileName: after[1] as string } : undefined, limit: pageSize + 1 });
      const page = found.slice(0, pageSize);
      const last = page[page.length - 1];
      return create(ListProfilesResponseSchema, {
        profiles: page.map(profileMessage),
        nextPageToken: found.length > pageSize && last ? tokens.issue('profiles', filters, [last.runnerId, last.profileName]) : '',
      });
    },

    getProfile(req) {
      if (req.profileName === '') throw invalidArgument('GetProfile: profile_name is required', [{ field: 'profile_name', description: 'is required' }]);
      return profileMessage(options.catalog().getProfile(req.profileName, { runnerId: noFilter(req.runnerId) }));
    },
  };
}

/** proto3's empty string: no filter. */
function noFilter(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** A filter of blanks only: it can match nothing. */
function isBlankFilter(value: string): boolean {
  return value !== '' && value.trim() === '';
}

/** `page_size`: 0 means the default, above the maximum is cut, negative is refused. */
function pageSizeOf(size: number, field: string): number {
  if (size < 0) throw invalidArgument(`${field} must not be negative, got ${size}`, [{ field, description: `must not be negative, got ${size}` }]);
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

function tokenKey(tokens: PageTokens, listing: string, filters: string, token: string, parts: number): readonly string[] {
  const key = tokens.read(listing, filters, token);
  if (!key || key.length !== parts) {
    throw invalidArgument('page_token was not issued by this server for this listing and these filters', [
      { field: 'page_token', description: 'was not issued by this server for this listing and these filters' },
    ]);
  }
  return key;
}
