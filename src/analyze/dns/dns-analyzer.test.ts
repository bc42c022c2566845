/**
 * The DNS analyzer on hand-built captures through the real engine: matching, retransmissions,
 * timeouts, rcodes, TCP framing across segments, fragmented responses, and the message callback.
 */
import { describe, expect, it } from 'vitest';
import {
  concat,
  ETHERTYPE,
  ethernet,
  ipv4,
  ipv4Fragments,
  PROTO,
  TCP,
  tcp,
  udp,
} from '../../../test/support/packet-builder.js';
import type { DnsMessageInfo, DnsSummary } from '../../model/index.js';
import { createDnsAnalyzer } from './dns-analyzer.js';
import { dnsMessage, runFrames } from './testing/dns-builder.js';

const T0 = 1_700_000_000;

/**
 * A DNS response from 10.0.0.53:53 to 10.0.0.1:40000 in IPv4 fragments of 96 bytes (IP id
 * `ipId`), 1 ms apart from T0 + 0.1 s.
 */
function fragmentedResponse(message: Uint8Array, ipId: number) {
  return ipv4Fragments(
    {
      src: '10.0.0.53',
      dst: '10.0.0.1',
      protocol: PROTO.UDP,
      id: ipId,
      payload: udp({ srcPort: 53, dstPort: 40000, payload: message }),
    },
    96,
  ).map((f, i) => ({
    t: T0 + 0.1 + i * 0.001,
    bytes: ethernet({ etherType: ETHERTYPE.IPV4, payload: f }),
  }));
}

function udpDns(t: number, toServer: boolean, message: Uint8Array, clientPort = 40000) {
  const [src, dst] = toServer ? ['10.0.0.1', '10.0.0.53'] : ['10.0.0.53', '10.0.0.1'];
  const [sp, dp] = toServer ? [clientPort, 53] : [53, clientPort];
  const payload = udp({ srcPort: sp, dstPort: dp, payload: message });
  return {
    t,
    bytes: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src, dst, protocol: PROTO.UDP, payload }) }),
  };
}

