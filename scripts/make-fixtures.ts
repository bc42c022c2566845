/**
 * Builds the synthetic captures in `test/fixtures/`: small, deterministic, each exercising one
 * engine behaviour, with the expected flows computed by hand in `test/analyze-fixtures.test.ts`.
 *
 * Regenerate with `npm run fixtures` (runs `test/fixtures-fresh.test.ts` with
 * FLOWLENS_WRITE_FIXTURES=1: Node 20 cannot run TypeScript, vitest can, and no extra package is
 * needed). Without that variable the same test fails when a committed fixture differs from what
 * this script builds.
 */
import { gzipSync } from 'node:zlib';
import { createPcapngWriter, createPcapWriter } from '../src/sources/pcap-file/index.js';
import {
  ETHERTYPE,
  ethernet,
  filler,
  gre,
  icmp,
  ipv4,
  ipv4Fragments,
  ipv6,
  PROTO,
  TCP,
  tcp,
  udp,
  VXLAN_PORT,
  vxlan,
} from '../test/support/packet-builder.js';

/** 2023-11-14T22:13:20Z; every fixture's timestamps are offsets from it. */
export const T0 = 1_700_000_000;

interface Timed {
  t: number;
  bytes: Uint8Array;
}

function pcap(packets: Timed[], options: { nanosecond?: boolean; bigEndian?: boolean } = {}): Buffer {
  const writer = createPcapWriter({ linkType: 1, ...options });
  for (const p of packets) writer.writePacket(p.bytes, p.t);
  return writer.toBuffer();
}

function eth4(src: string, dst: string, protocol: number, payload: Uint8Array, vlans?: { id: number }[]) {
  return ethernet({ etherType: ETHERTYPE.IPV4, vlans, payload: ipv4({ src, dst, protocol, payload }) });
}

/** A TCP segment between two IPv4 endpoints, framed in Ethernet. */
function seg(
  from: [string, number],
  to: [string, number],
  flags: number,
  seq: number,
  ack: number,
  payload?: Uint8Array,
) {
  return eth4(from[0], to[0], PROTO.TCP, tcp({ srcPort: from[1], dstPort: to[1], flags, seq, ack, payload }));
}

const { SYN, ACK, FIN, PSH, RST } = TCP;

/**
 * A DNS query for example.com A (29 bytes) or its answer 192.0.2.80 (45 bytes), RFC 1035 §4.1.
 */
function dnsMessage(id: number, response: boolean): Uint8Array {
  const header = [
    id >> 8,
    id & 0xff,
    response ? 0x81 : 0x01,
    response ? 0x80 : 0x00,
    0,
    1,
    0,
    response ? 1 : 0,
    0,
    0,
    0,
    0,
  ];
  const question = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1];
  const answer = response ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 80] : [];
  return Uint8Array.from([...header, ...question, ...answer]);
}

/** Handshake, 100 bytes up, 300 bytes down, FIN from both sides, last ACK: 10 packets. */
function tcpHandshakeAndClose(): Timed[] {
  const c: [string, number] = ['10.0.0.1', 40000];
  const s: [string, number] = ['10.0.0.2', 80];
  return [
    seg(c, s, SYN, 1000, 0),
    seg(s, c, SYN | ACK, 5000, 1001),
    seg(c, s, ACK, 1001, 5001),
    seg(c, s, PSH | ACK, 1001, 5001, filler(100)),
    seg(s, c, ACK, 5001, 1101),
    seg(s, c, PSH | ACK, 5001, 1101, filler(300)),
    seg(c, s, ACK, 1101, 5301),
    seg(c, s, FIN | ACK, 1101, 5301),
    seg(s, c, FIN | ACK, 5301, 1102),
    seg(c, s, ACK, 1102, 5302),
  ].map((bytes, i) => ({ t: T0 + i * 0.01, bytes }));
}

/** DNS over UDP/IPv6: a query answered (2 packets) and a query left unanswered (1 packet). */
function udpDnsIpv6(): Timed[] {
  const client = '2001:db8::1';
  const server = '2001:db8::53';
  const v6 = (src: string, dst: string, srcPort: number, dstPort: number, dns: Uint8Array) =>
    ethernet({
      etherType: ETHERTYPE.IPV6,
      payload: ipv6({
        src,
        dst,
        nextHeader: PROTO.UDP,
        payload: udp({ srcPort, dstPort, payload: dns }),
      }),
    });
  return [
    { t: T0, bytes: v6(client, server, 53000, 53, dnsMessage(1, false)) },
    { t: T0 + 0.005, bytes: v6(server, client, 53, 53000, dnsMessage(1, true)) },
    { t: T0 + 1, bytes: v6(client, server, 53001, 53, dnsMessage(2, false)) },
  ];
}

