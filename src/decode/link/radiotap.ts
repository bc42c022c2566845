/**
 * Radiotap (LINKTYPE_IEEE802_11_RADIOTAP, https://www.radiotap.org): a little-endian header of
 * length `it_len` in front of an 802.11 frame. Only the Flags field is read, to drop a trailing
 * FCS; everything else is skipped.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, LAYER, type Layer } from '../decoder.js';

const PRESENT_TSFT = 0x01;
const PRESENT_FLAGS = 0x02;
const PRESENT_EXT = 0x80; // bit 31, read from the word's last byte
/** Flags field bit: the frame ends with a 4-byte FCS. */
const FLAG_FCS_AT_END = 0x10;

export function decodeRadiotap(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + 8 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  const length = data[o + 2] | (data[o + 3] << 8);
  const headerEnd = o + length;
  if (data[o] !== 0 || length < 8 || headerEnd > cur.end) {
    return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  }
  const present = data[o + 4];
  if ((present & PRESENT_FLAGS) !== 0) {
    // Fields start after the chain of presence words; TSFT (8 bytes) is 8-aligned.
    let p = o + 8;
    let word = o + 4;
    while ((data[word + 3] & PRESENT_EXT) !== 0 && p + 4 <= headerEnd) {
      word = p;
      p += 4;
    }
    if ((present & PRESENT_TSFT) !== 0) p = o + ((p - o + 7) & ~7) + 8;
    if (p < headerEnd && (data[p] & FLAG_FCS_AT_END) !== 0 && cur.end - 4 >= headerEnd) cur.end -= 4;
  }
  cur.offset = headerEnd;
  return LAYER.IEEE802_11;
}
