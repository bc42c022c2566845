import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowlensError } from '../../shared/index.js';
import { createMmdbReader } from './mmdb-reader.js';
import { writeMmdb } from './testing/mmdb-writer.js';

const VALID = writeMmdb({
  ipVersion: 6,
  recordSize: 28,
  databaseType: 'GeoIP2-City',
  entries: [
    {
      cidr: '81.2.69.0/24',
      value: { country: { iso_code: 'GB' }, city: { names: { en: 'London' } }, n: [1, 2, 3] },
    },
    { cidr: '2001:218::/32', value: { country: { iso_code: 'JP' } } },
  ],
});

/** Any failure must be the typed one; anything else is a bug. */
function eachLookup(bytes: Buffer, ips: number[]): void {
  try {
    const reader = createMmdbReader(bytes, 'fuzz.mmdb');
    for (const ip of ips) {
      const offset = reader.lookupIpv4(ip);
      if (offset >= 0) reader.decode(offset);
    }
    const v6 = reader.lookupIpv6(new Uint8Array([0x20, 0x01, 0x02, 0x18, ...new Array(12).fill(0)]));
    if (v6 >= 0) reader.decode(v6);
  } catch (error) {
    expect(error).toBeInstanceOf(FlowlensError);
  }
}

describe('MMDB reader on any bytes', () => {
  it('random bytes: a value or FLOWLENS_ERR_ENRICH_DB_INVALID', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 4 }),
        (data, ips) => eachLookup(Buffer.from(data), ips),
      ),
      { numRuns: 2000 },
    );
  });

  it('a valid file with bytes flipped: a value or the typed error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: VALID.length - 1 }), fc.nat({ max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (flips) => {
          const copy = Buffer.from(VALID);
          for (const [at, value] of flips) copy[at] = value;
          eachLookup(copy, [(81 << 24) | (2 << 16) | (69 << 8) | 1, 0x08080808, 0]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a valid file cut short: a value or the typed error', () => {
    for (let length = 0; length < VALID.length; length += 7)
      eachLookup(VALID.subarray(0, length), [(81 << 24) >>> 0]);
  });
});
