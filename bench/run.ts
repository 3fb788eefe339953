/**
 * capmatch benchmarks: tables of named cases over seeded synthetic fleets, each measured
 * beside the brute-force baseline in the same run so that the ratio means something on a
 * noisy machine. Reports medians (tinybench p50) per operation.
 *
 *   npm run bench                      # every group
 *   npm run bench -- discovery placement   # some groups: discovery updates build placement fork simulate serve edges
 *
 * Writes bench/results/latest.json beside the printed table, replacing only the rows of the
 * groups that ran (each row carries the date it was measured).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { Catalog, generateFleet, generateRequests, type Change, type SandboxRequest, type Snapshot } from 'capmatch';
import { ScanFleet } from './baseline.js';
import { serveCases } from './serve.js';
import { simulationCases } from './simulate.js';

export interface Row {
  readonly group: string;
  readonly case: string;
  readonly size: string;
  /** Median microseconds per operation. */
  readonly capmatchUs: number;
  readonly baselineUs?: number;
  readonly note?: string;
}

const rows: Row[] = [];
const fleets = new Map<string, Snapshot>();

/**
 * The kinds of fleet placement is measured on: `generateFleet`'s two `shapes`, and `unique` —
 * the heterogeneous fleet with every runner given a shape of its own (maxima drawn uniformly,
 * free capacity uniform below them), unkind to the shape index's cells.
 */
export type FleetKind = 'standard' | 'heterogeneous' | 'unique';

export function fleetOf(runners: number, shapes: FleetKind = 'standard'): Snapshot {
  const key = `${shapes}/${runners}`;
  let fleet = fleets.get(key);
  if (!fleet) {
    fleet = shapes === 'unique' ? uniqueShapes(fleetOf(runners, 'heterogeneous')) : generateFleet({ runners, seed: 20261128, shapes });
    fleets.set(key, fleet);
  }
  return fleet;
}

/** A seeded linear congruential generator: each call the next unsigned 32-bit number. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
}

/** Every runner a shape of its own: 4–128 cores, 8 GiB–1 TiB, 1–8 GPUs where it had any (seeded). */
function uniqueShapes(fleet: Snapshot): Snapshot {
  const next = lcg(20261128);
  const random = () => next() / 2 ** 32;
  const runners = fleet.runners.map((r) => {
    const maxCpu = 4000 + Math.floor(random() * 124_000);
    const maxMem = Math.floor((8 + random() * 1016) * 2 ** 30);
    const maxGpu = r.maxGpuCount > 0 ? 1 + Math.floor(random() * 8) : 0;
    const resources = r.resources && {
      ...r.resources,
      availableCpuMillicores: Math.floor(random() * maxCpu),
      availableMemoryBytes: Math.floor(random() * maxMem),
      availableGpuCount: Math.floor(random() * (maxGpu + 1)),
    };
    return { ...r, maxCpuMillicores: maxCpu, maxMemoryBytes: maxMem, maxGpuCount: maxGpu, resources };
  });
  return { runners, profiles: fleet.profiles };
}

/** Median µs per operation of `fn`, which performs `ops` operations per call. */
export async function median(fn: () => unknown, ops = 1, time = 400): Promise<number> {
  const bench = new Bench({ time, warmupTime: 100, warmupIterations: 5 });
  bench.add('case', fn);
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { p50: number } } | undefined;
  if (!result?.latency) throw new Error(`benchmark produced no result: ${String((bench.tasks[0]?.result as { error?: unknown } | undefined)?.error)}`);
  return (result.latency.p50 * 1000) / ops;
}

export function record(row: Row): void {
  rows.push(row);
  const ratio = row.baselineUs === undefined ? '' : `  ${(row.baselineUs / row.capmatchUs).toFixed(1)}× faster than baseline (${fmt(row.baselineUs)})`;
  console.log(`${row.group.padEnd(10)} ${row.case.padEnd(52)} ${row.size.padEnd(26)} ${fmt(row.capmatchUs).padStart(10)}${ratio}${row.note ? `  ${row.note}` : ''}`);
}

