import { generateFleet } from '../fleet/generate.js';
import { checkRanges } from '../matcher/arguments.js';
import { isParsedSnapshot, parseSnapshot } from '../snapshot/parse.js';
import { drawRequest } from '../fleet/requests.js';
import { createRandom, type Random } from '../random.js';
import type { SandboxRequest, Snapshot } from '../types.js';
import { SandboxNumbering } from './running.js';
import { trustTrace, type TraceEvent } from './trace.js';

export interface TraceOptions {
  /** The fleet the trace is meant for: its free capacity sets the arrival rate. */
  readonly fleet: Snapshot;
  /** Same seed, same trace. */
  readonly seed: number;
  /** Number of events. */
  readonly events: number;
  /** Demand over free capacity of the scarcer resource (GPU or CPU) in steady state; default 1.5. */
  readonly load?: number | undefined;
  /** Mean sandbox lifetime in seconds; default 600. */
  readonly meanLifetime?: number | undefined;
  /** Share of requests asking for GPUs; default 0.3. */
  readonly gpuShare?: number | undefined;
  /** Share of events that change runners (join, leave, health flaps); default 0.005. */
  readonly runnerEventShare?: number | undefined;
}

/** Pareto shape of lifetimes: heavy-tailed with a finite mean. */
const PARETO_ALPHA = 1.8;

function paretoLifetime(random: Random, mean: number): number {
  const scale = (mean * (PARETO_ALPHA - 1)) / PARETO_ALPHA;
  const x = scale / Math.pow(1 - random.next(), 1 / PARETO_ALPHA);
  return Math.round(Math.min(x, mean * 100) * 1000) / 1000;
}

/**
 * A seeded workload for a fleet: Poisson arrivals of the standard request mix (CPU-only and
 * GPU sandboxes of several sizes and types), heavy-tailed (Pareto) lifetimes, a fifth of the
 * sandboxes departing by explicit events, and a few runners joining, leaving or flapping
 * unhealthy. The arrival rate is set so that steady-state demand of the scarcer resource is
 * `load` times what the fleet has free — real contention.
 *
 * @example
 * const fleet = generateFleet({ runners: 2000, seed: 1 });
 * const trace = generateTrace({ fleet, seed: 2, events: 100_000 });
 */
