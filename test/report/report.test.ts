import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFleet, generateTrace, simulate } from '../../src/index.js';
import { renderReport } from '../../src/report/html.js';
import { lineChart, ticks } from '../../src/report/svg.js';

const fleet = generateFleet({ runners: 80, seed: 12 });
const result = simulate({ snapshot: fleet, trace: generateTrace({ fleet, seed: 13, events: 3000 }), samples: 40 });
const html = renderReport(result, { description: 'test fleet' });

/** The raw values each polyline of a chart carries, by chart title and series. */
function plotted(title: string): Map<string, Array<[number, number]>> {
  const svg = html.split('<svg').find((s) => s.includes(`aria-label="${title}"`));
  if (!svg) throw new Error(`no chart titled ${title}`);
  const out = new Map<string, Array<[number, number]>>();
  for (const m of svg.matchAll(/data-series="([^"]+)" data-values="([^"]*)"/g)) {
    out.set(m[1] as string, (m[2] as string).split(' ').map((p) => p.split(',').map(Number) as [number, number]));
  }
  return out;
}

describe('report', () => {
  it('is one self-contained file: no scripts, no external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href="http|url\(/i);
  });

  it('charts carry exactly the simulation series', () => {
    for (const [title, pick] of [
      ['GPU utilisation', (s: (typeof result.strategies)[number]) => s.series.map((p) => [p.time, p.gpu])],
      ['CPU utilisation', (s: (typeof result.strategies)[number]) => s.series.map((p) => [p.time, p.cpu])],
      ['Stranded GPUs (free, but no common GPU sandbox fits)', (s: (typeof result.strategies)[number]) => s.series.map((p) => [p.time, p.strandedGpus])],
    ] as const) {
      const drawn = plotted(title);
      expect([...drawn.keys()]).toEqual(result.strategies.map((s) => s.strategy));
      for (const s of result.strategies) expect(drawn.get(s.strategy)).toEqual(pick(s));
    }
  });

  it('bars carry the rejection counts', () => {
    for (const s of result.strategies) {
      const m = html.match(new RegExp(`data-series="${s.strategy}" data-label="rejected" data-value="(\\d+)"`));
      expect(Number(m?.[1])).toBe(s.rejected);
    }
  });

  it('scales points into the plot area', () => {
    const svg = lineChart({ title: 't', yLabel: 'y', yMax: 1, series: [{ name: 'a', color: '#000', points: [[0, 0], [10, 1], [20, 0.5]] }] });
    const points = svg.match(/ points="([^"]+)"/)?.[1]?.split(' ').map((p) => p.split(',').map(Number));
    // Plot area: x from 56 to 504 (520 − 16), y from 44 (top) to 196 (230 − 34), 152 high.
    // (0, 0) → (56, 196); (10, 1) → (56 + 10/20 · 448, 44) = (280, 44); (20, 0.5) → (504, 44 + 152 / 2) = (504, 120)
    expect(points).toEqual([[56, 196], [280, 44], [504, 120]]);
  });

  it('ticks cover the data: the top tick is at or above the maximum', () => {
    expect(ticks(1)).toEqual([0, 0.5, 1]);
    expect(ticks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(ticks(1400)).toEqual([0, 500, 1000, 1500]);
    expect(ticks(8000)).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(ticks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    for (const max of [0.001, 0.7, 3, 99, 101, 1234.5, 7e9]) expect(ticks(max).at(-1)).toBeGreaterThanOrEqual(max);
  });

  it('draws any number of points: long series are downsampled for drawing, extremes kept', () => {
    const points = Array.from({ length: 200_000 }, (_, i): [number, number] => [i, i === 123_456 ? 99 : i % 7]);
    const svg = lineChart({ title: 'big', yLabel: 'y', series: [{ name: 'a', color: '#000', points }] });
    const drawn = svg.match(/data-values="([^"]*)"/)?.[1]?.split(' ') ?? [];
    expect(drawn.length).toBeLessThanOrEqual(600);
    expect(drawn).toContain('123456,99');
  });

  it('an empty trace gives charts that say "no data" and a readable header', () => {
    const empty = renderReport(simulate({ snapshot: fleet, trace: [] }), { description: 'empty' });
    expect((empty.match(/>no data</g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(empty).not.toMatch(/e-\d+</);
    expect(empty).toContain('the trace asks for no GPUs, so stranded GPUs are not measured');
    expect(empty).not.toMatch(/<td>[1-9][\d.]*<\/td><td>0\.0%<\/td><td>\d+<\/td><\/tr>/);
  });

  it('says which columns are time-weighted means and which are end-of-trace', () => {
    expect(html).toContain('time-weighted means over the trace');
    expect(html).toContain('at the end of the trace');
  });

  it('hover values: a title per series and per point', () => {
    expect(html).toMatch(/<title>spread: last \d+%, lowest \d+%, highest \d+%<\/title>/);
    expect(html).toMatch(/<circle class="point"[^>]*><title>spread at \d/);
  });

  // A real browser opens the report: every chart drawn and non-empty. .ci/run installs
  // Debian's chromium for this; where it cannot be had, the check is reported as skipped.
  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))('renders in headless Chromium with every chart non-empty', async () => {
    const { chromium: launcher } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'capmatch-report-'));
    // Screenshots land where a reader can open them: CAPMATCH_SCREENSHOTS, else beside the page.
    const screenshots = process.env.CAPMATCH_SCREENSHOTS ?? dir;
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const browser = await launcher.launch({
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${file}`);
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const shapes = [...svg.querySelectorAll('polyline.series, rect.bar')].map((el) => (el as unknown as { getBBox(): { width: number; height: number } }).getBBox());
          return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height, drawn: shapes.filter((b) => b.width > 0 || b.height > 0).length };
        }),
      );
      expect(charts.length).toBe(7 + result.commonGpuShapes.length);
      for (const c of charts) {
        expect(c.width, c.label ?? '').toBeGreaterThan(100);
        expect(c.height, c.label ?? '').toBeGreaterThan(100);
        expect(c.drawn, c.label ?? '').toBeGreaterThan(0);
      }
      // Legends sit outside the plot: no legend box overlaps a plotted line's box; the top
      // y tick is at or above every series' maximum.
      const layout = await page.$$eval('svg.line-chart', (svgs) =>
        svgs.map((svg) => {
          const box = (el: unknown) => (el as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
          const legends = [...svg.querySelectorAll('.legend-item')].map(box);
          const plot = box(svg.querySelector('.plot-area'));
          const lines = [...svg.querySelectorAll('polyline.series')];
          const top = Math.max(...[...svg.querySelectorAll('.y-tick')].map((t) => Number(t.getAttribute('data-value'))));
          const max = Math.max(...lines.flatMap((l) => (l.getAttribute('data-values') ?? '').split(' ').filter(Boolean).map((p: string) => Number(p.split(',')[1]))));
          const overlaps = legends.some((g) => g.y + g.height > plot.y);
          return { label: svg.getAttribute('aria-label'), overlaps, top, max };
        }),
      );
      for (const c of layout) {
        expect(c.overlaps, c.label ?? '').toBe(false);
        expect(c.top, c.label ?? '').toBeGreaterThanOrEqual(c.max);
      }
      await page.screenshot({ path: join(screenshots, 'report.png'), fullPage: true });
      // Narrow screens: nothing wider than the page.
      await page.setViewportSize({ width: 700, height: 900 });
      const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
      expect(overflow).toBe(false);
      await page.screenshot({ path: join(screenshots, 'report-700.png'), fullPage: true });
      const emptyFile = join(dir, 'empty.html');
      writeFileSync(emptyFile, renderReport(simulate({ snapshot: fleet, trace: [] }), { description: 'an empty trace' }));
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.goto(`file://${emptyFile}`);
      const noData = await page.$$eval('svg.line-chart', (svgs) => svgs.map((svg) => svg.querySelector('.no-data')?.textContent));
      expect(noData.every((t) => t === 'no data')).toBe(true);
      await page.screenshot({ path: join(screenshots, 'report-empty.png'), fullPage: true });
      expect(existsSync(join(screenshots, 'report-empty.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});

describe('axis ticks', () => {
  it('puts time ticks on whole units', async () => {
    const { timeTicks, formatSeconds } = await import('../../src/report/svg.js');
    expect(timeTicks(5460)).toEqual([0, 1800, 3600, 5400]);
    expect(timeTicks(5460).map(formatSeconds)).toEqual(['0s', '30m', '1h', '1h30m']);
    expect(timeTicks(50)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(formatSeconds(90)).toBe('1m30s');
  });
});
