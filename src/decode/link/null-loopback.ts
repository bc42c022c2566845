/**
 * BSD loopback encapsulations: LINKTYPE_NULL (a 4-byte address family in the capturing host's
 * byte order) and LINKTYPE_LOOP (the same, always big-endian). IPv6's family value differs
 * between BSDs, so all of them are accepted: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin).
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

function continueWithFamily(cur: DecodeCursor, out: DecodedPacket, family: number): Layer {
  cur.offset += 4;
  switch (family) {
    case 2:
      return LAYER.IPV4;
    case 24:
    case 28:
    case 30:
      return LAYER.IPV6;
    default:
      return finishNonIp(out, cur, 'loopback_unknown_family', cur.offset);
  }
}

export function decodeNull(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + 4 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  // Families are small numbers: zero low bytes mean the writer was big-endian (libpcap's rule).
  const family =
    data[o] === 0 && data[o + 1] === 0 ? (data[o + 2] << 8) | data[o + 3] : data[o] | (data[o + 1] << 8);
  return continueWithFamily(cur, out, family);
}

export function decodeLoop(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + 4 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  return continueWithFamily(cur, out, (data[o + 2] << 8) | data[o + 3]);
}
