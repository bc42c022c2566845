/**
 * Ethernet II and IEEE 802.3 frames (LINKTYPE_ETHERNET, and Ethernet inside VXLAN, Geneve,
 * GRE transparent bridging and MPLS pseudowires). The type/length field goes to the ethertype
 * dispatch, which also handles VLAN tags and 802.3 lengths.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, LAYER, type Layer } from '../decoder.js';

/** Destination MAC (6) + source MAC (6) + type/length (2), IEEE 802.3 §3.1.1. */
const HEADER_LENGTH = 14;

export function decodeEthernet(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + HEADER_LENGTH > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  cur.type = (data[o + 12] << 8) | data[o + 13];
  // The outermost MACs: an Ethernet frame inside a tunnel does not replace the local segment's.
  if (out.srcMacOffset < 0) {
    out.dstMacOffset = o;
    out.srcMacOffset = o + 6;
  }
  cur.offset = o + HEADER_LENGTH;
  return LAYER.ETHERTYPE;
}
