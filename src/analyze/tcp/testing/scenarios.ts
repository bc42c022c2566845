/**
 * Synthetic TCP conversations for the analyzer's tests: each scenario is a list of timed
 * Ethernet/IPv4 frames built with test/support/packet-builder.ts, one condition each (fast
 * retransmission, zero window, refused handshake, …). The unit tests run them through the
 * engine; the tshark oracle test also writes them to a pcap and compares.
 *
 * Not part of the product (tsconfig.build.json leaves `testing/` out).
 */
import {
  concat,
  ETHERTYPE,
  ethernet,
  filler,
  ipv4,
  PROTO,
  TCP,
  tcp,
} from '../../../../test/support/packet-builder.js';

export interface TimedFrame {
  /** Seconds since the Unix epoch. */
  t: number;
  bytes: Uint8Array;
}

export const T0 = 1_700_000_000;
const CLIENT: [string, number] = ['10.0.0.1', 40000];
const SERVER: [string, number] = ['10.0.0.2', 80];
const { SYN, ACK, FIN, PSH, RST } = TCP;
const MSS = 1000;

/** A TCP header with options (kind, length, data) padded with NOPs to a multiple of 4 bytes. */
function tcpWithOptions(o: Parameters<typeof tcp>[0], options: number[]): Uint8Array {
  const padded = [...options];
  while (padded.length % 4 !== 0) padded.unshift(1);
  const plain = tcp({ ...o, payload: undefined });
  plain[12] = ((20 + padded.length) / 4) << 4;
  return concat(plain, new Uint8Array(padded), o.payload ?? new Uint8Array(0));
}

interface SegmentSpec {
  t: number;
  fromClient: boolean;
  flags: number;
  seq: number;
  ack: number;
  len?: number;
  window?: number;
  /** Window scale shift to announce (SYN/SYN-ACK only). */
  ws?: number;
}

function frame(spec: SegmentSpec, client = CLIENT, server = SERVER): TimedFrame {
  const [from, to] = spec.fromClient ? [client, server] : [server, client];
  const header = {
    srcPort: from[1],
    dstPort: to[1],
    flags: spec.flags,
    seq: spec.seq,
    ack: spec.ack,
    window: spec.window ?? 65535,
    payload: spec.len ? filler(spec.len, spec.seq) : undefined,
  };
  const segment =
    spec.ws === undefined ? tcp(header) : tcpWithOptions(header, [2, 4, 0x05, 0xb4, 4, 2, 3, 3, spec.ws]);
  const packet = ipv4({ src: from[0], dst: to[0], protocol: PROTO.TCP, payload: segment });
  return { t: T0 + spec.t, bytes: ethernet({ etherType: ETHERTYPE.IPV4, payload: packet }) };
}

/** Client ISN 1000, server ISN 5000; relative sequence 1 is the first data byte. */
const C = 1000;
const S = 5000;

function handshake(ws?: number, rtt = 0.01): SegmentSpec[] {
  return [
    { t: 0, fromClient: true, flags: SYN, seq: C, ack: 0, ws },
    { t: rtt / 2, fromClient: false, flags: SYN | ACK, seq: S, ack: C + 1, ws },
    { t: rtt, fromClient: true, flags: ACK, seq: C + 1, ack: S + 1 },
  ];
}

/** The client's n-th data segment (0-based) of MSS bytes. */
const data = (n: number) => C + 1 + n * MSS;

