/** SCTP common header (RFC 9260 §3.1): ports, then chunks, which are left as the payload. */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, LAYER, type Layer, markError } from '../decoder.js';

const HEADER_LENGTH = 12;

export function decodeSctp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const end = cur.end;
  if (o + 4 <= end) {
    out.srcPort = (data[o] << 8) | data[o + 1];
    out.dstPort = (data[o + 2] << 8) | data[o + 3];
    out.hasPorts = true;
  }
  if (o + HEADER_LENGTH > end) {
    markError(out, cur, ERR.TRANSPORT_TRUNCATED, end);
    out.payloadOffset = end;
    out.payloadLength = 0;
    return LAYER.DONE;
  }
  out.payloadOffset = o + HEADER_LENGTH;
  out.payloadLength = end - (o + HEADER_LENGTH);
  return LAYER.DONE;
}
