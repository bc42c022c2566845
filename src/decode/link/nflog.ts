/**
 * Linux NFLOG (LINKTYPE_NFLOG, https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html): a 4-byte
 * header (family, version, resource id) and then TLVs. Each TLV's length and type are in the
 * capturing host's byte order (taken as little-endian, the only order seen in practice); the
 * length counts the 4-byte TLV header and TLVs are padded to 4 bytes. The packet is the
 * NFULA_PAYLOAD TLV (type 9).
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

const NFULA_PAYLOAD = 9;
const AF_INET = 2;
const AF_INET6 = 10;

export function decodeNflog(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const start = cur.offset;
  const end = cur.end;
  if (start + 4 > end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, start);
  const family = data[start];
  let o = start + 4;
  // Every TLV is at least 4 bytes, so the walk ends within (end - start) / 4 steps.
  while (o + 4 <= end) {
    const length = data[o] | (data[o + 1] << 8);
    // The top two bits are NLA_F_NESTED / NLA_F_NET_BYTEORDER, not part of the type.
    const type = (data[o + 2] | (data[o + 3] << 8)) & 0x3fff;
    if (length < 4) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    if (type === NFULA_PAYLOAD) {
      cur.offset = o + 4;
      if (o + length < end) cur.end = o + length;
      if (family === AF_INET) return LAYER.IPV4;
      if (family === AF_INET6) return LAYER.IPV6;
      return LAYER.RAW_IP;
    }
    o += (length + 3) & ~3;
  }
  return finishNonIp(out, cur, 'nflog', start);
}
