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
