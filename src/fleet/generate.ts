import { checkRanges } from '../matcher/arguments.js';
import { throwIfViolations } from '../errors.js';
import { quote } from '../quote.js';
import { createRandom, type Random } from '../random.js';
import { trustSnapshot } from '../snapshot/parse.js';
import type { Profile, Runner, Snapshot } from '../types.js';

const GiB = 2 ** 30;

/** A kind of machine a runner is deployed on. */
interface Shape {
  readonly name: string;
  readonly cpu: number;
  readonly memory: number;
  readonly gpus: number;
  readonly gpuType?: string;
  readonly architecture: 'amd64' | 'arm64';
  readonly weight: number;
  /** A maximum the runner does not disclose (reported as 0). */
  readonly undisclosed?: 'cpu' | 'memory';
}

const CORES = [4, 8, 12, 16, 24, 32, 48, 64, 96, 128];
const MEMORY_GIB = [8, 16, 32, 64, 128, 256, 384, 512, 768, 1024];
const GPUS = [0, 0, 0, 1, 2, 4, 8];
const GPU_TYPES = ['A100', 'H100', 'H200', 'B200', 'L40S'];

/** 160 distinct machine shapes drawn from a seed, about one in twenty with an undisclosed maximum. */
function heterogeneousShapes(random: Random): Shape[] {
  const out = new Map<string, Shape>();
  while (out.size < 160) {
    const cpu = random.pick(CORES) * 1000;
    const memory = random.pick(MEMORY_GIB) * GiB;
    const gpus = random.pick(GPUS);
    const gpuType = gpus > 0 ? random.pick(GPU_TYPES) : undefined;
    const architecture = gpus === 0 && random.chance(0.25) ? 'arm64' : 'amd64';
    const key = `${cpu}/${memory}/${gpus}/${gpuType ?? ''}/${architecture}`;
    if (out.has(key)) continue;
    const hidden = random.chance(0.05) ? random.pick(['cpu', 'memory'] as const) : undefined;
    out.set(key, { name: key, cpu, memory, gpus, ...(gpuType ? { gpuType } : {}), architecture, weight: 1 + random.int(0, 9), ...(hidden ? { undisclosed: hidden } : {}) });
  }
  return [...out.values()];
}

const SHAPES: readonly Shape[] = [
  { name: 'cpu-64', cpu: 64_000, memory: 256 * GiB, gpus: 0, architecture: 'amd64', weight: 30 },
  { name: 'cpu-128', cpu: 128_000, memory: 512 * GiB, gpus: 0, architecture: 'amd64', weight: 20 },
  { name: 'cpu-arm-96', cpu: 96_000, memory: 384 * GiB, gpus: 0, architecture: 'arm64', weight: 12 },
  { name: 'a100', cpu: 128_000, memory: 1024 * GiB, gpus: 8, gpuType: 'A100', architecture: 'amd64', weight: 10 },
  { name: 'h100', cpu: 192_000, memory: 2048 * GiB, gpus: 8, gpuType: 'H100', architecture: 'amd64', weight: 12 },
  { name: 'h200', cpu: 192_000, memory: 2048 * GiB, gpus: 8, gpuType: 'H200', architecture: 'amd64', weight: 5 },
  { name: 'b200', cpu: 224_000, memory: 2048 * GiB, gpus: 8, gpuType: 'B200', architecture: 'amd64', weight: 4 },
  { name: 'l40s', cpu: 64_000, memory: 512 * GiB, gpus: 4, gpuType: 'L40S', architecture: 'amd64', weight: 7 },
];

/** Profile templates: what each allows. GPU profiles only go on GPU runners. */
interface ProfileTemplate {
  readonly name: string;
  readonly gpu: boolean;
  readonly ingress: readonly string[][];
  readonly egress: readonly string[][];
}

const PROFILES: readonly ProfileTemplate[] = [
  { name: 'default', gpu: false, ingress: [['private'], ['public', 'private']], egress: [['internet'], ['internet', 'blocked']] },
  { name: 'restricted', gpu: false, ingress: [['private']], egress: [['blocked']] },
  { name: 'public-web', gpu: false, ingress: [['public'], ['public', 'private']], egress: [['internet']] },
  { name: 'batch', gpu: false, ingress: [[], ['private']], egress: [['internet'], ['allowlist']] },
  { name: 'dev', gpu: false, ingress: [['public', 'private']], egress: [['internet']] },
  { name: 'gpu-inference', gpu: true, ingress: [['public', 'private'], ['private']], egress: [['internet']] },
  { name: 'gpu-training', gpu: true, ingress: [['private']], egress: [['internet', 'blocked'], ['allowlist']] },
];

/** The largest fleet `generateFleet` makes. */
const MAX_RUNNERS = 2_000_000;
const SHARE = { min: 0, max: 1 } as const;

export interface FleetOptions {
  /** Number of runners, 0 to 2,000,000. */
  readonly runners: number;
  /** Same seed, same fleet. */
  readonly seed: number;
  /** Number of runner groups; default one per 400 runners, at least 3. */
  readonly groups?: number;
  /** Share of runners marked unhealthy; default 0.02. */
  readonly unhealthy?: number;
  /** Share of runners with unknown resources; default 0.01. */
  readonly unknownResources?: number;
  /** Mean share of capacity already in use; default 0.35 (`standard` machine shapes only). */
  readonly utilisation?: number;
  /**
   * The machines: `standard` (default) — eight common machine types, capacity partly used
   * around `utilisation`; `heterogeneous` — as operators run fleets: 160 distinct capacity
   * shapes (4–128 cores, 8 GiB–1 TiB, 0–8 GPUs of five types, a few with an undisclosed
   * maximum), free capacity drawn independently per dimension anywhere from empty to full;
   * unknown resources and unhealthy runners default to 2 % and 4 %.
   */
  readonly shapes?: 'standard' | 'heterogeneous';
}

