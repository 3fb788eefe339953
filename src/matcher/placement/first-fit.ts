import { slotAt } from '../bitset.js';
import { answerAt, type Conjunction, materialiseConjunction } from '../kernel.js';
import { LowestRanks } from '../lowest-ranks.js';
import type { RunnerTable } from '../runner-table.js';
import { WordScratch, WordStamps } from '../scratch.js';
import { SEARCH_TUNING } from './strategy.js';
import type { Ranked } from './top-k.js';

/** The fit words worked out so far in this call, and which of them are. */
const fitWords = new WordScratch();
const filled = new WordStamps();

/**
 * When slot order is runnerId order, the first fitting runners are the lowest set bits of the
 * fit conjunction: the words are worked out in order until `keep` are found.
 */
function lowestSlots(t: RunnerTable, fit: Conjunction, keep: number): Ranked {
  const out: Ranked = [];
  const words = t.activeWords;
  for (let i = 0; i < words; i++) {
    let w = answerAt(fit, i);
    while (w !== 0) {
      const low = w & -w;
      out.push([slotAt(i, low), 100]);
      if (out.length === keep) return out;
      w ^= low;
    }
  }
  return out;
}

/**
 * `firstFit`: every fitting runner scores 100, so the tie-break — ascending runnerId — decides:
 * the first fitting runner in runnerId order wins.
 *
 * Worked example: runners `r-a` (full), `r-b` and `r-c` (both fit): `r-b`, score 100.
 *
 * **Search.** No bound is needed. While slots are in runnerId order (runners added in id order,
 * as `fromSnapshot` adds them, or removed), the lowest set bits of the fit conjunction, a word at
 * a time. Otherwise, first a walk in runnerId order that works out each word of the fit
 * conjunction the first time it needs it, so a runner found early costs only the words before
 * it; after `SEARCH_TUNING.firstFitWalk` runners without finding `keep`, the whole fit set is
 * worked out (a pass over every word): when many fit, the walk goes on over it (the next fit
 * comes soon); when few do (fewer than the square root of the fleet), their lowest ranks are
 * kept — so a request that few runners fit costs one pass, not a walk through the fleet.
 */
export function firstFits(t: RunnerTable, fit: Conjunction, keep: number): Ranked {
  if (t.slotOrderIsIdOrder && SEARCH_TUNING.firstFitBySlot) return lowestSlots(t, fit, keep);
  const fits = fitWords.get(t.wordCount, false);
  const { stamps, stamp } = filled.next(t.wordCount);
  const out: Ranked = [];
  const order = t.slotsInIdOrder();
  const walk = Math.min(order.length, SEARCH_TUNING.firstFitWalk);
  for (let k = 0; k < walk; k++) {
    const slot = order[k] as number;
    const i = slot >>> 5;
    if (stamps[i] !== stamp) {
      fits[i] = answerAt(fit, i);
      stamps[i] = stamp;
    }
    if ((((fits[i] as number) >>> (slot & 31)) & 1) === 0) continue;
    out.push([slot, 100]);
    if (out.length === keep) return out;
  }
  if (walk === order.length) return out;
  const words = t.activeWords;
  const count = materialiseConjunction(fit, words, fits);
  if (count === 0) return out;
  if (count * count > order.length) {
    // Many fit: the walk, now over the worked-out words, reaches the next ones soon.
    for (let k = walk; k < order.length; k++) {
      const slot = order[k] as number;
      if ((((fits[slot >>> 5] as number) >>> (slot & 31)) & 1) === 0) continue;
      out.push([slot, 100]);
      if (out.length === keep) break;
    }
    return out;
  }
  // Few fit: rank them all (those the walk found are among them).
  const lowest = new LowestRanks(t.ranks(), keep);
  for (let i = 0; i < words; i++) if (fits[i] !== 0) lowest.offerWord(i, fits[i] as number);
  return lowest.slots.map((slot) => [slot, 100]);
}
