/**
 * Inline SVG charts drawn here (no chart library): the throughput area chart and the health gauge.
 *
 * Contract: returns SVG markup whose only text is numbers and labels formatted here (nothing from
 * the capture), scaled through `viewBox` so it fits any width. Colours come from CSS variables,
 * so the charts follow the theme and print in grey.
 */
import type { HealthScore, ThroughputSeries } from '../model/index.js';
import { escapeHtml } from './escape.js';
import { formatBitRate, formatDuration, formatNumber } from './format.js';

const W = 800;
const H = 240;
const PAD = { left: 72, right: 12, top: 12, bottom: 30 };

const fixed = (n: number) => (Math.round(n * 10) / 10).toString();

/** Bits per second per bucket as a filled area, with packets per second as a line. */
export function throughputChart(series: ThroughputSeries): string {
  const n = series.bytes.length;
  if (n === 0) return '';
  const seconds = series.bucketSeconds;
  const bits = series.bytes.map((b) => (b * 8) / seconds);
  const pps = series.packets.map((p) => p / seconds);
  const maxBits = Math.max(1, ...bits);
  const maxPps = Math.max(1, ...pps);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number, max: number) => PAD.top + plotH - (v / max) * plotH;
  const base = PAD.top + plotH;
  let area = `M${fixed(x(0))},${base}`;
  let line = '';
  for (let i = 0; i < n; i++) {
    area += `L${fixed(x(i))},${fixed(y(bits[i], maxBits))}`;
    line += `${i === 0 ? 'M' : 'L'}${fixed(x(i))},${fixed(y(pps[i], maxPps))}`;
  }
  area += `L${fixed(x(n - 1))},${base}Z`;
  const span = n * seconds;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const tx = PAD.left + f * plotW;
      const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
      return `<text x="${fixed(tx)}" y="${H - 8}" text-anchor="${anchor}">+${escapeHtml(formatDuration(f * span))}</text>`;
    })
    .join('');
  const grid = [0, 0.5, 1]
    .map((f) => {
      const gy = PAD.top + plotH - f * plotH;
      return (
        `<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${fixed(gy)}" y2="${fixed(gy)}"/>` +
        `<text x="${PAD.left - 6}" y="${fixed(gy + 4)}" text-anchor="end">${escapeHtml(formatBitRate(f * maxBits))}</text>`
      );
    })
    .join('');
  const label = `Throughput over ${formatDuration(span)}: peak ${formatBitRate(maxBits)}, ${formatNumber(Math.round(maxPps))} packets/s`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}">` +
    `<title>${escapeHtml(label)}</title>${grid}<path class="area" d="${area}"/><path class="line" d="${line}"/>${ticks}</svg>`
  );
}

const GRADE_COLOUR: Record<HealthScore['grade'], string> = {
  good: 'var(--good)',
  fair: 'var(--fair)',
  poor: 'var(--poor)',
  critical: 'var(--critical)',
};

/** A ring filled in proportion to the score, the score in its middle. */
export function healthGauge(health: HealthScore): string {
  const r = 60;
  const c = 2 * Math.PI * r;
  const filled = (Math.max(0, Math.min(100, health.score)) / 100) * c;
  return (
    `<svg class="gauge" viewBox="0 0 140 140" role="img" aria-label="health score ${health.score} of 100">` +
    `<circle cx="70" cy="70" r="${r}" fill="none" stroke="var(--border)" stroke-width="12"/>` +
    `<circle cx="70" cy="70" r="${r}" fill="none" stroke="${GRADE_COLOUR[health.grade]}" stroke-width="12" ` +
    `stroke-linecap="round" stroke-dasharray="${fixed(filled)} ${fixed(c)}" transform="rotate(-90 70 70)"/>` +
    `<text x="70" y="78" text-anchor="middle" font-size="34" font-weight="700" fill="var(--fg)">${health.score}</text>` +
    `<text x="70" y="98" text-anchor="middle" font-size="12" fill="var(--muted)">of 100</text></svg>`
  );
}
