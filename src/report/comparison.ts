import type { SimulationResult } from '../simulate/simulate.js';

/** The side-by-side comparison of strategies, as rows of display strings. */
export interface ComparisonTable {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Which columns are time-weighted means and which are end-of-trace figures. */
  readonly note: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * One row per strategy: acceptance, mean utilisation, fragmentation and evictions. The best
 * value of each column is not marked here; renderers may.
 */
export function comparisonTable(result: SimulationResult): ComparisonTable {
  return {
    headers: ['strategy', 'placed', 'rejected', 'acceptance', 'cpu util', 'mem util', 'gpu util', 'stranded gpus', 'gpu util end', 'evicted'],
    note: 'cpu, mem and gpu util and stranded gpus: time-weighted means over the trace; gpu util end: at the end of the trace',
    rows: result.strategies.map((s) => [
      s.strategy,
      String(s.placed),
      String(s.rejected),
      pct(s.acceptanceRate),
      pct(s.meanUtilisation.cpu),
      pct(s.meanUtilisation.memory),
      pct(s.meanUtilisation.gpu),
      s.meanStrandedGpus.toFixed(1),
      pct(s.final.gpu),
      String(s.evicted),
    ]),
  };
}

/**
 * Renders a table as aligned text columns (numbers right-aligned). Given a width, the widest
 * text columns are cut (with `…`) until the table fits it, down to 4 characters each.
 */
export function formatTextTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, maxWidth?: number): string {
  const widths = headers.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+(%| [A-Za-z]+)?$/.test(r[i] ?? '')));
  if (maxWidth !== undefined) {
    const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
    while (total() > maxWidth) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (!numeric[i] && w > 4 && (widest < 0 || w > (widths[widest] as number))) widest = i;
      });
      if (widest < 0) break;
      widths[widest] = Math.max(4, (widths[widest] as number) - (total() - maxWidth));
    }
  }
  const fit = (c: string, i: number) => (c.length > (widths[i] as number) ? `${c.slice(0, (widths[i] as number) - 1)}…` : c);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? fit(c, i).padStart(widths[i] as number) : fit(c, i).padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}
