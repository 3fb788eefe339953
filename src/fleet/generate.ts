import { checkRanges } from '../matcher/arguments.js';
import { createRandom } from '../random.js';
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
  /** Mean share of capacity already in use; default 0.35. */
  readonly utilisation?: number;
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
  });
  const random = createRandom(options.seed);
  const groupCount = options.groups ?? Math.max(3, Math.ceil(options.runners / 400));
  const groups = Array.from({ length: groupCount }, (_, i) => `group-${String(i + 1).padStart(2, '0')}`);
  const width = String(options.runners).length;
  const unhealthy = options.unhealthy ?? 0.02;
  const unknown = options.unknownResources ?? 0.01;
  const utilisation = options.utilisation ?? 0.35;
  const shapes = SHAPES.map((s) => [s, s.weight] as const);
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
    const resources = random.chance(unknown)
      ? null
      : {
          availableCpuMillicores: used(shape.cpu, 500),
          availableMemoryBytes: used(shape.memory, GiB),
          availableGpuCount: shape.gpus === 0 ? 0 : used(shape.gpus, 1),
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
      maxCpuMillicores: shape.cpu,
      maxMemoryBytes: shape.memory,
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
