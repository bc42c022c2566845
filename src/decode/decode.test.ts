/**
 * Cases the corpus does not hold, on packets built byte by byte: MPLS pseudowires, IPv6 jumbo
 * and fragments, loopback byte orders, IP-in-IP, GRE keys, tunnel fall-back and depth, Teredo
 * indicators, truncated transports, 802.11 variants, frames at a non-zero offset.
 */
import { describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../model/frame.js';
import { LINKTYPE } from '../model/link-types.js';
import { createDecodedPacket, type DecodedPacket, PACKET_KIND, TCP_FLAG, TUNNEL } from '../model/packet.js';
import { ERR } from '../shared/errors.js';
import { decodeFrame, isSupportedLinkType } from './index.js';
import { checkInvariants } from './testing/invariants.js';
import { formatAddress } from './testing/oracle.js';

type Bytes = number[];

const be16 = (v: number): Bytes => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): Bytes => [...be16(v >>> 16), ...be16(v & 0xffff)];
const MAC_A = [0, 1, 2, 3, 4, 5];
const MAC_B = [0, 6, 7, 8, 9, 10];

function eth(type: number, payload: Bytes): Bytes {
  return [...MAC_A, ...MAC_B, ...be16(type), ...payload];
}

function ipv4(
  protocol: number,
  payload: Bytes,
  options: { src?: Bytes; totalLength?: number; frag?: number } = {},
): Bytes {
  const total = options.totalLength ?? 20 + payload.length;
  const src = options.src ?? [10, 0, 0, 1];
  return [
    0x45,
    0,
    ...be16(total),
    0x12,
    0x34,
    ...be16(options.frag ?? 0),
    64,
    protocol,
    0,
    0,
    ...src,
    10,
    0,
    0,
    2,
    ...payload,
  ];
}

function ipv6(next: number, payload: Bytes, payloadLength = payload.length): Bytes {
  const src = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];
  const dst = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
  return [0x60, 0, 0, 0, ...be16(payloadLength), next, 64, ...src, ...dst, ...payload];
}

function udp(src: number, dst: number, payload: Bytes): Bytes {
  return [...be16(src), ...be16(dst), ...be16(8 + payload.length), 0, 0, ...payload];
}

function tcp(src: number, dst: number, flags: number, payload: Bytes = []): Bytes {
  return [
    ...be16(src),
    ...be16(dst),
    ...be32(1000),
    ...be32(2000),
    0x50,
    flags,
    ...be16(512),
    0,
    0,
    0,
    0,
    ...payload,
  ];
}

const out = createDecodedPacket();

/** Decodes `bytes` placed at a non-zero offset inside a larger buffer, checking invariants. */
function decode(linkType: number, bytes: Bytes, captured = bytes.length): DecodedPacket {
  const frame: Frame = createFrame();
  frame.data = new Uint8Array([0xee, 0xee, 0xee, ...bytes, 0xee]);
  frame.offset = 3;
  frame.capturedLength = captured;
  frame.originalLength = bytes.length;
  frame.linkType = linkType;
  frame.index = 1;
  decodeFrame(frame, out);
  checkInvariants(frame, out);
  return out;
}

const src = (p: DecodedPacket) => formatAddress(p.data, p.srcAddrOffset, p.ipVersion);
const outerSrc = (p: DecodedPacket) => formatAddress(p.data, p.outerSrcAddrOffset, p.outerIpVersion);

