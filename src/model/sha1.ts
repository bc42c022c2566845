/**
 * SHA-1 (FIPS 180-4) of short messages, in plain JavaScript. Community ID hashes 40 bytes or
 * fewer per flow; at that size this is several times faster than a `node:crypto` Hash object,
 * which costs an allocation and native calls per flow.
 *
 * Contract: `sha1Short` hashes `message[0 .. length)` for any length; the 20-byte digest is
 * written into `digest`. Not constant-time: never use it for secrets.
 */
import { compressBlock } from './sha1-compress.js';

const BLOCK = new Uint8Array(64);

const STATE = new Int32Array(5);

/**
 * SHA-1 of `message[0 .. length)` as five big-endian state words. The returned array is shared
 * and overwritten by the next call: read it before hashing again.
 */
export function sha1Words(message: Uint8Array, length: number): Int32Array {
  STATE[0] = 0x67452301;
  STATE[1] = 0xefcdab89 | 0;
  STATE[2] = 0x98badcfe | 0;
  STATE[3] = 0x10325476;
  STATE[4] = 0xc3d2e1f0 | 0;
  let offset = 0;
  while (length - offset >= 64) {
    compressBlock(message, offset, STATE);
    offset += 64;
  }
  const rest = length - offset;
  BLOCK.fill(0);
  for (let i = 0; i < rest; i++) BLOCK[i] = message[offset + i];
  BLOCK[rest] = 0x80;
  if (rest >= 56) {
    compressBlock(BLOCK, 0, STATE);
    BLOCK.fill(0);
  }
  const bits = length * 8;
  BLOCK[59] = (bits / 0x100000000) >>> 0;
  BLOCK[60] = bits >>> 24;
  BLOCK[61] = bits >>> 16;
  BLOCK[62] = bits >>> 8;
  BLOCK[63] = bits;
  compressBlock(BLOCK, 0, STATE);
  return STATE;
}

export function sha1Short(message: Uint8Array, length: number, digest: Uint8Array): void {
  sha1Words(message, length);
  for (let i = 0; i < 5; i++) {
    digest[i * 4] = STATE[i] >>> 24;
    digest[i * 4 + 1] = STATE[i] >>> 16;
    digest[i * 4 + 2] = STATE[i] >>> 8;
    digest[i * 4 + 3] = STATE[i];
  }
}
