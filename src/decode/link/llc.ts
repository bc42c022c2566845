/**
 * IEEE 802.2 LLC and SNAP (RFC 1042), as carried by 802.3 length frames, 802.11 data frames
 * and Linux SLL protocol 0x0004. SNAP with an ethertype OUI continues to the ethertype
 * dispatch; everything else is a non-IP frame named after its SAP.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

export function decodeLlc(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + 2 <= cur.end && data[o] === 0xff && data[o + 1] === 0xff) {
    // Novell "raw 802.3": IPX directly after the length, checksum field 0xffff.
    return finishNonIp(out, cur, 'ipx', o);
  }
  if (o + 3 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  const dsap = data[o];
  if (dsap === 0xaa && data[o + 1] === 0xaa && data[o + 2] === 0x03) {
    // SNAP: 3-byte OUI + 2-byte protocol id (RFC 1042).
    if (o + 8 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    const oui = (data[o + 3] << 16) | (data[o + 4] << 8) | data[o + 5];
    const pid = (data[o + 6] << 8) | data[o + 7];
    // OUI 0 (RFC 1042) and 0x0000f8 (802.1H bridge tunnel) carry an ethertype.
    if (oui === 0 || oui === 0x0000f8) {
      if (pid <= 1500) return finishNonIp(out, cur, 'snap', o + 8);
      cur.type = pid;
      cur.offset = o + 8;
      return LAYER.ETHERTYPE;
    }
    if (oui === 0x00000c) {
      // Cisco: 0x2000 CDP, 0x010b PVST+ BPDUs.
      if (pid === 0x2000) return finishNonIp(out, cur, 'cdp', o + 8);
      if (pid === 0x010b) return finishNonIp(out, cur, 'stp', o + 8);
    }
    return finishNonIp(out, cur, 'snap', o + 8);
  }
  switch (dsap) {
    case 0x42:
      return finishNonIp(out, cur, 'stp', o + 3);
    case 0xe0:
      return finishNonIp(out, cur, 'ipx', o + 3);
    case 0xfe:
      return finishNonIp(out, cur, 'osi', o + 3);
    case 0xf0:
      return finishNonIp(out, cur, 'netbios', o + 3);
    default:
      return finishNonIp(out, cur, 'llc', o + 3);
  }
}
