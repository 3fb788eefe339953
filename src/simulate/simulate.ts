import { quote } from '../quote.js';
import { throwIfViolations } from '../errors.js';
import { Catalog } from '../matcher/catalog.js';
import { compareIds } from '../order.js';
import { isRecord } from '../snapshot/fields.js';
import { REASONS, STRATEGIES, type FieldViolation, type RejectionCode, type RejectionReason, type Reservation, type Runner, type RunnerResources, type SandboxRequest, type Strategy } from '../types.js';
import { DepartureQueue } from './departures.js';
import { checkTrace, type TraceEvent } from './trace.js';

/** One point of the time series. */
export interface Sample {
  /** Trace time in seconds. */
  readonly time: number;
  /** Used over total of every live runner with known resources, in [0, 1]. */
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  /** Sandboxes running. */
  readonly running: number;
  /**
   * Free GPUs on healthy runners where no GPU sandbox of the trace's common shapes fits (0 when
   * the trace asks for no GPUs: then there is nothing to measure against).
   */
  readonly strandedGpus: number;
  /**
   * For each of `commonGpuShapes`, how many more sandboxes of that shape would fit in the free
   * capacity of healthy runners: the fragmentation view that tells strategies apart.
   */
  readonly shapeFits: readonly number[];
  /** Free GPUs in total on healthy runners. */
  readonly freeGpus: number;
  /** Most GPUs free on one healthy runner: the largest GPU sandbox that would still fit. */
  readonly largestGpuFit: number;
  /** Most millicores free on one healthy runner. */
  readonly largestCpuFit: number;
}

/** Final state of one runner group. */
export interface GroupResult {
  readonly runnerGroupId: string;
  readonly runners: number;
  readonly placed: number;
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
}

/** What one strategy did with the trace. */
export interface StrategyResult {
  readonly strategy: Strategy;
  readonly arrivals: number;
  readonly placed: number;
  readonly rejected: number;
  /** placed / arrivals (1 when there were none). */
  readonly acceptanceRate: number;
  readonly rejectionsByCode: Readonly<Record<RejectionCode, number>>;
  /**
   * Rejected sandboxes by what stopped them: each rejection counts once under every reason
   * its nearest miss (the runner closest to fitting) fails.
   */
  readonly rejectionsByReason: Readonly<Record<RejectionReason, number>>;
  /** Sandboxes ended because their runner left. */
  readonly evicted: number;
  /** `samples` points at times `i × duration / (samples − 1)`, the last one after every event. */
  readonly series: readonly Sample[];
  /** End of trace: each group's state after the last event. */
  readonly groups: readonly GroupResult[];
  /**
   * Time-weighted means over the trace: the integral of the utilisation step function between
   * events, divided by the duration (the end-of-trace state when the duration is 0).
   * Independent of `samples`.
   */
  readonly meanUtilisation: { readonly cpu: number; readonly memory: number; readonly gpu: number };
  /** Time-weighted mean of stranded GPUs, as `meanUtilisation`. */
  readonly meanStrandedGpus: number;
  /** End of trace: utilisation and stranded GPUs after the last event (the last sample). */
  readonly final: Sample;
}

export interface SimulationResult {
  readonly events: number;
  readonly duration: number;
  /** The GPU sandbox shapes stranded GPUs are measured against. */
  readonly commonGpuShapes: readonly { readonly cpuMillicores: number; readonly memoryBytes: number; readonly gpuCount: number }[];
  readonly strategies: readonly StrategyResult[];
}

export interface SimulateOptions {
  /** The fleet: a catalog (never changed: each strategy runs on its own fork) or a snapshot. */
  readonly catalog?: Catalog | undefined;
  readonly snapshot?: unknown;
  readonly trace: readonly TraceEvent[];
  /** Default: all four. */
  readonly strategies?: readonly Strategy[] | undefined;
  /** Number of time-series points, 1 to 100,000; default 120. */
  readonly samples?: number | undefined;
  /** Called now and then with the share of work done, for progress bars. */
  readonly onProgress?: ((done: number) => void) | undefined;
}