describe('link layers', () => {
  it('supports the documented link types only', () => {
    for (const lt of [0, 1, 9, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 239, 276]) {
      expect(isSupportedLinkType(lt)).toBe(true);
    }
    expect(isSupportedLinkType(147)).toBe(false);
    const p = decode(147, [1, 2, 3]);
    expect([p.kind, p.errorCode]).toEqual([PACKET_KIND.UNDECODABLE, ERR.UNSUPPORTED_LINKTYPE]);
  });

  it('reads QinQ with the outermost VLAN id, and 802.3 LLC frames', () => {
    const inner = ipv4(17, udp(1000, 53, [1, 2, 3]));
    const p = decode(
      LINKTYPE.ETHERNET,
      eth(0x88a8, [0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00, ...inner]),
    );
    expect([p.kind, p.vlanId, p.dstPort]).toEqual([PACKET_KIND.IP, 100, 53]);
    const stp = decode(LINKTYPE.ETHERNET, eth(38, [0x42, 0x42, 0x03, ...Array(35).fill(0)]));
    expect([stp.kind, stp.nonIpProtocol]).toEqual([PACKET_KIND.NON_IP, 'stp']);
    const snap = decode(
      LINKTYPE.ETHERNET,
      eth(8 + inner.length, [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, ...inner]),
    );
    expect([snap.kind, snap.dstPort]).toEqual([PACKET_KIND.IP, 53]);
    expect(decode(LINKTYPE.ETHERNET, eth(0x88cc, [0, 0])).nonIpProtocol).toBe('lldp');
    // A non-IP frame's payload is the named protocol's bytes: here the ARP header.
    const arp = decode(LINKTYPE.ETHERNET, eth(0x8100, [0, 5, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4]));
    expect([arp.nonIpProtocol, arp.vlanId, arp.payloadLength]).toEqual(['arp', 5, 6]);
    expect([...arp.data.subarray(arp.payloadOffset, arp.payloadOffset + 2)]).toEqual([0x00, 0x01]);
    expect(decode(LINKTYPE.ETHERNET, eth(0x8809, [1, 1])).nonIpProtocol).toBe('lacp');
    expect(decode(LINKTYPE.ETHERNET, eth(0x1234, [0, 0])).nonIpProtocol).toBe('ethertype_0x1234');
  });

  it('follows MPLS label stacks to IPv4, IPv6 and a pseudowire Ethernet frame', () => {
    const labels = [0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40];
    const v4 = decode(LINKTYPE.ETHERNET, eth(0x8847, [...labels, ...ipv4(6, tcp(1, 80, TCP_FLAG.SYN))]));
    expect([v4.kind, v4.dstPort, v4.tcpFlags]).toEqual([PACKET_KIND.IP, 80, TCP_FLAG.SYN]);
    const v6 = decode(LINKTYPE.ETHERNET, eth(0x8847, [...labels, ...ipv6(17, udp(5, 6, []))]));
    expect([v6.ipVersion, v6.dstPort]).toEqual([6, 6]);
    const pw = decode(
      LINKTYPE.ETHERNET,
      eth(0x8847, [...labels, 0, 0, 0, 0, ...eth(0x0800, ipv4(17, udp(7, 8, [])))]),
    );
    expect([pw.kind, pw.dstPort]).toEqual([PACKET_KIND.IP, 8]);
  });

  it('reads PPPoE sessions, PPP with HDLC framing and PPP_ETHER', () => {
    const ppp = ipv4(17, udp(1, 2, []));
    const session = [0x11, 0x00, 0x00, 0x01, ...be16(2 + ppp.length), 0x00, 0x21, ...ppp];
    expect(decode(LINKTYPE.ETHERNET, eth(0x8864, session)).kind).toBe(PACKET_KIND.IP);
    expect(decode(LINKTYPE.PPP_ETHER, session).kind).toBe(PACKET_KIND.IP);
    expect(decode(LINKTYPE.PPP, [0xff, 0x03, 0x00, 0x21, ...ppp]).dstPort).toBe(2);
    expect(decode(LINKTYPE.PPP, [0x00, 0x57, ...ipv6(59, [])]).ipVersion).toBe(6);
    expect(decode(LINKTYPE.PPP, [0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]).nonIpProtocol).toBe('ppp_lcp');
  });

  it('reads NULL in both byte orders, LOOP, and every BSD IPv6 family', () => {
    const v4 = ipv4(17, udp(1, 2, []));
    const v6 = ipv6(17, udp(1, 2, []));
    expect(decode(LINKTYPE.NULL, [2, 0, 0, 0, ...v4]).ipVersion).toBe(4);
    expect(decode(LINKTYPE.NULL, [0, 0, 0, 2, ...v4]).ipVersion).toBe(4);
    for (const family of [24, 28, 30]) {
      expect(decode(LINKTYPE.NULL, [family, 0, 0, 0, ...v6]).ipVersion).toBe(6);
      expect(decode(LINKTYPE.LOOP, [0, 0, 0, family, ...v6]).ipVersion).toBe(6);
    }
    expect(decode(LINKTYPE.NULL, [7, 0, 0, 0, ...v4]).kind).toBe(PACKET_KIND.NON_IP);
  });

  it('reads raw IP link types and rejects a version mismatch', () => {
    expect(decode(LINKTYPE.RAW, ipv6(59, [])).ipVersion).toBe(6);
    expect(decode(LINKTYPE.RAW_OLD, ipv4(17, udp(1, 2, []))).ipVersion).toBe(4);
    expect(decode(LINKTYPE.IPV6, ipv6(59, [])).ipVersion).toBe(6);
    expect(decode(LINKTYPE.IPV4, ipv6(59, [])).errorCode).toBe(ERR.IP_BAD_HEADER);
    expect(decode(LINKTYPE.RAW, []).errorCode).toBe(ERR.IP_TRUNCATED);
  });

  it('reads SLL protocol 0x0004 as LLC and NFLOG payload TLVs', () => {
    const sll = [0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, 0x00, 0x04];
    expect(decode(LINKTYPE.LINUX_SLL, [...sll, 0x42, 0x42, 0x03]).nonIpProtocol).toBe('stp');
    const packet = ipv4(6, tcp(1, 2, TCP_FLAG.ACK));
    const prefix = [5, 0, 1, 0, 0, 0, 0, 0]; // NFULA_PACKET_HDR-like TLV of 5 bytes, padded to 8.
    const payloadTlv = [(4 + packet.length) & 0xff, (4 + packet.length) >> 8, 9, 0, ...packet];
    const p = decode(LINKTYPE.NFLOG, [2, 0, 0, 0, ...prefix, ...payloadTlv]);
    expect([p.kind, p.dstPort]).toEqual([PACKET_KIND.IP, 2]);
    expect(decode(LINKTYPE.NFLOG, [2, 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 0]).nonIpProtocol).toBe('nflog');
  });

  it('reads 802.11 QoS 4-address data and names other frames', () => {
    const llc = [0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, ...ipv6(17, udp(1, 2, []))];
    // Type data (2), subtype QoS data (8): 0x88; to-DS and from-DS: 0x03.
    const header = [0x88, 0x03, 0, 0, ...MAC_A, ...MAC_B, ...MAC_A, 0, 0, ...MAC_B, 0x00, 0x00];
    expect(decode(LINKTYPE.IEEE802_11, [...header, ...llc]).ipVersion).toBe(6);
    expect(decode(LINKTYPE.IEEE802_11, [0x88, 0x43, ...header.slice(2), ...llc]).nonIpProtocol).toBe(
      'ieee802_11_protected',
    );
    expect(decode(LINKTYPE.IEEE802_11, [0x80, 0x00, ...Array(22).fill(0)]).nonIpProtocol).toBe(
      'ieee802_11_mgmt',
    );
    expect(decode(LINKTYPE.IEEE802_11, [0xd4, 0x00, 0, 0, ...MAC_A]).nonIpProtocol).toBe('ieee802_11_ctrl');
    expect(decode(LINKTYPE.IEEE802_11, [0xc8, 0x01, ...Array(24).fill(0)]).nonIpProtocol).toBe(
      'ieee802_11_null',
    );
  });
});

