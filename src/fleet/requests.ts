import { checkRanges } from '../matcher/arguments.js';
import { checkRequest } from '../matcher/placement/request.js';
import { createRandom, type Random } from '../random.js';
import type { SandboxRequest } from '../types.js';

const GiB = 2 ** 30;

/** Sizes a sandbox commonly asks for. */
const CPU_SIZES: ReadonlyArray<readonly [SandboxRequest, number]> = [
  [{ cpuMillicores: 500, memoryBytes: GiB, gpuCount: 0 }, 25],
  [{ cpuMillicores: 1000, memoryBytes: 2 * GiB, gpuCount: 0 }, 25],
  [{ cpuMillicores: 2000, memoryBytes: 8 * GiB, gpuCount: 0 }, 20],
  [{ cpuMillicores: 4000, memoryBytes: 16 * GiB, gpuCount: 0 }, 15],
  [{ cpuMillicores: 8000, memoryBytes: 32 * GiB, gpuCount: 0 }, 10],
  [{ cpuMillicores: 16000, memoryBytes: 64 * GiB, gpuCount: 0 }, 5],
];

const GPU_SIZES: ReadonlyArray<readonly [SandboxRequest, number]> = [
  [{ cpuMillicores: 8000, memoryBytes: 64 * GiB, gpuCount: 1 }, 45],
  [{ cpuMillicores: 16000, memoryBytes: 128 * GiB, gpuCount: 2 }, 25],
  [{ cpuMillicores: 32000, memoryBytes: 256 * GiB, gpuCount: 4 }, 20],
  [{ cpuMillicores: 96000, memoryBytes: 1024 * GiB, gpuCount: 8 }, 10],
];

const GPU_TYPES: ReadonlyArray<readonly [string | undefined, number]> = [
  [undefined, 25],
  ['H100', 30],
  ['A100', 20],
  ['H200', 8],
  ['B200', 7],
  ['L40S', 10],
];

export interface RequestMixOptions {
  /** Share of requests that ask for GPUs; default 0.3. */
  readonly gpuShare?: number;
  /** Share of requests made impossible on purpose (a GPU type no fleet has, more GPUs than a runner holds); default 0.02. */
  readonly unplaceableShare?: number;
}

/** One request of the standard mix: mostly CPU-only, some GPU of several sizes and types, a few with modes or a profile. */
export function drawRequest(random: Random, options: RequestMixOptions = {}): SandboxRequest {
  const gpu = random.chance(options.gpuShare ?? 0.3);
  const base = random.weighted(gpu ? GPU_SIZES : CPU_SIZES);
  let request: SandboxRequest = { ...base };
  if (gpu) {
    const gpuType = random.weighted(GPU_TYPES);
    if (gpuType !== undefined) request = { ...request, gpuType };
    if (random.chance(0.3)) request = { ...request, profileName: random.chance(0.7) ? 'gpu-inference' : 'gpu-training' };
  } else {
    if (random.chance(0.15)) request = { ...request, architecture: random.chance(0.5) ? 'arm64' : 'amd64' };
    if (random.chance(0.1)) request = { ...request, profileName: random.pick(['default', 'public-web', 'batch']) };
  }
  if (random.chance(0.15)) request = { ...request, ingressMode: random.chance(0.6) ? 'private' : 'public' };
  if (random.chance(0.15)) request = { ...request, egressMode: random.chance(0.8) ? 'internet' : 'blocked' };
  if (random.chance(0.05)) request = { ...request, privileged: true };
  if (random.chance(options.unplaceableShare ?? 0.02)) {
    request = random.chance(0.5) ? { ...request, gpuCount: 16 } : { ...request, gpuCount: Math.max(1, request.gpuCount), gpuType: 'MI300X' };
  }
  // Checked and frozen as any request entering the engine, so that placing it again is not
  // validated again.
  return checkRequest('generateRequests', request);
}

/**
 * A seeded list of requests from the standard mix (≈70 % CPU-only, ≈30 % GPU of several sizes
 * and types, some with modes and profile names, ≈2 % unplaceable).
 *
 * @example generateRequests({ count: 1000, seed: 7 })
 */
export function generateRequests(options: { readonly count: number; readonly seed: number } & RequestMixOptions): SandboxRequest[] {
  checkRanges('generateRequests', options, {
    count: { min: 0, max: 10_000_000, integer: true, required: true },
    seed: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true, required: true },
    gpuShare: { min: 0, max: 1 },
    unplaceableShare: { min: 0, max: 1 },
  });
  const random = createRandom(options.seed);
  return Array.from({ length: options.count }, () => drawRequest(random, options));
}
