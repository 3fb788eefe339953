import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError, createClient, type Client, type Transport } from '@connectrpc/connect';
import { compressionGzip, createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, generateFleet, type Runner, type Snapshot } from '../../src/index.js';
import { BearerTokens } from '../../src/server/auth.js';
import { DiscoveryService, RunnerView, type AvailableRunner, type ProfileSummary } from '../../src/server/gen/coreweave/sandbox/v1beta2/discovery_pb.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../src/server/gen/google/rpc/error_details_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/server/gen/grpc/health/v1/health_pb.js';
import { type RunningServer, serve } from '../../src/server/server.js';
import { runnerMessage, profileMessage } from '../../src/server/wire.js';

/**
 * The discovery service through real transports: gRPC over HTTP/2 cleartext (what the Python
 * and Go clients speak), gRPC-Web and Connect JSON over HTTP/1.1, and REST with fetch — every
 * answer compared with the library's own on generated fleets.
 */
const fleet: Snapshot = generateFleet({ runners: 700, seed: 41 });
let catalog = Catalog.fromSnapshot(fleet);
let server: RunningServer;
let clients: Array<[string, Client<typeof DiscoveryService>]>;
const errors: unknown[] = [];

beforeAll(async () => {
  server = await serve({ catalog: () => catalog, port: 0, onError: (e) => errors.push(e) });
  const transports: Array<[string, Transport]> = [
    ['grpc (h2c)', createGrpcTransport({ baseUrl: server.url })],
    // A compressed request takes Connect's general path rather than the direct unary one.
    ['grpc gzip (h2c)', createGrpcTransport({ baseUrl: server.url, sendCompression: compressionGzip, compressMinBytes: 1 })],
    ['grpc-web (http/1.1)', createGrpcWebTransport({ baseUrl: server.url, httpVersion: '1.1' })],
    ['connect json (http/1.1)', createConnectTransport({ baseUrl: server.url, httpVersion: '1.1', useBinaryFormat: false })],
  ];
  clients = transports.map(([name, t]) => [name, createClient(DiscoveryService, t)]);
});
afterAll(async () => {
  await server.close(1000);
});

async function listAll(client: Client<typeof DiscoveryService>, req: { pageSize: number; view?: RunnerView; gpuType?: string; healthyOnly?: boolean; excludeShared?: boolean }): Promise<AvailableRunner[]> {
  const out: AvailableRunner[] = [];
  let pageToken = '';
  for (let pages = 0; pages < 1000; pages++) {
    const res = await client.listAvailableRunners({ ...req, pageToken });
    expect(res.runners.length).toBeLessThanOrEqual(req.pageSize === 0 ? 100 : Math.min(req.pageSize, 1000));
    out.push(...res.runners);
    if (res.nextPageToken === '') return out;
    pageToken = res.nextPageToken;
  }
  throw new Error('too many pages');
}

const viewOf = (r: Runner, full: boolean) => runnerMessage(r, full ? RunnerView.FULL : RunnerView.BASIC);

