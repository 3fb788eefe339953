import { grown } from '../grown.js';
import { quote } from '../quote.js';
import { throwIfViolations } from '../errors.js';
import { Catalog } from '../matcher/catalog.js';
import { replayOf } from '../matcher/replay.js';
import type { RunnerTable } from '../matcher/runner-table.js';
import { compareIds } from '../order.js';
import { isRecord } from '../snapshot/fields.js';
import { REASONS, STRATEGIES, type Change, type FieldViolation, type RejectionCode, type RejectionReason, type SandboxRequest, type Strategy } from '../types.js';
import { DepartureQueue } from './departures.js';
import { RunningSandboxes, type SandboxNumbers } from './running.js';
import { checkTrace, sandboxNumbers, type TraceEvent } from './trace.js';

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
  return runPlan(planSimulation(options));
}

/** Replays a checked simulation, every strategy in turn. Not exported from the package. */
export function runPlan(plan: SimulationPlan): SimulationResult {
  const { strategies, base, trace, shapes, duration } = plan;
  const results = strategies.map((strategy, k) =>
    runOne(base.fork(), trace, plan.sandboxes, strategy, shapes, duration, plan.samples, (done) => plan.onProgress?.((k + done) / strategies.length)),
  );
  return { events: trace.length, duration, commonGpuShapes: shapes, strategies: results };
}

/** A simulation checked and ready to run: what every strategy's replay starts from. */
export interface SimulationPlan {
  readonly base: Catalog;
  readonly trace: readonly TraceEvent[];
  /** The trace's sandboxes by number, shared by every strategy's replay. */
  readonly sandboxes: SandboxNumbers;
  readonly strategies: readonly Strategy[];
  readonly samples: number;
  readonly duration: number;
  readonly shapes: SimulationResult['commonGpuShapes'];
  readonly onProgress: ((done: number) => void) | undefined;
}

