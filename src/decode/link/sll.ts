/**
 * Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html):
 * a 16-byte pseudo-header whose last field is the protocol. The protocol interpretation is shared
 * with SLL2 (sll2.ts).
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';
import { ethertypeLabel } from './ethertype.js';

/** Packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2). */
const HEADER_LENGTH = 16;

const ARPHRD_IEEE80211 = 801;
const ARPHRD_IEEE80211_RADIOTAP = 803;
const ARPHRD_NETLINK = 824;

/**
 * Continues after an SLL/SLL2 header. `protocol` is an ethertype from 0x0600 on; below that it
 * is one of Linux's ETH_P_* pseudo-protocols (linux/if_ether.h), which say how to read the rest.
 */
export function continueAfterSll(
  cur: DecodeCursor,
  out: DecodedPacket,
  hatype: number,
  protocol: number,
): Layer {
  switch (hatype) {
    case ARPHRD_NETLINK:
      return finishNonIp(out, cur, 'netlink', cur.offset);
    case ARPHRD_IEEE80211:
      return LAYER.IEEE802_11;
    case ARPHRD_IEEE80211_RADIOTAP:
      return LAYER.RADIOTAP;
  }
  if (protocol >= 0x0600) {
    cur.type = protocol;
    return LAYER.ETHERTYPE;
  }
  switch (protocol) {
    case 0x0004: // ETH_P_802_2: an LLC header follows.
      return LAYER.LLC;
    case 0x0001: // ETH_P_802_3: Novell raw 802.3.
      return finishNonIp(out, cur, 'ipx', cur.offset);
    case 0x000c: // ETH_P_CAN
    case 0x000d: // ETH_P_CANFD
      return finishNonIp(out, cur, 'can', cur.offset);
    default:
      return finishNonIp(out, cur, ethertypeLabel(protocol), cur.offset);
  }
}

export function decodeSll(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + HEADER_LENGTH > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  cur.offset = o + HEADER_LENGTH;
  // Link-layer address length (2) and address (8, zero-padded): a MAC when the length is 6.
  if (((data[o + 4] << 8) | data[o + 5]) === 6) out.srcMacOffset = o + 6;
  return continueAfterSll(cur, out, (data[o + 2] << 8) | data[o + 3], (data[o + 14] << 8) | data[o + 15]);
}