describe('discovery over the wire', () => {
  it('lists every runner in pages, as the library does, on every transport', async () => {
    for (const [name, client] of clients) {
      const got = await listAll(client, { pageSize: 100, view: RunnerView.FULL, gpuType: 'H100' });
      expect(got, name).toEqual(catalog.listRunners({ gpuType: 'H100', includeResources: true }).map((r) => viewOf(r, true)));
    }
  });

  it('views: BASIC and UNSPECIFIED send no resources; FULL omits unknown ones; capabilities always', async () => {
    const [, client] = clients[0] as [string, Client<typeof DiscoveryService>];
    const basic = await listAll(client, { pageSize: 1000 });
    expect(basic.every((r) => r.resources === undefined && r.capabilities !== undefined)).toBe(true);
    const full = await listAll(client, { pageSize: 1000, view: RunnerView.FULL });
    const unknown = fleet.runners.filter((r) => r.resources === null).map((r) => r.runnerId);
    expect(unknown.length).toBeGreaterThan(0);
    for (const r of full) expect(r.resources === undefined, r.runnerId).toBe(unknown.includes(r.runnerId));
  });

  it('page sizes: 0 means 100, above 1000 is cut to 1000, negative is INVALID_ARGUMENT', async () => {
    const [, client] = clients[0] as [string, Client<typeof DiscoveryService>];
    expect((await client.listAvailableRunners({ pageSize: 0 })).runners).toHaveLength(100);
    expect((await client.listAvailableRunners({ pageSize: 5000 })).runners).toHaveLength(700);
    const e = await client.listAvailableRunners({ pageSize: -1 }).catch((x: unknown) => x as ConnectError);
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe(Code.InvalidArgument);
    expect((e as ConnectError).findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe('page_size');
  });

  it('page tokens are checked: forged, or sent with other filters, is INVALID_ARGUMENT', async () => {
    const [, client] = clients[0] as [string, Client<typeof DiscoveryService>];
    const first = await client.listAvailableRunners({ pageSize: 10, gpuType: 'H100' });
    for (const bad of [{ pageToken: 'not-a-token', gpuType: 'H100' }, { pageToken: first.nextPageToken, gpuType: 'A100' }, { pageToken: `${first.nextPageToken}x`, gpuType: 'H100' }]) {
      const e = (await client.listAvailableRunners({ pageSize: 10, ...bad }).catch((x: unknown) => x)) as ConnectError;
      expect(e.code).toBe(Code.InvalidArgument);
      expect(e.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe('page_token');
    }
    const profiles = await client.listProfiles({ pageSize: 3 });
    const e = (await client.listAvailableRunners({ pageSize: 3, pageToken: profiles.nextPageToken }).catch((x: unknown) => x)) as ConnectError;
    expect(e.code).toBe(Code.InvalidArgument);
  });

  it('property: random filters, page sizes and batches between pages — nothing skipped or repeated', async () => {
    const [, client] = clients[0] as [string, Client<typeof DiscoveryService>];
    const ids = fleet.runners.map((r) => r.runnerId);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ gpuType: fc.constantFrom('', 'H100', 'A100', 'nope'), architecture: fc.constantFrom('', 'amd64', 'arm64'), healthyOnly: fc.boolean(), excludeShared: fc.boolean(), pageSize: fc.integer({ min: 1, max: 150 }) }),
        fc.array(fc.tuple(fc.constantFrom(...ids), fc.boolean()), { maxLength: 30 }),
        async (req, flips) => {
          catalog = Catalog.fromSnapshot(fleet);
          const filter = { gpuType: req.gpuType || undefined, architecture: req.architecture || undefined, healthyOnly: req.healthyOnly || undefined, excludeShared: req.excludeShared || undefined };
          let throughout = new Set(catalog.listRunners(filter).map((r) => r.runnerId));
          const seen: string[] = [];
          let pageToken = '';
          for (let step = 0; step < 1000; step++) {
            const res = await client.listAvailableRunners({ ...req, pageToken });
            expect(res.runners.length).toBeLessThanOrEqual(req.pageSize);
            seen.push(...res.runners.map((r) => r.runnerId));
            if (res.nextPageToken === '') break;
            pageToken = res.nextPageToken;
            // Between pages, the fleet changes: runners go unhealthy or leave.
            const flip = flips[step];
            if (flip && catalog.listRunners().some((r) => r.runnerId === flip[0])) {
              catalog.apply([flip[1] ? { type: 'setHealthy', runnerId: flip[0], healthy: false } : { type: 'removeRunner', runnerId: flip[0] }]);
            }
            const now = new Set(catalog.listRunners(filter).map((r) => r.runnerId));
            throughout = new Set([...throughout].filter((id) => now.has(id)));
          }
          expect(new Set(seen).size).toBe(seen.length);
          expect([...seen].sort()).toEqual(seen);
          for (const id of throughout) expect(seen).toContain(id);
        },
      ),
      { numRuns: 25 },
    );
    catalog = Catalog.fromSnapshot(fleet);
  });

  it('profiles: pages, filters and get, as the library', async () => {
    for (const [name, client] of clients) {
      const all: ProfileSummary[] = [];
      let pageToken = '';
      do {
        const res = await client.listProfiles({ pageSize: 250, architecture: 'amd64', pageToken });
        all.push(...res.profiles);
        pageToken = res.nextPageToken;
      } while (pageToken !== '');
      expect(all, name).toEqual(catalog.listProfiles({ architecture: 'amd64' }).map(profileMessage));
      const p = catalog.listProfiles()[17];
      expect(await client.getProfile({ profileName: p?.profileName as string, runnerId: p?.runnerId as string }), name).toEqual(profileMessage(p as never));
      expect((await client.getProfile({ profileName: 'gpu-inference' })).runnerId).toBe(catalog.getProfile('gpu-inference').runnerId);
    }
  });

  it('get: FULL with resources; not found carries ErrorInfo; an empty id is INVALID_ARGUMENT', async () => {
    for (const [name, client] of clients) {
      const r = catalog.listRunners()[3] as Runner;
      expect(await client.getAvailableRunner({ runnerId: r.runnerId, view: RunnerView.FULL }), name).toEqual(viewOf(catalog.getRunner(r.runnerId), true));
      const missing = (await client.getAvailableRunner({ runnerId: 'ghost' }).catch((x: unknown) => x)) as ConnectError;
      expect(missing.code, name).toBe(Code.NotFound);
      expect(missing.findDetails(ErrorInfoSchema)[0], name).toMatchObject({ domain: 'cwsandbox.com', reason: 'CWSANDBOX_RUNNER_NOT_FOUND', metadata: { runner_id: 'ghost' } });
      const noProfile = (await client.getProfile({ profileName: 'gpu-inference', runnerId: 'ghost' }).catch((x: unknown) => x)) as ConnectError;
      expect(noProfile.code).toBe(Code.NotFound);
      expect(noProfile.findDetails(ErrorInfoSchema)[0]?.reason).toBe('CWSANDBOX_PROFILE_NOT_FOUND');
      const empty = (await client.getAvailableRunner({ runnerId: '' }).catch((x: unknown) => x)) as ConnectError;
      expect(empty.code).toBe(Code.InvalidArgument);
      expect(empty.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field)).toEqual(['runner_id']);
    }
  });

  it('unexpected errors are INTERNAL with a generic message, and logged', async () => {
    const [, client] = clients[0] as [string, Client<typeof DiscoveryService>];
    const saved = catalog;
    catalog = { listRunners: () => { throw new Error('secret detail at /etc/passwd'); } } as unknown as Catalog;
    try {
      const e = (await client.listAvailableRunners({ pageSize: 1 }).catch((x: unknown) => x)) as ConnectError;
      expect(e.code).toBe(Code.Internal);
      expect(e.rawMessage).toBe('internal error');
      const rest = await fetch(`${server.url}/v1beta2/runners`);
      expect(rest.status).toBe(500);
      expect(await rest.text()).not.toContain('secret');
      expect(errors.length).toBeGreaterThanOrEqual(2);
    } finally {
      catalog = saved;
    }
  });
});

