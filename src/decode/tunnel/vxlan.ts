/**
 * VXLAN (RFC 7348 §5): an 8-byte header (flags with the I bit, 24-bit VNI) before an Ethernet
 * frame. A datagram on the VXLAN port without the I bit is left as plain UDP.
 */

import { type DecodedPacket, TUNNEL } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { canEnterTunnel, type DecodeCursor, enterTunnel, LAYER, type Layer, markError } from '../decoder.js';

const HEADER_LENGTH = 8;
const FLAG_VNI_VALID = 0x08;

export function decodeVxlan(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + HEADER_LENGTH > cur.end) {
    markError(out, cur, ERR.TUNNEL_TRUNCATED, o);
    return LAYER.DONE;
  }
  if ((data[o] & FLAG_VNI_VALID) === 0 || !canEnterTunnel(cur)) return LAYER.DONE;
  enterTunnel(cur, out, TUNNEL.VXLAN, (data[o + 4] << 16) | (data[o + 5] << 8) | data[o + 6]);
  cur.offset = o + HEADER_LENGTH;
  return LAYER.ETHERNET;
}