export function generateTrace(options: TraceOptions): readonly TraceEvent[] {
  checkRanges(
    'generateTrace',
    options,
    {
      seed: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true, required: true },
      events: { min: 0, max: 50_000_000, integer: true, required: true },
      load: { min: 0.001, max: 1000 },
      meanLifetime: { min: 0.001, max: 1e9 },
      gpuShare: { min: 0, max: 1 },
      runnerEventShare: { min: 0, max: 1 },
    },
    ['fleet'],
  );
  const fleet = isParsedSnapshot(options.fleet) ? options.fleet : parseSnapshot(options.fleet);
  const random = createRandom(options.seed);
  const load = options.load ?? 1.5;
  const meanLifetime = options.meanLifetime ?? 600;
  const mix = { gpuShare: options.gpuShare ?? 0.3 };
  const runnerShare = options.runnerEventShare ?? 0.005;

  let freeCpu = 0;
  let freeGpu = 0;
  for (const r of fleet.runners) {
    if (!r.healthy || !r.resources) continue;
    freeCpu += r.resources.availableCpuMillicores;
    freeGpu += r.resources.availableGpuCount;
  }
  const sample = createRandom(options.seed ^ 0x5eed);
  let meanCpu = 0;
  let meanGpu = 0;
  for (let i = 0; i < 2000; i++) {
    const q = drawRequest(sample, mix);
    meanCpu += q.cpuMillicores / 2000;
    meanGpu += q.gpuCount / 2000;
  }
  const rates = [freeCpu / (meanLifetime * meanCpu), ...(freeGpu > 0 && meanGpu > 0 ? [freeGpu / (meanLifetime * meanGpu)] : [])];
  const rate = Math.max(1e-6, load * Math.min(...rates)); // arrivals per second

  // Runners for the runner events: some leave, some flap, a few new ones join.
  const ids = fleet.runners.map((r) => r.runnerId);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  }
  const leaving = ids.slice(0, Math.floor(ids.length / 2));
  const flapping = ids.slice(Math.floor(ids.length / 2));
  const joiners = generateFleet({ runners: Math.max(1, Math.ceil(options.events * runnerShare)), seed: options.seed + 1 });
  let joined = 0;

  // Arrivals asking the same share one frozen request: a mix has a few hundred distinct ones,
  // and a trace of a million events would otherwise hold half a million copies.
  const requests = new Map<string, SandboxRequest>();
  const intern = (request: SandboxRequest): SandboxRequest => {
    const key = JSON.stringify(request);
    const known = requests.get(key);
    if (known) return known;
    requests.set(key, request);
    return request;
  };
  // Events due as they are drawn come in time order; the few scheduled for later (departures,
  // runners back to health) are sorted on their own and merged in, ties in drawing order. A
  // departure carries its sandbox's number: arrivals keep their drawing order in the trace.
  // Events are frozen as they are made: the trace is trusted as generated, so none may change.
  type Timed = { event: TraceEvent; seq: number; sandbox: number };
  const now: TraceEvent[] = [];
  const nowSeq: number[] = [];
  const later: Timed[] = [];
  let seq = 0;
  const push = (event: TraceEvent) => {
    now.push(Object.freeze(event));
    nowSeq.push(seq++);
  };
  const schedule = (event: TraceEvent, sandbox = -1) => later.push({ event: Object.freeze(event), seq: seq++, sandbox });
  let time = 0;
  let arrivals = 0;
  // Generate past the end, then keep the first `events` in time order: departures scheduled
  // beyond the cut fall away (those sandboxes are still running when the trace ends).
  const target = Math.ceil(options.events * 1.3);
  while (now.length + later.length < target) {
    time += random.exponential(1 / rate);
    const t = Math.round(time * 1000) / 1000;
    if (random.chance(runnerShare)) {
      const kind = random.weighted([['leave', 3], ['flap', 4], ['join', 3]] as const);
      if (kind === 'leave' && leaving.length > 0) push({ type: 'runnerLeave', time: t, runnerId: leaving.pop() as string });
      else if (kind === 'flap' && flapping.length > 0) {
        const runnerId = flapping.pop() as string;
        push({ type: 'runnerUnhealthy', time: t, runnerId });
        schedule({ type: 'runnerHealthy', time: Math.round((t + paretoLifetime(random, meanLifetime)) * 1000) / 1000, runnerId });
      } else if (joined < joiners.runners.length) {
        const runner = joiners.runners[joined++];
        if (runner) {
          const runnerId = `joined-${String(joined).padStart(5, '0')}`;
          const profiles = joiners.profiles.filter((p) => p.runnerId === runner.runnerId).map((p) => Object.freeze({ ...p, runnerId }));
          push({ type: 'runnerJoin', time: t, runner: Object.freeze({ ...runner, runnerId }), profiles: Object.freeze(profiles) });
        }
      }
      continue;
    }
    const sandbox = arrivals++;
    const sandboxId = `sbx-${String(sandbox).padStart(7, '0')}`;
    const request = intern(drawRequest(random, mix));
    const lifetime = paretoLifetime(random, meanLifetime);
    if (random.chance(0.2)) {
      push({ type: 'arrival', time: t, sandboxId, request });
      schedule({ type: 'departure', time: Math.round((t + lifetime) * 1000) / 1000, sandboxId }, sandbox);
    } else {
      push({ type: 'arrival', time: t, sandboxId, request, lifetime });
    }
  }
  later.sort((a, b) => a.event.time - b.event.time || a.seq - b.seq);
  const events: TraceEvent[] = [];
  const numbering = new SandboxNumbering();
  let i = 0;
  let j = 0;
  while (events.length < options.events && (i < now.length || j < later.length)) {
    const a = now[i];
    const b = later[j];
    const nowFirst = b === undefined || (a !== undefined && (a.time < b.event.time || (a.time === b.event.time && (nowSeq[i] as number) < b.seq)));
    if (nowFirst) {
      events.push(a as TraceEvent);
      if ((a as TraceEvent).type === 'arrival') numbering.arrive();
      else numbering.skip();
      i++;
    } else {
      const { event, sandbox } = b as Timed;
      events.push(event);
      if (event.type === 'departure') numbering.depart(sandbox);
      else numbering.skip();
      j++;
    }
  }
  return trustTrace(events, numbering.finish());
}
