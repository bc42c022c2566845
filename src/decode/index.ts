/**
 * The decode stage's entry point: `decodeFrame` turns one captured frame into the reused
 * `DecodedPacket` by walking the layer decoders (see decoder.ts) from the link type inwards.
 *
 * Tunnels (GRE, VXLAN, Geneve, Teredo, IP-in-IP) are followed to the innermost IP packet, at
 * most MAX_TUNNEL_DEPTH deep; the outermost one is recorded in `tunnel`/`outer*`. When what a
 * tunnel carries does not decode to IP (ARP in VXLAN, PPTP's LCP, garbage, a cut-off inner
 * header), the frame is decoded again stopping one tunnel short, so the outer IP packet stays
 * the flow and no bytes are lost; an inner packet that was undecodable is then reported with
 * FLOWLENS_ERR_TUNNEL_TRUNCATED at the inner problem's offset.
 */
import type { Frame } from '../model/frame.js';
import { LINKTYPE } from '../model/link-types.js';
import { type DecodedPacket, PACKET_KIND, TUNNEL } from '../model/packet.js';
import { ERR } from '../shared/errors.js';
import {
  clearTransport,
  createCursor,
  type DecodeCursor,
  finishUndecodable,
  LAYER,
  type Layer,
} from './decoder.js';
import { decodeIpv4 } from './ip/ipv4.js';
import { decodeIpv6 } from './ip/ipv6.js';
import { decodeEthernet } from './link/ethernet.js';
import { decodeEthertype } from './link/ethertype.js';
import { decodeIeee80211 } from './link/ieee802-11.js';
import { decodeLlc } from './link/llc.js';
import { decodeMpls } from './link/mpls.js';
import { decodeNflog } from './link/nflog.js';
import { decodeLoop, decodeNull } from './link/null-loopback.js';
import { decodePpp, decodePppoeSession } from './link/ppp.js';
import { decodeRadiotap } from './link/radiotap.js';
import { decodeRawIp } from './link/raw-ip.js';
import { decodeSll } from './link/sll.js';
import { decodeSll2 } from './link/sll2.js';
import { decodeIcmp } from './transport/icmp.js';
import { decodeSctp } from './transport/sctp.js';
import { decodeTcp } from './transport/tcp.js';
import { decodeUdp } from './transport/udp.js';
import { decodeGeneve } from './tunnel/geneve.js';
import { decodeGre } from './tunnel/gre.js';
import { decodeIpInIp } from './tunnel/ip-in-ip.js';
import { decodeTeredo } from './tunnel/teredo.js';
import { decodeVxlan } from './tunnel/vxlan.js';

export type { DecodeCursor, Layer, LayerDecoder } from './decoder.js';
export { LAYER } from './decoder.js';

/** Tunnels followed inside one another before the remaining one is left as the flow. */
export const MAX_TUNNEL_DEPTH = 4;
/**
 * Layer steps per frame. Every layer but a tunnel moves strictly inwards, so this bounds only
 * pathological nesting (e.g. MPLS pseudowires inside one another).
 */
const MAX_STEPS = 64;

const cursor: DecodeCursor = createCursor();

/** The layer a link type starts with, or DONE when the link type is not supported. */
function firstLayer(linkType: number): Layer {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return LAYER.ETHERNET;
    case LINKTYPE.NULL:
      return LAYER.NULL;
    case LINKTYPE.LOOP:
      return LAYER.LOOP;
    case LINKTYPE.PPP:
      return LAYER.PPP;
    case LINKTYPE.PPP_ETHER:
      return LAYER.PPP_ETHER;
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OLD:
    case LINKTYPE.RAW_OLD_14:
      return LAYER.RAW_IP;
    case LINKTYPE.IPV4:
      return LAYER.IPV4;
    case LINKTYPE.IPV6:
      return LAYER.IPV6;
    case LINKTYPE.LINUX_SLL:
      return LAYER.LINUX_SLL;
    case LINKTYPE.LINUX_SLL2:
      return LAYER.LINUX_SLL2;
    case LINKTYPE.NFLOG:
      return LAYER.NFLOG;
    case LINKTYPE.IEEE802_11:
      return LAYER.IEEE802_11;
    case LINKTYPE.IEEE802_11_RADIOTAP:
      return LAYER.RADIOTAP;
    default:
      return LAYER.DONE;
  }
}

export function isSupportedLinkType(linkType: number): boolean {
  return firstLayer(linkType) !== LAYER.DONE;
}

/**
 * Fills `out` for `frame`. Contract: every field of `out` is rewritten (nothing from the previous
 * frame survives); nothing is allocated; no input makes it throw; every offset it sets lies
 * inside `frame.data`. `out` is valid until the next call (offsets point into the frame's bytes).
 */
export function decodeFrame(frame: Frame, out: DecodedPacket): void {
  walk(frame, out, MAX_TUNNEL_DEPTH);
  if (out.kind !== PACKET_KIND.IP && cursor.tunnelDepth > 0) {
    const innerKind = out.kind;
    const innerErrorOffset = out.errorOffset;
    walk(frame, out, cursor.tunnelDepth - 1);
    if (innerKind === PACKET_KIND.UNDECODABLE && out.errorCode === '') {
      out.errorCode = ERR.TUNNEL_TRUNCATED;
      out.errorOffset = innerErrorOffset;
    }
  }
}

