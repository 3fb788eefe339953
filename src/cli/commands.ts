import { Catalog } from '../matcher/catalog.js';
import { REASON_LABELS, STRATEGIES } from '../types.js';
import { generateFleet } from '../fleet/generate.js';
import { comparisonTable, formatTextTable } from '../report/comparison.js';
import { renderReport } from '../report/html.js';
import { generateTrace } from '../simulate/generate-trace.js';
import { simulate, type SimulationResult } from '../simulate/simulate.js';
import { formatTrace, type TraceEvent } from '../simulate/trace.js';
import { DiscoveryValidationError, ProfileNotFoundError, RunnerNotFoundError } from '../errors.js';
import type { Profile, ProfileFilter, Runner, RunnerFilter, SandboxRequest, Strategy } from '../types.js';
import { formatBytes, formatCpu } from '../units/format.js';
import { parseCpu, parseMemory } from '../units/parse.js';
import { hints, suggest } from './hints.js';
import { serveCommand } from './serve.js';
import { checkWritable, readFleet, readTrace, type TraceFile, UsageError, withTraceLines, writeText } from './io.js';
import { runsInWorkers, simulateInParallel } from '../parallel/run.js';
import { ProgressBar } from './progress.js';

/** Where a command writes: stdout for results, stderr for progress and notes. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly interactive: boolean;
  /** The terminal's width, when writing to one: tables and the progress bar fit it. */
  readonly columns?: number | undefined;
  /** Writes the progress line to stderr as it is (its carriage returns and erase codes intact). */
  progress?(text: string): void;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

/** Exit statuses a script can branch on (documented in `capmatch --help` and the README). */
export const EXIT = { done: 0, noMatch: 1, badInput: 2, internal: 3 } as const;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  /** How many positional arguments it takes (default none). */
  readonly positionals?: number;
  /** Returns the exit status (a long-running command, once it ends). */
  run(values: Values, positionals: string[], io: Io): number | Promise<number>;
}

/** The example the README and `npm start` use: generated from fixed seeds. */
export const EXAMPLE = { runners: 3000, fleetSeed: 20261128, events: 100_000, traceSeed: 7 } as const;

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

/** A Kubernetes quantity option; a bad one says why, in the library's words. */
function quantity(name: string, value: string | undefined, parse: (q: string) => number): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (e) {
    const why = e instanceof DiscoveryValidationError ? (e.fieldViolations[0]?.description ?? e.message) : (e as Error).message;
    throw new UsageError(`--${name}: ${why} (examples: ${name.includes('memory') ? '512Mi, 16Gi, 1e9' : '500m, 2, 1.5'})`);
  }
}

/** The documented range of each numeric option (also in the README's CLI section). */
export const RANGES = {
  'min-gpu': [0, Number.MAX_SAFE_INTEGER],
  gpu: [0, Number.MAX_SAFE_INTEGER],
  limit: [0, 1_000_000_000],
  top: [0, 1000],
  samples: [1, 100_000],
  runners: [0, 1_000_000],
  events: [0, 10_000_000],
  seed: [0, Number.MAX_SAFE_INTEGER],
  lifetime: [1, 1_000_000_000],
} as const satisfies Record<string, readonly [number, number]>;

