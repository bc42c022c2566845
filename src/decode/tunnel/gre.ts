/**
 * GRE (RFC 2784 with the key and sequence fields of RFC 2890 §2) and PPTP's enhanced GRE
 * (version 1, RFC 2637 §4.1). Followed payloads: IPv4, IPv6, transparent Ethernet bridging
 * (0x6558), MPLS, PPP and ERSPAN types I–III (mirrored Ethernet). Any other payload, a routing
 * header (RFC 1701), or PPTP carrying something other than IP (LCP, acks without payload)
 * leaves the GRE packet itself as the flow: IP protocol 47 without ports.
 */

import { type DecodedPacket, TUNNEL } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import {
  canEnterTunnel,
  type DecodeCursor,
  enterTunnel,
  LAYER,
  type Layer,
  markError,
  u32,
} from '../decoder.js';

const FLAG_CHECKSUM = 0x80;
const FLAG_ROUTING = 0x40;
const FLAG_KEY = 0x20;
const FLAG_SEQUENCE = 0x10;
/** Enhanced GRE: acknowledgment number present (second byte). */
const FLAG_ACK = 0x80;
const PROTO_PPP = 0x880b;
const PROTO_ERSPAN_2 = 0x88be;
const PROTO_ERSPAN_3 = 0x22eb;

function payloadLayer(protocol: number): Layer {
  switch (protocol) {
    case 0x0800:
      return LAYER.IPV4;
    case 0x86dd:
      return LAYER.IPV6;
    case 0x6558:
      return LAYER.ETHERNET;
    case 0x8847:
    case 0x8848:
      return LAYER.MPLS;
    case PROTO_PPP:
      return LAYER.PPP;
    case PROTO_ERSPAN_2:
    case PROTO_ERSPAN_3:
      return LAYER.ETHERNET;
    default:
      return LAYER.DONE;
  }
}

export function decodeGre(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  const end = cur.end;
  if (o + 4 > end) {
    markError(out, cur, ERR.TUNNEL_TRUNCATED, o);
    return LAYER.DONE;
  }
  const flags = data[o];
  const version = data[o + 1] & 0x07;
  const protocol = (data[o + 2] << 8) | data[o + 3];
  let length = 4;
  let key = 0;
  if (version === 0) {
    if ((flags & FLAG_ROUTING) !== 0) return LAYER.DONE;
    if ((flags & FLAG_CHECKSUM) !== 0) length += 4;
    if ((flags & FLAG_KEY) !== 0) {
      if (o + length + 4 > end) return cutShort(cur, out, o);
      key = u32(data, o + length);
      length += 4;
    }
    if ((flags & FLAG_SEQUENCE) !== 0) length += 4;
    if (protocol === PROTO_ERSPAN_2 && (flags & FLAG_SEQUENCE) !== 0) length += 8;
    if (protocol === PROTO_ERSPAN_3) {
      // ERSPAN type III header (12 bytes) and its optional platform sub-header (O bit).
      if (o + length + 12 > end) return cutShort(cur, out, o);
      length += (data[o + length + 11] & 0x01) !== 0 ? 20 : 12;
    }
  } else if (version === 1) {
    // Key field = payload length (16 bits) + call id (16 bits); the call id names the tunnel.
    if (protocol !== PROTO_PPP || (flags & FLAG_KEY) === 0) return LAYER.DONE;
    if (o + 8 > end) return cutShort(cur, out, o);
    if (((data[o + 4] << 8) | data[o + 5]) === 0) return LAYER.DONE;
    key = (data[o + 6] << 8) | data[o + 7];
    length = 8;
    if ((flags & FLAG_SEQUENCE) !== 0) length += 4;
    if ((data[o + 1] & FLAG_ACK) !== 0) length += 4;
  } else {
    return LAYER.DONE;
  }
  const next = payloadLayer(protocol);
  if (next === LAYER.DONE || !canEnterTunnel(cur)) return LAYER.DONE;
  if (o + length > end) return cutShort(cur, out, o);
  enterTunnel(cur, out, TUNNEL.GRE, key);
  cur.offset = o + length;
  return next;
}

function cutShort(cur: DecodeCursor, out: DecodedPacket, at: number): Layer {
  markError(out, cur, ERR.TUNNEL_TRUNCATED, at);
  return LAYER.DONE;
}
