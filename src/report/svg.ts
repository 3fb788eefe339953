/**
 * Small, pure SVG chart builders for the simulation report: strings in, strings out, no DOM.
 * Every plotted series also carries its raw values in a `data-values` attribute, so tests (and
 * curious readers) can check the drawing against the data.
 */

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Fixed top of the y axis (e.g. 1 for utilisation); default: the data's maximum. */
  readonly yMax?: number | undefined;
  /** Formats a y value for the axis. */
  readonly formatY?: ((y: number) => string) | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

/** The plot area's margins; the legend sits in the top margin, above the plot, never over a line. */
const MARGIN = { top: 44, right: 16, bottom: 34, left: 56 };

/** Series longer than this are drawn from one point per bucket (its extremes kept), so any length draws. */
const MAX_DRAWN_POINTS = 600;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Rounds for attributes: short, stable output. */
function r(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The largest of many numbers without spreading them into arguments (no call stack limit). */
function maxOf(values: Iterable<number>, floor: number): number {
  let m = floor;
  for (const v of values) if (v > m) m = v;
  return m;
}

/**
 * Tidy axis ticks from 0 that cover `max`: step 1, 2 or 5 × 10^k, and the last tick at or
 * above `max`, so the top of the axis is labelled and no data sits above it.
 */
export function ticks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-12)) ?? raw;
  const out: number[] = [];
  const n = Math.ceil(max / step - 1e-9);
  for (let i = 0; i <= n; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/** Ticks on whole time units (minutes, hours, days) from 0 to max seconds. */
export function timeTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const step = TIME_STEPS.find((s) => s >= max / count) ?? Math.ceil(max / count / 86_400) * 86_400;
  const out: number[] = [];
  for (let i = 0; i * step <= max; i++) out.push(i * step);
  return out;
}

/**
 * At most `limit` points of a series for drawing: the series cut into buckets, each bucket
 * drawn by its lowest and highest point in time order, so peaks and troughs stay visible.
 */
export function downsample(points: ReadonlyArray<readonly [number, number]>, limit = MAX_DRAWN_POINTS): ReadonlyArray<readonly [number, number]> {
  if (points.length <= limit) return points;
  const buckets = Math.floor(limit / 2);
  const out: Array<readonly [number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * points.length) / buckets);
    const to = Math.floor(((b + 1) * points.length) / buckets);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if ((points[i] as readonly [number, number])[1] < (points[lo] as readonly [number, number])[1]) lo = i;
      if ((points[i] as readonly [number, number])[1] > (points[hi] as readonly [number, number])[1]) hi = i;
    }
    for (const i of lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]) out.push(points[i] as readonly [number, number]);
  }
  return out;
}

