/**
 * SHA-1 (FIPS 180-4) of short messages, in plain JavaScript. Community ID hashes 40 bytes or
 * fewer per flow; at that size this is several times faster than a `node:crypto` Hash object,
 * which costs an allocation and native calls per flow.
 *
 * Contract: `sha1Short` hashes `message[0 .. length)` for any length; the 20-byte digest is
 * written into `digest`. Not constant-time: never use it for secrets.
 */

const W = new Int32Array(80);
const BLOCK = new Uint8Array(64);

function compress(block: Uint8Array, at: number, h: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const o = at + i * 4;
    W[i] = (block[o] << 24) | (block[o + 1] << 16) | (block[o + 2] << 8) | block[o + 3];
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  // Four loops of twenty rounds: no per-round branch on the round function.
  for (let i = 0; i < 20; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 20; i < 40; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 40; i < 60; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 60; i < 80; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

const STATE = new Int32Array(5);

export function sha1Short(message: Uint8Array, length: number, digest: Uint8Array): void {
  STATE[0] = 0x67452301;
  STATE[1] = 0xefcdab89 | 0;
  STATE[2] = 0x98badcfe | 0;
  STATE[3] = 0x10325476;
  STATE[4] = 0xc3d2e1f0 | 0;
  let offset = 0;
  while (length - offset >= 64) {
    compress(message, offset, STATE);
    offset += 64;
  }
  const rest = length - offset;
  BLOCK.fill(0);
  for (let i = 0; i < rest; i++) BLOCK[i] = message[offset + i];
  BLOCK[rest] = 0x80;
  if (rest >= 56) {
    compress(BLOCK, 0, STATE);
    BLOCK.fill(0);
  }
  const bits = length * 8;
  BLOCK[59] = (bits / 0x100000000) >>> 0;
  BLOCK[60] = bits >>> 24;
  BLOCK[61] = bits >>> 16;
  BLOCK[62] = bits >>> 8;
  BLOCK[63] = bits;
  compress(BLOCK, 0, STATE);
  for (let i = 0; i < 5; i++) {
    digest[i * 4] = STATE[i] >>> 24;
    digest[i * 4 + 1] = STATE[i] >>> 16;
    digest[i * 4 + 2] = STATE[i] >>> 8;
    digest[i * 4 + 3] = STATE[i];
  }
}
