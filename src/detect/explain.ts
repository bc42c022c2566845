/** Number formatting and scoring shared by detectors' plain-language explanations. */
import { groupedInteger } from '../shared/index.js';

export function count(n: number): string {
  return groupedInteger(n);
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)} %` : '0 %';
}

export function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}

export function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function rate(n: number): string {
  return n >= 100 ? count(n) : n.toFixed(1);
}

/**
 * The common score shape: `base` at the threshold, `perDoubling` more each time the measure
 * doubles past it, capped at `cap`.
 */
export function scoreOver(
  value: number,
  threshold: number,
  base: number,
  perDoubling: number,
  cap: number,
): number {
  const over = threshold > 0 ? Math.log2(Math.max(1, value / threshold)) : 0;
  return Math.min(cap, Math.round(base + perDoubling * over));
}

export function protoName(protocol: number): string {
  return protocol === 6
    ? 'tcp'
    : protocol === 17
      ? 'udp'
      : protocol === 1
        ? 'icmp'
        : protocol === 58
          ? 'icmpv6'
          : String(protocol);
}
