import { spawnSync } from 'node:child_process';
import type { Row } from './run.js';

/**
 * Simulation throughput on a 10,000-runner fleet of each kind: events replayed per second for
 * each strategy, and 1,000,000 events with the process's peak memory (each run in a process of
 * its own, `bench/simulate-one.ts`).
 */
export async function simulationCases(): Promise<Row[]> {
  const rows: Row[] = [];
  const run = (strategies: string, events: number, shapes: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./simulate-one.ts', import.meta.url).pathname, strategies, String(events), shapes], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`simulation failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { seconds: number; eventsPerSecond: number; peakMB: number; acceptance: number[] };
  };
  for (const shapes of ['standard', 'heterogeneous']) {
    for (const strategy of ['spread', 'binpack', 'balanced', 'firstFit']) {
      const r = run(strategy, 200_000, shapes);
      rows.push({
        group: 'simulate',
        case: `replay, ${strategy}`,
        size: `10,000 runners, ${shapes}, 200,000 events`,
        capmatchUs: 1e6 / r.eventsPerSecond,
        note: `${Math.round(r.eventsPerSecond).toLocaleString('en')} events/s (target 50,000/s: ${r.eventsPerSecond >= 50_000 ? 'met' : 'not met'}); acceptance ${((r.acceptance[0] ?? 0) * 100).toFixed(1)}%`,
      });
    }
  }
  for (const strategy of ['spread', 'binpack', 'balanced', 'firstFit']) {
    const r = run(strategy, 1_000_000, 'standard');
    rows.push({
      group: 'simulate',
      case: `replay 1,000,000 events, ${strategy}`,
      size: '10,000 runners, standard',
      capmatchUs: 1e6 / r.eventsPerSecond,
      note: `${r.seconds.toFixed(1)} s (target ≤ 20 s: ${r.seconds <= 20 ? 'met' : 'not met'}), peak ${r.peakMB.toFixed(0)} MB (target ≤ 500 MB: ${r.peakMB <= 500 ? 'met' : 'not met'})`,
    });
  }
  return rows;
}
