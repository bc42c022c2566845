/**
 * UDP header (RFC 768): ports and the payload, bounded by the UDP length. Datagrams to or from
 * a tunnel port go on to the tunnel decoder, which checks the header before accepting it. The
 * lower port is tried first, as Wireshark does, so both directions pick the same decoder.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, LAYER, type Layer, markError } from '../decoder.js';

const HEADER_LENGTH = 8;
/** IANA ports: VXLAN (RFC 7348 §5), Geneve (RFC 8926 §3.3), Teredo (RFC 4380 §4). */
export const PORT_VXLAN = 4789;
export const PORT_GENEVE = 6081;
export const PORT_TEREDO = 3544;

function tunnelForPort(port: number): Layer {
  switch (port) {
    case PORT_VXLAN:
      return LAYER.VXLAN;
    case PORT_GENEVE:
      return LAYER.GENEVE;
    case PORT_TEREDO:
      return LAYER.TEREDO;
    default:
      return LAYER.DONE;
  }
}

/** Contract: fewer than 4 bytes → no ports; fewer than 8 → ports with TRANSPORT_TRUNCATED. */
export function decodeUdp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const end = cur.end;
  if (o + 4 > end) {
    markError(out, cur, ERR.TRANSPORT_TRUNCATED, end);
    out.payloadOffset = end;
    out.payloadLength = 0;
    return LAYER.DONE;
  }
  const src = (data[o] << 8) | data[o + 1];
  const dst = (data[o + 2] << 8) | data[o + 3];
  out.srcPort = src;
  out.dstPort = dst;
  out.hasPorts = true;
  if (o + HEADER_LENGTH > end) {
    markError(out, cur, ERR.TRANSPORT_TRUNCATED, end);
    out.payloadOffset = end;
    out.payloadLength = 0;
    return LAYER.DONE;
  }
  const length = (data[o + 4] << 8) | data[o + 5];
  const payload = o + HEADER_LENGTH;
  if (length >= HEADER_LENGTH) {
    cur.wireEnd = o + length;
    if (o + length < end) cur.end = o + length;
  } else {
    cur.wireEnd = end;
  }
  out.payloadOffset = payload;
  out.payloadLength = cur.end - payload;
  cur.offset = payload;
  const low = Math.min(src, dst);
  const layer = tunnelForPort(low);
  return layer !== LAYER.DONE ? layer : tunnelForPort(low === src ? dst : src);
}
