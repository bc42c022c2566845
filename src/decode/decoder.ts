/**
 * The decode stage's extension interface: one `LayerDecoder` per protocol layer, chained by the
 * driver in `index.ts`. A layer decoder reads its header at `cur.offset`, fills what it owns in
 * the `DecodedPacket`, moves the cursor to the next layer's bytes and returns that layer's id
 * (GoFlow2/gopacket's "next layer type" shape). Decoders never call each other and import only
 * this file, so a new protocol is one new file plus one `case` in the driver.
 */
import { type DecodedPacket, PACKET_KIND, type TunnelKind } from '../model/packet.js';

/** Layer ids a decoder returns. `DONE` ends the walk: `out` then holds the final result. */
export const LAYER = {
  DONE: 0,
  ETHERNET: 1,
  /** `cur.type` holds an ethertype and `cur.offset` points just after the type field. */
  ETHERTYPE: 2,
  /** An IEEE 802.2 LLC header (possibly SNAP). */
  LLC: 3,
  MPLS: 4,
  PPPOE_SESSION: 5,
  /** A PPP frame: optional 0xff03 address/control, then the protocol field. */
  PPP: 6,
  IPV4: 7,
  IPV6: 8,
  NULL: 9,
  LOOP: 10,
  LINUX_SLL: 11,
  LINUX_SLL2: 12,
  NFLOG: 13,
  IEEE802_11: 14,
  RADIOTAP: 15,
  /** Raw IP, version taken from the first nibble. */
  RAW_IP: 16,
  TCP: 17,
  UDP: 18,
  /** ICMP or ICMPv6 (`out.protocol` says which). */
  ICMP: 19,
  SCTP: 20,
  GRE: 21,
  /** IPv4 or IPv6 carried as IP protocol 4 or 41; `cur.type` holds the protocol number. */
  IP_IN_IP: 22,
  VXLAN: 23,
  GENEVE: 24,
  TEREDO: 25,
  /** PPPoE session header without Ethernet (LINKTYPE_PPP_ETHER). */
  PPP_ETHER: 26,
} as const;
export type Layer = (typeof LAYER)[keyof typeof LAYER];

/**
 * Decoding state carried from one layer to the next. One cursor is reused for every frame.
 * Invariant kept by every decoder: `frameStart <= offset` and `end <= frameEnd`; a decoder
 * checks `offset + n <= end` before reading `n` bytes, so no read leaves the frame.
 */
export interface DecodeCursor {
  /** Start of the next layer's bytes (absolute offset into `data`). */
  offset: number;
  /** End (exclusive) of the bytes the next layer may read; shrinks as lengths are learnt. */
  end: number;
  /** Type field read by the previous layer when the next one needs it (see LAYER). */
  type: number;
  /**
   * Where the current datagram ends on the wire by its own length field (set by UDP for the
   * tunnel decoders); may lie beyond `end` when the snap length cut the frame.
   */
  wireEnd: number;
  /** Start of the frame in `data`: `errorOffset` is reported relative to it. */
  frameStart: number;
  /** Tunnels entered so far, and how many may be entered (the driver lowers it to fall back). */
  tunnelDepth: number;
  tunnelLimit: number;
  /** True once the outermost VLAN tag has been recorded. */
  vlanSeen: boolean;
}

/**
 * Contract: reads only `data[cur.offset .. cur.end)`, never throws, never allocates. It either
 * finishes the packet (sets `out.kind` when it decides it, returns `LAYER.DONE`) or moves `cur`
 * to the next layer and returns its id.
 */
export type LayerDecoder = (data: Uint8Array, cur: DecodeCursor, out: DecodedPacket) => Layer;

export function createCursor(): DecodeCursor {
  return {
    offset: 0,
    end: 0,
    type: 0,
    wireEnd: 0,
    frameStart: 0,
    tunnelDepth: 0,
    tunnelLimit: 0,
    vlanSeen: false,
  };
}

/**
 * Ends the walk on a frame that is not IP. `label` must be a literal or a cached string. The
 * payload fields then cover the named protocol's bytes from `at` (e.g. the ARP header), so
 * analyzers of non-IP protocols can read them in place.
 */
export function finishNonIp(out: DecodedPacket, cur: DecodeCursor, label: string, at: number): Layer {
  out.kind = PACKET_KIND.NON_IP;
  out.nonIpProtocol = label;
  const start = Math.min(at, cur.end);
  out.payloadOffset = start;
  out.payloadLength = cur.end - start;
  return LAYER.DONE;
}

/** Ends the walk before an IP header could be read. `at` is an absolute offset in `data`. */
export function finishUndecodable(out: DecodedPacket, cur: DecodeCursor, code: string, at: number): Layer {
  out.kind = PACKET_KIND.UNDECODABLE;
  out.errorCode = code;
  out.errorOffset = at - cur.frameStart;
  return LAYER.DONE;
}

/** Records a problem on a packet that stays IP (truncated transport, cut IPv6 extension chain). */
export function markError(out: DecodedPacket, cur: DecodeCursor, code: string, at: number): void {
  out.errorCode = code;
  out.errorOffset = at - cur.frameStart;
}

export function canEnterTunnel(cur: DecodeCursor): boolean {
  return cur.tunnelDepth < cur.tunnelLimit;
}

/**
 * Called by a tunnel decoder once it has accepted its header (after `canEnterTunnel`), while
 * `out` still describes the outer IP packet. The outermost tunnel is the one recorded; the
 * transport fields of the outer packet are cleared so the inner packet starts clean.
 */
export function enterTunnel(cur: DecodeCursor, out: DecodedPacket, kind: TunnelKind, id: number): void {
  if (cur.tunnelDepth === 0) {
    out.tunnel = kind;
    out.tunnelId = id;
    out.outerIpVersion = out.ipVersion;
    out.outerSrcAddrOffset = out.srcAddrOffset;
    out.outerDstAddrOffset = out.dstAddrOffset;
  }
  cur.tunnelDepth++;
  clearTransport(out);
}

/** Clears the transport fields (ports, TCP header, payload) of `out`. */
export function clearTransport(out: DecodedPacket): void {
  out.srcPort = 0;
  out.dstPort = 0;
  out.hasPorts = false;
  out.tcpFlags = 0;
  out.tcpSeq = 0;
  out.tcpAck = 0;
  out.tcpWindow = 0;
  out.tcpHeaderLength = 0;
  out.tcpSegmentLength = 0;
  out.tcpWindowScale = -1;
  out.tcpMss = 0;
  out.tcpSackPermitted = false;
  out.payloadOffset = 0;
  out.payloadLength = 0;
}

/** Big-endian 32-bit read as an unsigned number; the caller has checked `o + 4 <= end`. */
export function u32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}
