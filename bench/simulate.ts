import { spawnSync } from 'node:child_process';
import type { Row } from './run.js';

/** Each case runs this many times, in rounds (every case once, then again), and reports the median. */
const ROUNDS = 3;
const STRATEGIES = ['spread', 'binpack', 'balanced', 'firstFit'] as const;
const SHAPES = ['standard', 'heterogeneous'] as const;

interface Run {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakMB: number;
  readonly acceptance: number[];
}

/**
 * Simulation throughput on a 10,000-runner fleet of each kind: events replayed per second for
 * each strategy over 200,000 events, and 1,000,000 events with the process's peak memory. Each
 * run is a process of its own (`bench/simulate-one.ts`); every case runs {@link ROUNDS} times,
 * round by round so that a slow spell of the machine falls on different cases, and the median
 * run is reported with the spread of all.
 */
export async function simulationCases(): Promise<Row[]> {
  const cases = [200_000, 1_000_000].flatMap((events) => SHAPES.flatMap((shapes) => STRATEGIES.map((strategy) => ({ events, shapes, strategy }))));
  const runs: Run[][] = cases.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach(({ events, shapes, strategy }, k) => (runs[k] as Run[]).push(run(strategy, events, shapes)));
  }
  return cases.map(({ events, shapes, strategy }, k) => {
    const all = [...(runs[k] as Run[])].sort((a, b) => a.seconds - b.seconds);
    const mid = all[Math.floor(all.length / 2)] as Run;
    const range = `median of ${all.length} runs; ${all.map((r) => Math.round(r.eventsPerSecond).toLocaleString('en')).join(' / ')} events/s`;
    const peak = Math.max(...all.map((r) => r.peakMB));
    if (events === 200_000) {
      return {
        group: 'simulate',
        case: `replay, ${strategy}`,
        size: `10,000 runners, ${shapes}, 200,000 events`,
        capmatchUs: 1e6 / mid.eventsPerSecond,
        note: `${Math.round(mid.eventsPerSecond).toLocaleString('en')} events/s (target 50,000/s: ${mid.eventsPerSecond >= 50_000 ? 'met' : 'not met'}; ${range}); acceptance ${((mid.acceptance[0] ?? 0) * 100).toFixed(1)}%`,
      };
    }
    return {
      group: 'simulate',
      case: `replay 1,000,000 events, ${strategy}`,
      size: `10,000 runners, ${shapes}`,
      capmatchUs: 1e6 / mid.eventsPerSecond,
      note: `${mid.seconds.toFixed(1)} s (target ≤ 20 s: ${mid.seconds <= 20 ? 'met' : 'not met'}; ${all.map((r) => r.seconds.toFixed(1)).join(' / ')} s), peak ${peak.toFixed(0)} MB, the most of ${all.length} runs (target ≤ 500 MB: ${peak <= 500 ? 'met' : 'not met'})`,
    };
  });
}

function run(strategy: string, events: number, shapes: string): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./simulate-one.ts', import.meta.url).pathname, strategy, String(events), shapes], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`simulation failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}
