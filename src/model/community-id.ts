/**
 * Community ID flow hashing, version 1 (https://github.com/corelight/community-id-spec).
 *
 * Contract: `communityId` is direction-independent for two-way traffic: both directions of a
 * flow give the same string. ICMP and ICMPv6 use type and code as ports, with request/reply
 * types mapped onto each other (`icmpPortPair`); types without a counterpart are one-way and
 * keep their direction.
 */
import { compressBlock } from './sha1-compress.js';

function counterpartTable(pairs: readonly [number, number][]): Int16Array {
  const table = new Int16Array(256).fill(-1);
  for (const [a, b] of pairs) {
    table[a] = b;
    table[b] = a;
  }
  return table;
}

/** ICMP type → its request/reply counterpart, -1 for one-way types (indexed by type). */
export const ICMP_V4_COUNTERPART = counterpartTable([
  [8, 0],
  [13, 14],
  [15, 16],
  [10, 9],
  [17, 18],
]);

/** ICMPv6 type → its request/reply counterpart, -1 for one-way types (indexed by type). */
export const ICMP_V6_COUNTERPART = counterpartTable([
  [128, 129],
  [130, 131],
  [133, 134],
  [135, 136],
  [139, 140],
  [144, 145],
]);

/**
 * The (srcPort, dstPort) pair Community ID uses for an ICMP message: (type, counterpart type)
 * for request/reply types, else (type, code) with `oneWay` set.
 */
export function icmpPortPair(
  protocol: number,
  type: number,
  code: number,
): { srcPort: number; dstPort: number; oneWay: boolean } {
  const table = protocol === 58 ? ICMP_V6_COUNTERPART : ICMP_V4_COUNTERPART;
  const counterpart = table[type & 0xff];
  if (counterpart < 0) return { srcPort: type, dstPort: code, oneWay: true };
  return { srcPort: type, dstPort: counterpart, oneWay: false };
}

const BLOCK = new Uint8Array(64);
const BLOCK_WORDS = new Int32Array(BLOCK.buffer);
const STATE = new Int32Array(5);
const BASE64 = new Uint8Array(64);
for (let i = 0; i < 64; i++) {
  BASE64[i] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i);
}

/**
 * "1:" and the base64 of the 20-byte SHA-1 digest whose five words are `h[at .. at + 5)` (word
 * values, first word first), built as one flat string in one call: no digest buffer, no
 * concatenation.
 */
export function communityIdFromDigest(h: Int32Array, at: number): string {
  const h0 = h[at];
  const h1 = h[at + 1];
  const h2 = h[at + 2];
  const h3 = h[at + 3];
  const h4 = h[at + 4];
  // Seven 24-bit groups of the digest (the last one padded with a zero byte).
  const g0 = h0 >>> 8;
  const g1 = ((h0 & 0xff) << 16) | (h1 >>> 16);
  const g2 = ((h1 & 0xffff) << 8) | (h2 >>> 24);
  const g3 = h2 & 0xffffff;
  const g4 = h3 >>> 8;
  const g5 = ((h3 & 0xff) << 16) | (h4 >>> 16);
  const g6 = (h4 & 0xffff) << 8;
  const c = BASE64;
  return String.fromCharCode(
    0x31, // '1'
    0x3a, // ':'
    c[g0 >>> 18],
    c[(g0 >>> 12) & 63],
    c[(g0 >>> 6) & 63],
    c[g0 & 63],
    c[g1 >>> 18],
    c[(g1 >>> 12) & 63],
    c[(g1 >>> 6) & 63],
    c[g1 & 63],
    c[g2 >>> 18],
    c[(g2 >>> 12) & 63],
    c[(g2 >>> 6) & 63],
    c[g2 & 63],
    c[g3 >>> 18],
    c[(g3 >>> 12) & 63],
    c[(g3 >>> 6) & 63],
    c[g3 & 63],
    c[g4 >>> 18],
    c[(g4 >>> 12) & 63],
    c[(g4 >>> 6) & 63],
    c[g4 & 63],
    c[g5 >>> 18],
    c[(g5 >>> 12) & 63],
    c[(g5 >>> 6) & 63],
    c[g5 & 63],
    c[g6 >>> 18],
    c[(g6 >>> 12) & 63],
    c[(g6 >>> 6) & 63],
    0x3d, // '=' pads the 20-byte digest to 21
  );
}

