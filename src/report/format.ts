/**
 * Number, size, duration and time formatting for the report, locale-independent (en-US digits,
 * UTC times) so that a report reads the same wherever it is rendered. Returns plain text: the
 * caller escapes it like any other text.
 */
import type { ReportCellValue, ReportColumn } from '../model/index.js';
import { groupedInteger } from '../shared/index.js';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return groupedInteger(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const SIZE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units (1 KB = 1000 B), as capinfos and Wireshark show sizes. */
export function formatBytes(value: number): string {
  if (!Number.isFinite(value)) return '—';
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1000 && unit < SIZE_UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  return unit === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${SIZE_UNITS[unit]}`;
}

const RATE_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

export function formatBitRate(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond)) return '—';
  let v = bitsPerSecond;
  let unit = 0;
  while (Math.abs(v) >= 1000 && unit < RATE_UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : 1)} ${RATE_UNITS[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 3 : 1)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h} h ${m} min ${s} s` : `${m} min ${s} s`;
}

/** Seconds since the epoch → '2024-05-01 12:34:56.789 UTC'. */
export function formatTimestamp(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const p = ratio * 100;
  return `${p !== 0 && Math.abs(p) < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** A table cell or fact as text, by its column kind ('filter' and 'text' are shown as they are). */
export function formatCell(value: ReportCellValue, kind: ReportColumn['kind'] = 'text'): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'bytes':
      return formatBytes(value);
    case 'ms':
      return `${formatNumber(Math.round(value * 100) / 100)} ms`;
    case 'percent':
      return formatPercent(value);
    default:
      return formatNumber(value);
  }
}
