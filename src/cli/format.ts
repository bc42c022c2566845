/** Number and time formatting for terminal output. */
import { groupedInteger } from '../shared/index.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(perSecond: number, unit: string): string {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let value = perSecond;
  let i = 0;
  while (value >= 1000 && i < prefixes.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toFixed(value >= 100 || i === 0 ? 0 : 1)} ${prefixes[i]}${unit}`;
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? groupedInteger(n) : n.toLocaleString('en-US');
}

export function formatTimestamp(seconds: number | null): string {
  if (seconds === null) return '-';
  const date = new Date(Math.floor(seconds * 1000));
  const micros = Math.round((seconds - Math.floor(seconds)) * 1e6) % 1e6;
  return `${date.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(3)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
}

/** Renders rows as aligned columns; `right` lists the columns to right-align. */
/** Every line of `text` two spaces in (the sections of the table views). */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function renderTable(
  header: string[],
  rows: string[][],
  right: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