/** A whole-number option within its documented range. */
function integer(name: keyof typeof RANGES, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = RANGES[name];
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max.toLocaleString('en')}, got ${JSON.stringify(value)}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max.toLocaleString('en')}, got ${text}`);
  return n;
}

function fleetOf(values: Values): Catalog {
  const path = str(values.fleet);
  if (path === undefined) throw new UsageError('--fleet <file.json> is required (- reads standard input; write one with: capmatch generate fleet --out fleet.json)');
  return Catalog.fromSnapshot(readFleet(path));
}

/** A comma-separated list of distinct, known strategies. */
function strategiesOf(value: string | undefined): Strategy[] {
  if (value === undefined) return [...STRATEGIES];
  const names = value.split(',').map((s) => s.trim());
  if (names.every((n) => n === '')) throw new UsageError(`--strategy is empty; choose from ${STRATEGIES.join(', ')}`);
  const seen = new Set<string>();
  for (const n of names) {
    if (!STRATEGIES.includes(n as Strategy)) throw new UsageError(`unknown strategy ${JSON.stringify(n)}; choose from ${STRATEGIES.join(', ')}`);
    if (seen.has(n)) throw new UsageError(`--strategy lists ${n} twice`);
    seen.add(n);
  }
  return names as Strategy[];
}

/** Prints JSON with C1 control characters escaped too (JSON.stringify leaves them raw). */
function json(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const FLEET_OPTION = { fleet: { type: 'string' }, json: { type: 'boolean' } } as const;

const runners: Command = {
  summary: 'list runners matching filters, with their free capacity',
  usage: `capmatch runners --fleet <file.json|-> [filters] [--json]

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
  --limit <n>            print at most n rows (default 50, 0 to 1,000,000,000; --json prints all)`,
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
    const limit = integer('limit', str(values.limit)) ?? 50;
    const catalog = fleetOf(values);
    const list = catalog.listRunners(filter);
    if (values.json === true) {
      io.out(`${json(list, 2)}\n`);
      return EXIT.done;
    }
    io.out(`${formatTextTable(RUNNER_HEADERS, list.slice(0, limit).map(runnerRow), io.columns)}\n`);
    io.out(`${list.length} of ${catalog.size} runners match${list.length > limit ? ` (first ${limit} shown; --limit or --json for more)` : ''}\n`);
    return EXIT.done;
  },
};

const RUNNER_HEADERS = ['runner', 'group', 'healthy', 'gpu', 'arch', 'cpu free', 'memory free', 'gpu free', 'profiles'];

function runnerRow(r: Runner): string[] {
  return [
    r.runnerId,
    r.runnerGroupId,
    r.healthy ? 'yes' : 'no',
    r.supportedGpuTypes.join(',') || '-',
    r.supportedArchitectures.join(','),
    r.resources ? formatCpu(r.resources.availableCpuMillicores) : '?',
    r.resources ? formatBytes(r.resources.availableMemoryBytes) : '?',
    r.resources ? String(r.resources.availableGpuCount) : '?',
    r.profileNames.join(','),
  ];
}

const runner: Command = {
  summary: 'show one runner with its free capacity (exit 1 when there is none with that id)',
  usage: `capmatch runner <runnerId> --fleet <file.json|-> [--json]`,
  options: { ...FLEET_OPTION },
  positionals: 1,
  run(values, positionals, io) {
    const id = positionals[0];
    if (id === undefined) throw new UsageError('which runner? capmatch runner <runnerId> --fleet <file.json>');
    const catalog = fleetOf(values);
    let r: Runner;
    try {
      r = catalog.getRunner(id);
    } catch (e) {
      if (!(e instanceof RunnerNotFoundError)) throw e;
      io.err(`capmatch runner: no runner '${id}' in the fleet${suggest(id, catalog.listRunners().map((x) => x.runnerId))}\n`);
      return EXIT.noMatch;
    }
    if (values.json === true) io.out(`${json(r, 2)}\n`);
    else {
      const fields: Array<[string, string]> = [
        ['runner', r.runnerId],
        ['group', r.runnerGroupId],
        ['healthy', r.healthy ? 'yes' : 'no'],
        ['shared', r.isShared ? 'yes' : 'no'],
        ['connected at', r.connectedAt],
        ['cpu free / max', `${r.resources ? formatCpu(r.resources.availableCpuMillicores) : '?'} / ${r.maxCpuMillicores ? formatCpu(r.maxCpuMillicores) : 'undisclosed'}`],
        ['memory free / max', `${r.resources ? formatBytes(r.resources.availableMemoryBytes) : '?'} / ${r.maxMemoryBytes ? formatBytes(r.maxMemoryBytes) : 'undisclosed'}`],
        ['gpu free / max', `${r.resources ? String(r.resources.availableGpuCount) : '?'} / ${r.maxGpuCount || 'undisclosed'}`],
        ['running sandboxes', r.resources ? String(r.resources.runningSandboxes) : '?'],
        ['gpu types', r.supportedGpuTypes.join(', ') || '-'],
        ['architectures', r.supportedArchitectures.join(', ') || '-'],
        ['privileged', r.supportsPrivileged ? 'yes' : 'no'],
        ['storage classes', r.availableStorageClasses.join(', ') || '-'],
        ['tags', r.tags.join(', ') || '-'],
        ['profiles', r.profileNames.join(', ') || '-'],
      ];
      io.out(`${fields.map(([k, v]) => `${k.padEnd(18)} ${v}`).join('\n')}\n`);
    }
    return EXIT.done;
  },
};

const profile: Command = {
  summary: 'show one profile, on a runner or the first by runnerId (exit 1 when there is none)',
  usage: `capmatch profile <profileName> --fleet <file.json|-> [--runner <runnerId>] [--json]`,
  options: { ...FLEET_OPTION, runner: { type: 'string' } },
  positionals: 1,
  run(values, positionals, io) {
    const name = positionals[0];
    if (name === undefined) throw new UsageError('which profile? capmatch profile <profileName> --fleet <file.json>');
    const runnerId = str(values.runner);
    const catalog = fleetOf(values);
    let p: Profile;
    try {
      p = catalog.getProfile(name, { runnerId });
    } catch (e) {
      if (!(e instanceof ProfileNotFoundError)) throw e;
      const names = catalog.listProfiles(runnerId === undefined ? {} : { runnerId }).map((x) => x.profileName);
      const where = runnerId === undefined ? 'on any runner' : `on runner '${runnerId}'`;
      io.err(`capmatch profile: no profile '${name}' ${where}${suggest(name, names)}\n`);
      return EXIT.noMatch;
    }
    if (values.json === true) io.out(`${json(p, 2)}\n`);
    else {
      const fields: Array<[string, string]> = [
        ['profile', p.profileName],
        ['runner', p.runnerId],
        ['gpu types', p.supportedGpuTypes.join(', ') || '-'],
        ['architectures', p.supportedArchitectures.join(', ') || '-'],
        ['ingress modes', p.ingressModes.join(', ') || '-'],
        ['egress modes', p.egressModes.join(', ') || '-'],
      ];
      io.out(`${fields.map(([k, v]) => `${k.padEnd(14)} ${v}`).join('\n')}\n`);
    }
    return EXIT.done;
  },
};

const profiles: Command = {
  summary: 'list profiles matching filters',
  usage: `capmatch profiles --fleet <file.json|-> [--gpu-type T] [--arch A] [--runner ID] [--ingress M] [--egress M] [--limit n] [--json]

  --limit <n>            print at most n rows (default 50; --json prints all)`,
  options: { ...FLEET_OPTION, 'gpu-type': { type: 'string' }, arch: { type: 'string' }, runner: { type: 'string' }, ingress: { type: 'string' }, egress: { type: 'string' }, limit: { type: 'string' } },
  run(values, _positionals, io) {
    const filter: ProfileFilter = { gpuType: str(values['gpu-type']), architecture: str(values.arch), runnerId: str(values.runner), ingressMode: str(values.ingress), egressMode: str(values.egress) };
    const limit = integer('limit', str(values.limit)) ?? 50;
    const catalog = fleetOf(values);
    const list = catalog.listProfiles(filter);
    if (values.json === true) {
      io.out(`${json(list, 2)}\n`);
      return EXIT.done;
    }
    const rows = list.slice(0, limit).map((p) => [p.runnerId, p.profileName, p.supportedGpuTypes.join(',') || '-', p.supportedArchitectures.join(',') || '-', p.ingressModes.join(',') || '-', p.egressModes.join(',') || '-']);
    io.out(`${formatTextTable(['runner', 'profile', 'gpu', 'arch', 'ingress', 'egress'], rows, io.columns)}\n`);
    io.out(`${list.length} profiles match${list.length > limit ? ` (first ${limit} shown; --limit or --json for more)` : ''}\n`);
    return EXIT.done;
  },
};

const place: Command = {
  summary: 'choose a runner for one sandbox, or explain why none fits (exit 1)',
  usage: `capmatch place --fleet <file.json|-> --cpu <q> --memory <q> [--gpu n] [options] [--json]

  --cpu <q>              CPU, e.g. 2 or 500m (default 0)
  --memory <q>           memory, e.g. 8Gi (default 0)
  --gpu <n>              GPUs (default 0)
  --gpu-type <type>      --arch <arch>  --profile <name>  --ingress <mode>  --egress <mode>
  --privileged           --storage-class <c>  --group <id>
  --runner <id>          allow-list (repeatable)      --tag <t>  required tag (repeatable)
  --strategy <s>         spread (default), binpack, balanced, firstFit
  --top <n>              also list the n best runners (0 to 1000)