/**
 * Makes a realistic seeded fleet: several runner groups; CPU-only amd64 and arm64 runners and
 * GPU runners (A100, H100, H200, B200, L40S); 1–5 profiles per runner with ingress and egress
 * modes from small open sets; partly used capacity; a few unhealthy runners and a few with
 * unknown resources. The result is a frozen, valid {@link Snapshot}.
 *
 * @example
 * const fleet = generateFleet({ runners: 5000, seed: 42 });
 * const catalog = Catalog.fromSnapshot(fleet);
 */
export function generateFleet(options: FleetOptions): Snapshot {
  checkRanges('generateFleet', options, {
    runners: { min: 0, max: MAX_RUNNERS, integer: true, required: true },
    seed: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true, required: true },
    groups: { min: 1, max: MAX_RUNNERS, integer: true },
    unhealthy: SHARE,
    unknownResources: SHARE,
    utilisation: SHARE,
  }, ['shapes']);
  if (options.shapes !== undefined && options.shapes !== 'standard' && options.shapes !== 'heterogeneous') {
    throwIfViolations('generateFleet', [{ field: 'shapes', description: `must be 'standard' or 'heterogeneous', got ${quote(options.shapes)}` }]);
  }
  const heterogeneous = options.shapes === 'heterogeneous';
  const random = createRandom(options.seed);
  const groupCount = options.groups ?? Math.max(3, Math.ceil(options.runners / 400));
  const groups = Array.from({ length: groupCount }, (_, i) => `group-${String(i + 1).padStart(2, '0')}`);
  const width = String(options.runners).length;
  const unhealthy = options.unhealthy ?? (heterogeneous ? 0.04 : 0.02);
  const unknown = options.unknownResources ?? (heterogeneous ? 0.02 : 0.01);
  const utilisation = options.utilisation ?? 0.35;
  const shapes = (heterogeneous ? heterogeneousShapes(createRandom(options.seed ^ 0x5a5e)) : SHAPES).map((s) => [s, s.weight] as const);
  const start = Date.UTC(2026, 0, 1);

  const runners: Runner[] = [];
  const profiles: Profile[] = [];
  for (let i = 0; i < options.runners; i++) {
    const shape = random.weighted(shapes);
    const runnerId = `runner-${String(i).padStart(width, '0')}`;
    const used = (total: number, step: number) => {
      const share = Math.min(1, random.exponential(utilisation));
      return Math.max(0, total - Math.round((total * share) / step) * step);
    };
    // Heterogeneous fleets: each dimension free anywhere from empty to full, independently.
    const free = (total: number, step: number) => (heterogeneous ? random.int(0, Math.floor(total / step)) * step : used(total, step));
    const resources = random.chance(unknown)
      ? null
      : {
          availableCpuMillicores: free(shape.cpu, 500),
          availableMemoryBytes: free(shape.memory, GiB),
          availableGpuCount: shape.gpus === 0 ? 0 : free(shape.gpus, 1),
          runningSandboxes: random.int(0, 40),
        };
    const templates = PROFILES.filter((p) => !p.gpu || shape.gpus > 0);
    const count = random.int(1, Math.min(5, templates.length));
    const chosen = [...templates].sort(() => random.next() - 0.5).slice(0, count);
    const gpuTypes = shape.gpuType ? [shape.gpuType] : [];
    const runnerProfiles = chosen.map(
      (t): Profile => ({
        profileName: t.name,
        runnerId,
        supportedGpuTypes: t.gpu || random.chance(0.5) ? gpuTypes : [],
        supportedArchitectures: [shape.architecture],
        ingressModes: random.pick(t.ingress),
        egressModes: random.pick(t.egress),
      }),
    );
    profiles.push(...runnerProfiles);
    // Now and then a profile exists but is not bound on its runner.
    const bound = runnerProfiles.filter(() => !random.chance(0.03)).map((p) => p.profileName);
    const tags = [random.chance(0.2) ? 'spot' : 'on-demand', ...(shape.gpus > 0 && random.chance(0.5) ? ['nvlink'] : [])];
    runners.push({
      runnerId,
      runnerGroupId: random.pick(groups),
      tags,
      healthy: !random.chance(unhealthy),
      profileNames: bound,
      connectedAt: new Date(start + random.int(0, 300 * 86_400) * 1000).toISOString(),
      maxCpuMillicores: shape.undisclosed === 'cpu' ? 0 : shape.cpu,
      maxMemoryBytes: shape.undisclosed === 'memory' ? 0 : shape.memory,
      maxGpuCount: shape.gpus,
      supportedGpuTypes: gpuTypes,
      supportedArchitectures: [shape.architecture],
      supportsPrivileged: random.chance(0.3),
      availableStorageClasses: random.chance(0.4) ? ['ssd', 'nvme'] : ['ssd'],
      resources,
      // Every tenth runner belongs to a shared organisation (no draw: the rest of the fleet
      // is the same as without the field).
      isShared: i % 10 === 9,
    });
  }
  return trustSnapshot({ runners, profiles });
}
