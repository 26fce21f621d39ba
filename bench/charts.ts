import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { percentile } from './lib.ts';

/** Small SVG charts for docs/benchmarks.md, drawn from the measured values (no chart library). */

const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df'];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * Latency distributions as percentile curves (x: ms on a log scale, y: percentile), one panel per
 * concurrency: where the check's curve lies against its floors.
 */
export function latencyChart(title: string, panels: Record<string, Record<string, number[]>>): string {
  const width = 420;
  const height = 330;
  const margin = { left: 48, right: 12, top: 36, bottom: 94 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = Object.values(panels).flatMap((series) => Object.values(series).flat());
  const lo = Math.max(0.1, Math.min(...all));
  const hi = percentile(all, 99.9) * 1.2;
  const x = (ms: number) =>
    margin.left +
    ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const y = (q: number) => margin.top + plotH - (q / 100) * plotH;
  const ticks = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t >= lo && t <= hi);
  const parts: string[] = [];
  Object.entries(panels).forEach(([panel, series], index) => {
    const body: string[] = [
      `<text x="${margin.left}" y="20" ${FONT} font-weight="bold">${xmlText(panel)}</text>`,
      `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
    ];
    for (const t of ticks)
      body.push(
        `<line x1="${x(t)}" x2="${x(t)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/>`,
        `<text x="${x(t)}" y="${margin.top + plotH + 14}" ${FONT} text-anchor="middle">${t}</text>`,
      );
    for (const q of [50, 90, 99])
      body.push(
        `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(q)}" y2="${y(q)}" stroke="#eee"/>`,
        `<text x="${margin.left - 4}" y="${y(q) + 4}" ${FONT} text-anchor="end">p${q}</text>`,
      );
    body.push(
      `<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 30}" ${FONT} text-anchor="middle">ms (log scale)</text>`,
    );
    Object.entries(series).forEach(([name, values], i) => {
      // The curve through 400 quantiles (every quarter percentile): the shape, not every sample.
      const quantiles = Array.from({ length: 401 }, (_, k) => k / 4);
      const points = quantiles.map(
        (q) => `${x(percentile(values, Math.max(q, 0.01))).toFixed(1)},${y(q).toFixed(1)}`,
      );
      const colour = COLOURS[i % COLOURS.length];
      body.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
      body.push(
        `<text x="${margin.left}" y="${margin.top + plotH + 46 + i * 14}" ${FONT} fill="${colour}">— ${xmlText(name)} (p50 ${percentile(values, 50).toFixed(1)})</text>`,
      );
    });
    parts.push(`<g transform="translate(${index * width},0)">${body.join('')}</g>`);
  });
  const total = Object.keys(panels).length * width;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${total}" height="${height + 20}" viewBox="0 0 ${total} ${height + 20}"><title>${xmlText(title)}</title><rect width="100%" height="100%" fill="#fff"/><text x="8" y="${height + 14}" ${FONT} fill="#555">${xmlText(title)}</text>${parts.join('')}</svg>\n`;
}

/** A histogram of lateness in seconds, one row of bars per series, sharing the bins. */
export function latenessHistogram(title: string, series: Record<string, number[]>, binSeconds = 0.1): string {
  const width = 760;
  const rowH = 140;
  const margin = { left: 48, right: 12, top: 28, bottom: 64 };
  const plotW = width - margin.left - margin.right;
  const all = Object.values(series)
    .flat()
    .map((ms) => ms / 1000);
  const max = Math.max(binSeconds, ...all);
  const bins = Math.max(1, Math.ceil(max / binSeconds));
  const parts: string[] = [];
  Object.entries(series).forEach(([name, values], row) => {
    const counts = new Array(bins).fill(0) as number[];
    for (const ms of values) {
      const bin = Math.min(bins - 1, Math.floor(ms / 1000 / binSeconds));
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    const top = Math.max(1, ...counts);
    const y0 = margin.top + row * (rowH + margin.bottom);
    const colour = COLOURS[row % COLOURS.length];
    parts.push(
      `<text x="${margin.left}" y="${y0 - 8}" ${FONT} font-weight="bold">${xmlText(name)} (n=${values.length}, p50 ${(percentile(values, 50) / 1000).toFixed(2)} s, p99 ${(percentile(values, 99) / 1000).toFixed(2)} s)</text>`,
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y0 + rowH}" y2="${y0 + rowH}" stroke="#999"/>`,
      `<text x="${margin.left - 4}" y="${y0 + 10}" ${FONT} text-anchor="end">${top}</text>`,
    );
    counts.forEach((count, i) => {
      const h = (count / top) * rowH;
      const w = plotW / bins;
      if (count > 0)
        parts.push(
          `<rect x="${(margin.left + i * w).toFixed(1)}" y="${(y0 + rowH - h).toFixed(1)}" width="${Math.max(1, w - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"/>`,
        );
    });
    const step = Math.max(1, Math.ceil(bins / 10));
    for (let i = 0; i <= bins; i += step)
      parts.push(
        `<text x="${(margin.left + (i * plotW) / bins).toFixed(1)}" y="${y0 + rowH + 14}" ${FONT} text-anchor="middle">${(i * binSeconds).toFixed(1)}</text>`,
      );
    parts.push(
      `<text x="${margin.left + plotW / 2}" y="${y0 + rowH + 28}" ${FONT} text-anchor="middle">seconds after the deadline</text>`,
    );
  });
  const height = margin.top + Object.keys(series).length * (rowH + margin.bottom) + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height + 16}" viewBox="0 0 ${width} ${height + 16}"><title>${xmlText(title)}</title><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}<text x="8" y="${height + 10}" ${FONT} fill="#555">${xmlText(title)}</text></svg>\n`;
}

export async function writeChart(root: string, file: string, svg: string) {
  await writeFile(join(root, 'docs', file), svg);
}
