/**
 * Ethertype dispatch, shared by every layer that ends in a 16-bit type field (Ethernet, Linux
 * SLL/SLL2, LLC/SNAP, GRE, Geneve). It strips 802.1Q / 802.1ad / legacy QinQ tags, records the
 * outermost VLAN id, and names the non-IP ethertypes with stable labels.
 */

import type { DecodedPacket } from '../../model/packet.js';
import { ERR } from '../../shared/errors.js';
import { type DecodeCursor, finishNonIp, finishUndecodable, LAYER, type Layer } from '../decoder.js';

/** More stacked tags than this is treated as malformed (real networks use one or two). */
const MAX_VLAN_TAGS = 8;

/** Ethertypes with a name; anything else is reported as `ethertype_0xNNNN`. */
const NAMED: Record<number, string> = {
  2054: 'arp',
  32821: 'rarp',
  35020: 'lldp',
  34958: 'eapol',
  35015: 'eapol_preauth',
  33079: 'ipx',
  33080: 'ipx',
  36864: 'loop',
  34915: 'pppoe_discovery',
  34887: 'mpls',
  34888: 'mpls',
  35063: 'ptp',
  35045: 'macsec',
  35078: 'fcoe',
  35092: 'fip',
  2114: 'wol',
  34824: 'pause',
  35000: 'goose',
  35002: 'sv',
  34962: 'profinet',
  34980: 'ethercat',
  35130: 'ieee1905',
  35074: 'cfm',
  8947: 'trill',
  32923: 'appletalk',
  33011: 'aarp',
  24578: 'dec_mop',
  24579: 'decnet',
  35041: 'homeplug_av',
  34969: 'realtek',
  35033: 'lltd',
  35047: 'pbb',
  35093: 'roce',
};

/** Labels for unnamed ethertypes, built once per distinct value (never per packet). */
const unnamed = new Map<number, string>();

/** Stable label for a non-IP ethertype. */
export function ethertypeLabel(type: number): string {
  const named = NAMED[type];
  if (named !== undefined) return named;
  let label = unnamed.get(type);
  if (label === undefined) {
    label = `ethertype_0x${type.toString(16).padStart(4, '0')}`;
    unnamed.set(type, label);
  }
  return label;
}

/**
 * `cur.type` is the ethertype just read and `cur.offset` points after it. Values up to 1500 are
 * IEEE 802.3 lengths (IEEE 802.3 §3.2.6): an LLC header follows.
 */
export function decodeEthertype(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  let type = cur.type;
  let o = cur.offset;
  const end = cur.end;
  for (let tags = 0; ; tags++) {
    switch (type) {
      case 0x0800:
        cur.offset = o;
        return LAYER.IPV4;
      case 0x86dd:
        cur.offset = o;
        return LAYER.IPV6;
      // IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ values.
      case 0x8100:
      case 0x88a8:
      case 0x9100:
      case 0x9200: {
        if (o + 4 > end) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
        if (tags === MAX_VLAN_TAGS) return finishUndecodable(out, cur, ERR.LINK_TRUNCATED, o);
        if (!cur.vlanSeen && cur.tunnelDepth === 0) {
          cur.vlanSeen = true;
          out.vlanId = ((data[o] & 0x0f) << 8) | data[o + 1];
        }
        type = (data[o + 2] << 8) | data[o + 3];
        o += 4;
        continue;
      }
      case 0x8847:
      case 0x8848:
        cur.offset = o;
        return LAYER.MPLS;
      case 0x8864:
        cur.offset = o;
        return LAYER.PPPOE_SESSION;
      case 0x880b:
        cur.offset = o;
        return LAYER.PPP;
      case 0x6558:
        cur.offset = o;
        return LAYER.ETHERNET;
      case 0x8809:
        // IEEE 802.3 Annex 57A slow protocols: subtype 1 is LACP.
        return finishNonIp(out, cur, o < end && data[o] === 1 ? 'lacp' : 'slow', o);
      default:
        if (type <= 1500) {
          cur.offset = o;
          // An 802.3 length bounds the LLC payload; padding beyond it is not data.
          if (o + type < cur.end) cur.end = o + type;
          return LAYER.LLC;
        }
        return finishNonIp(out, cur, ethertypeLabel(type), o);
    }
  }
}