describe('IP', () => {
  it('reports the wire length of a packet cut by the snap length', () => {
    const bytes = ipv4(6, tcp(1, 2, TCP_FLAG.ACK, Array(100).fill(0)));
    const p = decode(LINKTYPE.RAW, bytes, 30);
    expect([p.kind, p.ipBytes, p.srcPort, p.hasPorts, p.errorCode]).toEqual([
      PACKET_KIND.IP,
      140,
      1,
      true,
      ERR.TRANSPORT_TRUNCATED,
    ]);
    const cut = decode(LINKTYPE.RAW, bytes, 22);
    expect([cut.hasPorts, cut.srcPort, cut.errorCode]).toEqual([false, 0, ERR.TRANSPORT_TRUNCATED]);
  });

  it('rejects IHL < 5 and reads fragments', () => {
    const bad = ipv4(17, udp(1, 2, []));
    bad[0] = 0x44;
    expect(decode(LINKTYPE.RAW, bad).errorCode).toBe(ERR.IP_BAD_HEADER);
    const later = decode(LINKTYPE.RAW, ipv4(17, [1, 2, 3, 4, 5, 6, 7, 8], { frag: 0x2000 | 185 }));
    expect([
      later.isFragment,
      later.moreFragments,
      later.fragmentOffset,
      later.fragmentId,
      later.hasPorts,
    ]).toEqual([true, true, 1480, 0x1234, false]);
  });

  it('walks IPv6 extension headers to a fragment and uses the jumbo length', () => {
    const hbh = [44, 0, 1, 4, 0, 0, 0, 0];
    const frag = [17, 0, ...be16((100 << 3) | 1), ...be32(0xdeadbeef)];
    const p = decode(LINKTYPE.RAW, ipv6(0, [...hbh, ...frag, 1, 2, 3, 4]));
    expect([p.protocol, p.isFragment, p.fragmentOffset, p.moreFragments, p.fragmentId, p.hasPorts]).toEqual([
      17,
      true,
      800,
      true,
      0xdeadbeef,
      false,
    ]);
    const jumbo = [17, 0, 0xc2, 4, ...be32(70000)];
    const j = decode(LINKTYPE.RAW, ipv6(0, [...jumbo, ...udp(1, 2, [])], 0));
    expect([j.ipBytes, j.protocol, j.dstPort]).toEqual([70040, 17, 2]);
  });

  it('reads ICMP type/code as ports and SCTP ports', () => {
    const icmp = decode(LINKTYPE.RAW, ipv4(1, [11, 0, 0, 0, 0, 0, 0, 0]));
    expect([icmp.srcPort, icmp.dstPort, icmp.hasPorts]).toEqual([11, 0, true]);
    const sctp = decode(LINKTYPE.RAW, ipv4(132, [...be16(5000), ...be16(38412), 0, 0, 0, 0, 0, 0, 0, 0]));
    expect([sctp.srcPort, sctp.dstPort]).toEqual([5000, 38412]);
  });
});

