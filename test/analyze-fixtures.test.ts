/**
 * `flowlens analyze` on the synthetic captures of test/fixtures (scripts/make-fixtures.ts), with
 * every expected flow and counter computed by hand from how the packets were built: this is what
 * a fresh clone without the corpus tests the engine with. Frame sizes: Ethernet 14 (+4 per VLAN
 * tag), IPv4 20, IPv6 40, TCP 20, UDP 8, ICMP 8, GRE 4, VXLAN 8.
 * Community IDs were computed independently (Python hashlib, Community ID spec v1).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { T0 } from '../scripts/make-fixtures.js';
import type { FlowRecord, InputWarning } from '../src/model/index.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { runCli } from './support/run.js';

interface Output {
  flows: FlowRecord[];
  warnings: InputWarning[];
  summary: Record<string, unknown> & {
    packets: number;
    bytes: number;
    files: Record<string, unknown>[];
  };
}

const fixture = (name: string) => path.join(PROJECT_ROOT, 'test', 'fixtures', name);

async function analyze(name: string, ...args: string[]): Promise<Output> {
  const result = await runCli(['analyze', fixture(name), '--format', 'json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Output;
}

/** Fields every flow of these fixtures shares unless a test says otherwise. */
const BASE = { vlan: 0, tcpFlags: 0, fwdTcpFlags: 0, revTcpFlags: 0, fragments: 0 };
const { FIN, SYN, RST, PSH, ACK } = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

const HANDSHAKE: Partial<FlowRecord> = {
  ...BASE,
  communityId: '1:3k1SoWXs/FltHw2aBCgUTgbDQF4=',
  protocol: 6,
  ipVersion: 4,
  srcIp: '10.0.0.1',
  srcPort: 40000,
  dstIp: '10.0.0.2',
  dstPort: 80,
  firstTs: T0,
  lastTs: T0 + 0.09,
  packets: 10,
  // Six 40-byte segments and the 100-byte payload up; three 40-byte and the 300-byte payload down.
  fwdPackets: 6,
  fwdBytes: 5 * 40 + 140,
  revPackets: 4,
  revBytes: 3 * 40 + 340,
  bytes: 800,
  frameBytes: 800 + 10 * 14,
  tcpFlags: SYN | ACK | PSH | FIN,
  fwdTcpFlags: SYN | ACK | PSH | FIN,
  revTcpFlags: SYN | ACK | PSH | FIN,
  state: 'SF',
  // Both FINs seen: the input ends within the close grace, and the record says how it closed.
  endReason: 'tcp-fin',
};

