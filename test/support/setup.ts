import fc from 'fast-check';

/**
 * Properties run with a fixed seed in CI so a run is reproducible; fast-check prints the seed
 * and the counterexample path on failure. Replay another seed with CAPMATCH_SEED=<n> npm test.
 */
const seed = Number(process.env.CAPMATCH_SEED ?? 20261128);
fc.configureGlobal({ seed, numRuns: Number(process.env.CAPMATCH_RUNS ?? 100) });
