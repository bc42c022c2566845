/**
 * MPLS label stacks (RFC 3032 §2.1), unicast 0x8847 and multicast 0x8848. MPLS does not say
 * what the payload is, so after the bottom-of-stack label the first nibble is used as a guess,
 * as routers and Wireshark do: 4 → IPv4, 6 → IPv6, 0 → pseudowire control word (RFC 4385 §3)
 * followed by Ethernet (RFC 4448). Anything else is reported as non-IP 'mpls'.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

/** Deeper stacks than this are treated as malformed. */
const MAX_LABELS = 16;

export function decodeMpls(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  let o = cur.offset;
  const end = cur.end;
  for (let labels = 0; ; labels++) {
    if (o + 4 > end || labels === MAX_LABELS) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    const bottom = data[o + 2] & 0x01;
    o += 4;
    if (bottom === 1) break;
  }
  if (o >= end) return finishNonIp(out, cur, 'mpls', o);
  cur.offset = o;
  switch (data[o] >> 4) {
    case 4:
      return LAYER.IPV4;
    case 6:
      return LAYER.IPV6;
    case 0:
      // Generic PW control word: 4 bytes, then the emulated Ethernet frame.
      if (o + 4 + 14 > end) return finishNonIp(out, cur, 'mpls', o);
      cur.offset = o + 4;
      return LAYER.ETHERNET;
    default:
      return finishNonIp(out, cur, 'mpls', o);
  }
}
