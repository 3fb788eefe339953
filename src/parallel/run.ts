import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DiscoveryValidationError } from '../errors.js';
import { quote } from '../quote.js';
import { planSimulation, runPlan, type SimulateOptions, type SimulationPlan, type SimulationResult, type StrategyResult } from '../simulate/simulate.js';
import { formatTrace } from '../simulate/trace.js';
import type { Strategy } from '../types.js';

/** How long each strategy's replay takes, relatively (measured: `npm run bench -- simulate`). */
const COST: Readonly<Record<Strategy, number>> = { balanced: 4, spread: 2, binpack: 1.5, firstFit: 1 };

/** The built worker beside the bundle that holds this code (absent when running from source). */
const WORKER = new URL('./simulate-worker.js', import.meta.url);

export interface ParallelSimulateOptions extends SimulateOptions {
  /**
   * At most this many worker threads (1: in this thread). Default: one per core, capped by the
   * environment variable `CAPMATCH_SIMULATION_THREADS` when set.
   */
  readonly threads?: number | undefined;
}

/**
 * `simulate`, with its strategies side by side on worker threads: the default wherever
 * capmatch runs on Node (the CLI uses it). `node:worker_threads` directly: one short-lived
 * worker per strategy, at most as many at once as there are cores, the slowest strategies
 * first; a pool would only add a dependency, and each worker lives for a whole replay.
 *
 * Each strategy's replay is independent and deterministic, so the result is the one `simulate`
 * gives, value for value. With one strategy, one thread, or no built worker at hand (running
 * from source), it is `simulate` itself in this thread.
 *
 * @throws DiscoveryValidationError as `simulate` does (the promise rejects), before any
 *   worker starts.
 * @example
 * import { simulateInParallel } from 'capmatch/parallel';
 * const result = await simulateInParallel({ snapshot: fleet, trace, strategies: ['spread', 'binpack'] });
 */
export async function simulateInParallel(options: ParallelSimulateOptions): Promise<SimulationResult> {
  const { threads, ...rest } = options;
  const cores = threadCount(threads);
  const plan = planSimulation(rest);
  if (plan.strategies.length < 2 || cores < 2 || !existsSync(WORKER)) return runPlan(plan);
  return inWorkers(plan, cores);
}

/** Whether {@link simulateInParallel} starts workers for this many strategies (else it runs here). */
export function runsInWorkers(strategies: number, threads?: number): boolean {
  return strategies >= 2 && threadCount(threads) >= 2 && existsSync(WORKER);
}

function threadCount(threads: number | undefined): number {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new DiscoveryValidationError('simulateInParallel', [{ field: 'threads', description: `must be a whole number of at least 1, got ${quote(threads)}` }]);
  }
  const env = Number(process.env.CAPMATCH_SIMULATION_THREADS ?? Number.POSITIVE_INFINITY);
  const cap = threads ?? (Number.isInteger(env) && env >= 1 ? env : Number.POSITIVE_INFINITY);
  return Math.min(availableParallelism(), cap);
}

async function inWorkers(plan: SimulationPlan, cores: number): Promise<SimulationResult> {
  const { base, trace, strategies, samples, onProgress } = plan;
  const snapshot = base.toSnapshot();
  const text = formatTrace(trace);
  const progress = strategies.map(() => 0);
  const report = () => onProgress?.(progress.reduce((a, b) => a + b, 0) / strategies.length);
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
