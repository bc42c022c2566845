/**
 * SSH identification strings (RFC 4253 §4.2): `SSH-protoversion-softwareversion SP comments CR LF`,
 * at most 255 bytes, sent by each side first.
 *
 * Contract: reads only within the bounds given, never throws.
 */
import { latin1, NEED_MORE } from './tls.js';

const MAX_BANNER = 255;

/** True when the bytes start with `SSH-`. */
export function looksLikeSsh(data: Uint8Array, off: number, len: number): boolean {
  return (
    len >= 4 &&
    data[off] === 0x53 &&
    data[off + 1] === 0x53 &&
    data[off + 2] === 0x48 &&
    data[off + 3] === 0x2d
  );
}

/** The banner without its line end; NEED_MORE until the line ends (or 255 bytes are there, or `final`). */
export function parseSshBanner(
  data: Uint8Array,
  off: number,
  len: number,
  final: boolean,
): string | typeof NEED_MORE {
  const end = off + Math.min(len, MAX_BANNER);
  for (let i = off; i < end; i++) {
    if (data[i] === 0x0a) return latin1(data, off, i > off && data[i - 1] === 0x0d ? i - 1 : i);
  }
  if (len < MAX_BANNER && !final) return NEED_MORE;
  return latin1(data, off, end);
}
