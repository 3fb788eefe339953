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
    // Plot area: x from 56 to 504 (520 − 16), y from 28 (top) to 186 (220 − 34).
    // (0, 0) → (56, 186); (10, 1) → (56 + 10/20 · 448, 28) = (280, 28); (20, 0.5) → (504, 28 + 158 / 2) = (504, 107)
    expect(points).toEqual([[56, 186], [280, 28], [504, 107]]);
    expect(ticks(1)).toEqual([0, 0.5, 1]);
    expect(ticks(37)).toEqual([0, 10, 20, 30]);
  });

  // A real browser opens the report: every chart drawn and non-empty. .ci/run installs
  // Debian's chromium for this; where it cannot be had, the check is reported as skipped.
  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))('renders in headless Chromium with every chart non-empty', async () => {
    const { chromium: launcher } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'capmatch-report-'));
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
      expect(charts.length).toBe(8);
      for (const c of charts) {
        expect(c.width, c.label ?? '').toBeGreaterThan(100);
        expect(c.height, c.label ?? '').toBeGreaterThan(100);
        expect(c.drawn, c.label ?? '').toBeGreaterThan(0);
      }
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      expect(existsSync(join(dir, 'report.png'))).toBe(true);
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
