/**
 * PPP (RFC 1661) as a link type (LINKTYPE_PPP, with or without the RFC 1662 0xff03 HDLC-like
 * address/control bytes), inside PPPoE sessions (RFC 2516 §5: Ethernet 0x8864 or
 * LINKTYPE_PPP_ETHER) and inside PPTP's enhanced GRE. IPv4 (0x0021) and IPv6 (0x0057) go on;
 * control protocols are non-IP frames with stable labels.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

/** Version/type (1), code (1), session id (2), length (2): RFC 2516 §4. */
const PPPOE_HEADER_LENGTH = 6;

export function decodePpp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  let o = cur.offset;
  const end = cur.end;
  if (o + 2 <= end && data[o] === 0xff && data[o + 1] === 0x03) o += 2;
  if (o + 2 <= end && (data[o] === 0x0f || data[o] === 0x8f) && data[o + 1] === 0x00) {
    // Cisco HDLC framing, seen in some LINKTYPE_PPP captures: an ethertype follows.
    if (o + 4 > end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    cur.type = (data[o + 2] << 8) | data[o + 3];
    cur.offset = o + 4;
    return LAYER.ETHERTYPE;
  }
  if (o >= end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  let protocol: number;
  if ((data[o] & 0x01) === 1) {
    // Protocol-field compression (RFC 1661 §6.5): one byte.
    protocol = data[o];
    o += 1;
  } else {
    if (o + 2 > end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    protocol = (data[o] << 8) | data[o + 1];
    o += 2;
  }
  cur.offset = o;
  switch (protocol) {
    case 0x0021:
      return LAYER.IPV4;
    case 0x0057:
      return LAYER.IPV6;
    case 0x0281:
    case 0x0283:
      return LAYER.MPLS;
    case 0xc021:
      return finishNonIp(out, cur, 'ppp_lcp', o);
    case 0x8021:
      return finishNonIp(out, cur, 'ppp_ipcp', o);
    case 0x8057:
      return finishNonIp(out, cur, 'ppp_ipv6cp', o);
    case 0xc023:
      return finishNonIp(out, cur, 'ppp_pap', o);
    case 0xc223:
      return finishNonIp(out, cur, 'ppp_chap', o);
    case 0x80fd:
      return finishNonIp(out, cur, 'ppp_ccp', o);
    case 0x00fd:
      return finishNonIp(out, cur, 'ppp_compressed', o);
    default:
      return finishNonIp(out, cur, 'ppp', o);
  }
}

/** PPPoE session stage (code 0x00): the PPP protocol field follows the 6-byte header. */
export function decodePppoeSession(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + PPPOE_HEADER_LENGTH > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  if (data[o] !== 0x11) return finishNonIp(out, cur, 'pppoe', o);
  if (data[o + 1] !== 0x00) return finishNonIp(out, cur, 'pppoe_discovery', o);
  const payloadEnd = o + PPPOE_HEADER_LENGTH + ((data[o + 4] << 8) | data[o + 5]);
  if (payloadEnd < cur.end) cur.end = payloadEnd;
  cur.offset = o + PPPOE_HEADER_LENGTH;
  return LAYER.PPP;
}
