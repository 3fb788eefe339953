import { REASON_LABELS, REASONS } from '../types.js';
import type { SimulationResult, StrategyResult } from '../simulate/simulate.js';
import { comparisonTable } from './comparison.js';
import { barChart, escapeXml, formatSeconds, lineChart } from './svg.js';

/** One colour per strategy, the same in every chart. */
export const STRATEGY_COLORS: Readonly<Record<string, string>> = {
  spread: '#2563eb',
  binpack: '#dc2626',
  balanced: '#16a34a',
  firstFit: '#9333ea',
};

const colorOf = (s: StrategyResult) => STRATEGY_COLORS[s.strategy] ?? '#555';
const percent = (y: number) => `${Math.round(y * 100)}%`;

export interface ReportMeta {
  readonly title?: string | undefined;
  /** One line on the fleet and the trace, e.g. `3,000 runners · 100,000 events`. */
  readonly description?: string | undefined;
}

function shapeLabel(s: SimulationResult['commonGpuShapes'][number]): string {
  return `${s.gpuCount} GPU / ${s.cpuMillicores / 1000} vCPU / ${Math.round(s.memoryBytes / 2 ** 30)} GiB`;
}

/**
 * A self-contained HTML report of a simulation: the comparison table, utilisation and
 * fragmentation over time per strategy as SVG line charts, rejections by reason as bars.
 * No scripts, no network, no external assets.
 *
 * @example writeFileSync('report.html', renderReport(simulate({ snapshot, trace }), { description: 'my fleet' }))
 */
export function renderReport(result: SimulationResult, meta: ReportMeta = {}): string {
  const title = meta.title ?? 'capmatch what-if report';
  const series = (f: (s: StrategyResult) => ReadonlyArray<readonly [number, number]>) =>
    result.strategies.map((s) => ({ name: s.strategy, color: colorOf(s), points: f(s) }));
  const charts = [
    lineChart({ title: 'GPU utilisation', yLabel: 'used', yMax: 1, formatY: percent, series: series((s) => s.series.map((p) => [p.time, p.gpu])) }),
    lineChart({ title: 'CPU utilisation', yLabel: 'used', yMax: 1, formatY: percent, series: series((s) => s.series.map((p) => [p.time, p.cpu])) }),
    lineChart({ title: 'Memory utilisation', yLabel: 'used', yMax: 1, formatY: percent, series: series((s) => s.series.map((p) => [p.time, p.memory])) }),
    lineChart({ title: 'Stranded GPUs (free, but no common GPU sandbox fits)', yLabel: 'GPUs', series: series((s) => s.series.map((p) => [p.time, p.strandedGpus])) }),
    ...result.commonGpuShapes.map((shape, k) =>
      lineChart({ title: `Room left for ${shapeLabel(shape)} sandboxes`, yLabel: 'sandboxes', series: series((s) => s.series.map((p) => [p.time, p.shapeFits[k] ?? 0])) }),
    ),
    lineChart({ title: 'Sandboxes running', yLabel: 'sandboxes', series: series((s) => s.series.map((p) => [p.time, p.running])) }),
  ];
  const reasons = REASONS.filter((r) => result.strategies.some((s) => s.rejectionsByReason[r] > 0));
  const bars = barChart({
    title: 'Rejections by what stopped the nearest miss',
    seriesNames: result.strategies.map((s) => s.strategy),
    colors: result.strategies.map(colorOf),
    groups: reasons.map((r) => ({ label: REASON_LABELS[r], values: result.strategies.map((s) => s.rejectionsByReason[r]) })),
  });
  const acceptance = barChart({
    title: 'Placed and rejected sandboxes',
    seriesNames: result.strategies.map((s) => s.strategy),
    colors: result.strategies.map(colorOf),
    groups: [
      { label: 'placed', values: result.strategies.map((s) => s.placed) },
      { label: 'rejected', values: result.strategies.map((s) => s.rejected) },
      { label: 'evicted', values: result.strategies.map((s) => s.evicted) },
    ],
  });
  const table = comparisonTable(result);
  const tableHtml = `<div class="scroll"><table class="comparison"><caption>${escapeXml(table.note)}</caption><thead><tr>${table.headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${table.rows
    .map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th><span class="swatch" style="background:${STRATEGY_COLORS[c] ?? '#555'}"></span>${escapeXml(c)}</th>` : `<td>${escapeXml(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
  const groups = result.strategies
    .map(
      (s) => `<details><summary>${escapeXml(s.strategy)}: by runner group</summary><table class="groups"><thead><tr><th>group</th><th>runners</th><th>placed</th><th>cpu</th><th>mem</th><th>gpu</th></tr></thead><tbody>${s.groups
        .map((g) => `<tr><th>${escapeXml(g.runnerGroupId)}</th><td>${g.runners}</td><td>${g.placed}</td><td>${percent(g.cpu)}</td><td>${percent(g.memory)}</td><td>${percent(g.gpu)}</td></tr>`)
        .join('')}</tbody></table></details>`,
    )
    .join('');
  const shapes = result.commonGpuShapes.map(shapeLabel).join(', ');
  const measured = shapes === '' ? 'the trace asks for no GPUs, so stranded GPUs are not measured' : `stranded GPUs measured against: ${shapes}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}p.meta{color:#555;margin:0 0 18px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child{text-align:left}thead th{font-weight:600;color:#374151;border-bottom:2px solid #d1d5db}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,440px),1fr));gap:12px}
.chart{background:#fafafa;border:1px solid #eee;border-radius:6px;width:100%;height:auto}
.scroll{overflow-x:auto}caption{caption-side:bottom;text-align:left;color:#555;font-size:12px;padding-top:4px}
.chart .no-data{font-size:14px;fill:#888}
.chart .title{font-weight:600;font-size:12px}.chart .tick,.chart .legend,.chart .axis-label,.chart .bar-value{font-size:10px;fill:#444}
.chart .grid{stroke:#e5e7eb}details{margin:6px 0}
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p class="meta">${escapeXml(meta.description ?? '')}${meta.description ? ' · ' : ''}${result.events.toLocaleString('en')} events over ${escapeXml(formatSeconds(result.duration))} of trace time · ${escapeXml(measured)}</p>
${tableHtml}
<div class="charts">${charts.join('\n')}${acceptance}${bars}</div>
<h2>By runner group (end of trace)</h2>
${groups}
</body></html>
`;
}
