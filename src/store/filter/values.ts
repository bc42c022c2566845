/**
 * Text ↔ value for the literal forms of the language (sizes, durations, TCP flags, protocols,
 * addresses). Readers return undefined for text that is not of the form; writers produce the
 * canonical spelling, which the matching reader maps back to the same value.
 */
import { formatIpv4, formatIpv6, parseIpAddress } from '../../model/index.js';
import { PROTOCOL_NAMES, TCP_FLAG_LETTERS } from './fields.js';

const SIZE_SUFFIXES: ReadonlyArray<readonly [string, bigint]> = [
  ['T', 10n ** 12n],
  ['G', 10n ** 9n],
  ['M', 10n ** 6n],
  ['k', 10n ** 3n],
];

const DURATION_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['d', 86_400_000_000n],
  ['h', 3_600_000_000n],
  ['m', 60_000_000n],
  ['s', 1_000_000n],
  ['ms', 1_000n],
  ['us', 1n],
];

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** `digits[.digits]` times `scale`, if that is a whole safe integer. */
function scaled(number: string, scale: bigint): number | undefined {
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(number);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  const divisor = 10n ** BigInt(fraction.length);
  const total = BigInt(match[1] + fraction) * scale;
  if (total % divisor !== 0n || total / divisor > MAX) return undefined;
  return Number(total / divisor);
}

/** `1500`, `1.5k`, `10M`, `2G`, `1T` (powers of 1000; `K` reads as `k`). */
export function readCount(text: string): number | undefined {
  const last = text.slice(-1);
  const suffix = SIZE_SUFFIXES.find(([s]) => s === last || (s === 'k' && last === 'K'));
  return suffix ? scaled(text.slice(0, -1), suffix[1]) : scaled(text, 1n);
}

export function formatCount(value: number): string {
  const big = BigInt(value);
  for (const [suffix, scale] of SIZE_SUFFIXES) {
    if (big !== 0n && big % scale === 0n) return `${big / scale}${suffix}`;
  }
  return String(value);
}

/** `5s`, `200ms`, `1.5h`, `250us` (`µs` too) → microseconds; a bare number is seconds. */
export function readDuration(text: string): number | undefined {
  const match = /^([0-9.]+)(us|µs|ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const unit = match[2] === undefined ? 's' : match[2] === 'µs' ? 'us' : match[2];
  const scale = DURATION_UNITS.find(([u]) => u === unit)![1];
  return scaled(match[1], scale);
}

export function formatDuration(micros: number): string {
  const big = BigInt(micros);
  if (big === 0n) return '0s';
  for (const [unit, scale] of DURATION_UNITS) {
    if (big % scale === 0n) return `${big / scale}${unit}`;
  }
  return `${micros}us`;
}

/** A plain decimal integer in [min, max]. */
export function readInteger(text: string, min: number, max: number): number | undefined {
  if (!/^[0-9]{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** `tcp`, `UDP`, `17` → protocol number. */
export function readProtocol(text: string): number | undefined {
  return PROTOCOL_NAMES.get(text.toLowerCase()) ?? readInteger(text, 0, 255);
}

export function formatProtocol(value: number): string {
  for (const [name, number] of PROTOCOL_NAMES) if (number === value) return name;
  return String(value);
}

/** Flag letters in any order and case (`SA`, `sa`) → bit mask; undefined if empty or unknown. */
export function readFlags(text: string): number | undefined {
  let mask = 0;
  for (const letter of text.toUpperCase()) {
    const bit = TCP_FLAG_LETTERS.indexOf(letter);
    if (bit < 0) return undefined;
    mask |= 1 << bit;
  }
  return mask === 0 ? undefined : mask;
}

export function formatFlags(mask: number): string {
  let out = '';
  for (let bit = 0; bit < 8; bit++) if (mask & (1 << bit)) out += TCP_FLAG_LETTERS[bit];
  return out;
}

export { parseIpAddress as readAddress };

export function formatAddress(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0);
}
