/**
 * Reading store values back into plain JS: counts and sums arrive as number or, past 2^53, as
 * bigint (store.ts StoreValue); the query layer hands numbers to its callers, which is exact for
 * any traffic total below 9 PB.
 */
import type { StoreValue } from '../store.js';

/** A numeric store value as a number; NULL (an empty SUM) is 0. */
export function num(value: StoreValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string' && value !== '') return Number(value);
  throw new TypeError(`expected a number from the store, got ${typeof value}`);
}

/** A text-or-number store value as a key; NULL stays null. */
export function key(value: StoreValue | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}
