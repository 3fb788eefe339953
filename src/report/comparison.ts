import type { SimulationResult } from '../simulate/simulate.js';

/** The side-by-side comparison of strategies, as rows of display strings. */
export interface ComparisonTable {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * One row per strategy: acceptance, mean utilisation, fragmentation and evictions. The best
 * value of each column is not marked here; renderers may.
 */
export function comparisonTable(result: SimulationResult): ComparisonTable {
  return {
    headers: ['strategy', 'placed', 'rejected', 'acceptance', 'cpu util', 'mem util', 'gpu util', 'stranded gpus', 'largest gpu fit', 'evicted'],
    rows: result.strategies.map((s) => [
      s.strategy,
      String(s.placed),
      String(s.rejected),
      pct(s.acceptanceRate),
      pct(s.meanUtilisation.cpu),
      pct(s.meanUtilisation.memory),
      pct(s.meanUtilisation.gpu),
      s.meanStrandedGpus.toFixed(1),
      String(s.series.at(-1)?.largestGpuFit ?? 0),
      String(s.evicted),
    ]),
  };
}

/** Renders a table as aligned text columns (numbers right-aligned). */
export function formatTextTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+(%| [A-Za-z]+)?$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}
