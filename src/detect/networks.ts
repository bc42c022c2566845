/**
 * Address classification on the detection hot path: "is this address in these networks?" for
 * the home networks and the allowlist, and "is it multicast or broadcast?".
 *
 * IPv4 text is parsed by character codes into one 32-bit number (no allocation); IPv6 goes
 * through the model's parser and is cached per distinct address (the cache is cleared when full).
 * Bad entries throw FlowlensError(USAGE) when the matcher is built.
 */
import { parseIpAddress } from '../model/index.js';
import { ERR, FlowlensError } from '../shared/index.js';

export interface AddressMatcher {
  readonly empty: boolean;
  matches(ip: string): boolean;
  /** `matches` for an IPv4 address already parsed by ipv4Value. */
  matchesV4(value: number): boolean;
}

const V6_CACHE_MAX = 65_536;

/** IPv4 dotted quad → unsigned 32-bit value, or -1 when `ip` is not one. */
export function ipv4Value(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

interface V6Net {
  bytes: Uint8Array;
  prefix: number;
}

function parseCidr(text: string): { v4?: [number, number]; v6?: V6Net } {
  const [addr, prefixText] = text.split('/');
  const bytes = parseIpAddress(addr);
  if (!bytes) throw new FlowlensError(ERR.USAGE, `detection config: '${text}' is not an address or CIDR`);
  const bits = bytes.length * 8;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new FlowlensError(ERR.USAGE, `detection config: '${text}' has a bad prefix length`);
  }
  if (bytes.length === 4) {
    const value = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const size = 2 ** (32 - prefix);
    const lo = value - (value % size);
    return { v4: [lo, lo + size - 1] };
  }
  return { v6: { bytes, prefix } };
}

function inV6(bytes: Uint8Array, net: V6Net): boolean {
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (net.bytes[i] & mask)) return false;
  }
  return true;
}

export function createAddressMatcher(cidrs: readonly string[]): AddressMatcher {
  const v4: number[] = [];
  const v6: V6Net[] = [];
  for (const text of cidrs) {
    const net = parseCidr(text);
    if (net.v4) v4.push(net.v4[0], net.v4[1]);
    if (net.v6) v6.push(net.v6);
  }
  const cache = new Map<string, boolean>();
  const matchesV4 = (value: number): boolean => {
    for (let i = 0; i < v4.length; i += 2) if (value >= v4[i] && value <= v4[i + 1]) return true;
    return false;
  };
  return {
    empty: cidrs.length === 0,
    matchesV4,
    matches(ip: string): boolean {
      const value = ipv4Value(ip);
      if (value >= 0) return matchesV4(value);
      if (v6.length === 0) return false;
      const known = cache.get(ip);
      if (known !== undefined) return known;
      const bytes = parseIpAddress(ip);
      let hit = false;
      if (bytes && bytes.length === 16) for (const net of v6) if (inV6(bytes, net)) hit = true;
      if (cache.size >= V6_CACHE_MAX) cache.clear();
      cache.set(ip, hit);
      return hit;
    },
  };
}

/** Multicast (224/4, ff00::/8), limited broadcast, or an IPv4 address ending in .255. */
export function isGroupAddress(ip: string): boolean {
  const c = ip.charCodeAt(0);
  if (c === 102 && ip.charCodeAt(1) === 102) return true; // 'ff…'
  const value = ipv4Value(ip);
  return value >= 0 && isGroupV4(value);
}

/** isGroupAddress for an IPv4 address already parsed by ipv4Value. */
export function isGroupV4(value: number): boolean {
  const first = Math.floor(value / 16_777_216);
  return (first >= 224 && first <= 239) || value === 0xffffffff || value % 256 === 255;
}
