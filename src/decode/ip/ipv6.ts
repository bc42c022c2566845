/**
 * IPv6 (RFC 8200 §3) and its extension headers (§4), walked to the upper-layer protocol:
 * hop-by-hop (0), routing (43), fragment (44), destination options (60), AH (51, RFC 4302 §2:
 * length in 4-byte units), mobility (135), HIP (139) and shim6 (140). A non-first fragment
 * stops the walk: its upper-layer header is in another packet.
 */

import { type DecodedPacket, PACKET_KIND } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, LAYER, type Layer, markError, u32 } from '../decoder.js';
import { layerForProtocol } from './protocol.js';

const HEADER_LENGTH = 40;
/** A real packet rarely has more than three; more than this is treated as malformed. */
const MAX_EXTENSION_HEADERS = 12;
const NO_NEXT_HEADER = 59;
/** Hop-by-hop option type of the Jumbo Payload option (RFC 2675 §2). */
const OPTION_JUMBO = 0xc2;

/** RFC 2675: a zero payload length with a Jumbo option in the hop-by-hop header at `o`. */
function jumboLength(data: Uint8Array, o: number, end: number): number {
  if (o + 2 > end) return 0;
  const optionsEnd = Math.min(end, o + ((data[o + 1] + 1) << 3));
  let p = o + 2;
  while (p < optionsEnd) {
    const type = data[p];
    if (type === 0) {
      p += 1; // Pad1
      continue;
    }
    if (p + 2 > optionsEnd) return 0;
    if (type === OPTION_JUMBO && data[p + 1] === 4 && p + 6 <= optionsEnd) {
      return u32(data, p + 2);
    }
    p += 2 + data[p + 1];
  }
  return 0;
}

/**
 * Contract on odd headers: fewer than 40 bytes → UNDECODABLE IP_TRUNCATED; version ≠ 6 →
 * UNDECODABLE IP_BAD_HEADER; an extension header cut short → IP with IP_TRUNCATED and
 * `protocol` = that header's number; too long a chain → IP with IP_BAD_HEADER. A zero payload
 * length without a Jumbo option (and with a next header other than 59) is read as segmentation
 * offload: the captured bytes are the packet.
 */
export function decodeIpv6(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const captured = cur.end - o;
  if (captured < HEADER_LENGTH) return finishUndecodable(out, cur, ERR.IP_TRUNCATED, o);
  if (data[o] >> 4 !== 6) return finishUndecodable(out, cur, ERR.IP_BAD_HEADER, o);
  let next = data[o + 6];
  let ipBytes = ((data[o + 4] << 8) | data[o + 5]) + HEADER_LENGTH;
  if (ipBytes === HEADER_LENGTH && next !== NO_NEXT_HEADER) {
    const jumbo = next === 0 ? jumboLength(data, o + HEADER_LENGTH, cur.end) : 0;
    ipBytes = jumbo !== 0 ? jumbo + HEADER_LENGTH : captured;
  }
  out.kind = PACKET_KIND.IP;
  out.ipVersion = 6;
  out.ttl = data[o + 7];
  out.srcAddrOffset = o + 8;
  out.dstAddrOffset = o + 24;
  out.ipBytes = ipBytes;
  out.isFragment = false;
  out.fragmentId = 0;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  if (o + ipBytes < cur.end) cur.end = o + ipBytes;
  const end = cur.end;

  let p = o + HEADER_LENGTH;
  for (let count = 0; ; count++) {
    let length: number;
    switch (next) {
      case 0:
      case 43:
      case 60:
      case 135:
      case 139:
      case 140:
        if (p + 2 > end) return stop(cur, out, next, p, ERR.IP_TRUNCATED);
        length = (data[p + 1] + 1) << 3;
        break;
      case 51:
        if (p + 2 > end) return stop(cur, out, next, p, ERR.IP_TRUNCATED);
        length = (data[p + 1] + 2) << 2;
        break;
      case 44: {
        // Fragment header (RFC 8200 §4.5): offset in 8-byte units in the top 13 bits, M last.
        if (p + 8 > end) return stop(cur, out, next, p, ERR.IP_TRUNCATED);
        const field = (data[p + 2] << 8) | data[p + 3];
        out.fragmentOffset = field & 0xfff8;
        out.moreFragments = (field & 0x01) !== 0;
        out.isFragment = out.moreFragments || out.fragmentOffset !== 0;
        out.fragmentId = u32(data, p + 4);
        if (out.fragmentOffset !== 0) return stop(cur, out, data[p], p + 8, '');
        length = 8;
        break;
      }
      default:
        out.protocol = next;
        out.payloadOffset = p;
        out.payloadLength = end - p;
        cur.offset = p;
        return next === NO_NEXT_HEADER ? LAYER.DONE : layerForProtocol(cur, next);
    }
    if (p + length > end) return stop(cur, out, next, p, ERR.IP_TRUNCATED);
    if (count === MAX_EXTENSION_HEADERS) return stop(cur, out, next, p, ERR.IP_BAD_HEADER);
    next = data[p];
    p += length;
  }
}

/** Ends the walk at `p` without a transport header (non-first fragment, or a problem). */
function stop(cur: DecodeCursor, out: DecodedPacket, protocol: number, p: number, code: string): Layer {
  out.protocol = protocol;
  const at = Math.min(p, cur.end);
  out.payloadOffset = at;
  out.payloadLength = cur.end - at;
  if (code !== '') markError(out, cur, code, at);
  return LAYER.DONE;
}