Exit status 0 when placed, 1 when nothing fits (the reasons are printed), 2 for bad input.`,
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
    const strategyText = str(values.strategy);
    const strategies = strategyText === undefined ? ['spread' as const] : strategiesOf(strategyText);
    if (strategies.length > 1) throw new UsageError('place takes one --strategy');
    const strategy = strategies[0] as Strategy;
    const top = integer('top', str(values.top)) ?? 0;
    const catalog = fleetOf(values);
    const result = catalog.place(request, { strategy, topK: top });
    const tips = result.ok ? [] : hints(catalog, request);
    if (values.json === true) {
      io.out(`${json(result.ok ? result : { ...result, hints: tips }, 2)}\n`);
      return result.ok ? EXIT.done : EXIT.noMatch;
    }
    if (result.ok) {
      io.out(`placed on ${result.runnerId} with profile ${result.profileName} (${strategy} score ${result.score.toFixed(2)} / 100)\n`);
      if (result.alternatives) {
        io.out(`${formatTextTable(['rank', 'runner', 'profile', 'score'], result.alternatives.map((a, i) => [String(i + 1), a.runnerId, a.profileName, a.score.toFixed(2)]), io.columns)}\n`);
      }
      return EXIT.done;
    }
    io.out(`no runner fits (${result.code}): ${result.message}\n`);
    for (const tip of tips) io.out(`hint: ${tip}\n`);
    if (result.nearestMisses.length > 0) {
      io.out('\nnearest misses:\n');
      const rows = result.nearestMisses.map((m) => [
        m.runnerId,
        m.reasons.map((r) => REASON_LABELS[r]).join(', '),
        m.shortfall ? formatCpu(m.shortfall.cpuMillicores) : '?',
        m.shortfall ? formatBytes(m.shortfall.memoryBytes) : '?',
        m.shortfall ? String(m.shortfall.gpuCount) : '?',
      ]);
      io.out(`${formatTextTable(['runner', 'fails', 'cpu short', 'memory short', 'gpu short'], rows, io.columns)}\n`);
    }
    return EXIT.noMatch;
  },
};

const simulateCommand: Command = {
  summary: 'replay a workload trace under several strategies and compare them',
  usage: `capmatch simulate (--fleet <file.json|-> --trace <file.jsonl|-> | --example) [options]

  --strategy <list>      comma-separated, each once (default: spread,binpack,balanced,firstFit)
  --report <file.html>   write a self-contained HTML report with charts
  --samples <n>          points per time series (default 120, 1 to 100,000)
  --json                 print the full result as JSON
  --example              the bundled example, generated from fixed seeds:
                         ${EXAMPLE.runners.toLocaleString('en')} runners (seed ${EXAMPLE.fleetSeed}), ${EXAMPLE.events.toLocaleString('en')} events (seed ${EXAMPLE.traceSeed})`,
  options: { ...FLEET_OPTION, trace: { type: 'string' }, strategy: { type: 'string' }, report: { type: 'string' }, samples: { type: 'string' }, example: { type: 'boolean' } },
  run(values, _positionals, io) {
    // Every option is checked before any work starts.
    const strategies = strategiesOf(str(values.strategy));
    const samples = integer('samples', str(values.samples));
    const fleetPath = str(values.fleet);
    const tracePath = str(values.trace);
    const report = str(values.report);
    if (values.example === true && (fleetPath !== undefined || tracePath !== undefined)) throw new UsageError('--example replaces --fleet and --trace: give one or the other');
    if (values.example !== true && tracePath === undefined) throw new UsageError('--trace <file.jsonl> is required (or --example; write one with: capmatch generate trace)');
    if (values.example !== true && fleetPath === undefined) throw new UsageError('--fleet <file.json> is required (or --example)');
    if (fleetPath === '-' && tracePath === '-') throw new UsageError('only one of --fleet and --trace can read standard input');
    if (report !== undefined) checkWritable(report, 'report', [fleetPath, tracePath]);
    let catalog: Catalog;
    let trace: readonly TraceEvent[];
    let traceFile: TraceFile | undefined;
    let description: string;
    if (values.example === true) {
      const fleet = generateFleet({ runners: EXAMPLE.runners, seed: EXAMPLE.fleetSeed });
      catalog = Catalog.fromSnapshot(fleet);
      trace = generateTrace({ fleet, seed: EXAMPLE.traceSeed, events: EXAMPLE.events });
      description = `example fleet: ${EXAMPLE.runners.toLocaleString('en')} runners, ${fleet.profiles.length.toLocaleString('en')} profiles (seed ${EXAMPLE.fleetSeed}); generated trace of ${EXAMPLE.events.toLocaleString('en')} events (seed ${EXAMPLE.traceSeed})`;
    } else {
      catalog = fleetOf(values);
      traceFile = readTrace(tracePath as string);
      trace = traceFile.events;
      description = `fleet ${fleetPath === '-' ? 'from standard input' : fleetPath}: ${catalog.size.toLocaleString('en')} runners; trace ${tracePath === '-' ? 'from standard input' : tracePath}`;
    }
    const progress = new ProgressBar(io, trace.length * strategies.length > 50_000);
    const started = Date.now();
    const located = (e: unknown) => (traceFile && e instanceof DiscoveryValidationError ? withTraceLines(e, traceFile) : e);
    const finish = (result: SimulationResult): number => {
      progress.done();
      if (values.json === true) io.out(`${json(result)}\n`);
      else {
        const table = comparisonTable(result);
        io.out(`${description}\n${result.events.toLocaleString('en')} events, ${strategies.length} ${strategies.length === 1 ? 'strategy' : 'strategies'}, ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
        io.out(`${formatTextTable(table.headers, table.rows, io.columns)}\n`);
        io.out(`${table.note}\n`);
      }
      if (report !== undefined) {
        writeText(report, renderReport(result, { description }), 'report');
        io.err(`report written to ${report}\n`);
      }
      return EXIT.done;
    };
    let outcome: SimulationResult | Promise<SimulationResult>;
    try {
      const options = { catalog, trace, strategies, samples, onProgress: (done: number) => progress.update(done, `simulating ${strategies.join(', ')}`) };
      // Several strategies run on worker threads in the built CLI (see src/parallel/run.ts);
      // otherwise the answer comes at once.
      outcome = runsInWorkers(strategies.length) ? simulateInParallel(options) : simulate(options);
    } catch (e) {
      progress.done();
      throw located(e);
    }
    if (!(outcome instanceof Promise)) return finish(outcome);
    return outcome.then(finish, (e: unknown) => {
      progress.done();
      throw located(e);
    });
  },
};