describe('tunnels', () => {
  it('records IP-in-IP (4 and 41) with the outer addresses', () => {
    const p = decode(LINKTYPE.RAW, ipv4(4, ipv4(17, udp(1, 2, []), { src: [192, 168, 0, 9] })));
    expect([p.tunnel, src(p), outerSrc(p), p.dstPort]).toEqual([
      TUNNEL.IP_IN_IP,
      '192.168.0.9',
      '10.0.0.1',
      2,
    ]);
    const six = decode(LINKTYPE.RAW, ipv4(41, ipv6(58, [128, 0, 0, 0])));
    expect([six.tunnel, six.ipVersion, six.outerIpVersion, six.srcPort]).toEqual([
      TUNNEL.IP_IN_IP,
      6,
      4,
      128,
    ]);
  });

  it('reads GRE keys and PPTP, and keeps the outer packet when the inner one is not IP', () => {
    const inner = ipv4(17, udp(1, 2, []), { src: [172, 16, 0, 1] });
    const keyed = decode(LINKTYPE.RAW, ipv4(47, [0x20, 0x00, 0x08, 0x00, ...be32(42), ...inner]));
    expect([keyed.tunnel, keyed.tunnelId, src(keyed)]).toEqual([TUNNEL.GRE, 42, '172.16.0.1']);
    const pptp = [0x30, 0x81, 0x88, 0x0b, ...be16(4 + inner.length), ...be16(7), ...be32(1), ...be32(0)];
    const ip = decode(LINKTYPE.RAW, ipv4(47, [...pptp, 0xff, 0x03, 0x00, 0x21, ...inner]));
    expect([ip.tunnel, ip.tunnelId, src(ip)]).toEqual([TUNNEL.GRE, 7, '172.16.0.1']);
    const lcp = decode(LINKTYPE.RAW, ipv4(47, [...pptp, 0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]));
    expect([lcp.kind, lcp.tunnel, lcp.protocol, lcp.errorCode]).toEqual([
      PACKET_KIND.IP,
      TUNNEL.NONE,
      47,
      '',
    ]);
    const garbage = decode(LINKTYPE.RAW, ipv4(47, [0, 0, 0x08, 0x00, 0x45, 0, 0]));
    expect([garbage.kind, garbage.protocol, garbage.tunnel, garbage.errorCode]).toEqual([
      PACKET_KIND.IP,
      47,
      TUNNEL.NONE,
      ERR.TUNNEL_TRUNCATED,
    ]);
  });

  it('reads VXLAN and Geneve VNIs; ARP inside VXLAN leaves the outer UDP flow', () => {
    const frame = eth(0x0800, ipv4(6, tcp(1, 80, TCP_FLAG.SYN)));
    const vxlan = decode(
      LINKTYPE.RAW,
      ipv4(17, udp(50000, 4789, [0x08, 0, 0, 0, 0, 0x12, 0x34, 0, ...frame])),
    );
    expect([vxlan.tunnel, vxlan.tunnelId, vxlan.dstPort, vxlan.outerIpVersion]).toEqual([
      TUNNEL.VXLAN,
      0x1234,
      80,
      4,
    ]);
    const arp = decode(
      LINKTYPE.RAW,
      ipv4(17, udp(50000, 4789, [0x08, 0, 0, 0, 0, 0, 1, 0, ...eth(0x0806, [0, 1])])),
    );
    expect([arp.kind, arp.tunnel, arp.dstPort, arp.errorCode]).toEqual([
      PACKET_KIND.IP,
      TUNNEL.NONE,
      4789,
      '',
    ]);
    const options = [0x01, 0x02, 0x80, 0x01]; // One 4-byte option header with no data.
    const geneve = [0x01, 0, 0x08, 0x00, 0, 0, 5, 0, ...options, ...ipv4(17, udp(3, 4, []))];
    const g = decode(LINKTYPE.RAW, ipv6(17, udp(40000, 6081, geneve)));
    expect([g.tunnel, g.tunnelId, g.ipVersion, g.outerIpVersion, g.dstPort]).toEqual([
      TUNNEL.GENEVE,
      5,
      4,
      6,
      4,
    ]);
  });

  it('reads Teredo with an origin indication, and leaves other UDP/3544 alone', () => {
    const inner = ipv6(59, []);
    const origin = [0, 0, 0x12, 0x34, 1, 2, 3, 4];
    const t = decode(LINKTYPE.RAW, ipv4(17, udp(3544, 40000, [...origin, ...inner])));
    expect([t.tunnel, t.ipVersion, t.protocol]).toEqual([TUNNEL.TEREDO, 6, 59]);
    const noise = decode(LINKTYPE.RAW, ipv4(17, udp(3544, 40000, [...origin, ...inner, 0])));
    expect([noise.tunnel, noise.ipVersion, noise.srcPort]).toEqual([TUNNEL.NONE, 4, 3544]);
  });

  it('follows at most four nested tunnels and records the outermost', () => {
    let packet = ipv4(17, udp(1, 2, []), { src: [10, 9, 9, 9] });
    for (let i = 5; i >= 1; i--) packet = ipv4(4, packet, { src: [10, 0, 0, i] });
    const p = decode(LINKTYPE.RAW, packet);
    expect([p.tunnel, outerSrc(p), src(p), p.protocol]).toEqual([TUNNEL.IP_IN_IP, '10.0.0.1', '10.0.0.5', 4]);
  });
});
