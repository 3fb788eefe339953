/**
 * capmatch's simulation on worker threads: `simulate` with its strategies side by side, the
 * default on Node. A separate entry point (`capmatch/parallel`), so that the core needs no Node
 * API.
 *
 * @example
 * import { simulateInParallel } from 'capmatch/parallel';
 * const result = await simulateInParallel({ snapshot: fleet, trace });
 */
export { simulateInParallel, type ParallelSimulateOptions } from './run.js';