function walk(frame: Frame, out: DecodedPacket, tunnelLimit: number): void {
  const data = frame.data;
  reset(out, data);
  const cur = cursor;
  const start = frame.offset >= 0 && frame.offset <= data.length ? frame.offset : data.length;
  const end = start + frame.capturedLength;
  cur.offset = start;
  cur.end = end >= start && end <= data.length ? end : data.length;
  cur.frameStart = start;
  cur.type = 0;
  cur.wireEnd = cur.end;
  cur.tunnelDepth = 0;
  cur.tunnelLimit = tunnelLimit;
  cur.vlanSeen = false;
  let layer = firstLayer(frame.linkType);
  if (layer === LAYER.DONE) {
    finishUndecodable(out, cur, ERR.UNSUPPORTED_LINKTYPE, start);
    return;
  }
  // Fast path for the common stack (Ethernet → IPv4/IPv6 → TCP/UDP): direct calls the compiler
  // can inline; the general loop below takes over wherever the stack differs.
  if (layer === LAYER.ETHERNET) {
    layer = decodeEthernet(data, cur, out);
    if (layer === LAYER.ETHERTYPE) layer = decodeEthertype(data, cur, out);
    if (layer === LAYER.IPV4) layer = decodeIpv4(data, cur, out);
    else if (layer === LAYER.IPV6) layer = decodeIpv6(data, cur, out);
    if (layer === LAYER.TCP) layer = decodeTcp(data, cur, out);
    else if (layer === LAYER.UDP) layer = decodeUdp(data, cur, out);
  }
  for (let steps = 0; layer !== LAYER.DONE; steps++) {
    if (steps === MAX_STEPS) {
      finishUndecodable(out, cur, ERR.TUNNEL_TRUNCATED, cur.offset);
      return;
    }
    layer = step(layer, data, cur, out);
  }
}

function step(layer: Layer, data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  switch (layer) {
    case LAYER.ETHERNET:
      return decodeEthernet(data, cur, out);
    case LAYER.ETHERTYPE:
      return decodeEthertype(data, cur, out);
    case LAYER.IPV4:
      return decodeIpv4(data, cur, out);
    case LAYER.IPV6:
      return decodeIpv6(data, cur, out);
    case LAYER.TCP:
      return decodeTcp(data, cur, out);
    case LAYER.UDP:
      return decodeUdp(data, cur, out);
    case LAYER.ICMP:
      return decodeIcmp(data, cur, out);
    case LAYER.SCTP:
      return decodeSctp(data, cur, out);
    case LAYER.LLC:
      return decodeLlc(data, cur, out);
    case LAYER.MPLS:
      return decodeMpls(data, cur, out);
    case LAYER.PPPOE_SESSION:
      return decodePppoeSession(data, cur, out);
    case LAYER.PPP_ETHER:
      return decodePppoeSession(data, cur, out);
    case LAYER.PPP:
      return decodePpp(data, cur, out);
    case LAYER.NULL:
      return decodeNull(data, cur, out);
    case LAYER.LOOP:
      return decodeLoop(data, cur, out);
    case LAYER.LINUX_SLL:
      return decodeSll(data, cur, out);
    case LAYER.LINUX_SLL2:
      return decodeSll2(data, cur, out);
    case LAYER.NFLOG:
      return decodeNflog(data, cur, out);
    case LAYER.IEEE802_11:
      return decodeIeee80211(data, cur, out);
    case LAYER.RADIOTAP:
      return decodeRadiotap(data, cur, out);
    case LAYER.RAW_IP:
      return decodeRawIp(data, cur, out);
    case LAYER.GRE:
      return decodeGre(data, cur, out);
    case LAYER.IP_IN_IP:
      return decodeIpInIp(data, cur, out);
    case LAYER.VXLAN:
      return decodeVxlan(data, cur, out);
    case LAYER.GENEVE:
      return decodeGeneve(data, cur, out);
    case LAYER.TEREDO:
      return decodeTeredo(data, cur, out);
    default:
      return LAYER.DONE;
  }
}

function reset(out: DecodedPacket, data: Uint8Array): void {
  out.kind = PACKET_KIND.UNDECODABLE;
  out.nonIpProtocol = '';
  out.data = data;
  out.ipVersion = 0;
  out.srcAddrOffset = 0;
  out.dstAddrOffset = 0;
  out.protocol = 0;
  out.ipBytes = 0;
  clearTransport(out);
  out.vlanId = 0;
  out.srcMacOffset = -1;
  out.dstMacOffset = -1;
  out.ttl = 0;
  out.isFragment = false;
  out.fragmentId = 0;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  out.tunnel = TUNNEL.NONE;
  out.tunnelId = 0;
  out.outerIpVersion = 0;
  out.outerSrcAddrOffset = 0;
  out.outerDstAddrOffset = 0;
  out.errorCode = '';
  out.errorOffset = 0;
}
