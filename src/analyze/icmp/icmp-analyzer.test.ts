/** The ICMP analyzer on hand-built ICMP and ICMPv6 packets through the real engine. */
import { describe, expect, it } from 'vitest';
import {
  ETHERTYPE,
  ethernet,
  icmp,
  icmpEcho,
  ipv4,
  ipv6,
  PROTO,
  udp,
} from '../../../test/support/packet-builder.js';
import type { IcmpEchoSample, IcmpSummary } from '../../model/index.js';
import { runFrames } from '../dns/testing/dns-builder.js';
import { createIcmpAnalyzer } from './icmp-analyzer.js';

const T0 = 1_700_000_000;
const v4 = (t: number, src: string, dst: string, payload: Uint8Array) => ({
  t,
  bytes: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src, dst, protocol: PROTO.ICMP, payload }) }),
});
const v6 = (t: number, src: string, dst: string, payload: Uint8Array) => ({
  t,
  bytes: ethernet({
    etherType: ETHERTYPE.IPV6,
    payload: ipv6({ src, dst, nextHeader: PROTO.ICMPV6, payload }),
  }),
});

describe('ICMP analyzer', () => {
  it('matches echoes by id and sequence, with RTT; counts the unanswered', async () => {
    const echoes: IcmpEchoSample[] = [];
    const { analysis } = await runFrames(
      [
        v4(T0, '10.0.0.1', '10.0.0.2', icmpEcho({ id: 0x8001, seq: 1 })),
        v4(T0 + 0.02, '10.0.0.2', '10.0.0.1', icmpEcho({ id: 0x8001, seq: 1, reply: true })),
        v4(T0 + 1, '10.0.0.1', '10.0.0.2', icmpEcho({ id: 0x8001, seq: 2 })),
        v6(T0 + 2, '2001:db8::1', '2001:db8::2', icmpEcho({ id: 7, seq: 1, v6: true })),
        v6(T0 + 2.005, '2001:db8::2', '2001:db8::1', icmpEcho({ id: 7, seq: 1, v6: true, reply: true })),
        v6(T0 + 3, '2001:db8::2', '2001:db8::1', icmpEcho({ id: 7, seq: 9, v6: true, reply: true })),
      ],
      [createIcmpAnalyzer({ onEcho: (e) => echoes.push(e) })],
    );
    const summary = analysis.icmp as IcmpSummary;
    expect(summary.echo).toMatchObject({
      requests: 3,
      replies: 3,
      answered: 2,
      unanswered: 1,
      unmatchedReplies: 1,
    });
    expect(echoes.map((e) => [e.requester, e.responder, e.id, e.seq])).toEqual([
      ['10.0.0.1', '10.0.0.2', 0x8001, 1],
      ['2001:db8::1', '2001:db8::2', 7, 1],
    ]);
    expect(echoes[0]!.rtt).toBeCloseTo(0.02, 6);
    expect(summary.echo.rtt?.maxMs).toBeCloseTo(20, 3);
  });

  it('counts unreachables by code, time exceeded and path-MTU messages with the quoted packet', async () => {
    const quoted = ipv4({
      src: '10.0.0.1',
      dst: '192.0.2.9',
      protocol: PROTO.UDP,
      payload: udp({ srcPort: 5000, dstPort: 33434 }),
    });
    const quoted6 = ipv6({
      src: '2001:db8::1',
      dst: '2001:db8::9',
      nextHeader: PROTO.UDP,
      payload: udp({ srcPort: 1, dstPort: 443 }),
    });
    const { analysis } = await runFrames(
      [
        v4(T0, '10.0.0.254', '10.0.0.1', icmp({ type: 3, code: 3, payload: quoted })),
        v4(T0 + 1, '10.0.0.254', '10.0.0.1', icmp({ type: 3, code: 4, rest: 1400, payload: quoted })),
        v4(T0 + 2, '10.0.0.254', '10.0.0.1', icmp({ type: 11, code: 0, payload: quoted })),
        v6(T0 + 3, '2001:db8::fe', '2001:db8::1', icmp({ type: 2, rest: 1280, payload: quoted6 })),
        v6(T0 + 4, '2001:db8::fe', '2001:db8::1', icmp({ type: 1, code: 4, payload: quoted6 })),
      ],
      [createIcmpAnalyzer()],
    );
    const summary = analysis.icmp as IcmpSummary;
    expect(summary.unreachable).toEqual({
      total: 3,
      byCode: { 'port-unreachable': 2, 'fragmentation-needed': 1 },
    });
    expect(summary.timeExceeded).toEqual({ ttl: 1, reassembly: 0 });
    expect(summary.pmtu).toEqual({ messages: 2, minMtu: 1280, mtus: { 1280: 1, 1400: 1 } });
    expect(summary.errors[0]).toMatchObject({
      kind: 'unreachable',
      code: 'port-unreachable',
      from: '10.0.0.254',
      to: '10.0.0.1',
      originalDst: '192.0.2.9',
      originalProtocol: 17,
      originalDstPort: 33434,
    });
    expect(summary.errors[3]).toMatchObject({
      kind: 'packet-too-big',
      mtu: 1280,
      originalDst: '2001:db8::9',
      originalDstPort: 443,
    });
  });
});
