import { Catalog } from '../matcher/catalog.js';
import { REASON_LABELS, STRATEGIES } from '../types.js';
import { generateFleet } from '../fleet/generate.js';
import { comparisonTable, formatTextTable } from '../report/comparison.js';
import { renderReport } from '../report/html.js';
import { generateTrace } from '../simulate/generate-trace.js';
import { simulate, type SimulationResult } from '../simulate/simulate.js';
import { formatTrace, type TraceEvent } from '../simulate/trace.js';
import { DiscoveryValidationError } from '../errors.js';
import type { ProfileFilter, RunnerFilter, SandboxRequest, Strategy } from '../types.js';
import { formatBytes, formatCpu } from '../units/format.js';
import { parseCpu, parseMemory } from '../units/parse.js';
import { readFleet, readTrace, type TraceFile, UsageError, withTraceLines, writeText } from './io.js';
import { ProgressBar } from './progress.js';

/** Where a command writes: stdout for results, stderr for progress and notes. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly interactive: boolean;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  run(values: Values, positionals: string[], io: Io): void;
}

/** The example the README and `npm start` use: generated from fixed seeds. */
export const EXAMPLE = { runners: 3000, fleetSeed: 20261128, events: 100_000, traceSeed: 7 } as const;

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

function quantity(name: string, value: string | undefined, parse: (q: string) => number): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch {
    throw new UsageError(`--${name} ${JSON.stringify(value)} is not a quantity (examples: ${name.includes('memory') ? '512Mi, 16Gi, 1e9' : '500m, 2, 1.5'})`);
  }
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function fleetOf(values: Values): Catalog {
  const path = str(values.fleet);
  if (path === undefined) throw new UsageError('--fleet <file.json> is required (write one with: capmatch generate fleet --out fleet.json)');
  return Catalog.fromSnapshot(readFleet(path));
}

function strategiesOf(value: string | undefined): Strategy[] {
  if (value === undefined) return [...STRATEGIES];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!STRATEGIES.includes(n as Strategy)) throw new UsageError(`unknown strategy ${JSON.stringify(n)}; choose from ${STRATEGIES.join(', ')}`);
  return names as Strategy[];
}

const FLEET_OPTION = { fleet: { type: 'string' }, json: { type: 'boolean' } } as const;

