import { afterAll, beforeAll } from 'vitest';
import { SEARCH_TUNING } from '../../src/matcher/placement/place.js';

const DEFAULT = { ...SEARCH_TUNING };

/**
 * With `always`, every scoring decision goes through the strategy's search over the shape index
 * (test fleets are small: by default they would all be scored directly). Returns the undo.
 */
export function useSearchNow(always: boolean): () => void {
  if (always) {
    SEARCH_TUNING.scoreAllBase = -1;
    SEARCH_TUNING.perCell = 0;
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
