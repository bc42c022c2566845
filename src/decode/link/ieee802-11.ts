/**
 * IEEE 802.11 frames (LINKTYPE_IEEE802_11, and after radiotap). Data frames are followed through
 * their LLC/SNAP header (IEEE 802.11-2020 §9.3.2.1); management, control and extension frames,
 * frames without a body (Null, QoS Null) and protected (encrypted) frames are non-IP.
 * A-MSDU aggregates (§9.3.2.2) are read through their first subframe only.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

const TYPE_MGMT = 0;
const TYPE_CTRL = 1;
const TYPE_DATA = 2;
/** Frame Control flags byte (second byte). */
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
/** Order / +HTC: a QoS data frame then carries a 4-byte HT Control field. */
const FLAG_ORDER = 0x80;
/** Data subtype bits: 0x8 QoS, 0x4 no frame body. */
const SUBTYPE_QOS = 0x08;
const SUBTYPE_NO_BODY = 0x04;
/** QoS Control first byte, bit 7: A-MSDU present. */
const QOS_AMSDU = 0x80;
/** An A-MSDU subframe header: DA (6), SA (6), length (2). */
const AMSDU_SUBFRAME_HEADER = 14;

export function decodeIeee80211(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  const o = cur.offset;
  if (o + 2 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  const fc = data[o];
  const flags = data[o + 1];
  const type = (fc >> 2) & 0x03;
  const subtype = fc >> 4;
  if ((fc & 0x03) !== 0) return finishNonIp(out, cur, 'ieee802_11_unknown', o);
  if (type === TYPE_MGMT) return finishNonIp(out, cur, 'ieee802_11_mgmt', o);
  if (type === TYPE_CTRL) return finishNonIp(out, cur, 'ieee802_11_ctrl', o);
  if (type !== TYPE_DATA) return finishNonIp(out, cur, 'ieee802_11_ext', o);
  if ((subtype & SUBTYPE_NO_BODY) !== 0) return finishNonIp(out, cur, 'ieee802_11_null', o);
  if ((flags & FLAG_PROTECTED) !== 0) return finishNonIp(out, cur, 'ieee802_11_protected', o);
  // FC (2), duration (2), address 1-3 (18), sequence control (2), then address 4 when the
  // frame goes between two distribution systems, then QoS Control and HT Control.
  let length = 24;
  if ((flags & (FLAG_TO_DS | FLAG_FROM_DS)) === (FLAG_TO_DS | FLAG_FROM_DS)) length += 6;
  const qos = (subtype & SUBTYPE_QOS) !== 0;
  let amsdu = false;
  if (qos) {
    if (o + length + 2 > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
    amsdu = (data[o + length] & QOS_AMSDU) !== 0;
    length += 2;
    if ((flags & FLAG_ORDER) !== 0) length += 4;
  }
  if (amsdu) length += AMSDU_SUBFRAME_HEADER;
  if (o + length > cur.end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
  cur.offset = o + length;
  return LAYER.LLC;
}
