/** Number, size, rate and time formatting for every page. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let v = Math.abs(value);
  let unit = 0;
  while (v >= 1000 && unit < UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  const text = unit === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
  return `${value < 0 ? '-' : ''}${text} ${UNITS[unit]}`;
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs < 10_000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const [div, suffix] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  return `${(value / div).toFixed(abs / div < 100 ? 1 : 0)}${suffix}`;
}

export function percent(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return 'new';
  const p = change * 100;
  return `${p > 0 ? '+' : ''}${Math.abs(p) < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** Seconds since the epoch → "2024-05-01 12:34:56" in UTC. */
export function time(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} m`;
}

const PROTOCOLS: Record<number, string> = {
  1: 'ICMP',
  6: 'TCP',
  17: 'UDP',
  58: 'ICMPv6',
  47: 'GRE',
  50: 'ESP',
  132: 'SCTP',
  2: 'IGMP',
};

export function protocol(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const n = Number(value);
  return PROTOCOLS[n] ?? String(value);
}