const generate: Command = {
  summary: 'write a seeded example fleet or trace',
  usage: `capmatch generate fleet [--runners n] [--seed s] [--out file.json]
capmatch generate trace --fleet <file.json|-> [--events n] [--seed s] [--load x] [--lifetime seconds] [--out file.jsonl]

  --runners <n>          0 to 1,000,000 (default 200)
  --events <n>           0 to 10,000,000 (default 10,000)
  --seed <s>             a whole number (default 1)
  --load <x>             demand over free capacity, above 0 up to 1000 (default 1.5)
  --lifetime <seconds>   mean sandbox lifetime, 1 to 1,000,000,000 (default 600)

Without --out, writes to standard output. With --out, the file is replaced atomically.`,
  options: { fleet: { type: 'string' }, runners: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, events: { type: 'string' }, load: { type: 'string' }, lifetime: { type: 'string' } },
  positionals: 1,
  run(values, positionals, io) {
    const what = positionals[0];
    if (what !== 'fleet' && what !== 'trace') throw new UsageError(`generate what? 'fleet' or 'trace', got ${what === undefined ? 'nothing' : JSON.stringify(what)}`);
    const seed = integer('seed', str(values.seed)) ?? 1;
    const out = str(values.out);
    const path = str(values.fleet);
    if (out !== undefined) checkWritable(out, 'output', [path]);
    let text: string;
    if (what === 'fleet') {
      text = `${JSON.stringify(generateFleet({ runners: integer('runners', str(values.runners)) ?? 200, seed }), null, 1)}\n`;
    } else {
      if (path === undefined) throw new UsageError('generate trace needs --fleet <file.json>: the trace is sized to the fleet');
      const loadText = str(values.load);
      const load = loadText === undefined ? undefined : Number(loadText);
      if (load !== undefined && !(load > 0 && load <= 1000)) throw new UsageError(`--load must be a number above 0 up to 1000, got ${JSON.stringify(loadText)}`);
      const events = integer('events', str(values.events)) ?? 10_000;
      const meanLifetime = integer('lifetime', str(values.lifetime));
      text = formatTrace(generateTrace({ fleet: readFleet(path), seed, events, load, meanLifetime }));
    }
    if (out === undefined) io.out(text);
    else {
      writeText(out, text, 'output');
      io.err(`wrote ${out}\n`);
    }
    return EXIT.done;
  },
};

export const COMMANDS: Readonly<Record<string, Command>> = { runners, runner, profiles, profile, place, simulate: simulateCommand, generate, serve: serveCommand };