export function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 2 : 1)} µs`;
}

async function discovery(): Promise<void> {
  for (const size of [1_000, 10_000, 100_000]) {
    const fleet = fleetOf(size);
    const catalog = Catalog.fromSnapshot(fleet);
    const scan = new ScanFleet(fleet);
    const label = `${size.toLocaleString('en')} runners`;
    const filter = { gpuType: 'H100', architecture: 'amd64', egressMode: 'internet', healthyOnly: true, minAvailableCpuMillicores: 32_000 } as const;
    if (catalog.countRunners(filter) !== scan.countRunners(filter)) throw new Error('countRunners disagrees with the scan');
    record({
      group: 'discovery',
      case: 'countRunners: 4 capability + 1 capacity filter',
      size: label,
      capmatchUs: await median(() => catalog.countRunners(filter)),
      baselineUs: await median(() => scan.countRunners(filter)),
      note: `${catalog.countRunners(filter)} match`,
    });
    const listFilter = { ...filter, includeResources: true } as const;
    record({
      group: 'discovery',
      case: 'listRunners (materialised), same filters',
      size: label,
      capmatchUs: await median(() => catalog.listRunners(listFilter)),
      baselineUs: await median(() => scan.listRunners(listFilter)),
    });
    const broad = { egressMode: 'internet', minAvailableMemoryBytes: 64 * 2 ** 30 } as const;
    record({
      group: 'discovery',
      case: 'listRunners, broad filter (many results)',
      size: label,
      capmatchUs: await median(() => catalog.listRunners(broad)),
      baselineUs: await median(() => scan.listRunners(broad)),
      note: `${catalog.countRunners(broad)} match`,
    });
    const pf = { gpuType: 'H100', ingressMode: 'private', egressMode: 'internet' } as const;
    if (catalog.countProfiles(pf) !== scan.countProfiles(pf)) throw new Error('countProfiles disagrees with the scan');
    record({
      group: 'discovery',
      case: 'countProfiles: 3 filters',
      size: `${fleet.profiles.length.toLocaleString('en')} profiles`,
      capmatchUs: await median(() => catalog.countProfiles(pf)),
      baselineUs: await median(() => scan.countProfiles(pf)),
    });
  }
}

async function updates(): Promise<void> {
  const perCall = 200;
  for (const size of [1_000, 100_000]) {
    const fleet = fleetOf(size);
    const catalog = Catalog.fromSnapshot(fleet);
    const batches: Change[][] = fleet.runners.slice(0, 1024).map((r, i) => [
      {
        type: 'setResources',
        runnerId: r.runnerId,
        resources: {
          availableCpuMillicores: (i * 7919) % (r.maxCpuMillicores + 1),
          availableMemoryBytes: (i * 104_729 * 2 ** 20) % (r.maxMemoryBytes + 1),
          availableGpuCount: i % (r.maxGpuCount + 1),
          runningSandboxes: i % 17,
        },
      },
    ]);
    let k = 0;
    record({
      group: 'updates',
      case: 'apply one setResources',
      size: `${size.toLocaleString('en')} runners`,
      capmatchUs: await median(() => {
        for (let i = 0; i < perCall; i++) catalog.apply(batches[k++ % batches.length] as Change[]);
      }, perCall),
    });
  }
}

async function build(): Promise<void> {
  for (const shapes of ['standard', 'heterogeneous'] as const) await buildOne(shapes, 'generated');
  // Documents in other orders than the generator's (runnerId order, profiles grouped by runner):
  // profiles listed by name then runner; runners out of order cost a sort and a build that reads
  // its records out of input order; profiles in random order cost a hash lookup each.
  await buildOne('standard', 'profiles by name');
  await buildOne('standard', 'runners shuffled');
  await buildOne('standard', 'all shuffled');
}

type DocumentOrder = 'generated' | 'profiles by name' | 'runners shuffled' | 'all shuffled';

const ORDER_NOTE: Readonly<Record<DocumentOrder, string>> = {
  generated: '',
  'profiles by name': ', profiles listed by name (then by runner)',
  'runners shuffled': ', runners in random order (profiles grouped by runner)',
  'all shuffled': ', runners and profiles in random order',
};

/** `items` in a seeded random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = lcg(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reordered(fleet: Snapshot, order: DocumentOrder): Snapshot {
  if (order === 'generated') return fleet;
  // A stable sort: each name's profiles stay in runner order.
  if (order === 'profiles by name') return { runners: fleet.runners, profiles: [...fleet.profiles].sort((a, b) => (a.profileName < b.profileName ? -1 : a.profileName > b.profileName ? 1 : 0)) };
  const runners = shuffled(fleet.runners, 1);
  if (order === 'all shuffled') return { runners, profiles: shuffled(fleet.profiles, 2) };
  const byRunner = new Map<string, Snapshot['profiles'][number][]>();
  for (const p of fleet.profiles) {
    const list = byRunner.get(p.runnerId) ?? [];
    list.push(p);
    byRunner.set(p.runnerId, list);
  }
  return { runners, profiles: runners.flatMap((r) => byRunner.get(r.runnerId) ?? []) };
}

async function buildOne(shapes: 'standard' | 'heterogeneous', order: DocumentOrder): Promise<void> {
  // Not from the shared cache: only this fleet's documents are alive while it is measured.
  const fleet = reordered(generateFleet({ runners: 100_000, seed: 20261128, shapes }), order);
  const text = JSON.stringify(fleet);
  const json = JSON.parse(text) as unknown;
  // The target's yardstick, JSON.parse of the same document, measured in the same rounds as the
  // build, alternating (which goes first too): a slow spell of the machine (times move by up to
  // 40 % within seconds) then falls on both rather than on one of them.
  const parses: number[] = [];
  const times: number[] = [];
  let heap = 0;
  const parse = () => {
    globalThis.gc?.();
    const t = performance.now();
    JSON.parse(text);
    parses.push(performance.now() - t);
  };
  const buildIt = () => {
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t = performance.now();
    let catalog: Catalog | undefined = Catalog.fromSnapshot(json);
    times.push(performance.now() - t);
    globalThis.gc?.();
    heap = process.memoryUsage().heapUsed - before;
    if (catalog.size !== 100_000) throw new Error('wrong size');
    catalog = undefined;
  };
  for (let round = 0; round < BUILD_ROUNDS; round++) {
    const pair = round % 2 === 0 ? [parse, buildIt] : [buildIt, parse];
    for (const step of pair) step();
  }
  const runs = times.map((ms, i) => `${ms.toFixed(0)}/${(parses[i] as number).toFixed(0)}`).join(', ');
  const buildMs = middle(times);
  const parseMs = middle(parses);
  record({
    group: 'build',
    case: `fromSnapshot(JSON): validate + index, ${shapes} fleet${ORDER_NOTE[order]}`,
    size: `100,000 runners + ${fleet.profiles.length.toLocaleString('en')} profiles`,
    capmatchUs: buildMs * 1000,
    baselineUs: parseMs * 1000,
    note: `baseline: JSON.parse of the document (${(text.length / 2 ** 20).toFixed(0)} MB), in the same rounds; build/parse ms by round ${runs} (the first build cold); medians; the target: ${buildMs <= parseMs ? 'met' : 'not met'}; ${globalThis.gc ? `retained heap ${(heap / 2 ** 20).toFixed(0)} MB (catalog, holding its frozen copies of the records; target ≤ 200 MB)` : 'run with --expose-gc for heap'}`,
  });
}

/** Rounds of the build benchmark: one parse and one build each. */
const BUILD_ROUNDS = 5;

/** The median of a few measured times. */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Targets of the placement figures, decisions per second (every scoring strategy). */
const PLACE_TARGETS: Readonly<Record<number, number>> = { 5000: 100_000, 15_000: 50_000 };

/** Placement runs this many rounds (every case once, then again); each case reports its median round. */
const PLACEMENT_ROUNDS = 3;

/**
 * Placement on every fleet kind and size, {@link PLACEMENT_ROUNDS} rounds: a slow spell of the
 * machine (tens of seconds) covers a case's whole measurement, so a case is measured again in
 * later rounds and the median round reported, with every round's figure.
 */
async function placement(): Promise<void> {
  const rounds: Row[][] = [];
  for (let r = 0; r < PLACEMENT_ROUNDS; r++) rounds.push(await placementRound());
  (rounds[0] as Row[]).forEach((_, k) => {
    const all = rounds.map((rows) => rows[k] as Row).sort((a, b) => a.capmatchUs - b.capmatchUs);
    const mid = all[Math.floor(all.length / 2)] as Row;
    const range = `median of ${all.length} rounds: ${all.map((row) => fmt(row.capmatchUs)).join(' / ')}`;
    record({ ...mid, note: mid.note === undefined ? range : `${mid.note}; ${range}` });
  });
}

/** One round of {@link placement}: its rows, in the same order every round. */
async function placementRound(): Promise<Row[]> {
  const rows: Row[] = [];
  const requests = generateRequests({ count: 1000, seed: 99 });
  const batch = 50;
  for (const kind of ['standard', 'heterogeneous', 'unique'] as const) {
    for (const size of [5_000, 15_000]) {
      const fleet = fleetOf(size, kind);
      const catalog = Catalog.fromSnapshot(fleet);
      const scan = new ScanFleet(fleet);
      const label = `${size.toLocaleString('en')} runners, ${kind}`;
      for (const strategy of ['spread', 'binpack', 'balanced', 'firstFit'] as const) {
        for (const q of requests.slice(0, 200)) {
          const got = catalog.place(q, { strategy });
          if ((got.ok ? got.runnerId : undefined) !== scan.place(q, strategy)) throw new Error(`placement disagrees with the scan on ${JSON.stringify(q)} (${strategy}, ${kind})`);
        }
        let i = 0;
        let j = 0;
        const us = await median(() => {
          for (let n = 0; n < batch; n++) catalog.place(requests[i++ % 1000] as SandboxRequest, { strategy });
        }, batch);
        const baseUs = await median(() => {
          for (let n = 0; n < 5; n++) scan.place(requests[j++ % 1000] as SandboxRequest, strategy);
        }, 5);
        const target = strategy === 'firstFit' ? 300_000 : (PLACE_TARGETS[size] as number);
        const perSecond = Math.round(1e6 / us);
        rows.push({ group: 'placement', case: `place, request mix, ${strategy}`, size: label, capmatchUs: us, baselineUs: baseUs, note: `${perSecond.toLocaleString('en')} decisions/s (target ${target.toLocaleString('en')}/s: ${perSecond >= target ? 'met' : 'not met'})` });
      }
      const fits: SandboxRequest = { cpuMillicores: 1000, memoryBytes: 2 * 2 ** 30, gpuCount: 0 };
      const misses: SandboxRequest = { cpuMillicores: 1000, memoryBytes: 2 * 2 ** 30, gpuCount: 16, gpuType: 'H100', ingressMode: 'public', privileged: true, tags: ['nvlink', 'spot'], runnerGroupId: 'group-01' };
      if (catalog.place(misses).ok) throw new Error('expected a rejection');
      const ok = await median(() => catalog.place(fits), 1);
      const rejected = await median(() => catalog.place(misses), 1);
      rows.push({ group: 'placement', case: 'successful placement (CPU-only: every runner scored)', size: label, capmatchUs: ok });
      rows.push({ group: 'placement', case: 'rejection with full explanation', size: label, capmatchUs: rejected, note: `${(rejected / ok).toFixed(2)}× a successful placement (target 3×: ${rejected <= 3 * ok ? 'met' : 'not met'}); its class of conditions and capacity bands counted before` });
      // Nothing on the fleet has 16 GPUs free, so the rejection above ANDs no word (a set known
      // empty); this one asks what some runners have each (arm64, a GPU, privilege, a tag, a
      // group), and only their AND is empty.
      const jointly: SandboxRequest = { cpuMillicores: 1000, memoryBytes: 2 * 2 ** 30, gpuCount: 1, architecture: 'arm64', privileged: true, tags: ['spot'], runnerGroupId: 'group-01' };
      if (catalog.place(jointly).ok) throw new Error('expected a rejection');
      const jointlyUs = await median(() => catalog.place(jointly), 1);
      rows.push({ group: 'placement', case: 'rejection, no condition unmet on its own', size: label, capmatchUs: jointlyUs, note: `${(jointlyUs / ok).toFixed(2)}× a successful placement (target 3×: ${jointlyUs <= 3 * ok ? 'met' : 'not met'}); arm64 with a GPU, each met by some runner` });
      // A rejection right after a change to what its class depends on (its counts brought up to
      // date): a runner's health flipped before each, the flip's own cost measured alone and taken off.
      const changed = catalog.fork();
      const flipped = (fleet.runners[0] as Snapshot['runners'][number]).runnerId;
      let healthy = true;
      const flip = () => changed.apply([{ type: 'setHealthy', runnerId: flipped, healthy: (healthy = !healthy) }]);
      const flipUs = await median(flip, 1);
      const afterChange = (await median(() => {
        flip();
        changed.place(misses);
      }, 1)) - flipUs;
      rows.push({ group: 'placement', case: "rejection after a runner's health changed", size: label, capmatchUs: afterChange, note: `${(afterChange / ok).toFixed(2)}× a successful placement (target 3×: ${afterChange <= 3 * ok ? 'met' : 'not met'}; a health change before each, ${fmt(flipUs)}, taken off)` });
      // A rejection right after a change to the capacity counts it needs: a runner's free CPU and
      // memory moved in and out of the request's bands before each (both counted again).
      const moved = catalog.fork();
      const mover = fleet.runners.find((r) => r.resources !== null) as Snapshot['runners'][number];
      const original = mover.resources as NonNullable<typeof mover.resources>;
      const inBand = { ...original, availableCpuMillicores: fits.cpuMillicores, availableMemoryBytes: fits.memoryBytes };
      let there = false;
      const move = () => moved.apply([{ type: 'setResources', runnerId: mover.runnerId, resources: (there = !there) ? inBand : original }]);
      const moveUs = await median(move, 1);
      const afterMove = (await median(() => {
        move();
        moved.place(misses);
      }, 1)) - moveUs;
      rows.push({ group: 'placement', case: "rejection after a runner's free capacity changed", size: label, capmatchUs: afterMove, note: `${(afterMove / ok).toFixed(2)}× a successful placement (target 3×: ${afterMove <= 3 * ok ? 'met' : 'not met'}; a change into and out of its bands before each, ${fmt(moveUs)}, taken off)` });
      const fork = catalog.fork();
      let k = 0;
      const cycle = await median(() => {
        for (let n = 0; n < batch; n++) {
          const p = fork.place(requests[k++ % 1000] as SandboxRequest);
          if (p.ok) fork.release(fork.reserve(p));
        }
      }, batch);
      rows.push({ group: 'placement', case: 'place + reserve + release cycle', size: label, capmatchUs: cycle, note: `${Math.round(1e6 / cycle).toLocaleString('en')} cycles/s` });
    }
  }
  return rows;
}

async function fork(): Promise<void> {
  const fleet = fleetOf(100_000);
  const catalog = Catalog.fromSnapshot(fleet);
  const forkUs = await median(() => catalog.fork(), 1, 1500);
  const buildUs = await median(() => Catalog.fromSnapshot(fleet), 1, 3000);
  record({ group: 'fork', case: 'fork()', size: '100,000 runners', capmatchUs: forkUs, note: `${((forkUs / buildUs) * 100).toFixed(1)}% of building from the parsed snapshot (${fmt(buildUs)})` });
}

/**
 * Inputs that used to fall off a cliff: one runner with many profiles, a distinct tag on every
 * runner, a tag churned through on every update, many request classes.
 */
async function edges(): Promise<void> {
  const runner = (id: string, extra: object = {}) => ({ runnerId: id, runnerGroupId: 'g', healthy: true, connectedAt: '2026-01-01T00:00:00Z', maxCpuMillicores: 8000, maxMemoryBytes: 2 ** 34, resources: { availableCpuMillicores: 8000, availableMemoryBytes: 2 ** 34, availableGpuCount: 0 }, ...extra });
  for (const n of [10_000, 20_000]) {
    const names = Array.from({ length: n }, (_, i) => `p${i}`);
    const json = { runners: [runner('r', { profileNames: names })], profiles: names.map((profileName) => ({ profileName, runnerId: 'r', ingressModes: ['public'], egressModes: ['internet'] })) };
    let t = performance.now();
    Catalog.fromSnapshot(json);
    const build = performance.now() - t;
    const c = Catalog.fromSnapshot({ runners: [runner('r', { profileNames: names })], profiles: [] });
    c.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0, ingressMode: 'public' });
    t = performance.now();
    for (const profileName of names) c.apply([{ type: 'upsertProfile', profile: { profileName, runnerId: 'r', ingressModes: ['public'] } }]);
    const applies = performance.now() - t;
    record({ group: 'edges', case: `${n.toLocaleString('en')} profiles on one runner: fromSnapshot`, size: '1 runner', capmatchUs: build * 1000 });
    record({ group: 'edges', case: `${n.toLocaleString('en')} profiles on one runner: one apply each`, size: '1 runner', capmatchUs: applies * 1000, note: `${((applies * 1000) / n).toFixed(1)} µs per apply` });
  }
  globalThis.gc?.();
  let before = process.memoryUsage().heapUsed;
  let t = performance.now();
  const tagged = Catalog.fromSnapshot({ runners: Array.from({ length: 100_000 }, (_, i) => runner(`r${i}`, { tags: [`tag-${i}`] })), profiles: [] });
  const took = performance.now() - t;
  globalThis.gc?.();
  record({ group: 'edges', case: 'a distinct tag on every runner: fromSnapshot', size: '100,000 runners', capmatchUs: took * 1000, note: `heap +${((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(0)} MB (runners, snapshot and indexes)` });
  void tagged.size;
  const churn = Catalog.fromSnapshot({ runners: Array.from({ length: 10_000 }, (_, i) => runner(`r${i}`)), profiles: [] });
  for (let i = 0; i < 10_000; i++) churn.apply([{ type: 'upsertRunner', runner: runner(`r${i}`, { tags: [`warm-${i}`] }) }]);
  globalThis.gc?.();
  before = process.memoryUsage().heapUsed;
  t = performance.now();
  for (let i = 0; i < 80_000; i++) churn.apply([{ type: 'upsertRunner', runner: runner(`r${i % 10_000}`, { tags: [`t${i}`] }) }]);
  const churned = performance.now() - t;
  globalThis.gc?.();
  record({ group: 'edges', case: '80,000 upserts, each with a new tag', size: '10,000 runners', capmatchUs: (churned * 1000) / 80_000, note: `heap change ${((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(1)} MB after the 80,000 (dead tags reclaimed)` });
  const classes = Catalog.fromSnapshot({ runners: Array.from({ length: 1000 }, (_, i) => runner(`r${i}`, { profileNames: ['p'] })), profiles: Array.from({ length: 1000 }, (_, i) => ({ profileName: 'p', runnerId: `r${i}` })) });
  const applyUs = () => median(() => classes.apply([{ type: 'upsertProfile', profile: { profileName: 'p', runnerId: 'r7' } }]), 1, 300);
  const fresh = await applyUs();
  for (let i = 0; i < 20_000; i++) classes.place({ cpuMillicores: 1, memoryBytes: 0, gpuCount: 0, profileName: `name-${i}` });
  record({ group: 'edges', case: 'apply after 20,000 distinct request classes', size: '1,000 runners', capmatchUs: await applyUs(), note: `${fresh.toFixed(1)} µs before them (the admission cache keeps 1,024 classes)` });
}

const GROUPS: Record<string, () => Promise<void>> = {
  edges,
  discovery,
  updates,
  build,
  placement,
  fork,
  simulate: async () => {
    for (const row of await simulationCases()) record(row);
  },
  serve: async () => {
    for (const row of await serveCases()) record(row);
  },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted) if (!GROUPS[name]) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS).join(' ')}`);
console.log(`capmatch benchmarks — node ${process.version}, medians per operation\n`);
for (const [name, run] of Object.entries(GROUPS)) if (wanted.length === 0 || wanted.includes(name)) await run();
// Results are merged by group: a run of some groups replaces only their rows.
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/latest.json', import.meta.url);
const ran = new Set(rows.map((r) => r.group));
let kept: Array<Row & { date?: string | undefined }> = [];
if (existsSync(file)) {
  const previous = JSON.parse(readFileSync(file, 'utf8')) as { date?: string; rows?: Array<Row & { date?: string | undefined }> };
  kept = (previous.rows ?? []).filter((r) => !ran.has(r.group)).map((r) => ({ ...r, date: r.date ?? previous.date }));
}
const date = new Date().toISOString();
writeFileSync(file, `${JSON.stringify({ node: process.version, rows: [...kept, ...rows.map((r) => ({ ...r, date }))] }, null, 2)}\n`);
