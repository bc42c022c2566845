/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443 §2.1): the type and code stand in for the ports
 * (`srcPort` = type, `dstPort` = code). The payload starts after the 8-byte ICMP header, or
 * after the 4-byte ICMPv6 header (type, code, checksum).
 */

import { type DecodedPacket, IP_PROTO } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, LAYER, type Layer, markError } from '../decoder.js';

export function decodeIcmp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const end = cur.end;
  const headerLength = out.protocol === IP_PROTO.ICMP ? 8 : 4;
  if (o + 2 <= end) {
    out.srcPort = data[o];
    out.dstPort = data[o + 1];
    out.hasPorts = true;
  }
  if (o + headerLength > end) {
    markError(out, cur, ERR.TRANSPORT_TRUNCATED, end);
    out.payloadOffset = end;
    out.payloadLength = 0;
    return LAYER.DONE;
  }
  out.payloadOffset = o + headerLength;
  out.payloadLength = end - (o + headerLength);
  return LAYER.DONE;
}
