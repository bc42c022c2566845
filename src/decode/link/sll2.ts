/**
 * Linux "cooked" capture v2 (LINKTYPE_LINUX_SLL2, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
 * a 20-byte pseudo-header that starts with the protocol.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishUndecodable, type Layer } from '../decoder.js';
import { continueAfterSll } from './sll.js';

/** Protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
 * address length (1), address (8). */
const HEADER_LENGTH = 20;

export function decodeSll2(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + HEADER_LENGTH > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  cur.offset = o + HEADER_LENGTH;
  // Link-layer address length (1) and address (8, zero-padded): a MAC when the length is 6.
  if (data[o + 11] === 6) out.srcMacOffset = o + 12;
  return continueAfterSll(cur, out, (data[o + 8] << 8) | data[o + 9], (data[o] << 8) | data[o + 1]);
}
