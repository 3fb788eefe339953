import { afterAll, beforeAll } from 'vitest';
import { SEARCH_TUNING } from '../../src/matcher/placement/strategy.js';

const DEFAULT = { ...SEARCH_TUNING };

/**
 * With `always`, every scoring decision goes through the strategy's search over the shape index
 * and firstFit works out the whole fit set at once, even when slot order is runnerId order (test fleets are small: by default they would
 * all be scored directly, and firstFit would find its runner walking). Returns the undo.
 */
export function useSearchNow(always: boolean): () => void {
  if (always) {
    SEARCH_TUNING.scoreAllBase = -1;
    SEARCH_TUNING.perCell = 0;
    SEARCH_TUNING.scorePerWork = 0;
    SEARCH_TUNING.firstFitWalk = 0;
    SEARCH_TUNING.firstFitBySlot = false;
    // Short enough that balanced's walk for perfectly balanced runners both answers and gives up.
    SEARCH_TUNING.perfectWalk = 16;
    SEARCH_TUNING.perfectMisses = Number.POSITIVE_INFINITY;
  }
  return () => Object.assign(SEARCH_TUNING, DEFAULT);
}

/** {@link useSearchNow} for the tests of one `describe` block. */
export function useSearch(always: boolean): void {
  let restore = () => {};
  beforeAll(() => {
    restore = useSearchNow(always);
  });
  afterAll(() => restore());
}
