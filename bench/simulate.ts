import { Catalog, generateFleet, generateTrace, simulate } from 'capmatch';
import type { Row } from './run.js';

/**
 * Simulation throughput: events replayed per second for one strategy on a 10,000-runner fleet
 * (the trace generated beforehand, not timed), and the cost of the fork every strategy runs on.
 */
export async function simulationCases(): Promise<Row[]> {
  const rows: Row[] = [];
  const fleet = generateFleet({ runners: 10_000, seed: 20261128 });
  const catalog = Catalog.fromSnapshot(fleet);
  for (const events of [200_000, 1_000_000]) {
    const trace = generateTrace({ fleet, seed: 7, events });
    for (const strategy of ['spread', 'binpack', 'firstFit'] as const) {
      const started = performance.now();
      const result = simulate({ catalog, trace, strategies: [strategy] });
      const ms = performance.now() - started;
      const s = result.strategies[0];
      rows.push({
        group: 'simulate',
        case: `replay, ${strategy}`,
        size: `10,000 runners, ${events.toLocaleString('en')} events`,
        capmatchUs: (ms * 1000) / events,
        note: `${Math.round(events / (ms / 1000)).toLocaleString('en')} events/s, ${(ms / 1000).toFixed(1)} s total; acceptance ${((s?.acceptanceRate ?? 0) * 100).toFixed(1)}%`,
      });
    }
  }
  return rows;
}