/** One UDP 5-tuple on VLAN 10 (two packets one way) and on QinQ 100/200 (one each way), plus ARP. */
function vlanQinq(): Timed[] {
  const a = '192.168.1.1';
  const b = '192.168.1.2';
  const qinq = [{ tpid: ETHERTYPE.QINQ, id: 100 }, { id: 200 }];
  const arp = new Uint8Array([
    0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2,
  ]);
  return [
    { t: T0, bytes: ethernet({ etherType: ETHERTYPE.ARP, vlans: qinq, payload: arp }) },
    {
      t: T0 + 1,
      bytes: eth4(a, b, PROTO.UDP, udp({ srcPort: 5000, dstPort: 6000, payload: filler(20) }), [{ id: 10 }]),
    },
    {
      t: T0 + 2,
      bytes: eth4(a, b, PROTO.UDP, udp({ srcPort: 5000, dstPort: 6000, payload: filler(20) }), [{ id: 10 }]),
    },
    {
      t: T0 + 3,
      bytes: eth4(a, b, PROTO.UDP, udp({ srcPort: 5000, dstPort: 6000, payload: filler(20) }), qinq),
    },
    {
      t: T0 + 4,
      bytes: eth4(b, a, PROTO.UDP, udp({ srcPort: 6000, dstPort: 5000, payload: filler(20) }), qinq),
    },
  ];
}

/** A 3000-byte UDP datagram in three in-order fragments (1480 + 1480 + 48), then a reply. */
function ipv4FragmentsCapture(): Timed[] {
  const datagram = udp({ srcPort: 7000, dstPort: 7001, payload: filler(3000) });
  const fragments = ipv4Fragments(
    { src: '10.1.1.1', dst: '10.1.1.2', protocol: PROTO.UDP, id: 0x1234, payload: datagram },
    1480,
  );
  const reply = eth4(
    '10.1.1.2',
    '10.1.1.1',
    PROTO.UDP,
    udp({ srcPort: 7001, dstPort: 7000, payload: filler(10) }),
  );
  return [
    ...fragments.map((f, i) => ({
      t: T0 + i * 0.001,
      bytes: ethernet({ etherType: ETHERTYPE.IPV4, payload: f }),
    })),
    { t: T0 + 0.01, bytes: reply },
  ];
}

/**
 * Three connections on one 5-tuple: the first closed by FIN (6 packets); one second later, within
 * the close grace, a SYN with a new sequence number opens the second, which the originator
 * resets after 50 bytes (5 packets); 20 s later, past the grace, an unanswered SYN (1 packet).
 */
function portReuse(): Timed[] {
  const c: [string, number] = ['10.0.0.1', 40001];
  const s: [string, number] = ['10.0.0.2', 22];
  const first = [
    seg(c, s, SYN, 100, 0),
    seg(s, c, SYN | ACK, 900, 101),
    seg(c, s, ACK, 101, 901),
    seg(c, s, FIN | ACK, 101, 901),
    seg(s, c, FIN | ACK, 901, 102),
    seg(c, s, ACK, 102, 902),
  ].map((bytes, i) => ({ t: T0 + i * 0.01, bytes }));
  const second = [
    seg(c, s, SYN, 5000, 0),
    seg(s, c, SYN | ACK, 7000, 5001),
    seg(c, s, ACK, 5001, 7001),
    seg(c, s, PSH | ACK, 5001, 7001, filler(50)),
    seg(c, s, RST | ACK, 5051, 7001),
  ].map((bytes, i) => ({ t: T0 + 1 + i * 0.01, bytes }));
  const third = { t: T0 + 20, bytes: seg(c, s, SYN, 9000, 0) };
  return [...first, ...second, third];
}

/**
 * One UDP packet every 50 s for 4000 s (81 packets), a 200 s silence, then 2 more packets at
 * +4200 s and +4250 s.
 */
function longFlow(): Timed[] {
  const bytes = eth4(
    '10.2.0.1',
    '10.2.0.2',
    PROTO.UDP,
    udp({ srcPort: 9000, dstPort: 9001, payload: filler(10) }),
  );
  const times = [...Array.from({ length: 81 }, (_, k) => T0 + 50 * k), T0 + 4200, T0 + 4250];
  return times.map((t) => ({ t, bytes }));
}