describe('REST and health on the same port', () => {
  it('REST paths answer in the proto3 JSON mapping, query parameters in either spelling', async () => {
    const res = await fetch(`${server.url}/v1beta2/runners?gpu_type=H100&view=RUNNER_VIEW_FULL&pageSize=5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runners: Array<{ runnerId: string; capabilities: { maxCpuMillicores: string } }>; nextPageToken: string };
    expect(body.runners.map((r) => r.runnerId)).toEqual(catalog.listRunners({ gpuType: 'H100' }).slice(0, 5).map((r) => r.runnerId));
    expect(typeof body.runners[0]?.capabilities.maxCpuMillicores).toBe('string');
    const next = await fetch(`${server.url}/v1beta2/runners?gpuType=H100&view=2&page_size=5&page_token=${encodeURIComponent(body.nextPageToken)}`);
    expect(((await next.json()) as { runners: Array<{ runnerId: string }> }).runners.map((r) => r.runnerId)).toEqual(catalog.listRunners({ gpuType: 'H100' }).slice(5, 10).map((r) => r.runnerId));
    const one = (await (await fetch(`${server.url}/v1beta2/runners/runner-007`)).json()) as { runnerId: string };
    expect(one.runnerId).toBe('runner-007');
    const profile = (await (await fetch(`${server.url}/v1beta2/profiles/default?runner_id=${catalog.getProfile('default').runnerId}`)).json()) as { profileName: string };
    expect(profile.profileName).toBe('default');
  });

  it('REST errors: the HTTP status of the gRPC code and a JSON google.rpc.Status', async () => {
    const missing = await fetch(`${server.url}/v1beta2/runners/ghost`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      code: 5,
      message: "Runner not found: 'ghost'",
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CWSANDBOX_RUNNER_NOT_FOUND', domain: 'cwsandbox.com', metadata: { runner_id: 'ghost' } }],
    });
    const bad = await fetch(`${server.url}/v1beta2/runners?page_size=-3&colour=red`);
    expect(bad.status).toBe(400);
    const status = (await bad.json()) as { details: Array<{ fieldViolations: Array<{ field: string }> }> };
    expect(status.details[0]?.fieldViolations.map((v) => v.field)).toEqual(['page_size']);
    expect((await fetch(`${server.url}/v1beta2/nothing`)).status).toBe(404);
  });

  it('GET /healthz and grpc.health.v1.Health/Check', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'SERVING' });
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await health.check({ service: 'coreweave.sandbox.v1beta2.DiscoveryService' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(((await health.check({ service: 'nope' }).catch((x: unknown) => x)) as ConnectError).code).toBe(Code.NotFound);
  });
});

describe('authentication', () => {
  it('every call but health needs a bearer token from the file; the file is re-read on reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capmatch-auth-'));
    const file = join(dir, 'tokens');
    writeFileSync(file, '# operators\nalpha-token\n\n  beta-token  \n');
    const tokens = new BearerTokens(file);
    const guarded = await serve({ catalog: () => catalog, port: 0, tokens });
    try {
      const call = (token?: string) =>
        createClient(DiscoveryService, createGrpcTransport({ baseUrl: guarded.url, interceptors: token ? [(next) => (req) => (req.header.set('authorization', `Bearer ${token}`), next(req))] : [] })).getAvailableRunner({ runnerId: 'runner-001' });
      expect(((await call().catch((x: unknown) => x)) as ConnectError).code).toBe(Code.Unauthenticated);
      expect(((await call('wrong').catch((x: unknown) => x)) as ConnectError).code).toBe(Code.Unauthenticated);
      expect((await call('beta-token')).runnerId).toBe('runner-001');
      expect((await fetch(`${guarded.url}/v1beta2/runners`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/v1beta2/runners`, { headers: { authorization: 'Bearer alpha-token' } })).status).toBe(200);
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
      const health = createClient(Health, createGrpcTransport({ baseUrl: guarded.url }));
      expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      writeFileSync(file, 'gamma-token\n');
      expect(tokens.reload()).toBe(1);
      expect(((await call('alpha-token').catch((x: unknown) => x)) as ConnectError).code).toBe(Code.Unauthenticated);
      expect((await call('gamma-token')).runnerId).toBe('runner-001');
    } finally {
      await guarded.close(1000);
    }
  });
});