describe('flowlens analyze on synthetic fixtures', () => {
  it.each([
    ['tcp-handshake-and-close.pcap', 'pcap', false],
    ['tcp-handshake-and-close-be-nsec.pcap', 'pcap', false],
    ['tcp-handshake-and-close.pcapng', 'pcapng', false],
    ['tcp-handshake-and-close.pcap.gz', 'pcap', true],
  ] as const)('%s: one TCP connection, handshake to FIN', async (name, format, compressed) => {
    const out = await analyze(name);
    expect(out.flows).toEqual([expect.objectContaining(HANDSHAKE)]);
    expect(out.warnings).toEqual([]);
    expect(out.summary).toMatchObject({
      packets: 10,
      bytes: 940,
      capturedBytes: 940,
      firstTs: T0,
      lastTs: T0 + 0.09,
      flows: 1,
      linkTypes: ['ethernet'],
      nonIp: {},
      undecodable: 0,
    });
    expect(out.summary.files).toEqual([
      expect.objectContaining({ format, compressed, truncated: false, frames: 10 }),
    ]);
  });

  it('truncated.pcap: 9 packets, a warning for the cut record, the flow without its last ACK', async () => {
    const out = await analyze('truncated.pcap');
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...HANDSHAKE,
        lastTs: T0 + 0.08,
        packets: 9,
        fwdPackets: 5,
        fwdBytes: 300,
        bytes: 760,
        frameBytes: 886,
      }),
    ]);
    expect(out.warnings).toEqual([
      expect.objectContaining({ code: 'FLOWLENS_ERR_PCAP_TRUNCATED', packetIndex: 10 }),
    ]);
    expect(out.summary).toMatchObject({ packets: 9, bytes: 886 });
    expect(out.summary.files).toEqual([expect.objectContaining({ truncated: true, frames: 9 })]);
  });

  it('udp-dns-ipv6.pcap: an answered query (SF) and an unanswered one (S0)', async () => {
    const out = await analyze('udp-dns-ipv6.pcap');
    // Query: DNS 29 + UDP 8 + IPv6 40 = 77 IP bytes, 91 on the wire; answer: 45 + 48 = 93, 107.
    const dns = {
      ...BASE,
      protocol: 17,
      ipVersion: 6,
      srcIp: '2001:db8::1',
      dstIp: '2001:db8::53',
      dstPort: 53,
    };
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...dns,
        communityId: '1:p2WBFbz+SRMmv0mLBp8H+ZCQ/2M=',
        srcPort: 53000,
        firstTs: T0,
        lastTs: T0 + 0.005,
        packets: 2,
        fwdPackets: 1,
        fwdBytes: 77,
        revPackets: 1,
        revBytes: 93,
        bytes: 170,
        frameBytes: 198,
        state: 'SF',
        endReason: 'end-of-input',
      }),
      expect.objectContaining({
        ...dns,
        srcPort: 53001,
        firstTs: T0 + 1,
        packets: 1,
        bytes: 77,
        frameBytes: 91,
        revPackets: 0,
        state: 'S0',
      }),
    ]);
    expect(out.summary).toMatchObject({ packets: 3, bytes: 289, flows: 2 });
  });

  it('vlan-qinq.pcap: one 5-tuple, two flows by outer VLAN id; ARP counted as non-IP', async () => {
    const out = await analyze('vlan-qinq.pcap');
    const udp = {
      ...BASE,
      protocol: 17,
      srcIp: '192.168.1.1',
      srcPort: 5000,
      dstIp: '192.168.1.2',
      dstPort: 6000,
    };
    // UDP 20 + 8 + IPv4 20 = 48 IP bytes; frames 66 with one tag, 70 with two.
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...udp,
        vlan: 10,
        packets: 2,
        fwdPackets: 2,
        bytes: 96,
        frameBytes: 132,
        state: 'S0',
      }),
      expect.objectContaining({
        ...udp,
        vlan: 100,
        packets: 2,
        fwdPackets: 1,
        revPackets: 1,
        bytes: 96,
        frameBytes: 140,
        state: 'SF',
      }),
    ]);
    expect(out.summary).toMatchObject({ packets: 5, bytes: 322, nonIp: { arp: 1 }, flows: 2 });
  });

  it('ipv4-fragments.pcap: all three fragments count in the datagram’s flow', async () => {
    const out = await analyze('ipv4-fragments.pcap');
    // Fragments carry 1480, 1480 and 48 bytes of the 3008-byte UDP datagram; the reply 10.
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...BASE,
        protocol: 17,
        srcIp: '10.1.1.1',
        srcPort: 7000,
        dstIp: '10.1.1.2',
        dstPort: 7001,
        packets: 4,
        fwdPackets: 3,
        fwdBytes: 1500 + 1500 + 68,
        revPackets: 1,
        revBytes: 38,
        bytes: 3106,
        frameBytes: 1514 + 1514 + 82 + 52,
        fragments: 3,
        state: 'SF',
      }),
    ]);
  });

  it('port-reuse.pcap: a new SYN on the 5-tuple starts a new flow; RST ends one after the grace', async () => {
    const out = await analyze('port-reuse.pcap');
    const ssh = {
      ...BASE,
      communityId: '1:qxvzj3eiyD/pYU5wbirRNk7UDN0=',
      protocol: 6,
      srcIp: '10.0.0.1',
      srcPort: 40001,
      dstIp: '10.0.0.2',
      dstPort: 22,
    };
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...ssh,
        firstTs: T0,
        lastTs: T0 + 0.05,
        packets: 6,
        fwdPackets: 4,
        fwdBytes: 160,
        revPackets: 2,
        revBytes: 80,
        frameBytes: 324,
        tcpFlags: SYN | ACK | FIN,
        fwdTcpFlags: SYN | ACK | FIN,
        revTcpFlags: SYN | ACK | FIN,
        state: 'SF',
        endReason: 'tcp-fin',
      }),
      expect.objectContaining({
        ...ssh,
        firstTs: T0 + 1,
        lastTs: T0 + 1.04,
        packets: 5,
        fwdPackets: 4,
        fwdBytes: 40 + 40 + 90 + 40,
        revPackets: 1,
        revBytes: 40,
        frameBytes: 250 + 5 * 14,
        tcpFlags: SYN | ACK | PSH | RST,
        fwdTcpFlags: SYN | ACK | PSH | RST,
        revTcpFlags: SYN | ACK,
        state: 'RSTO',
        endReason: 'tcp-rst',
      }),
      expect.objectContaining({
        ...ssh,
        firstTs: T0 + 20,
        packets: 1,
        bytes: 40,
        frameBytes: 54,
        tcpFlags: SYN,
        fwdTcpFlags: SYN,
        state: 'S0',
        endReason: 'end-of-input',
      }),
    ]);
  });

  describe('long-flow-active-timeout.pcap: 81 packets 50 s apart, 200 s silence, 2 more', () => {
    // Each packet: UDP 10 + 8 + IPv4 20 = 38 IP bytes, 52 on the wire.
    const segment = (packets: number, first: number, last: number, endReason: string) =>
      expect.objectContaining({
        packets,
        bytes: 38 * packets,
        frameBytes: 52 * packets,
        firstTs: T0 + first,
        lastTs: T0 + last,
        endReason,
        state: 'S0',
      });

    it('default timeouts: interim records every 1800 s, idle end after 60 s', async () => {
      const out = await analyze('long-flow-active-timeout.pcap');
      expect(out.flows).toEqual([
        segment(36, 0, 1750, 'active-timeout'),
        segment(36, 1800, 3550, 'active-timeout'),
        segment(9, 3600, 4000, 'idle-timeout'),
        segment(2, 4200, 4250, 'end-of-input'),
      ]);
      expect(out.summary).toMatchObject({ packets: 83, flows: 4 });
    });

    it('--active-timeout 0: no interim records', async () => {
      const out = await analyze('long-flow-active-timeout.pcap', '--active-timeout', '0');
      expect(out.flows).toEqual([
        segment(81, 0, 4000, 'idle-timeout'),
        segment(2, 4200, 4250, 'end-of-input'),
      ]);
    });

    it('--udp-timeout 1000 --active-timeout 0: one flow', async () => {
      const out = await analyze(
        'long-flow-active-timeout.pcap',
        '--udp-timeout',
        '1000',
        '--active-timeout',
        '0',
      );
      expect(out.flows).toEqual([segment(83, 0, 4250, 'end-of-input')]);
    });

    it('--format ndjson: one flow per line, the same records', async () => {
      const result = await runCli([
        'analyze',
        fixture('long-flow-active-timeout.pcap'),
        '--format',
        'ndjson',
      ]);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as FlowRecord).packets)).toEqual([36, 36, 9, 2]);
    });
  });

  it('tunnels.pcap: flows keyed by the inner 5-tuple; an ICMP error is its own flow', async () => {
    const out = await analyze('tunnels.pcap');
    expect(out.flows).toEqual([
      expect.objectContaining({
        ...BASE,
        protocol: 6,
        srcIp: '10.10.0.1',
        srcPort: 1234,
        dstIp: '10.10.0.2',
        dstPort: 80,
        packets: 3,
        fwdPackets: 2,
        revPackets: 1,
        bytes: 120,
        // Ethernet 14 + outer IPv4 20 + GRE 4 + inner IPv4 20 + TCP 20.
        frameBytes: 3 * 78,
        tcpFlags: SYN | ACK,
        fwdTcpFlags: SYN | ACK,
        revTcpFlags: SYN | ACK,
        state: 'S1',
        tunnel: { type: 'gre', outerSrcIp: '192.0.2.1', outerDstIp: '192.0.2.2' },
      }),
      expect.objectContaining({
        ...BASE,
        protocol: 17,
        srcIp: '172.16.0.1',
        srcPort: 5353,
        dstIp: '172.16.0.2',
        dstPort: 53,
        packets: 2,
        // Inner IPv4 57 and 73; frames add Ethernet, IPv4, UDP, VXLAN and the inner Ethernet: 64.
        bytes: 57 + 73,
        frameBytes: 121 + 137,
        state: 'SF',
        tunnel: { type: 'vxlan', id: 42, outerSrcIp: '198.51.100.1', outerDstIp: '198.51.100.2' },
      }),
      expect.objectContaining({
        ...BASE,
        protocol: 17,
        srcIp: '10.3.0.1',
        srcPort: 40000,
        dstIp: '10.3.0.2',
        dstPort: 161,
        packets: 1,
        bytes: 40,
        frameBytes: 54,
        state: 'S0',
      }),
      // Port unreachable (type 3, code 3) quoting the probe's IPv4 header and UDP header.
      expect.objectContaining({
        ...BASE,
        protocol: 1,
        srcIp: '10.3.0.2',
        srcPort: 3,
        dstIp: '10.3.0.1',
        dstPort: 3,
        packets: 1,
        bytes: 20 + 8 + 28,
        frameBytes: 70,
      }),
    ]);
    expect(out.flows.slice(2).every((f) => f.tunnel === undefined)).toBe(true);
    expect(out.summary).toMatchObject({ packets: 7, bytes: 616, flows: 4 });
  });

  it('empty.pcap: no flows, zero counters', async () => {
    const out = await analyze('empty.pcap');
    expect(out.flows).toEqual([]);
    expect(out.summary).toMatchObject({ packets: 0, bytes: 0, flows: 0 });
  });

  it('not-a-capture.pcap: one line on stderr, exit code 2', async () => {
    const result = await runCli(['analyze', fixture('not-a-capture.pcap'), '--format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/not-a-capture\.pcap/);
  });

  it('a non-capture among several files fails the run before it writes anything', async () => {
    const result = await runCli([
      'analyze',
      fixture('udp-dns-ipv6.pcap'),
      fixture('not-a-capture.pcap'),
      '--format',
      'json',
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^flowlens: .*not-a-capture\.pcap: not a pcap or pcapng capture/);
  });

  it('a missing file: one line that says what to do, exit code 2', async () => {
    const result = await runCli(['analyze', fixture('no-such-file.pcap')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no such file.*check the path/)]);
  });

  it('several files in one run: totals add up, one summary entry per file', async () => {
    const result = await runCli([
      'analyze',
      fixture('udp-dns-ipv6.pcap'),
      fixture('vlan-qinq.pcap'),
      '--format',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Output;
    expect(out.summary).toMatchObject({ packets: 8, bytes: 289 + 322, flows: 4 });
    expect(out.summary.files).toHaveLength(2);
  });
});
