import { parentPort, workerData } from 'node:worker_threads';
import { Catalog } from '../matcher/catalog.js';
import { simulate } from '../simulate/simulate.js';
import { parseTrace } from '../simulate/trace.js';
import type { Snapshot, Strategy } from '../types.js';

/**
 * One strategy of a simulation on a worker thread (see `parallel.ts`): the fleet and the trace
 * arrive as data, the strategy's result goes back. Progress is posted now and then.
 */
interface Job {
  readonly snapshot: Snapshot;
  readonly trace: string;
  readonly strategy: Strategy;
  readonly samples: number | undefined;
}

const job = workerData as Job;
const result = simulate({
  catalog: Catalog.fromSnapshot(job.snapshot),
  trace: parseTrace(job.trace),
  strategies: [job.strategy],
  samples: job.samples,
  onProgress: (done) => parentPort?.postMessage({ progress: done }),
});
parentPort?.postMessage({ result });
