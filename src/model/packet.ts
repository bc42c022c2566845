/**
 * The decoded view of one frame: what the flow table and analyzers need, read in place.
 *
 * Contract: the decoder fills one reused `DecodedPacket` per frame and never allocates per packet.
 * Offsets point into `data` (the frame's bytes, valid only while the frame callback runs).
 * Addresses and ports describe the innermost IP packet; a tunnel's outer layer is kept in the
 * `outer*` fields.
 */

/** What the decoder reached for a frame. */
export const PACKET_KIND = {
  /** An IP packet (possibly inside a tunnel); addresses, protocol and, when present, ports are set. */
  IP: 1,
  /** A frame that is not IP (ARP, 802.11 management, LLDP, …); `nonIpProtocol` names it. */
  NON_IP: 2,
  /** Decoding stopped on malformed or truncated bytes before an IP header; `errorCode` says why. */
  UNDECODABLE: 3,
} as const;
export type PacketKind = (typeof PACKET_KIND)[keyof typeof PACKET_KIND];

/** Outermost encapsulation that the decoder removed to reach the inner IP packet. */
export const TUNNEL = {
  NONE: 0,
  GRE: 1,
  VXLAN: 2,
  GENEVE: 3,
  TEREDO: 4,
  IP_IN_IP: 5,
} as const;
export type TunnelKind = (typeof TUNNEL)[keyof typeof TUNNEL];

export const TUNNEL_NAMES: readonly string[] = ['', 'gre', 'vxlan', 'geneve', 'teredo', 'ipip'];

/** IANA protocol numbers used across the project. */
export const IP_PROTO = {
  ICMP: 1,
  IGMP: 2,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  SCTP: 132,
} as const;

/** TCP flag bits as in the TCP header's flags byte (RFC 9293 §3.1, plus ECE/CWR). */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export interface DecodedPacket {
  kind: PacketKind;
  /** For NON_IP frames: a short stable label ('arp', 'ieee802_11_mgmt', 'lldp', 'ethertype_0x88cc', …). */
  nonIpProtocol: string;
  /** Frame bytes; the same array as `Frame.data`. */
  data: Uint8Array;

  /** 4 or 6 for IP packets, 0 otherwise. */
  ipVersion: number;
  /** Offsets in `data` of the innermost source and destination addresses (4 or 16 bytes). */
  srcAddrOffset: number;
  dstAddrOffset: number;
  /** IANA protocol of the innermost IP packet, after IPv6 extension headers. */
  protocol: number;
  /**
   * TCP/UDP/SCTP ports. For ICMP and ICMPv6: `srcPort` = type, `dstPort` = code.
   * Zero when `hasPorts` is false.
   */
  srcPort: number;
  dstPort: number;
  /** False for non-first fragments and for transport headers cut short by the snap length. */
  hasPorts: boolean;
  /** IP-layer bytes of the innermost packet: IPv4 total length, or IPv6 payload length + 40. */
  ipBytes: number;

  tcpFlags: number;
  tcpSeq: number;
  tcpAck: number;
  tcpWindow: number;
  /** TCP data offset in bytes (20–60); 0 when the fixed 20-byte header was not captured. */
  tcpHeaderLength: number;
  /**
   * TCP payload length by the IP length (Wireshark's `tcp.len`): IP bytes after the TCP header,
   * which may exceed `payloadLength` when the snap length cut the frame. 0 without a TCP header.
   */
  tcpSegmentLength: number;
  /**
   * Window scale shift (RFC 7323 §2.2; capped at 14 as §2.3 says); -1 when absent. The options
   * below are read on SYN and SYN-ACK segments only, the only ones allowed to carry them.
   */
  tcpWindowScale: number;
  /** Maximum segment size option (RFC 9293 §3.7.1); 0 when absent or not a SYN. */
  tcpMss: number;
  /** SACK-permitted option (RFC 2018 §2) present on a SYN. */
  tcpSackPermitted: boolean;
  /** Transport payload inside `data` (the captured part only). */
  payloadOffset: number;
  payloadLength: number;

  /** Outermost 802.1Q/802.1ad VLAN id, 0 when untagged. */
  vlanId: number;
  /**
   * Offsets in `data` of the outermost link-layer source and destination MAC addresses (6 bytes:
   * Ethernet; SLL/SLL2 give the source only, when it is a MAC); -1 when the frame has none.
   */
  srcMacOffset: number;
  dstMacOffset: number;
  /** IPv4 TTL or IPv6 hop limit of the innermost IP header; 0 otherwise. */
  ttl: number;

  /** IP fragment fields of the innermost IP header. */
  isFragment: boolean;
  fragmentId: number;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  moreFragments: boolean;

  tunnel: TunnelKind;
  /** VXLAN VNI, Geneve VNI or GRE key; 0 when absent. */
  tunnelId: number;
  /** Outer IP header of a tunnel (0 when `tunnel` is NONE). */
  outerIpVersion: number;
  outerSrcAddrOffset: number;
  outerDstAddrOffset: number;

  /** '' when the frame decoded cleanly; otherwise a FLOWLENS_ERR_* code (see shared/errors.ts). */
  errorCode: string;
  /** Byte offset within the frame where the problem was found. */
  errorOffset: number;
}

export function createDecodedPacket(): DecodedPacket {
  return {
    kind: PACKET_KIND.UNDECODABLE,
    nonIpProtocol: '',
    data: new Uint8Array(0),
    ipVersion: 0,
    srcAddrOffset: 0,
    dstAddrOffset: 0,
    protocol: 0,
    srcPort: 0,
    dstPort: 0,
    hasPorts: false,
    ipBytes: 0,
    tcpFlags: 0,
    tcpSeq: 0,
    tcpAck: 0,
    tcpWindow: 0,
    tcpHeaderLength: 0,
    tcpSegmentLength: 0,
    tcpWindowScale: -1,
    tcpMss: 0,
    tcpSackPermitted: false,
    payloadOffset: 0,
    payloadLength: 0,
    vlanId: 0,
    srcMacOffset: -1,
    dstMacOffset: -1,
    ttl: 0,
    isFragment: false,
    fragmentId: 0,
    fragmentOffset: 0,
    moreFragments: false,
    tunnel: TUNNEL.NONE,
    tunnelId: 0,
    outerIpVersion: 0,
    outerSrcAddrOffset: 0,
    outerDstAddrOffset: 0,
    errorCode: '',
    errorOffset: 0,
  };
}