/**
 * A line chart of time series; x is trace time in seconds. The legend is a row above the plot
 * area; each series has a `<title>` (hover) with its last, lowest and highest value, and each
 * drawn point one with its time and value. A chart with nothing to draw over time (no points,
 * or all at time 0) says "no data".
 */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 520;
  const height = o.height ?? 230;
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  const drawn = o.series.map((s) => ({ ...s, points: downsample(s.points) }));
  // Nothing over time to draw: no points, or every point at time 0 (a trace with no duration).
  const empty = o.series.every((s) => s.points.every(([x]) => x === 0));
  const xMax = maxOf(o.series.flatMap((s) => s.points.map(([x]) => x)), 0) || 1;
  const dataMax = maxOf(o.series.flatMap((s) => s.points.map(([, y]) => y)), 0);
  const yTicks = ticks(o.yMax ?? (dataMax > 0 ? dataMax : 1));
  const yMax = yTicks[yTicks.length - 1] as number;
  const sx = (x: number) => MARGIN.left + (x / xMax) * w;
  const sy = (y: number) => MARGIN.top + h - (Math.min(y, yMax) / yMax) * h;
  const formatY = o.formatY ?? ((y: number) => String(y));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}">`);
  parts.push(`<text class="title" x="${MARGIN.left}" y="16">${escapeXml(o.title)}</text>`);
  o.series.forEach((s, i) => {
    const x = MARGIN.left + i * 96;
    parts.push(`<g class="legend-item"><rect x="${x}" y="${MARGIN.top - 18}" width="10" height="3" fill="${s.color}"/><text class="legend" x="${x + 14}" y="${MARGIN.top - 13}">${escapeXml(s.name)}</text></g>`);
  });
  parts.push(`<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none"/>`);
  for (const t of yTicks) {
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${r(sy(t))}" y2="${r(sy(t))}"/>`);
    parts.push(`<text class="tick y-tick" data-value="${t}" x="${MARGIN.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${escapeXml(formatY(t))}</text>`);
  }
  for (const t of timeTicks(xMax)) {
    parts.push(`<text class="tick" x="${r(sx(t))}" y="${MARGIN.top + h + 16}" text-anchor="middle">${escapeXml(formatSeconds(t))}</text>`);
  }
  parts.push(`<text class="axis-label" x="12" y="${MARGIN.top + h / 2}" transform="rotate(-90 12 ${MARGIN.top + h / 2})" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  if (empty) {
    parts.push(`<text class="no-data" x="${MARGIN.left + w / 2}" y="${MARGIN.top + h / 2}" text-anchor="middle">no data</text>`);
  } else {
    for (const s of drawn) {
      const points = s.points.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(' ');
      const values = s.points.map(([x, y]) => `${x},${y}`).join(' ');
      const ys = s.points.map(([, y]) => y);
      const summary = ys.length === 0 ? 'no points' : `last ${formatY(ys[ys.length - 1] as number)}, lowest ${formatY(Math.min(...ys))}, highest ${formatY(maxOf(ys, -Infinity))}`;
      parts.push(`<g class="series-group"><title>${escapeXml(`${s.name}: ${summary}`)}</title>`);
      parts.push(`<polyline class="series" data-series="${escapeXml(s.name)}" data-values="${values}" fill="none" stroke="${s.color}" stroke-width="1.6" points="${points}"/>`);
      for (const [x, y] of s.points) parts.push(`<circle class="point" cx="${r(sx(x))}" cy="${r(sy(y))}" r="3" fill="transparent"><title>${escapeXml(`${s.name} at ${formatSeconds(x)}: ${formatY(y)}`)}</title></circle>`);
      parts.push('</g>');
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface BarGroup {
  readonly label: string;
  readonly values: readonly number[];
}

/** Grouped horizontal bars: one group per label, one bar per series. */
export function barChart(o: { readonly title: string; readonly seriesNames: readonly string[]; readonly colors: readonly string[]; readonly groups: readonly BarGroup[]; readonly width?: number }): string {
  const width = o.width ?? 520;
  const barH = 9;
  const groupH = o.seriesNames.length * barH + 10;
  const left = 150;
  const height = 40 + Math.max(1, o.groups.length) * groupH + 10;
  const w = width - left - 60;
  const max = maxOf(o.groups.flatMap((g) => g.values), 0) || 1;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}">`);
  parts.push(`<text class="title" x="8" y="16">${escapeXml(o.title)}</text>`);
  if (o.groups.length === 0) parts.push(`<text class="no-data" x="${width / 2}" y="${height / 2 + 14}" text-anchor="middle">no data</text>`);
  o.seriesNames.forEach((name, i) => {
    const x = left + i * 90;
    parts.push(`<rect x="${x}" y="24" width="10" height="8" fill="${o.colors[i] ?? '#888'}"/><text class="legend" x="${x + 14}" y="32">${escapeXml(name)}</text>`);
  });
  o.groups.forEach((g, gi) => {
    const y0 = 42 + gi * groupH;
    parts.push(`<text class="tick" x="${left - 8}" y="${y0 + (o.seriesNames.length * barH) / 2 + 4}" text-anchor="end">${escapeXml(g.label)}</text>`);
    g.values.forEach((v, si) => {
      const y = y0 + si * barH;
      parts.push(`<rect class="bar" data-series="${escapeXml(o.seriesNames[si] ?? '')}" data-label="${escapeXml(g.label)}" data-value="${v}" x="${left}" y="${y}" width="${r((v / max) * w)}" height="${barH - 2}" fill="${o.colors[si] ?? '#888'}"><title>${escapeXml(`${o.seriesNames[si] ?? ''}, ${g.label}: ${v}`)}</title></rect>`);
      parts.push(`<text class="bar-value" x="${r(left + (v / max) * w + 4)}" y="${y + barH - 2}">${v}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** `90` → `1m30s`, `7200` → `2h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60) ? `${Math.round(seconds % 60)}s` : ''}`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return `${hours}h${minutes ? `${minutes}m` : ''}`;
}
