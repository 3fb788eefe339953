import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, generateFleet } from '../../src/index.js';
import { type RunningServer, serve } from '../../src/server/server.js';

/**
 * A client capmatch did not build: Python's grpcio (the library the official cwsandbox client
 * uses), driven as that client drives it — a new plaintext HTTP/2 channel per call, pages of
 * 100 under one 30-second deadline. .ci/run installs Debian's python3-grpcio and
 * python3-protobuf; where they cannot be had, the check is reported as skipped.
 */
const PYTHON = '/usr/bin/python3';
const available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf'], { stdio: 'ignore' }).status === 0;

const catalog = Catalog.fromSnapshot(generateFleet({ runners: 2500, seed: 77 }));
let server: RunningServer;

beforeAll(async () => {
  if (available) server = await serve({ catalog: () => catalog, port: 0 });
});
afterAll(async () => {
  await server?.close(1000);
});

describe.skipIf(!available)('the discovery service with a grpcio client', () => {
  it('lists, gets and fails exactly as the library answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capmatch-grpcio-'));
    const descriptors = join(dir, 'discovery.binpb');
    execFileSync(process.execPath, ['node_modules/@bufbuild/buf/bin/buf', 'build', '--as-file-descriptor-set', '-o', descriptors], { stdio: 'inherit' });
    // Asynchronously: the server answers from this very process.
    const { stdout: out } = await promisify(execFile)(PYTHON, [join(import.meta.dirname, 'python/grpcio_client.py'), descriptors, server.url.replace('http://', '')], { encoding: 'utf8' });
    const got = JSON.parse(out) as {
      full: Array<{ runner_id: string; has_resources: boolean; available_cpu_millicores: number | null; max_cpu_millicores: number; connected_at: string; is_shared: boolean }>;
      pages: number;
      basic_h100_healthy: Array<{ runner_id: string; has_resources: boolean }>;
      get: { runner_id: string; has_resources: boolean };
      profile: { runner_id: string; profile_name: string };
      runner_not_found: { code: string; 'google.rpc.ErrorInfo': { reason: string; domain: string } };
      profile_not_found: { code: string; 'google.rpc.ErrorInfo': { reason: string } };
      bad_page_size: { code: string; 'google.rpc.BadRequest': { field_violations: Array<{ field: string }> } };
    };
    const runners = catalog.listRunners({ includeResources: true });
    expect(got.pages).toBe(25);
    expect(got.full.map((r) => r.runner_id)).toEqual(runners.map((r) => r.runnerId));
    expect(got.full.map((r) => [r.has_resources, r.available_cpu_millicores, Number(r.max_cpu_millicores), r.is_shared])).toEqual(
      runners.map((r) => [r.resources !== null, r.resources?.availableCpuMillicores ?? null, r.maxCpuMillicores, r.isShared]),
    );
    expect(got.full.map((r) => Date.parse(r.connected_at))).toEqual(runners.map((r) => Date.parse(r.connectedAt)));
    expect(got.basic_h100_healthy.map((r) => r.runner_id)).toEqual(catalog.listRunners({ gpuType: 'H100', healthyOnly: true }).map((r) => r.runnerId));
    expect(got.basic_h100_healthy.every((r) => !r.has_resources)).toBe(true);
    expect(got.get).toMatchObject({ runner_id: runners[5]?.runnerId, has_resources: runners[5]?.resources !== null });
    expect(got.profile).toMatchObject({ profile_name: 'default', runner_id: catalog.getProfile('default').runnerId });
    expect(got.runner_not_found).toMatchObject({ code: 'NOT_FOUND', 'google.rpc.ErrorInfo': { reason: 'CWSANDBOX_RUNNER_NOT_FOUND', domain: 'cwsandbox.com' } });
    expect(got.profile_not_found).toMatchObject({ code: 'NOT_FOUND', 'google.rpc.ErrorInfo': { reason: 'CWSANDBOX_PROFILE_NOT_FOUND' } });
    expect(got.bad_page_size.code).toBe('INVALID_ARGUMENT');
    expect(got.bad_page_size['google.rpc.BadRequest'].field_violations.map((v) => v.field)).toEqual(['page_size']);
  });
});