export const SCENARIOS: Record<string, TimedFrame[]> = {
  /** A clean request/response with window scaling and a FIN close. */
  clean: [
    ...handshake(7),
    { t: 0.02, fromClient: true, flags: PSH | ACK, seq: data(0), ack: S + 1, len: 300, window: 512 },
    { t: 0.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(0) + 300, window: 512 },
    { t: 0.031, fromClient: false, flags: PSH | ACK, seq: S + 1, ack: data(0) + 300, len: 500, window: 512 },
    { t: 0.04, fromClient: true, flags: ACK, seq: data(0) + 300, ack: S + 501, window: 512 },
    { t: 0.05, fromClient: true, flags: FIN | ACK, seq: data(0) + 300, ack: S + 501, window: 512 },
    { t: 0.06, fromClient: false, flags: FIN | ACK, seq: S + 501, ack: data(0) + 301, window: 512 },
    { t: 0.07, fromClient: true, flags: ACK, seq: data(0) + 301, ack: S + 502, window: 512 },
  ].map((s) => frame(s)),

  /** Segment 1 lost before the capture point; three duplicate ACKs; fast retransmission. */
  fastRetransmission: [
    ...handshake(),
    { t: 0.02, fromClient: true, flags: ACK, seq: data(0), ack: S + 1, len: MSS },
    { t: 0.0201, fromClient: true, flags: ACK, seq: data(2), ack: S + 1, len: MSS },
    { t: 0.0202, fromClient: true, flags: ACK, seq: data(3), ack: S + 1, len: MSS },
    { t: 0.0203, fromClient: true, flags: ACK, seq: data(4), ack: S + 1, len: MSS },
    { t: 0.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.0301, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.0302, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.0303, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.031, fromClient: true, flags: ACK, seq: data(1), ack: S + 1, len: MSS },
    { t: 0.04, fromClient: false, flags: ACK, seq: S + 1, ack: data(5) },
  ].map((s) => frame(s)),

  /** As above, but the receiver sends data between its duplicate ACKs (same ACK number). */
  fastRetransmissionInterleaved: [
    ...handshake(),
    { t: 0.02, fromClient: true, flags: ACK, seq: data(0), ack: S + 1, len: MSS },
    { t: 0.0201, fromClient: true, flags: ACK, seq: data(2), ack: S + 1, len: MSS },
    { t: 0.0202, fromClient: true, flags: ACK, seq: data(3), ack: S + 1, len: MSS },
    { t: 0.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.0301, fromClient: false, flags: ACK, seq: S + 1, ack: data(1) },
    { t: 0.0302, fromClient: false, flags: PSH | ACK, seq: S + 1, ack: data(1), len: 10 },
    { t: 0.0303, fromClient: false, flags: ACK, seq: S + 11, ack: data(1) },
    { t: 0.0304, fromClient: false, flags: ACK, seq: S + 11, ack: data(1) },
    { t: 0.031, fromClient: true, flags: ACK, seq: data(1), ack: S + 11, len: MSS },
    { t: 0.04, fromClient: false, flags: ACK, seq: S + 11, ack: data(4) },
  ].map((s) => frame(s)),

  /** A segment resent after 1 s without an ACK (RTO), then one resent after it was ACKed. */
  rtoAndSpurious: [
    ...handshake(),
    { t: 0.02, fromClient: true, flags: PSH | ACK, seq: data(0), ack: S + 1, len: 100 },
    { t: 1.02, fromClient: true, flags: PSH | ACK, seq: data(0), ack: S + 1, len: 100 },
    { t: 1.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(0) + 100 },
    { t: 2.03, fromClient: true, flags: PSH | ACK, seq: data(0), ack: S + 1, len: 100 },
    { t: 2.04, fromClient: false, flags: ACK, seq: S + 1, ack: data(0) + 100 },
  ].map((s) => frame(s)),

  /** Segments 0, 2, 1 within a millisecond: segment 1 arrives out of order. */
  outOfOrder: [
    ...handshake(),
    { t: 0.02, fromClient: true, flags: ACK, seq: data(0), ack: S + 1, len: MSS },
    { t: 0.0201, fromClient: true, flags: ACK, seq: data(2), ack: S + 1, len: MSS },
    { t: 0.0202, fromClient: true, flags: ACK, seq: data(1), ack: S + 1, len: MSS },
    { t: 0.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(3) },
  ].map((s) => frame(s)),

  /**
   * The server's window (scale 0) fills, goes to zero for 0.5 s with a zero-window probe and
   * its ACK, then opens; one low-window advertisement (1000 bytes) before that.
   */
  zeroWindow: [
    ...handshake(0),
    { t: 0.02, fromClient: true, flags: ACK, seq: data(0), ack: S + 1, len: MSS },
    { t: 0.03, fromClient: false, flags: ACK, seq: S + 1, ack: data(1), window: 1000 },
    { t: 0.031, fromClient: true, flags: ACK, seq: data(1), ack: S + 1, len: MSS },
    { t: 0.04, fromClient: false, flags: ACK, seq: S + 1, ack: data(2), window: 0 },
    { t: 0.3, fromClient: true, flags: ACK, seq: data(2), ack: S + 1, len: 1 },
    { t: 0.31, fromClient: false, flags: ACK, seq: S + 1, ack: data(2), window: 0 },
    { t: 0.54, fromClient: false, flags: ACK, seq: S + 1, ack: data(2), window: 65535 },
    { t: 0.55, fromClient: true, flags: ACK, seq: data(2), ack: S + 1, len: MSS },
    { t: 0.56, fromClient: false, flags: ACK, seq: S + 1, ack: data(3), window: 65535 },
  ].map((s) => frame(s)),

  /** SYN answered by RST-ACK; then on another port two SYNs nobody answers; then a SYN-ACK reset. */
  handshakeFailures: [
    frame({ t: 0, fromClient: true, flags: SYN, seq: C, ack: 0 }),
    frame({ t: 0.001, fromClient: false, flags: RST | ACK, seq: 0, ack: C + 1, window: 0 }),
    frame({ t: 0.1, fromClient: true, flags: SYN, seq: C, ack: 0 }, ['10.0.0.1', 40001]),
    frame({ t: 1.1, fromClient: true, flags: SYN, seq: C, ack: 0 }, ['10.0.0.1', 40001]),
    frame({ t: 2, fromClient: true, flags: SYN, seq: C, ack: 0 }, ['10.0.0.1', 40002]),
    frame({ t: 2.01, fromClient: false, flags: SYN | ACK, seq: S, ack: C + 1 }, ['10.0.0.1', 40002]),
    frame({ t: 2.02, fromClient: true, flags: RST, seq: C + 1, ack: 0, window: 0 }, ['10.0.0.1', 40002]),
  ],
};
