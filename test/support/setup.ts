import fc from 'fast-check';

/**
 * Properties run with the fixed regression seed by default, so a run is reproducible; CI runs
 * the suite a second time with a fresh seed it prints. fast-check prints the seed and the
 * counterexample path on failure. Replay any seed with `CAPMATCH_SEED=<n> npm test`.
 */
const seed = Number(process.env.CAPMATCH_SEED ?? 20261128);
fc.configureGlobal({ seed, numRuns: Number(process.env.CAPMATCH_RUNS ?? 100) });
