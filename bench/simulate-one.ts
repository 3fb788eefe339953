/**
 * One simulation in a process of its own, so its peak memory is its own:
 *   node --import tsx bench/simulate-one.ts STRATEGIES EVENTS SHAPES
 * (STRATEGIES comma-separated; SHAPES standard | heterogeneous). Prints one JSON line: the
 * replay time (fleet and trace generated beforehand, not timed), events/s, peak RSS.
 */
import { Catalog, generateFleet, generateTrace, simulate, type Strategy } from 'capmatch';

const [strategiesText = 'spread', eventsText = '200000', shapes = 'standard'] = process.argv.slice(2);
const strategies = strategiesText.split(',') as Strategy[];
const events = Number(eventsText);
const fleet = generateFleet({ runners: 10_000, seed: 20261128, shapes: shapes as 'standard' | 'heterogeneous' });
const catalog = Catalog.fromSnapshot(fleet);
const trace = generateTrace({ fleet, seed: 7, events });
const started = performance.now();
const result = simulate({ catalog, trace, strategies });
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    seconds,
    eventsPerSecond: (events * strategies.length) / seconds,
    peakMB: process.resourceUsage().maxRSS / 1024,
    acceptance: result.strategies.map((s) => s.acceptanceRate),
  }),
);
