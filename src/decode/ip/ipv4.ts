/**
 * IPv4 (RFC 791 §3.1). Sets the addresses, protocol, wire length and fragment fields, bounds the
 * rest of the walk by the total length, and hands the payload to the transport layer unless the
 * packet is a non-first fragment.
 */

import { type DecodedPacket, PACKET_KIND } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, LAYER, type Layer, markError } from '../decoder.js';
import { layerForProtocol } from './protocol.js';

const MIN_HEADER_LENGTH = 20;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

/**
 * Contract on odd headers:
 * - fewer than 20 bytes captured, → UNDECODABLE IP_TRUNCATED;
 * - version ≠ 4, IHL < 5, or 0 < total length < IHL*4 → UNDECODABLE IP_BAD_HEADER;
 * - total length 0 is read as TCP segmentation offload (as Zeek does): the captured bytes are
 *   the packet;
 * - options cut off by the snap length → IP with IP_TRUNCATED and no transport.
 * `ipBytes` is always the header's total length, even when fewer bytes were captured.
 */
export function decodeIpv4(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const captured = cur.end - o;
  if (captured < MIN_HEADER_LENGTH) return finishUndecodable(out, cur, ERR.IP_TRUNCATED, o);
  const versionIhl = data[o];
  const headerLength = (versionIhl & 0x0f) << 2;
  if (versionIhl >> 4 !== 4 || headerLength < MIN_HEADER_LENGTH) {
    return finishUndecodable(out, cur, ERR.IP_BAD_HEADER, o);
  }
  let totalLength = (data[o + 2] << 8) | data[o + 3];
  if (totalLength === 0) totalLength = captured;
  else if (totalLength < headerLength) return finishUndecodable(out, cur, ERR.IP_BAD_HEADER, o + 2);

  const fragment = (data[o + 6] << 8) | data[o + 7];
  const fragmentOffset = (fragment & OFFSET_MASK) << 3;
  const protocol = data[o + 9];
  out.kind = PACKET_KIND.IP;
  out.ipVersion = 4;
  out.ttl = data[o + 8];
  out.srcAddrOffset = o + 12;
  out.dstAddrOffset = o + 16;
  out.protocol = protocol;
  out.ipBytes = totalLength;
  out.moreFragments = (fragment & FLAG_MF) !== 0;
  out.fragmentOffset = fragmentOffset;
  out.isFragment = out.moreFragments || fragmentOffset !== 0;
  out.fragmentId = (data[o + 4] << 8) | data[o + 5];

  if (o + totalLength < cur.end) cur.end = o + totalLength;
  const payload = o + headerLength;
  if (payload > cur.end) {
    markError(out, cur, ERR.IP_TRUNCATED, cur.end);
    out.payloadOffset = cur.end;
    out.payloadLength = 0;
    return LAYER.DONE;
  }
  out.payloadOffset = payload;
  out.payloadLength = cur.end - payload;
  if (fragmentOffset !== 0) return LAYER.DONE;
  cur.offset = payload;
  return layerForProtocol(cur, protocol);
}