describe('DNS analyzer', () => {
  it('matches queries and responses, counts rcodes, retransmissions and unanswered queries', async () => {
    const messages: DnsMessageInfo[] = [];
    const analyzer = createDnsAnalyzer({ onMessage: (m) => messages.push(m) });
    const q = (id: number, qname: string) => dnsMessage({ id, qname });
    const r = (id: number, qname: string, rcode = 0) =>
      dnsMessage({
        id,
        qname,
        response: true,
        rcode,
        answers: [{ type: 1, rdata: Uint8Array.from([192, 0, 2, 7]) }],
      });
    const { flows, analysis } = await runFrames(
      [
        udpDns(T0, true, q(1, 'a.example')),
        udpDns(T0 + 0.01, true, q(1, 'a.example')), // retransmission
        udpDns(T0 + 0.03, false, r(1, 'a.example')),
        udpDns(T0 + 1, true, q(2, 'missing.example')),
        udpDns(T0 + 1.2, false, r(2, 'missing.example', 3)),
        udpDns(T0 + 2, true, q(3, 'lost.example')),
        udpDns(T0 + 9, false, r(3, 'lost.example')), // after the 5 s timeout: late
        udpDns(T0 + 10, true, q(4, 'never.example')),
        udpDns(T0 + 10.5, false, r(99, 'other.example')), // unmatched
      ],
      [analyzer],
    );
    const dns = analysis.dns as DnsSummary;
    expect(dns).toMatchObject({
      queries: 5,
      responses: 4,
      answered: 2,
      unanswered: 2,
      retransmissions: 1,
      lateResponses: 1,
      unmatchedResponses: 1,
      rcodes: { NOERROR: 3, NXDOMAIN: 1 },
    });
    expect(dns.responseTime?.count).toBe(2);
    expect(dns.responseTime?.maxMs).toBeCloseTo(200, 3);
    expect(dns.slowest.map((s) => [s.qname, s.responseTimeMs])).toEqual([
      ['missing.example', 200],
      ['a.example', 30],
    ]);
    expect(dns.unansweredSamples.map((s) => s.qname)).toEqual(['lost.example', 'never.example']);
    expect(dns.topNames[0]).toEqual({ name: 'a.example', count: 2 });
    expect(dns.topQueryTypes).toEqual([{ name: 'A', count: 5 }]);
    expect(flows).toHaveLength(1);
    expect(flows[0]!.dnsName).toBe('a.example');
    expect(flows[0]!.dns).toMatchObject({
      queries: 5,
      responses: 4,
      answered: 2,
      unanswered: 2,
      errors: { NXDOMAIN: 1 },
    });
    const first = messages.find((m) => m.isResponse && m.id === 1)!;
    expect(first).toMatchObject({
      client: '10.0.0.1',
      clientPort: 40000,
      server: '10.0.0.53',
      serverPort: 53,
    });
    expect(first.answers).toEqual(['192.0.2.7']);
    expect(first.responseTime).toBeCloseTo(0.03, 6);
  });

  it('reads length-framed DNS over TCP split across segments', async () => {
    const query = dnsMessage({ id: 9, qname: 'tcp.example', qtype: 255 });
    const response = dnsMessage({ id: 9, qname: 'tcp.example', qtype: 255, response: true });
    const framed = (m: Uint8Array) => concat(Uint8Array.from([m.length >> 8, m.length & 0xff]), m);
    const seg = (t: number, toServer: boolean, seq: number, flags: number, payload?: Uint8Array) => {
      const [src, dst] = toServer ? ['10.0.0.1', '10.0.0.53'] : ['10.0.0.53', '10.0.0.1'];
      const body = tcp({
        srcPort: toServer ? 40001 : 53,
        dstPort: toServer ? 53 : 40001,
        seq,
        flags,
        payload,
      });
      return {
        t,
        bytes: ethernet({
          etherType: ETHERTYPE.IPV4,
          payload: ipv4({ src, dst, protocol: PROTO.TCP, payload: body }),
        }),
      };
    };
    const q = framed(query);
    const r = framed(response);
    const { analysis } = await runFrames(
      [
        seg(T0, true, 100, TCP.SYN),
        seg(T0 + 0.001, false, 500, TCP.SYN | TCP.ACK),
        seg(T0 + 0.002, true, 101, TCP.ACK | TCP.PSH, q.subarray(0, 5)),
        seg(T0 + 0.003, true, 106, TCP.ACK | TCP.PSH, q.subarray(5)),
        seg(T0 + 0.003, true, 106, TCP.ACK | TCP.PSH, q.subarray(5)), // retransmitted segment
        seg(T0 + 0.05, false, 501, TCP.ACK | TCP.PSH, r.subarray(0, 1)),
        seg(T0 + 0.06, false, 502, TCP.ACK | TCP.PSH, r.subarray(1)),
      ],
      [createDnsAnalyzer()],
    );
    const dns = analysis.dns as DnsSummary;
    expect(dns).toMatchObject({ queries: 1, responses: 1, answered: 1, tcpMessages: 2, tcpGaps: 0 });
    expect(dns.responseTime?.maxMs).toBeCloseTo(57, 3);
  });

  it('times a fragmented response at its last fragment, and skips one never completed', async () => {
    const big = dnsMessage({
      id: 5,
      qname: 'big.example',
      qtype: 16,
      response: true,
      answers: [{ type: 16, rdata: Uint8Array.from([200, ...new Array(200).fill(0x61)]) }],
    });
    const fragments = fragmentedResponse(big, 77);
    expect(fragments.length).toBeGreaterThan(2);
    const query = udpDns(T0, true, dnsMessage({ id: 5, qname: 'big.example', qtype: 16 }));
    const complete = await runFrames([query, ...fragments], [createDnsAnalyzer()]);
    const dns = complete.analysis.dns as DnsSummary;
    expect(dns).toMatchObject({ answered: 1, fragmentedIncomplete: 0 });
    const last = 0.1 + (fragments.length - 1) * 0.001;
    expect(dns.responseTime?.maxMs).toBeCloseTo(last * 1000, 3);
    const holed = await runFrames(
      [query, fragments[0]!, fragments[fragments.length - 1]!],
      [createDnsAnalyzer()],
    );
    expect(holed.analysis.dns).toMatchObject({ responses: 0, unanswered: 1, fragmentedIncomplete: 1 });
  });

  it('hands each message to its listeners after onMessage, with the packet handled and its flow', async () => {
    const calls: string[] = [];
    const seen: { id: number; flowId: number; fragment: boolean; hasPorts: boolean }[] = [];
    const analyzer = createDnsAnalyzer({ onMessage: (m) => calls.push(`onMessage ${m.id}`) });
    analyzer.addMessageListener((m) => calls.push(`first ${m.id}`));
    analyzer.addMessageListener((m, packet, flowId) => {
      calls.push(`second ${m.id}`);
      seen.push({ id: m.id, flowId, fragment: packet.isFragment, hasPorts: packet.hasPorts });
    });
    const big = dnsMessage({
      id: 6,
      qname: 'big.example',
      response: true,
      answers: [{ type: 16, rdata: Uint8Array.from([200, ...new Array(200).fill(0x61)]) }],
    });
    const fragments = fragmentedResponse(big, 78);
    await runFrames(
      [udpDns(T0, true, dnsMessage({ id: 6, qname: 'big.example' })), ...fragments],
      [analyzer],
    );
    expect(calls).toEqual(['onMessage 6', 'first 6', 'second 6', 'onMessage 6', 'first 6', 'second 6']);
    // The query came with ports; the response is handed over at the fragment that completed it.
    expect(seen).toEqual([
      { id: 6, flowId: seen[0]!.flowId, fragment: false, hasPorts: true },
      { id: 6, flowId: seen[0]!.flowId, fragment: true, hasPorts: false },
    ]);
  });
});
