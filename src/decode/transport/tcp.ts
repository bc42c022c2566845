/**
 * TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers, flags byte (CWR, ECE,
 * URG, ACK, PSH, RST, SYN, FIN), window, and the payload after the data offset.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, LAYER, type Layer, markError, u32 } from '../decoder.js';

const MIN_HEADER_LENGTH = 20;

/**
 * Contract: fewer than 4 bytes → no ports; fewer than 20, or options cut short → ports (and the
 * fixed fields when present) with TRANSPORT_TRUNCATED and an empty payload. A data offset
 * below 5 words is malformed: it is reported as TRANSPORT_TRUNCATED too and the payload is
 * taken to start after the fixed 20 bytes.
 */
export function decodeTcp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const end = cur.end;
  if (o + 4 > end) return truncated(cur, out);
  out.srcPort = (data[o] << 8) | data[o + 1];
  out.dstPort = (data[o + 2] << 8) | data[o + 3];
  out.hasPorts = true;
  if (o + MIN_HEADER_LENGTH > end) return truncated(cur, out);
  out.tcpSeq = u32(data, o + 4);
  out.tcpAck = u32(data, o + 8);
  out.tcpFlags = data[o + 13];
  out.tcpWindow = (data[o + 14] << 8) | data[o + 15];
  let headerLength = (data[o + 12] >> 4) << 2;
  if (headerLength < MIN_HEADER_LENGTH) {
    markError(out, cur, ERR.TRANSPORT_TRUNCATED, o + 12);
    headerLength = MIN_HEADER_LENGTH;
  }
  if (o + headerLength > end) return truncated(cur, out);
  out.payloadOffset = o + headerLength;
  out.payloadLength = end - (o + headerLength);
  return LAYER.DONE;
}

/** The transport header does not fit in what was captured (or in the IP length). */
function truncated(cur: DecodeCursor, out: DecodedPacket): Layer {
  markError(out, cur, ERR.TRANSPORT_TRUNCATED, cur.end);
  out.payloadOffset = cur.end;
  out.payloadLength = 0;
  return LAYER.DONE;
}