const runners: Command = {
  summary: 'list runners matching filters, with their free capacity',
  usage: `capmatch runners --fleet <file.json> [filters] [--json]

Filters (all combine with AND):
  --group <id>           runner group
  --profile <name>       a profile the runner lists
  --gpu-type <type>      e.g. H100 (case-sensitive)
  --arch <arch>          e.g. amd64, arm64
  --ingress <mode>       in the union of the runner's profiles' ingress modes
  --egress <mode>        in the union of the runner's profiles' egress modes
  --healthy              healthy runners only
  --min-cpu <q>          free CPU at least, e.g. 4 or 500m
  --min-memory <q>       free memory at least, e.g. 16Gi
  --min-gpu <n>          free GPUs at least
  --limit <n>            print at most n rows (default 50; --json prints all)`,
  options: {
    ...FLEET_OPTION,
    group: { type: 'string' },
    profile: { type: 'string' },
    'gpu-type': { type: 'string' },
    arch: { type: 'string' },
    ingress: { type: 'string' },
    egress: { type: 'string' },
    healthy: { type: 'boolean' },
    'min-cpu': { type: 'string' },
    'min-memory': { type: 'string' },
    'min-gpu': { type: 'string' },
    limit: { type: 'string' },
  },
  run(values, _positionals, io) {
    const catalog = fleetOf(values);
    const filter: RunnerFilter = {
      runnerGroupId: str(values.group),
      profileName: str(values.profile),
      gpuType: str(values['gpu-type']),
      architecture: str(values.arch),
      ingressMode: str(values.ingress),
      egressMode: str(values.egress),
      healthyOnly: values.healthy === true ? true : undefined,
      includeResources: true,
      minAvailableCpuMillicores: quantity('min-cpu', str(values['min-cpu']), parseCpu),
      minAvailableMemoryBytes: quantity('min-memory', str(values['min-memory']), parseMemory),
      minAvailableGpuCount: integer('min-gpu', str(values['min-gpu'])),
    };
    const list = catalog.listRunners(filter);
    if (values.json === true) {
      io.out(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    const limit = integer('limit', str(values.limit)) ?? 50;
    const rows = list.slice(0, limit).map((r) => [
      r.runnerId,
      r.runnerGroupId,
      r.healthy ? 'yes' : 'no',
      r.supportedGpuTypes.join(',') || '-',
      r.supportedArchitectures.join(','),
      r.resources ? formatCpu(r.resources.availableCpuMillicores) : '?',
      r.resources ? formatBytes(r.resources.availableMemoryBytes) : '?',
      r.resources ? String(r.resources.availableGpuCount) : '?',
      r.profileNames.join(','),
    ]);
    io.out(`${formatTextTable(['runner', 'group', 'healthy', 'gpu', 'arch', 'cpu free', 'memory free', 'gpu free', 'profiles'], rows)}\n`);
    io.out(`${list.length} of ${catalog.size} runners match${list.length > limit ? ` (first ${limit} shown; --limit or --json for more)` : ''}\n`);
  },
};

const profiles: Command = {
  summary: 'list profiles matching filters',
  usage: `capmatch profiles --fleet <file.json> [--gpu-type T] [--arch A] [--runner ID] [--ingress M] [--egress M] [--limit n] [--json]`,
  options: { ...FLEET_OPTION, 'gpu-type': { type: 'string' }, arch: { type: 'string' }, runner: { type: 'string' }, ingress: { type: 'string' }, egress: { type: 'string' }, limit: { type: 'string' } },
  run(values, _positionals, io) {
    const catalog = fleetOf(values);
    const filter: ProfileFilter = { gpuType: str(values['gpu-type']), architecture: str(values.arch), runnerId: str(values.runner), ingressMode: str(values.ingress), egressMode: str(values.egress) };
    const list = catalog.listProfiles(filter);
    if (values.json === true) {
      io.out(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    const limit = integer('limit', str(values.limit)) ?? 50;
    const rows = list.slice(0, limit).map((p) => [p.runnerId, p.profileName, p.supportedGpuTypes.join(',') || '-', p.supportedArchitectures.join(',') || '-', p.ingressModes.join(',') || '-', p.egressModes.join(',') || '-']);
    io.out(`${formatTextTable(['runner', 'profile', 'gpu', 'arch', 'ingress', 'egress'], rows)}\n`);
    io.out(`${list.length} profiles match${list.length > limit ? ` (first ${limit} shown)` : ''}\n`);
  },
};

const place: Command = {
  summary: 'choose a runner for one sandbox, or explain why none fits',
  usage: `capmatch place --fleet <file.json> --cpu <q> --memory <q> [--gpu n] [options] [--json]

  --cpu <q>              CPU, e.g. 2 or 500m (default 0)
  --memory <q>           memory, e.g. 8Gi (default 0)
  --gpu <n>              GPUs (default 0)
  --gpu-type <type>      --arch <arch>  --profile <name>  --ingress <mode>  --egress <mode>
  --privileged           --storage-class <c>  --group <id>
  --runner <id>          allow-list (repeatable)      --tag <t>  required tag (repeatable)
  --strategy <s>         spread (default), binpack, balanced, firstFit
  --top <n>              also list the n best runners`,
  options: {
    ...FLEET_OPTION,
    cpu: { type: 'string' },
    memory: { type: 'string' },
    gpu: { type: 'string' },
    'gpu-type': { type: 'string' },
    arch: { type: 'string' },
    profile: { type: 'string' },
    ingress: { type: 'string' },
    egress: { type: 'string' },
    privileged: { type: 'boolean' },
    'storage-class': { type: 'string' },
    group: { type: 'string' },
    runner: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    strategy: { type: 'string' },
    top: { type: 'string' },
  },
  run(values, _positionals, io) {
    const catalog = fleetOf(values);
    const request: SandboxRequest = {
      cpuMillicores: quantity('cpu', str(values.cpu), parseCpu) ?? 0,
      memoryBytes: quantity('memory', str(values.memory), parseMemory) ?? 0,
      gpuCount: integer('gpu', str(values.gpu)) ?? 0,
      gpuType: str(values['gpu-type']),
      architecture: str(values.arch),
      profileName: str(values.profile),
      ingressMode: str(values.ingress),
      egressMode: str(values.egress),
      privileged: values.privileged === true ? true : undefined,
      storageClass: str(values['storage-class']),
      runnerGroupId: str(values.group),
      runnerIds: Array.isArray(values.runner) ? values.runner : undefined,
      tags: Array.isArray(values.tag) ? values.tag : undefined,
    };
    const strategy = strategiesOf(str(values.strategy))[0] ?? 'spread';
    if ((str(values.strategy) ?? 'spread').includes(',')) throw new UsageError('place takes one --strategy');
    const top = integer('top', str(values.top)) ?? 0;
    const result = catalog.place(request, { strategy, topK: top });
    if (values.json === true) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (result.ok) {
      io.out(`placed on ${result.runnerId} with profile ${result.profileName} (${strategy} score ${result.score.toFixed(2)} / 100)\n`);
      if (result.alternatives) {
        io.out(`${formatTextTable(['rank', 'runner', 'profile', 'score'], result.alternatives.map((a, i) => [String(i + 1), a.runnerId, a.profileName, a.score.toFixed(2)]))}\n`);
      }
      return;
    }
    io.out(`no runner fits (${result.code}): ${result.message}\n`);
    if (result.nearestMisses.length > 0) {
      io.out('\nnearest misses:\n');
      const rows = result.nearestMisses.map((m) => [
        m.runnerId,
        m.reasons.map((r) => REASON_LABELS[r]).join(', '),
        m.shortfall ? formatCpu(m.shortfall.cpuMillicores) : '?',
        m.shortfall ? formatBytes(m.shortfall.memoryBytes) : '?',
        m.shortfall ? String(m.shortfall.gpuCount) : '?',
      ]);
      io.out(`${formatTextTable(['runner', 'fails', 'cpu short', 'memory short', 'gpu short'], rows)}\n`);
    }
  },
};

const simulateCommand: Command = {
  summary: 'replay a workload trace under several strategies and compare them',
  usage: `capmatch simulate (--fleet <file.json> --trace <file.jsonl> | --example) [options]

  --strategy <list>      comma-separated (default: spread,binpack,balanced,firstFit)
  --report <file.html>   write a self-contained HTML report with charts
  --samples <n>          points per time series (default 120)
  --json                 print the full result as JSON
  --example              generate the bundled example: ${EXAMPLE.runners.toLocaleString('en')} runners (seed ${EXAMPLE.fleetSeed}), ${EXAMPLE.events.toLocaleString('en')} events (seed ${EXAMPLE.traceSeed})`,
  options: { ...FLEET_OPTION, trace: { type: 'string' }, strategy: { type: 'string' }, report: { type: 'string' }, samples: { type: 'string' }, example: { type: 'boolean' } },
  run(values, _positionals, io) {
    const strategies = strategiesOf(str(values.strategy));
    let catalog: Catalog;
    let trace: readonly TraceEvent[];
    let traceFile: TraceFile | undefined;
    let description: string;
    if (values.example === true) {
      const fleet = generateFleet({ runners: EXAMPLE.runners, seed: EXAMPLE.fleetSeed });
      catalog = Catalog.fromSnapshot(fleet);
      trace = generateTrace({ fleet, seed: EXAMPLE.traceSeed, events: EXAMPLE.events });
      description = `example fleet: ${EXAMPLE.runners.toLocaleString('en')} runners, ${fleet.profiles.length.toLocaleString('en')} profiles (seed ${EXAMPLE.fleetSeed}); generated trace (seed ${EXAMPLE.traceSeed})`;
    } else {
      const tracePath = str(values.trace);
      if (tracePath === undefined) throw new UsageError('--trace <file.jsonl> is required (or --example; write one with: capmatch generate trace)');
      catalog = fleetOf(values);
      traceFile = readTrace(tracePath);
      trace = traceFile.events;
      description = `fleet ${str(values.fleet)}: ${catalog.size.toLocaleString('en')} runners; trace ${tracePath}`;
    }
    const progress = new ProgressBar(io, trace.length * strategies.length > 50_000);
    const started = Date.now();
    let result: SimulationResult;
    try {
      result = simulate({ catalog, trace, strategies, samples: integer('samples', str(values.samples)), onProgress: (done) => progress.update(done, 'simulating') });
    } catch (e) {
      if (traceFile && e instanceof DiscoveryValidationError) throw withTraceLines(e, traceFile);
      throw e;
    } finally {
      progress.done();
    }
    if (values.json === true) io.out(`${JSON.stringify(result)}\n`);
    else {
      const table = comparisonTable(result);
      io.out(`${description}\n${result.events.toLocaleString('en')} events, ${strategies.length} strategies, ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
      io.out(`${formatTextTable(table.headers, table.rows)}\n`);
    }
    const report = str(values.report);
    if (report !== undefined) {
      writeText(report, renderReport(result, { description }), 'report');
      io.err(`report written to ${report}\n`);
    }
  },
};

const generate: Command = {
  summary: 'write a seeded example fleet or trace',
  usage: `capmatch generate fleet [--runners n] [--seed s] [--out file.json]
capmatch generate trace --fleet <file.json> [--events n] [--seed s] [--load x] [--lifetime seconds] [--out file.jsonl]

Without --out, writes to standard output.`,
  options: { fleet: { type: 'string' }, runners: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, events: { type: 'string' }, load: { type: 'string' }, lifetime: { type: 'string' } },
  run(values, positionals, io) {
    const what = positionals[0];
    const seed = integer('seed', str(values.seed)) ?? 1;
    let text: string;
    if (what === 'fleet') {
      text = `${JSON.stringify(generateFleet({ runners: integer('runners', str(values.runners)) ?? 200, seed }), null, 1)}\n`;
    } else if (what === 'trace') {
      const path = str(values.fleet);
      if (path === undefined) throw new UsageError('generate trace needs --fleet <file.json>: the trace is sized to the fleet');
      const load = str(values.load) === undefined ? undefined : Number(str(values.load));
      if (load !== undefined && !(load > 0)) throw new UsageError(`--load must be a positive number, got ${JSON.stringify(str(values.load))}`);
      text = formatTrace(generateTrace({ fleet: readFleet(path), seed, events: integer('events', str(values.events)) ?? 10_000, load, meanLifetime: integer('lifetime', str(values.lifetime)) }));
    } else {
      throw new UsageError(`generate what? 'fleet' or 'trace', got ${what === undefined ? 'nothing' : JSON.stringify(what)}`);
    }
    const out = str(values.out);
    if (out === undefined) io.out(text);
    else {
      writeText(out, text, 'output');
      io.err(`wrote ${out}\n`);
    }
  },
};

export const COMMANDS: Readonly<Record<string, Command>> = { runners, profiles, place, simulate: simulateCommand, generate };
