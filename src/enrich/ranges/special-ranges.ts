/**
 * Special-purpose address ranges (IANA IPv4 and IPv6 Special-Purpose Address Registries,
 * RFC 6890).
 *
 * An address in one of these ranges is labelled and never looked up in a geography or AS
 * database. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are classified and looked up as IPv4.
 */
import { type AddressRange, parseIpv4Number, parseIpv6 } from '../../model/index.js';

interface RangeEntry extends AddressRange {
  /** IPv4: network and mask as unsigned 32-bit numbers. IPv6: 16 bytes and prefix length. */
  v4Net?: number;
  v4Mask?: number;
  v6Bytes?: Uint8Array;
  v6Prefix?: number;
}

/** The registry blocks, most specific first within overlapping ones. */
export const SPECIAL_RANGES: readonly AddressRange[] = [
  { cidr: '0.0.0.0/32', label: 'unspecified', description: 'unspecified address' },
  { cidr: '0.0.0.0/8', label: 'reserved', description: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', label: 'private', description: 'private network (RFC 1918)' },
  { cidr: '100.64.0.0/10', label: 'cgnat', description: 'carrier-grade NAT shared space (RFC 6598)' },
  { cidr: '127.0.0.0/8', label: 'loopback', description: 'loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', label: 'link-local', description: 'link-local (RFC 3927)' },
  { cidr: '172.16.0.0/12', label: 'private', description: 'private network (RFC 1918)' },
  { cidr: '192.0.0.0/24', label: 'reserved', description: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', label: 'documentation', description: 'TEST-NET-1 documentation (RFC 5737)' },
  { cidr: '192.88.99.0/24', label: 'reserved', description: 'deprecated 6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', label: 'private', description: 'private network (RFC 1918)' },
  { cidr: '198.18.0.0/15', label: 'benchmarking', description: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', label: 'documentation', description: 'TEST-NET-2 documentation (RFC 5737)' },
  { cidr: '203.0.113.0/24', label: 'documentation', description: 'TEST-NET-3 documentation (RFC 5737)' },
  { cidr: '224.0.0.0/4', label: 'multicast', description: 'multicast (RFC 5771)' },
  { cidr: '255.255.255.255/32', label: 'broadcast', description: 'limited broadcast (RFC 919)' },
  { cidr: '240.0.0.0/4', label: 'reserved', description: 'reserved for future use (RFC 1112)' },
  { cidr: '::/128', label: 'unspecified', description: 'unspecified address (RFC 4291)' },
  { cidr: '::1/128', label: 'loopback', description: 'loopback (RFC 4291)' },
  { cidr: '100::/64', label: 'reserved', description: 'discard-only (RFC 6666)' },
  { cidr: '2001:2::/48', label: 'benchmarking', description: 'benchmarking (RFC 5180)' },
  { cidr: '2001:db8::/32', label: 'documentation', description: 'documentation (RFC 3849)' },
  { cidr: '3fff::/20', label: 'documentation', description: 'documentation (RFC 9637)' },
  { cidr: 'fc00::/7', label: 'private', description: 'unique local address (RFC 4193)' },
  { cidr: 'fe80::/10', label: 'link-local', description: 'link-local unicast (RFC 4291)' },
  { cidr: 'ff00::/8', label: 'multicast', description: 'multicast (RFC 4291)' },
  { cidr: '::/0', label: 'reserved', description: 'outside global unicast 2000::/3 (RFC 4291)' },
];

const GLOBAL_UNICAST_V6 = 0x20; // 2000::/3: first byte 001x xxxx.

function compile(range: AddressRange): RangeEntry {
  const [address, bits] = range.cidr.split('/');
  const prefix = Number(bits);
  if (!address.includes(':')) {
    const net = parseIpv4Number(address);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { ...range, v4Net: (net & mask) >>> 0, v4Mask: mask };
  }
  const bytes = parseIpv6(address);
  if (!bytes) throw new Error(`bad built-in range ${range.cidr}`);
  return { ...range, v6Bytes: bytes, v6Prefix: prefix };
}

const V4 = SPECIAL_RANGES.filter((r) => !r.cidr.includes(':')).map(compile);
const V6 = SPECIAL_RANGES.filter((r) => r.cidr.includes(':')).map(compile);

function toRange(entry: RangeEntry): AddressRange {
  return { label: entry.label, cidr: entry.cidr, description: entry.description };
}

/** The special range an IPv4 address (unsigned 32-bit) is in, or undefined for a global address. */
export function classifyIpv4(ip: number): AddressRange | undefined {
  for (const entry of V4) {
    if ((ip & (entry.v4Mask as number)) >>> 0 === entry.v4Net) return toRange(entry);
  }
  return undefined;
}

/** As classifyIpv4 for 16 bytes; IPv4-mapped addresses are classified as their IPv4 address. */
export function classifyIpv6(bytes: Uint8Array): AddressRange | undefined {
  const mapped = ipv4MappedNumber(bytes);
  if (mapped >= 0) return classifyIpv4(mapped);
  const globalUnicast = (bytes[0] & 0xe0) === GLOBAL_UNICAST_V6;
  for (const entry of V6) {
    const prefix = entry.v6Prefix as number;
    // Inside 2000::/3 only the listed blocks are special; the catch-all ::/0 is for the rest.
    if (prefix === 0 && globalUnicast) return undefined;
    if (matchesPrefix(bytes, entry.v6Bytes as Uint8Array, prefix)) return toRange(entry);
  }
  return undefined;
}

function matchesPrefix(bytes: Uint8Array, net: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== net[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole] & mask) === (net[whole] & mask);
}

/** The IPv4 address inside ::ffff:a.b.c.d as an unsigned number, or -1 when not IPv4-mapped. */
export function ipv4MappedNumber(bytes: Uint8Array): number {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return -1;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return -1;
  return ((bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15]) >>> 0;
}