/**
 * Checks a simulation's options, trace and runner references, and works out what every
 * strategy shares (duration, common GPU shapes, sandbox numbers). Not exported from the core:
 * `capmatch/parallel` uses it to run strategies on worker threads.
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
    sandboxes: sandboxNumbers(trace),
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
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i] as TraceEvent;
    if (e.type === 'runnerJoin') {
      if (present.has(e.runner.runnerId)) violations.push({ field: `trace[${i}].runner.runnerId`, description: `runner ${quote(e.runner.runnerId)} is already in the fleet` });
      present.add(e.runner.runnerId);
    } else if (e.type === 'runnerLeave' || e.type === 'runnerHealthy' || e.type === 'runnerUnhealthy') {
      if (!present.has(e.runnerId)) violations.push({ field: `trace[${i}].runnerId`, description: `${e.type} of unknown runner ${quote(e.runnerId)}` });
      if (e.type === 'runnerLeave') present.delete(e.runnerId);
    }
  }
  throwIfViolations('simulate', violations.slice(0, 100));
}

/** The (up to) four most frequent GPU request shapes of the trace. */
function commonGpuShapes(trace: readonly TraceEvent[]): SimulationResult['commonGpuShapes'] {
  // Counted by request first: arrivals often share a request (a generated trace's do), and a
  // count keyed by the object needs no key string per arrival.
  const byRequest = new Map<SandboxRequest, number>();
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i] as TraceEvent;
    if (e.type === 'arrival' && e.request.gpuCount > 0) byRequest.set(e.request, (byRequest.get(e.request) ?? 0) + 1);
  }
  const counts = new Map<string, { shape: { cpuMillicores: number; memoryBytes: number; gpuCount: number }; n: number }>();
  for (const [{ cpuMillicores, memoryBytes, gpuCount }, n] of byRequest) {
    const key = `${cpuMillicores}/${memoryBytes}/${gpuCount}`;
    const entry = counts.get(key) ?? { shape: { cpuMillicores, memoryBytes, gpuCount }, n: 0 };
    entry.n += n;
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
  sandboxes: SandboxNumbers,
  strategy: Strategy,
  shapes: SimulationResult['commonGpuShapes'],
  duration: number,
  sampleCount: number,
  progress: (done: number) => void,
): StrategyResult {
  const replay = replayOf(catalog);
  const table = replay.table;
  const running = new RunningSandboxes(sandboxes.arrival.length);
  const requestOf = (k: number) => (trace[sandboxes.arrival[k] as number] as Extract<TraceEvent, { type: 'arrival' }>).request;
  const departures = new DepartureQueue();
  const byCode: Record<RejectionCode, number> = { NO_SUITABLE_RUNNER: 0, PROFILE_MISMATCH: 0 };
  const byReason = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<RejectionReason, number>;
  const placedByGroup = new Map<string, number>();
  const series: Sample[] = [];
  const options = { strategy, topK: 0, nearestMisses: 1 } as const;
  const level = new FleetLevel(table, shapes);
  let arrivals = 0;
  let placed = 0;
  let evicted = 0;
  // Sample i is taken at i × duration / (n − 1), computed from its index (never by adding a
  // step), and reflects every event before that time; the last is taken after every event.
  let nextIndex = 0;
  const sampleTime = (i: number) => (sampleCount === 1 ? duration : (duration * i) / (sampleCount - 1));

  const release = (k: number) => {
    const slot = k < 0 ? -1 : running.slot(k);
    if (slot < 0) return; // none, rejected, evicted, or departed already
    running.remove(k);
    replay.hold(slot, requestOf(k), -1);
    level.refresh(slot);
  };
  const runDeparturesUntil = (time: number) => {
    for (let at = departures.nextTime(); at <= time; at = departures.nextTime()) {
      level.advance(at);
      release(departures.popDue(at) as number);
    }
  };
  const sampleBefore = (time: number) => {
    while (nextIndex < sampleCount - 1 && sampleTime(nextIndex) <= time) {
      const at = sampleTime(nextIndex++);
      runDeparturesUntil(at);
      series.push(measureTable(table, at, running.size, shapes));
    }
  };
  /** Applies one change to one runner and keeps the level current. */
  const change = (runnerId: string, c: Change) => {
    const before = table.slotOf.get(runnerId);
    catalog.apply([c]);
    if (before !== undefined) level.refresh(before);
    const after = table.slotOf.get(runnerId);
    if (after !== undefined && after !== before) level.refresh(after);
  };

  for (let i = 0; i < trace.length; i++) {
    const e = trace[i] as TraceEvent;
    sampleBefore(e.time);
    runDeparturesUntil(e.time);
    level.advance(e.time);
    switch (e.type) {
      case 'arrival': {
        arrivals++;
        const request = e.request as SandboxRequest;
        const slot = replay.place(request, options);
        if (typeof slot === 'number') {
          placed++;
          replay.hold(slot, request, 1);
          level.refresh(slot);
          const k = sandboxes.ofEvent[i] as number;
          running.add(k, slot);
          if (e.lifetime !== undefined) departures.push(e.time + e.lifetime, k);
          const group = table.runnerAt(slot).runnerGroupId;
          placedByGroup.set(group, (placedByGroup.get(group) ?? 0) + 1);
        } else {
          byCode[slot.code]++;
          for (const reason of slot.nearestMisses[0]?.reasons ?? []) byReason[reason]++;
        }
        break;
      }
      case 'departure':
        release(sandboxes.ofEvent[i] as number);
        break;
      case 'runnerJoin': {
        const { runnerId } = e.runner;
        catalog.apply([{ type: 'upsertRunner', runner: e.runner }, ...e.profiles.map((profile) => ({ type: 'upsertProfile' as const, profile }))]);
        const slot = table.slotOf.get(runnerId);
        if (slot !== undefined) level.refresh(slot);
        break;
      }
      case 'runnerLeave': {
        const slot = table.slotOf.get(e.runnerId);
        if (slot !== undefined) evicted += running.evict(slot);
        change(e.runnerId, { type: 'removeRunner', runnerId: e.runnerId });
        break;
      }
      case 'runnerUnhealthy':
      case 'runnerHealthy':
        change(e.runnerId, { type: 'setHealthy', runnerId: e.runnerId, healthy: e.type === 'runnerHealthy' });
        break;
    }
    if ((i & 0x3fff) === 0) progress(i / trace.length);
  }
  sampleBefore(duration);
  runDeparturesUntil(duration);
  level.advance(duration);
  const final = measureTable(table, duration, running.size, shapes);
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

/** What one runner adds to the totals: a slot's 7 entries in {@link FleetLevel}'s parts. */
const CPU = 0;
const CPU_FREE = 1;
const MEMORY = 2;
const MEMORY_FREE = 3;
const GPU = 4;
const GPU_FREE = 5;
const STRANDED = 6;
const PART = 7;

/**
 * The fleet-wide utilisation and stranded GPUs as step functions of time, kept current runner
 * by runner (each change subtracts the runner's part before and adds it after) and integrated
 * between events, so that means are time-weighted and cost nothing per sample. Parts are kept
 * by slot, read straight off the runner table.
 */
class FleetLevel {
  /** Sums of the parts, by entry. */
  private readonly totals = new Float64Array(PART);
  private parts = new Float64Array(0);
  private readonly area = { cpu: 0, memory: 0, gpu: 0, stranded: 0 };
  private time = 0;

  constructor(
    private readonly table: RunnerTable,
    private readonly shapes: SimulationResult['commonGpuShapes'],
  ) {
    for (let slot = 0; slot < table.runners.length; slot++) if (table.runners[slot] !== undefined) this.refresh(slot);
  }

  /** Integrates the current level up to `time`. */
  advance(time: number): void {
    const dt = time - this.time;
    if (dt <= 0) return;
    const t = this.totals;
    this.area.cpu += used(t[CPU] as number, t[CPU_FREE] as number) * dt;
    this.area.memory += used(t[MEMORY] as number, t[MEMORY_FREE] as number) * dt;
    this.area.gpu += used(t[GPU] as number, t[GPU_FREE] as number) * dt;
    this.area.stranded += (t[STRANDED] as number) * dt;
    this.time = time;
  }

  /** Replaces a slot's part in the totals after it changed (nothing when gone or unknown). */
  refresh(slot: number): void {
    if (this.parts.length < (slot + 1) * PART) {
      this.parts = grown(this.parts, Math.max((slot + 1) * PART, this.parts.length * 2));
    }
    const t = this.totals;
    const p = this.parts;
    const at = slot * PART;
    for (let k = 0; k < PART; k++) t[k] = (t[k] as number) - (p[at + k] as number);
    const table = this.table;
    const runner = table.runners[slot];
    if (!runner || !table.indexes.known.has(slot)) {
      p.fill(0, at, at + PART);
      return;
    }
    const cpu = table.availCpu[slot] as number;
    const mem = table.availMem[slot] as number;
    const gpu = table.availGpu[slot] as number;
    const maxCpu = table.maxCpu[slot] as number;
    const maxMem = table.maxMem[slot] as number;
    const maxGpu = table.maxGpu[slot] as number;
    p[at + CPU] = maxCpu > 0 ? maxCpu : cpu;
    p[at + CPU_FREE] = cpu;
    p[at + MEMORY] = maxMem > 0 ? maxMem : mem;
    p[at + MEMORY_FREE] = mem;
    p[at + GPU] = maxGpu > 0 ? maxGpu : gpu;
    p[at + GPU_FREE] = gpu;
    p[at + STRANDED] = runner.healthy && gpu > 0 && this.shapes.length > 0 && !usable(this.shapes, cpu, mem, gpu) ? gpu : 0;
    for (let k = 0; k < PART; k++) t[k] = (t[k] as number) + (p[at + k] as number);
  }

  /** Time-weighted mean up to now; `instant` when no time has passed. */
  mean(what: 'cpu' | 'memory' | 'gpu' | 'stranded', instant: number): number {
    return this.time > 0 ? this.area[what] / this.time : instant;
  }
}

/** Whether a GPU sandbox of one of the common shapes fits in these free amounts. */
function usable(shapes: SimulationResult['commonGpuShapes'], cpu: number, mem: number, gpu: number): boolean {
  return shapes.some((s) => gpu >= s.gpuCount && cpu >= s.cpuMillicores && mem >= s.memoryBytes);
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

/**
 * One sample, recounted from the runner table: as {@link measure}, in the same order (runnerId),
 * so the same floats — without building a runner view per runner.
 */
function measureTable(table: RunnerTable, time: number, running: number, shapes: SimulationResult['commonGpuShapes']): Sample {
  const t: Totals = { cpu: 0, cpuFree: 0, memory: 0, memoryFree: 0, gpu: 0, gpuFree: 0 };
  let stranded = 0;
  let freeGpus = 0;
  let largestGpu = 0;
  let largestCpu = 0;
  const shapeFits = shapes.map(() => 0);
  const known = table.indexes.known;
  for (const slot of table.slotsInIdOrder()) {
    if (!known.has(slot)) continue;
    const cpu = table.availCpu[slot] as number;
    const mem = table.availMem[slot] as number;
    const gpu = table.availGpu[slot] as number;
    add(t, table.maxCpu[slot] as number, table.maxMem[slot] as number, table.maxGpu[slot] as number, cpu, mem, gpu);
    if (!table.runnerAt(slot).healthy) continue;
    largestCpu = Math.max(largestCpu, cpu);
    if (gpu === 0) continue;
    freeGpus += gpu;
    largestGpu = Math.max(largestGpu, gpu);
    if (shapes.length > 0 && !usable(shapes, cpu, mem, gpu)) stranded += gpu;
    for (let k = 0; k < shapes.length; k++) shapeFits[k] = (shapeFits[k] as number) + fitCount(shapes[k] as SimulationResult['commonGpuShapes'][number], cpu, mem, gpu);
  }
  return { time, cpu: used(t.cpu, t.cpuFree), memory: used(t.memory, t.memoryFree), gpu: used(t.gpu, t.gpuFree), running, strandedGpus: stranded, freeGpus, largestGpuFit: largestGpu, largestCpuFit: largestCpu, shapeFits };
}

/** One sample, recounted from the catalog's state through its public queries. */
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
    if (shapes.length > 0 && !usable(shapes, res.availableCpuMillicores, res.availableMemoryBytes, res.availableGpuCount)) stranded += res.availableGpuCount;
    shapes.forEach((s, k) => {
      shapeFits[k] = (shapeFits[k] as number) + fitCount(s, res.availableCpuMillicores, res.availableMemoryBytes, res.availableGpuCount);
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
function fitCount(shape: SimulationResult['commonGpuShapes'][number], cpu: number, mem: number, gpu: number): number {
  let n = Math.floor(gpu / shape.gpuCount);
  if (shape.cpuMillicores > 0) n = Math.min(n, Math.floor(cpu / shape.cpuMillicores));
  if (shape.memoryBytes > 0) n = Math.min(n, Math.floor(mem / shape.memoryBytes));
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
