import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupedInteger } from './numbers.js';

describe('groupedInteger', () => {
  it('prints what toLocaleString("en-US") prints for safe integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(groupedInteger(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
    for (const n of [0, 7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -987_654_321]) {
      expect(groupedInteger(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('rounds first, as Math.round does', () => {
    expect(groupedInteger(1234.5)).toBe('1,235');
    expect(groupedInteger(999.4)).toBe('999');
    expect(groupedInteger(-1234.5)).toBe('-1,234');
    expect(groupedInteger(-0.4)).toBe('0');
  });

  it('falls back to toLocaleString beyond safe integers', () => {
    expect(groupedInteger(2 ** 60)).toBe((2 ** 60).toLocaleString('en-US'));
    expect(groupedInteger(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(groupedInteger(Number.NaN)).toBe('NaN');
  });
});