/**
 * 1 for the protocols whose flows carry ports in the Community ID hash (TCP, UDP, SCTP, ICMP,
 * ICMPv6). A table, not a chain of comparisons: V8 compiles comparisons not reached so far as
 * never reached, and the first flow of another protocol would throw the compiled code away.
 */
const HAS_PORTS = new Uint8Array(256);
for (const protocol of [6, 17, 132, 1, 58]) HAS_PORTS[protocol] = 1;

/**
 * Community ID v1 of a flow. Addresses are 4 or 16 raw bytes. For ICMP, pass the values from
 * `icmpPortPair` as ports and its `oneWay`.
 */
export function communityId(
  protocol: number,
  srcAddr: Uint8Array,
  dstAddr: Uint8Array,
  srcPort: number,
  dstPort: number,
  oneWay = false,
  seed = 0,
): string {
  const joined = new Uint8Array(srcAddr.length * 2);
  joined.set(srcAddr, 0);
  joined.set(dstAddr, srcAddr.length);
  return communityIdAt(protocol, joined, 0, srcAddr.length, srcAddr.length, srcPort, dstPort, oneWay, seed);
}

/**
 * `communityId` for addresses read in place: `addressLength` bytes at `srcOffset` and
 * `dstOffset` of `data`. Allocates nothing but the result string.
 */
export function communityIdAt(
  protocol: number,
  data: Uint8Array,
  srcOffset: number,
  dstOffset: number,
  addressLength: number,
  srcPort: number,
  dstPort: number,
  oneWay = false,
  seed = 0,
): string {
  let order = 0;
  for (let i = 0; i < addressLength && order === 0; i++) order = data[srcOffset + i] - data[dstOffset + i];
  let a = srcOffset;
  let b = dstOffset;
  let pa = srcPort;
  let pb = dstPort;
  if (!oneWay && (order > 0 || (order === 0 && pa > pb))) {
    a = dstOffset;
    b = srcOffset;
    pa = dstPort;
    pb = srcPort;
  }
  // The whole hash input (at most 2 + 16 + 16 + 2 + 4 = 40 bytes) fits one padded SHA-1 block:
  // it is written into the block in place and compressed once.
  const block = BLOCK;
  // Zeroed word by word: TypedArray fill is a call into the runtime, slower than the stores.
  for (let i = 0; i < 16; i++) BLOCK_WORDS[i] = 0;
  block[0] = seed >>> 8;
  block[1] = seed & 0xff;
  let o = 2;
  for (let i = 0; i < addressLength; i++) block[o + i] = data[a + i];
  o += addressLength;
  for (let i = 0; i < addressLength; i++) block[o + i] = data[b + i];
  o += addressLength;
  block[o++] = protocol;
  o++; // padding byte, zero
  if (HAS_PORTS[protocol & 0xff] === 1) {
    block[o++] = pa >>> 8;
    block[o++] = pa & 0xff;
    block[o++] = pb >>> 8;
    block[o++] = pb & 0xff;
  }
  block[o] = 0x80;
  // FIPS 180-4 §5.1.1: the message length in bits, big-endian, ends the block.
  block[62] = o >>> 5;
  block[63] = (o * 8) & 0xff;
  const h = STATE;
  h[0] = 0x67452301;
  h[1] = 0xefcdab89 | 0;
  h[2] = 0x98badcfe | 0;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0 | 0;
  compressBlock(block, 0, h);
  return communityIdFromDigest(h, 0);
}
