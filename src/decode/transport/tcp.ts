/**
 * TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers, flags byte (CWR, ECE,
 * URG, ACK, PSH, RST, SYN, FIN), window, the segment length by the IP length, the payload after
 * the data offset, and on SYNs the window scale, MSS and SACK-permitted options.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, LAYER, type Layer, markError, u32 } from '../decoder.js';

const MIN_HEADER_LENGTH = 20;
const FLAG_SYN = 0x02;
const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WINDOW_SCALE = 3;
const OPT_SACK_PERMITTED = 4;
/** RFC 7323 §2.3: a shift above 14 is used as 14. */
const MAX_WINDOW_SCALE = 14;

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
  out.tcpHeaderLength = headerLength;
  // The IP header starts 12 (IPv4) or 8 (IPv6) bytes before the source address; `ipBytes` counts
  // from there, so what follows the TCP header up to it is the segment as sent.
  const ipStart = out.srcAddrOffset - (out.ipVersion === 4 ? 12 : 8);
  const wireLength = ipStart + out.ipBytes - (o + headerLength);
  out.tcpSegmentLength = wireLength > 0 ? wireLength : 0;
  if ((out.tcpFlags & FLAG_SYN) !== 0)
    readSynOptions(data, o + MIN_HEADER_LENGTH, Math.min(o + headerLength, end), out);
  if (o + headerLength > end) return truncated(cur, out);
  out.payloadOffset = o + headerLength;
  out.payloadLength = end - (o + headerLength);
  return LAYER.DONE;
}

/**
 * Reads the options a SYN negotiates (RFC 9293 §3.2 option layout: EOL and NOP are one byte,
 * every other option is kind, length, data). Stops at EOL or at a malformed length; reads only
 * `[from, to)`, which the caller has bounded by the captured bytes.
 */
function readSynOptions(data: Uint8Array, from: number, to: number, out: DecodedPacket): void {
  let at = from;
  while (at < to) {
    const kind = data[at];
    if (kind === OPT_EOL) return;
    if (kind === OPT_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= to) return;
    const length = data[at + 1];
    if (length < 2 || at + length > to) return;
    if (kind === OPT_MSS && length === 4) out.tcpMss = (data[at + 2] << 8) | data[at + 3];
    else if (kind === OPT_WINDOW_SCALE && length === 3)
      out.tcpWindowScale = Math.min(data[at + 2], MAX_WINDOW_SCALE);
    else if (kind === OPT_SACK_PERMITTED && length === 2) out.tcpSackPermitted = true;
    at += length;
  }
}

/** The transport header does not fit in what was captured (or in the IP length). */
function truncated(cur: DecodeCursor, out: DecodedPacket): Layer {
  markError(out, cur, ERR.TRANSPORT_TRUNCATED, cur.end);
  out.payloadOffset = cur.end;
  out.payloadLength = 0;
  return LAYER.DONE;
}
