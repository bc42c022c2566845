import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from './ip-address.js';
import {
  addressToBigInt,
  cidrRange,
  isNetworkAddress,
  parseIpAddress,
  parseIpv4,
  parseIpv6,
} from './ip-numeric.js';

const MAPPED_BASE = 0xffffn << 32n;

describe('addressToBigInt', () => {
  it('maps IPv4 into ::ffff:0:0/96', () => {
    expect(addressToBigInt(parseIpv4('0.0.0.0')!)).toBe(MAPPED_BASE);
    expect(addressToBigInt(parseIpv4('10.0.0.1')!)).toBe(MAPPED_BASE | 0x0a000001n);
    expect(addressToBigInt(parseIpv4('255.255.255.255')!)).toBe(MAPPED_BASE | 0xffffffffn);
  });

  it('gives an IPv4 address and its mapped IPv6 form the same value', () => {
    expect(addressToBigInt(parseIpv6('::ffff:192.0.2.1')!)).toBe(addressToBigInt(parseIpv4('192.0.2.1')!));
  });

  it('reads IPv6 big-endian over the full 128 bits', () => {
    expect(addressToBigInt(parseIpv6('::')!)).toBe(0n);
    expect(addressToBigInt(parseIpv6('::1')!)).toBe(1n);
    expect(addressToBigInt(parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!)).toBe(2n ** 128n - 1n);
    expect(addressToBigInt(parseIpv6('2001:db8::')!)).toBe(0x20010db8n << 96n);
  });

  it('rejects other lengths', () => {
    expect(() => addressToBigInt(new Uint8Array(5))).toThrow(RangeError);
  });
});

describe('cidrRange', () => {
  it('gives an IPv4 network as a mapped range', () => {
    const { lo, hi } = cidrRange({ bytes: parseIpv4('192.168.0.0')!, prefix: 16 });
    expect(lo).toBe(MAPPED_BASE | 0xc0a80000n);
    expect(hi).toBe(MAPPED_BASE | 0xc0a8ffffn);
  });

  it('covers all IPv4 with 0.0.0.0/0 and nothing else', () => {
    const { lo, hi } = cidrRange({ bytes: parseIpv4('0.0.0.0')!, prefix: 0 });
    expect(lo).toBe(MAPPED_BASE);
    expect(hi).toBe(MAPPED_BASE | 0xffffffffn);
  });

  it('gives IPv6 ranges, including the top half of the space', () => {
    expect(cidrRange({ bytes: parseIpv6('2001:db8::')!, prefix: 32 })).toEqual({
      lo: 0x20010db8n << 96n,
      hi: (0x20010db8n << 96n) | ((1n << 96n) - 1n),
    });
    expect(cidrRange({ bytes: parseIpv6('fe80::')!, prefix: 10 }).lo).toBe(0xfe80n << 112n);
    expect(cidrRange({ bytes: parseIpv6('::')!, prefix: 0 })).toEqual({ lo: 0n, hi: 2n ** 128n - 1n });
    expect(cidrRange({ bytes: parseIpv6('::1')!, prefix: 128 })).toEqual({ lo: 1n, hi: 1n });
  });

  it('rejects prefixes outside the family', () => {
    expect(() => cidrRange({ bytes: parseIpv4('10.0.0.0')!, prefix: 33 })).toThrow(RangeError);
    expect(() => cidrRange({ bytes: parseIpv6('::')!, prefix: -1 })).toThrow(RangeError);
  });

  it('contains exactly the addresses sharing the prefix', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 32 }),
        (bytes, prefix) => {
          const { lo, hi } = cidrRange({ bytes, prefix });
          const value = addressToBigInt(bytes);
          expect(lo <= value && value <= hi).toBe(true);
          expect(hi - lo + 1n).toBe(1n << BigInt(32 - prefix));
        },
      ),
    );
  });

  it('tells network addresses from addresses with host bits', () => {
    expect(isNetworkAddress({ bytes: parseIpv4('10.0.0.0')!, prefix: 8 })).toBe(true);
    expect(isNetworkAddress({ bytes: parseIpv4('10.1.0.0')!, prefix: 8 })).toBe(false);
  });
});

describe('parseIpAddress', () => {
  it('accepts the usual forms', () => {
    expect(parseIpAddress('10.0.0.1')).toEqual(Uint8Array.of(10, 0, 0, 1));
    expect(parseIpAddress('::1')?.[15]).toBe(1);
    expect(parseIpAddress('2001:DB8::1')).toEqual(parseIpAddress('2001:db8:0:0:0:0:0:1'));
    expect(parseIpAddress('::ffff:1.2.3.4')?.slice(10)).toEqual(Uint8Array.of(0xff, 0xff, 1, 2, 3, 4));
    expect(parseIpAddress('1:2:3:4:5:6:1.2.3.4')).toBeDefined();
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.a',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    '1.2.3.4::',
    'fe80::1%eth0',
    ':1::',
    '::1:',
    'g::',
  ])('rejects %j', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it('round-trips with the model formatters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(parseIpv6(formatIpv6(bytes, 0))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        expect(parseIpv4(formatIpv4(bytes, 0))).toEqual(bytes);
      }),
    );
  });
});