/**
 * Replays a trace on a fork of the fleet once per strategy and reports, side by side,
 * acceptance, rejections by code and reason, utilisation and fragmentation over time, and
 * per-group results. Deterministic: same inputs, same result (no clocks, no randomness).
 *
 * Departures due at the time of an event are processed before it, so freed capacity is
 * available to arrivals at the same instant.
 *
 * @throws DiscoveryValidationError when the trace names a runner the fleet does not have
 *   at that point (with the event's position), or strategies are unknown.
 * @example
 * const fleet = generateFleet({ runners: 2000, seed: 1 });
 * const result = simulate({ snapshot: fleet, trace: generateTrace({ fleet, seed: 2, events: 50_000 }) });
 * result.strategies.map((s) => [s.strategy, s.acceptanceRate]);
 */
export function simulate(options: SimulateOptions): SimulationResult {
  const plan = planSimulation(options);
  const { strategies, base, trace, shapes, duration } = plan;
  const results = strategies.map((strategy, k) =>
    runOne(base.fork(), trace, strategy, shapes, duration, plan.samples, (done) => plan.onProgress?.((k + done) / strategies.length)),
  );
  return { events: trace.length, duration, commonGpuShapes: shapes, strategies: results };
}

/** A simulation checked and ready to run: what every strategy's replay starts from. */
export interface SimulationPlan {
  readonly base: Catalog;
  readonly trace: readonly TraceEvent[];
  readonly strategies: readonly Strategy[];
  readonly samples: number;
  readonly duration: number;
  readonly shapes: SimulationResult['commonGpuShapes'];
  readonly onProgress: ((done: number) => void) | undefined;
}

/**
 * Checks a simulation's options, trace and runner references, and works out what every
 * strategy shares (duration, common GPU shapes). Not exported from the package: the CLI uses
 * it to run strategies on worker threads.
 *
 * @throws DiscoveryValidationError as `simulate` does.
 */
export function planSimulation(options: SimulateOptions): SimulationPlan {
  const o = checkSimulateOptions(options);
  const base = o.catalog ?? Catalog.fromSnapshot(o.snapshot);
  const trace = checkTrace(o.trace);
  checkRunnerReferences(base, trace);
  return {
    base,
    trace,
    strategies: o.strategies ?? STRATEGIES,
    samples: o.samples ?? 120,
    duration: trace.length === 0 ? 0 : (trace[trace.length - 1] as TraceEvent).time,
    shapes: commonGpuShapes(trace),
    onProgress: o.onProgress,
  };
}

const MAX_SAMPLES = 100_000;