/**
 * TCP handshake inside GRE (3 packets), a DNS query and answer inside VXLAN VNI 42 (2 packets),
 * and a UDP packet answered by ICMP port unreachable quoting it (2 packets).
 */
function tunnels(): Timed[] {
  const inGre = (outerSrc: string, outerDst: string, inner: Uint8Array) =>
    eth4(outerSrc, outerDst, PROTO.GRE, gre({ protocol: ETHERTYPE.IPV4, payload: inner }));
  const innerTcp = (
    src: string,
    dst: string,
    sp: number,
    dp: number,
    flags: number,
    seq: number,
    ack: number,
  ) => ipv4({ src, dst, protocol: PROTO.TCP, payload: tcp({ srcPort: sp, dstPort: dp, flags, seq, ack }) });
  const inVxlan = (outerSrc: string, outerDst: string, srcPort: number, inner: Uint8Array) =>
    eth4(
      outerSrc,
      outerDst,
      PROTO.UDP,
      udp({
        srcPort,
        dstPort: VXLAN_PORT,
        payload: vxlan({ vni: 42, payload: ethernet({ etherType: ETHERTYPE.IPV4, payload: inner }) }),
      }),
    );
  const innerUdp = (src: string, dst: string, sp: number, dp: number, dns: Uint8Array) =>
    ipv4({
      src,
      dst,
      protocol: PROTO.UDP,
      payload: udp({ srcPort: sp, dstPort: dp, payload: dns }),
    });
  const probe = ipv4({
    src: '10.3.0.1',
    dst: '10.3.0.2',
    protocol: PROTO.UDP,
    payload: udp({ srcPort: 40000, dstPort: 161, payload: filler(12) }),
  });
  const packets = [
    inGre('192.0.2.1', '192.0.2.2', innerTcp('10.10.0.1', '10.10.0.2', 1234, 80, SYN, 0, 0)),
    inGre('192.0.2.2', '192.0.2.1', innerTcp('10.10.0.2', '10.10.0.1', 80, 1234, SYN | ACK, 0, 1)),
    inGre('192.0.2.1', '192.0.2.2', innerTcp('10.10.0.1', '10.10.0.2', 1234, 80, ACK, 1, 1)),
    inVxlan(
      '198.51.100.1',
      '198.51.100.2',
      50000,
      innerUdp('172.16.0.1', '172.16.0.2', 5353, 53, dnsMessage(7, false)),
    ),
    inVxlan(
      '198.51.100.2',
      '198.51.100.1',
      50001,
      innerUdp('172.16.0.2', '172.16.0.1', 53, 5353, dnsMessage(7, true)),
    ),
    ethernet({ etherType: ETHERTYPE.IPV4, payload: probe }),
    eth4('10.3.0.2', '10.3.0.1', PROTO.ICMP, icmp({ type: 3, code: 3, payload: probe.subarray(0, 28) })),
  ];
  return packets.map((bytes, i) => ({ t: T0 + i * 0.1, bytes }));
}

/** Every fixture file name with its bytes. */
export function buildFixtures(): Map<string, Buffer> {
  const handshake = tcpHandshakeAndClose();
  const handshakePcap = pcap(handshake);
  const ng = createPcapngWriter({ linkType: 1 });
  for (const p of handshake) ng.writePacket(p.bytes, p.t);
  const files = new Map<string, Buffer>([
    ['tcp-handshake-and-close.pcap', handshakePcap],
    ['tcp-handshake-and-close-be-nsec.pcap', pcap(handshake, { bigEndian: true, nanosecond: true })],
    ['tcp-handshake-and-close.pcapng', ng.toBuffer()],
    ['tcp-handshake-and-close.pcap.gz', gzipSync(handshakePcap, { level: 9 })],
    // The last record (16 + 54 bytes) is cut after 50 of its 70 bytes.
    ['truncated.pcap', handshakePcap.subarray(0, handshakePcap.length - 20)],
    ['udp-dns-ipv6.pcap', pcap(udpDnsIpv6())],
    ['vlan-qinq.pcap', pcap(vlanQinq())],
    ['ipv4-fragments.pcap', pcap(ipv4FragmentsCapture())],
    ['port-reuse.pcap', pcap(portReuse())],
    ['long-flow-active-timeout.pcap', pcap(longFlow())],
    ['tunnels.pcap', pcap(tunnels())],
    ['empty.pcap', pcap([])],
    ['not-a-capture.pcap', Buffer.from('this is a text file, not a packet capture\n')],
  ]);
  return files;
}
