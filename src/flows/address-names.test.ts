import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp } from '../model/index.js';
import { createAddressNames } from './address-names.js';

describe('address names', () => {
  it('give exactly formatIp for any address, cached or not', () => {
    const names = createAddressNames();
    // A small pool of addresses makes hits and collisions both likely.
    const address = fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.constantFrom(...Array.from({ length: 8 }, (_, i) => new Uint8Array(16).fill(i))),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(address, fc.constantFrom(4, 6)), { maxLength: 50 }), (items) => {
        for (const [bytes, version] of items) {
          expect(names.nameOf(bytes, 0, version)).toBe(formatIp(bytes, 0, version));
        }
      }),
      { numRuns: 300 },
    );
  });
});