function checkSimulateOptions(options: unknown): SimulateOptions {
  if (!isRecord(options)) throwIfViolations('simulate', [{ field: 'options', description: `must be an object, got ${quote(options)}` }]);
  const o = options as SimulateOptions;
  const violations: FieldViolation[] = [];
  for (const key of Object.keys(o)) {
    if (!['catalog', 'snapshot', 'trace', 'strategies', 'samples', 'onProgress'].includes(key)) violations.push({ field: key, description: 'is not a known option' });
  }
  if ((o.catalog === undefined) === (o.snapshot === undefined)) violations.push({ field: 'catalog', description: 'give exactly one of catalog and snapshot' });
  if (o.catalog !== undefined && !(o.catalog instanceof Catalog)) violations.push({ field: 'catalog', description: `must be a Catalog, got ${quote(o.catalog)}` });
  if (o.strategies !== undefined) {
    if (!Array.isArray(o.strategies) || o.strategies.length === 0) violations.push({ field: 'strategies', description: `must be a non-empty list of strategies, got ${quote(o.strategies)}` });
    else {
      const seen = new Set<unknown>();
      o.strategies.forEach((st: unknown, i) => {
        if (!STRATEGIES.includes(st as Strategy)) violations.push({ field: `strategies[${i}]`, description: `unknown strategy ${quote(st)}; known: ${STRATEGIES.join(', ')}` });
        else if (seen.has(st)) violations.push({ field: `strategies[${i}]`, description: `${quote(st)} is listed twice` });
        seen.add(st);
      });
    }
  }
  const n = o.samples;
  if (n !== undefined && (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_SAMPLES)) {
    violations.push({ field: 'samples', description: `must be an integer from 1 to ${MAX_SAMPLES}, got ${quote(n)}` });
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') violations.push({ field: 'onProgress', description: `must be a function, got ${quote(o.onProgress)}` });
  throwIfViolations('simulate', violations);
  return o;
}

/** Every runner event must name a runner present at that point of the trace. */
function checkRunnerReferences(catalog: Catalog, trace: readonly TraceEvent[]): void {
  const present = new Set(catalog.listRunners().map((r) => r.runnerId));
  const violations: FieldViolation[] = [];
  trace.forEach((e, i) => {
    if (e.type === 'runnerJoin') {
      if (present.has(e.runner.runnerId)) violations.push({ field: `trace[${i}].runner.runnerId`, description: `runner ${quote(e.runner.runnerId)} is already in the fleet` });
      present.add(e.runner.runnerId);
    } else if (e.type === 'runnerLeave' || e.type === 'runnerHealthy' || e.type === 'runnerUnhealthy') {
      if (!present.has(e.runnerId)) violations.push({ field: `trace[${i}].runnerId`, description: `${e.type} of unknown runner ${quote(e.runnerId)}` });
      if (e.type === 'runnerLeave') present.delete(e.runnerId);
    }
  });
  throwIfViolations('simulate', violations.slice(0, 100));
}

/** The (up to) four most frequent GPU request shapes of the trace. */
function commonGpuShapes(trace: readonly TraceEvent[]): SimulationResult['commonGpuShapes'] {
  const counts = new Map<string, { shape: { cpuMillicores: number; memoryBytes: number; gpuCount: number }; n: number }>();
  for (const e of trace) {
    if (e.type !== 'arrival' || e.request.gpuCount === 0) continue;
    const { cpuMillicores, memoryBytes, gpuCount } = e.request;
    const key = `${cpuMillicores}/${memoryBytes}/${gpuCount}`;
    const entry = counts.get(key) ?? { shape: { cpuMillicores, memoryBytes, gpuCount }, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || compareIds(a[0], b[0]))
    .slice(0, 4)
    .map(([, v]) => v.shape)
    .sort((a, b) => a.gpuCount - b.gpuCount || a.cpuMillicores - b.cpuMillicores || a.memoryBytes - b.memoryBytes);
}

function runOne(
  catalog: Catalog,
  trace: readonly TraceEvent[],
  strategy: Strategy,
  shapes: SimulationResult['commonGpuShapes'],
  duration: number,
  sampleCount: number,
  progress: (done: number) => void,
): StrategyResult {
  const running = new Map<string, Reservation>();
  /** Running sandboxes by runner, for evictions when a runner leaves. */
  const onRunner = new Map<string, Set<string>>();
  const departures = new DepartureQueue();
  const byCode: Record<RejectionCode, number> = { NO_SUITABLE_RUNNER: 0, PROFILE_MISMATCH: 0 };
  const byReason = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<RejectionReason, number>;
  const placedByGroup = new Map<string, number>();
  const groupOf = new Map(catalog.listRunners().map((r) => [r.runnerId, r.runnerGroupId]));
  const series: Sample[] = [];
  const options = { strategy, nearestMisses: 1 } as const;
  const level = new FleetLevel(catalog, shapes);
  let arrivals = 0;
  let placed = 0;
  let evicted = 0;
  // Sample i is taken at i × duration / (n − 1), computed from its index (never by adding a
  // step), and reflects every event before that time; the last is taken after every event.
  let nextIndex = 0;
  const sampleTime = (i: number) => (sampleCount === 1 ? duration : (duration * i) / (sampleCount - 1));

  const release = (sandboxId: string) => {
    const reservation = running.get(sandboxId);
    if (!reservation) return; // rejected, evicted, or departed already
    running.delete(sandboxId);
    onRunner.get(reservation.runnerId)?.delete(sandboxId);
    level.change(reservation.runnerId, () => catalog.release(reservation));
  };
  const runDeparturesUntil = (time: number) => {
    for (let at = departures.nextTime(); at <= time; at = departures.nextTime()) {
      level.advance(at);
      release(departures.popDue(at) as string);
    }
  };
  const sampleBefore = (time: number) => {
    while (nextIndex < sampleCount - 1 && sampleTime(nextIndex) <= time) {
      const at = sampleTime(nextIndex++);
      runDeparturesUntil(at);
      series.push(measure(catalog, at, running.size, shapes));
    }
  };

  for (let i = 0; i < trace.length; i++) {
    const e = trace[i] as TraceEvent;
    sampleBefore(e.time);
    runDeparturesUntil(e.time);
    level.advance(e.time);
    switch (e.type) {
      case 'arrival': {
        arrivals++;
        const result = catalog.place(e.request as SandboxRequest, options);
        if (result.ok) {
          placed++;
          running.set(e.sandboxId, level.change(result.runnerId, () => catalog.reserve(result)));
          let sandboxes = onRunner.get(result.runnerId);
          if (!sandboxes) {
            sandboxes = new Set();
            onRunner.set(result.runnerId, sandboxes);
          }
          sandboxes.add(e.sandboxId);
          if (e.lifetime !== undefined) departures.push(e.time + e.lifetime, e.sandboxId);
          const group = groupOf.get(result.runnerId) as string;
          placedByGroup.set(group, (placedByGroup.get(group) ?? 0) + 1);
        } else {
          byCode[result.code]++;
          for (const reason of result.nearestMisses[0]?.reasons ?? []) byReason[reason]++;
        }
        break;
      }
      case 'departure':
        release(e.sandboxId);
        break;
      case 'runnerJoin':
        groupOf.set(e.runner.runnerId, e.runner.runnerGroupId);
        level.change(e.runner.runnerId, () =>
          catalog.apply([{ type: 'upsertRunner', runner: e.runner }, ...e.profiles.map((profile) => ({ type: 'upsertProfile' as const, profile }))]),
        );
        break;
      case 'runnerLeave':
        for (const id of onRunner.get(e.runnerId) ?? []) {
          running.delete(id);
          evicted++;
        }
        onRunner.delete(e.runnerId);
        level.change(e.runnerId, () => catalog.apply([{ type: 'removeRunner', runnerId: e.runnerId }]));
        break;
      case 'runnerUnhealthy':
      case 'runnerHealthy':
        level.change(e.runnerId, () => catalog.apply([{ type: 'setHealthy', runnerId: e.runnerId, healthy: e.type === 'runnerHealthy' }]));
        break;
    }
    if ((i & 0x3fff) === 0) progress(i / trace.length);
  }
  sampleBefore(duration);
  runDeparturesUntil(duration);
  level.advance(duration);
  const final = measure(catalog, duration, running.size, shapes);
  series.push(final);
  progress(1);

  return {
    strategy,
    arrivals,
    placed,
    rejected: arrivals - placed,
    acceptanceRate: arrivals === 0 ? 1 : placed / arrivals,
    rejectionsByCode: byCode,
    rejectionsByReason: byReason,
    evicted,
    series,
    groups: groupResults(catalog, placedByGroup),
    meanUtilisation: { cpu: level.mean('cpu', final.cpu), memory: level.mean('memory', final.memory), gpu: level.mean('gpu', final.gpu) },
    meanStrandedGpus: level.mean('stranded', final.strandedGpus),
    final,
  };
}

/**
 * The fleet-wide utilisation and stranded GPUs as step functions of time, kept current runner
 * by runner (each change subtracts the runner's part before and adds it after) and integrated
 * between events, so that means are time-weighted and cost nothing per sample.
 */
class FleetLevel {
  private readonly totals: Totals = { cpu: 0, cpuFree: 0, memory: 0, memoryFree: 0, gpu: 0, gpuFree: 0 };
  private stranded = 0;
  /** Each runner's part in the totals, so a change reads the runner once (after it). */
  private readonly parts = new Map<string, Part>();
  private readonly area = { cpu: 0, memory: 0, gpu: 0, stranded: 0 };
  private time = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly shapes: SimulationResult['commonGpuShapes'],
  ) {
    for (const r of catalog.listRunners({ includeResources: true })) this.account(r.runnerId, this.partOf(r));
  }

  /** Integrates the current level up to `time`. */
  advance(time: number): void {
    const dt = time - this.time;
    if (dt <= 0) return;
    const t = this.totals;
    this.area.cpu += used(t.cpu, t.cpuFree) * dt;
    this.area.memory += used(t.memory, t.memoryFree) * dt;
    this.area.gpu += used(t.gpu, t.gpuFree) * dt;
    this.area.stranded += this.stranded * dt;
    this.time = time;
  }

  /** Runs `f`, which changes one runner, and keeps the totals current. */
  change<T>(runnerId: string, f: () => T): T {
    const out = f();
    this.account(runnerId, this.partOf(this.runner(runnerId)));
    return out;
  }

  /** Time-weighted mean up to now; `instant` when no time has passed. */
  mean(what: 'cpu' | 'memory' | 'gpu' | 'stranded', instant: number): number {
    return this.time > 0 ? this.area[what] / this.time : instant;
  }

  private runner(runnerId: string): Runner | undefined {
    try {
      return this.catalog.getRunner(runnerId);
    } catch {
      return undefined; // not (or no longer) in the fleet
    }
  }

  /** What a runner adds to the totals (nothing when it is gone or its resources are unknown). */
  private partOf(r: Runner | undefined): Part | undefined {
    const res = r?.resources;
    if (!r || !res) return undefined;
    const { maxCpuMillicores: maxCpu, maxMemoryBytes: maxMem, maxGpuCount: maxGpu } = r;
    const { availableCpuMillicores: cpu, availableMemoryBytes: mem, availableGpuCount: gpu } = res;
    return {
      cpu: maxCpu > 0 ? maxCpu : cpu,
      cpuFree: cpu,
      memory: maxMem > 0 ? maxMem : mem,
      memoryFree: mem,
      gpu: maxGpu > 0 ? maxGpu : gpu,
      gpuFree: gpu,
      stranded: r.healthy && gpu > 0 && this.shapes.length > 0 && !usable(this.shapes, res) ? gpu : 0,
    };
  }

  /** Replaces a runner's part in the totals. */
  private account(runnerId: string, part: Part | undefined): void {
    const old = this.parts.get(runnerId);
    const t = this.totals;
    if (old) {
      t.cpu -= old.cpu;
      t.cpuFree -= old.cpuFree;
      t.memory -= old.memory;
      t.memoryFree -= old.memoryFree;
      t.gpu -= old.gpu;
      t.gpuFree -= old.gpuFree;
      this.stranded -= old.stranded;
    }
    if (part) {
      t.cpu += part.cpu;
      t.cpuFree += part.cpuFree;
      t.memory += part.memory;
      t.memoryFree += part.memoryFree;
      t.gpu += part.gpu;
      t.gpuFree += part.gpuFree;
      this.stranded += part.stranded;
      this.parts.set(runnerId, part);
    } else this.parts.delete(runnerId);
  }
}

interface Part extends Totals {
  stranded: number;
}

/** Whether a GPU sandbox of one of the common shapes fits in these free resources. */
function usable(shapes: SimulationResult['commonGpuShapes'], res: RunnerResources): boolean {
  return shapes.some((s) => res.availableGpuCount >= s.gpuCount && res.availableCpuMillicores >= s.cpuMillicores && res.availableMemoryBytes >= s.memoryBytes);
}

/** Totals over live runners with known resources: capacity is the disclosed maximum (or, when undisclosed, what is available). */
interface Totals {
  cpu: number;
  cpuFree: number;
  memory: number;
  memoryFree: number;
  gpu: number;
  gpuFree: number;
}

function add(t: Totals, maxCpu: number, maxMem: number, maxGpu: number, cpu: number, mem: number, gpu: number): void {
  t.cpu += maxCpu > 0 ? maxCpu : cpu;
  t.cpuFree += cpu;
  t.memory += maxMem > 0 ? maxMem : mem;
  t.memoryFree += mem;
  t.gpu += maxGpu > 0 ? maxGpu : gpu;
  t.gpuFree += gpu;
}

const used = (total: number, free: number) => (total === 0 ? 0 : (total - free) / total);

/** One sample, recounted from the catalog's state. */
export function measure(catalog: Catalog, time: number, running: number, shapes: SimulationResult['commonGpuShapes']): Sample {
  const t: Totals = { cpu: 0, cpuFree: 0, memory: 0, memoryFree: 0, gpu: 0, gpuFree: 0 };
  let stranded = 0;
  let freeGpus = 0;
  let largestGpu = 0;
  let largestCpu = 0;
  const shapeFits = shapes.map(() => 0);
  for (const r of catalog.listRunners({ minAvailableCpuMillicores: 0 })) {
    const res = r.resources;
    if (!res) continue;
    add(t, r.maxCpuMillicores, r.maxMemoryBytes, r.maxGpuCount, res.availableCpuMillicores, res.availableMemoryBytes, res.availableGpuCount);
    if (!r.healthy) continue;
    largestCpu = Math.max(largestCpu, res.availableCpuMillicores);
    if (res.availableGpuCount === 0) continue;
    freeGpus += res.availableGpuCount;
    largestGpu = Math.max(largestGpu, res.availableGpuCount);
    if (shapes.length > 0 && !usable(shapes, res)) stranded += res.availableGpuCount;
    shapes.forEach((s, k) => {
      shapeFits[k] = (shapeFits[k] as number) + fitCount(s, res);
    });
  }
  return {
    time,
    cpu: used(t.cpu, t.cpuFree),
    memory: used(t.memory, t.memoryFree),
    gpu: used(t.gpu, t.gpuFree),
    running,
    strandedGpus: stranded,
    freeGpus,
    largestGpuFit: largestGpu,
    largestCpuFit: largestCpu,
    shapeFits,
  };
}

/** How many sandboxes of one shape fit side by side in these free resources. */
function fitCount(shape: SimulationResult['commonGpuShapes'][number], res: RunnerResources): number {
  let n = Math.floor(res.availableGpuCount / shape.gpuCount);
  if (shape.cpuMillicores > 0) n = Math.min(n, Math.floor(res.availableCpuMillicores / shape.cpuMillicores));
  if (shape.memoryBytes > 0) n = Math.min(n, Math.floor(res.availableMemoryBytes / shape.memoryBytes));
  return n;
}

function groupResults(catalog: Catalog, placed: ReadonlyMap<string, number>): GroupResult[] {
  const groups = new Map<string, { totals: Totals; runners: number }>();
  for (const r of catalog.listRunners({ includeResources: true })) {
    let g = groups.get(r.runnerGroupId);
    if (!g) {
      g = { totals: { cpu: 0, cpuFree: 0, memory: 0, memoryFree: 0, gpu: 0, gpuFree: 0 }, runners: 0 };
      groups.set(r.runnerGroupId, g);
    }
    g.runners++;
    const res = r.resources;
    if (res) add(g.totals, r.maxCpuMillicores, r.maxMemoryBytes, r.maxGpuCount, res.availableCpuMillicores, res.availableMemoryBytes, res.availableGpuCount);
  }
  return [...groups.entries()]
    .sort((a, b) => compareIds(a[0], b[0]))
    .map(([runnerGroupId, g]) => ({
      runnerGroupId,
      runners: g.runners,
      placed: placed.get(runnerGroupId) ?? 0,
      cpu: used(g.totals.cpu, g.totals.cpuFree),
      memory: used(g.totals.memory, g.totals.memoryFree),
      gpu: used(g.totals.gpu, g.totals.gpuFree),
    }));
}
