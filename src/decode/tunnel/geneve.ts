/**
 * Geneve (RFC 8926 §3.4): version 0, an options length in 4-byte words, a protocol type
 * (0x6558 Ethernet, 0x0800 IPv4, 0x86dd IPv6) and a 24-bit VNI. Other versions or protocol
 * types leave the datagram as plain UDP.
 */

import { type DecodedPacket, TUNNEL } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { canEnterTunnel, type DecodeCursor, enterTunnel, LAYER, type Layer, markError } from '../decoder.js';

const HEADER_LENGTH = 8;

export function decodeGeneve(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + HEADER_LENGTH > cur.end) {
    markError(out, cur, ERR.TUNNEL_TRUNCATED, o);
    return LAYER.DONE;
  }
  if (data[o] >> 6 !== 0) return LAYER.DONE;
  let next: Layer;
  switch ((data[o + 2] << 8) | data[o + 3]) {
    case 0x6558:
      next = LAYER.ETHERNET;
      break;
    case 0x0800:
      next = LAYER.IPV4;
      break;
    case 0x86dd:
      next = LAYER.IPV6;
      break;
    default:
      return LAYER.DONE;
  }
  const length = HEADER_LENGTH + ((data[o] & 0x3f) << 2);
  if (o + length > cur.end) {
    markError(out, cur, ERR.TUNNEL_TRUNCATED, o);
    return LAYER.DONE;
  }
  if (!canEnterTunnel(cur)) return LAYER.DONE;
  enterTunnel(cur, out, TUNNEL.GENEVE, (data[o + 4] << 16) | (data[o + 5] << 8) | data[o + 6]);
  cur.offset = o + length;
  return next;
}
