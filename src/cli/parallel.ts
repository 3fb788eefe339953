import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Catalog } from '../matcher/catalog.js';
import { planSimulation, simulate, type SimulationResult, type StrategyResult } from '../simulate/simulate.js';
import { formatTrace, type TraceEvent } from '../simulate/trace.js';
import type { Strategy } from '../types.js';

/** How long each strategy's replay takes, relatively (measured: `npm run bench -- simulate`). */
const COST: Readonly<Record<Strategy, number>> = { balanced: 4, spread: 2, binpack: 1.5, firstFit: 1 };

/** The built worker beside this file (the CLI bundle); absent when running from source. */
const WORKER = new URL('./simulate-worker.js', import.meta.url);

/**
 * Runs a simulation's strategies side by side on worker threads (`node:worker_threads`
 * directly: one short-lived worker per strategy, at most as many at once as the machine has
 * cores — a pool would only add a dependency). Each strategy's replay is independent and
 * deterministic, so the result is the one `simulate` gives, value for value; with one strategy,
 * one core, or no built worker at hand, it is `simulate` itself (and answers at once).
 */
export function simulateInParallel(options: {
  readonly catalog: Catalog;
  readonly trace: readonly TraceEvent[];
  readonly strategies: readonly Strategy[];
  readonly samples: number | undefined;
  readonly onProgress: (done: number) => void;
}): SimulationResult | Promise<SimulationResult> {
  const { catalog, trace, strategies, samples, onProgress } = options;
  // CAPMATCH_SIMULATION_THREADS caps the threads (1: sequential); by default, one per core.
  const cap = Number(process.env.CAPMATCH_SIMULATION_THREADS ?? Number.POSITIVE_INFINITY);
  const cores = Math.min(availableParallelism(), Number.isInteger(cap) && cap >= 1 ? cap : Number.POSITIVE_INFINITY);
  if (strategies.length < 2 || cores < 2 || !existsSync(WORKER)) {
    return simulate({ catalog, trace, strategies, samples, onProgress });
  }
  return inWorkers(options, cores);
}

async function inWorkers(
  { catalog, trace, strategies, samples, onProgress }: Parameters<typeof simulateInParallel>[0],
  cores: number,
): Promise<SimulationResult> {
  // Everything is checked before any worker starts (a broken runner reference names its line).
  const plan = planSimulation({ catalog, trace, strategies, samples });
  const snapshot = catalog.toSnapshot();
  const text = formatTrace(trace);
  const progress = strategies.map(() => 0);
  const report = () => onProgress(progress.reduce((a, b) => a + b, 0) / strategies.length);
  const results: Array<StrategyResult | undefined> = strategies.map(() => undefined);
  // The slowest strategies first, so that no thread is left with a long one at the end.
  const order = strategies.map((_, k) => k).sort((a, b) => COST[strategies[b] as Strategy] - COST[strategies[a] as Strategy]);
  let next = 0;
  const runOne = (k: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(WORKER, { workerData: { snapshot, trace: text, strategy: strategies[k], samples } });
      worker.on('message', (m: { progress?: number; result?: SimulationResult }) => {
        if (m.progress !== undefined) {
          progress[k] = m.progress;
          report();
        }
        if (m.result) results[k] = m.result.strategies[0];
      });
      worker.once('error', reject);
      worker.once('exit', (code) => (code === 0 && results[k] ? resolve() : reject(new Error(`simulation worker for ${strategies[k]} exited with ${code}`))));
    });
  const lanes = Array.from({ length: Math.min(cores, strategies.length) }, async () => {
    while (next < order.length) await runOne(order[next++] as number);
  });
  await Promise.all(lanes);
  return { events: plan.trace.length, duration: plan.duration, commonGpuShapes: plan.shapes, strategies: results as StrategyResult[] };
}
