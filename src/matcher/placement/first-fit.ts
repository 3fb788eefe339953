import { answerAt, type Conjunction } from '../kernel.js';
import type { RunnerTable } from '../runner-table.js';
import { WordScratch, WordStamps } from '../scratch.js';
import type { Ranked } from './top-k.js';

/** The fit words worked out so far in this call, and which of them are. */
const fitWords = new WordScratch();
const filled = new WordStamps();

/**
 * `firstFit`: every fitting runner scores 100, so the tie-break — ascending runnerId — decides:
 * the first fitting runner in runnerId order wins.
 *
 * Worked example: runners `r-a` (full), `r-b` and `r-c` (both fit): `r-b`, score 100.
 *
 * **Search.** No bound is needed: a walk in runnerId order that works out each word of the fit
 * conjunction the first time it needs it, so a runner found early costs only the words before
 * it, and the walk stops at the `keep`-th fitting runner.
 */
export function firstFits(t: RunnerTable, fit: Conjunction, keep: number): Ranked {
  const fits = fitWords.get(t.wordCount, false);
  const { stamps, stamp } = filled.next(t.wordCount);
  const out: Ranked = [];
  for (const slot of t.slotsInIdOrder()) {
    const i = slot >>> 5;
    if (stamps[i] !== stamp) {
      fits[i] = answerAt(fit, i);
      stamps[i] = stamp;
    }
    if ((((fits[i] as number) >>> (slot & 31)) & 1) === 0) continue;
    out.push([slot, 100]);
    if (out.length === keep) break;
  }
  return out;
}
