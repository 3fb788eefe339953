import type { Strategy } from '../../types.js';
import { balanced } from './balanced.js';
import { binpack } from './binpack.js';
import { spread } from './spread.js';
import type { ScoringStrategy } from './strategy.js';

/** The scoring strategies by name; `firstFit` ranks by runnerId alone (`first-fit.ts`). */
export const SCORING: Readonly<Record<Exclude<Strategy, 'firstFit'>, ScoringStrategy>> = { spread, binpack, balanced };
