import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DiscoveryValidationError, generateFleet, generateTrace, simulate, type SimulationResult } from '../../src/index.js';
import type { ParallelSimulateOptions } from '../../src/parallel/index.js';

/** The built entry points, as a user loads them (the test setup builds the package). */
const DIST = join(import.meta.dirname, '../../dist');
type Run = (options: ParallelSimulateOptions) => Promise<SimulationResult>;
const esm = async (): Promise<Run> => ((await import(pathToFileURL(join(DIST, 'parallel.js')).href)) as { simulateInParallel: Run }).simulateInParallel;
const cjs = (): Run => (createRequire(import.meta.url)(join(DIST, 'parallel.cjs')) as { simulateInParallel: Run }).simulateInParallel;

const fleet = generateFleet({ runners: 200, seed: 11, shapes: 'heterogeneous' });
const trace = generateTrace({ fleet, seed: 12, events: 3000 });

describe('simulateInParallel (capmatch/parallel)', () => {
  it('gives the sequential result, value for value, on worker threads, from ESM and CommonJS', async () => {
    const sequential = JSON.stringify(simulate({ snapshot: fleet, trace, samples: 40 }));
    for (const run of [await esm(), cjs()]) {
      const progress: number[] = [];
      const result = await run({ snapshot: fleet, trace, samples: 40, threads: 2, onProgress: (done) => progress.push(done) });
      expect(JSON.stringify(result)).toBe(sequential);
      expect(progress.length).toBeGreaterThan(0);
      expect(Math.max(...progress)).toBeLessThanOrEqual(1);
    }
  });

  it('runs in this thread with one strategy or one thread, with the same result', async () => {
    const run = await esm();
    const one = await run({ snapshot: fleet, trace, strategies: ['binpack'], samples: 10 });
    expect(one).toEqual(simulate({ snapshot: fleet, trace, strategies: ['binpack'], samples: 10 }));
    const single = await run({ snapshot: fleet, trace, strategies: ['spread', 'firstFit'], samples: 10, threads: 1 });
    expect(single).toEqual(simulate({ snapshot: fleet, trace, strategies: ['spread', 'firstFit'], samples: 10 }));
  });

  it('rejects bad options with the typed error, before any worker starts', async () => {
    const run = await esm();
    // The built package's own error class: matched by name.
    const typed = { name: DiscoveryValidationError.name };
    await expect(run({ snapshot: fleet, trace, threads: 0 })).rejects.toMatchObject({ ...typed, fieldViolations: [{ field: 'threads' }] });
    await expect(run({ snapshot: fleet, trace, threads: 1.5 })).rejects.toMatchObject({ ...typed, fieldViolations: [{ field: 'threads' }] });
    await expect(run({ snapshot: fleet, trace, strategies: ['spread', 'nope' as 'spread'] })).rejects.toMatchObject({ ...typed, fieldViolations: [{ field: 'strategies[1]' }] });
    await expect(run({ snapshot: fleet, trace: [{ type: 'runnerLeave', time: 1, runnerId: 'ghost' }] })).rejects.toThrow(/ghost/);
  });
});
