/**
 * Parsers for command-line option values, shared by every command. Each throws commander's
 * InvalidArgumentError with what it expected, which commander prints as one line.
 */
import { InvalidArgumentError } from 'commander';

/** A number of seconds ≥ 0 (fractions allowed), e.g. a timeout. */
export function nonNegativeSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0');
  return n;
}

/** A whole number ≥ 0. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

/** A whole number ≥ 1, e.g. a row limit. */
export function countAtLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** A duration with an optional unit (s, m, h, d; seconds by default), in seconds. */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration like 10s, 5m, 1h');
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? 's']!;
}

/** A size with an optional unit (B, KB, MB, GB; powers of 1024), in bytes. */
export function byteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|K|M|G)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a size like 500KB, 100MB, 2GB');
  const unit = (match[2] ?? 'B').toUpperCase().replace(/^([KMG])$/, '$1B');
  return Math.round(Number(match[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit]!);
}

/** A rotation rule: a size (100MB) or a duration (1h). */
export function rotation(value: string): { bytes?: number; seconds?: number } {
  try {
    return { bytes: byteSize(value) };
  } catch {
    try {
      return { seconds: duration(value) };
    } catch {
      throw new InvalidArgumentError('expected a size like 100MB or a duration like 1h');
    }
  }
}
