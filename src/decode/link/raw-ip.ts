/**
 * Raw IP link types (LINKTYPE_RAW 101 and its old values 12/14): no link header, the IP version
 * is the first nibble. LINKTYPE_IPV4/IPV6 (228/229) skip this and go straight to their header.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, LAYER, type Layer } from '../decoder.js';

export function decodeRawIp(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o >= cur.end) return finishUndecodable(out, cur, ERR.IP_TRUNCATED, o);
  switch (data[o] >> 4) {
    case 4:
      return LAYER.IPV4;
    case 6:
      return LAYER.IPV6;
    default:
      return finishUndecodable(out, cur, ERR.IP_BAD_HEADER, o);
  }
}
