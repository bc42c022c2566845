/**
 * The TCP analyzer on the synthetic scenarios (testing/scenarios.ts) through the real engine:
 * what tshark has no field for — handshake outcomes and times, resets by side, window episode
 * durations, Karn RTT samples, throughput and the capture summary. The tcp.analysis flags
 * themselves are compared with tshark in test/oracle-tcp-analysis.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowRecord, TcpAnalysisSummary } from '../../model/index.js';
import { analyzeCaptures } from '../../pipeline/index.js';
import { createPcapWriter } from '../../sources/index.js';
import type { TcpAnalyzerConfig } from './config.js';
import { createTcpAnalyzer } from './tcp-analyzer.js';
import { SCENARIOS } from './testing/scenarios.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-tcp-unit-'));

async function analyze(name: string, config: Partial<TcpAnalyzerConfig> = {}) {
  const writer = createPcapWriter({ linkType: 1 });
  for (const frame of SCENARIOS[name]!) writer.writePacket(frame.bytes, frame.t);
  const file = path.join(dir, `${name}.pcap`);
  writeFileSync(file, writer.toBuffer());
  const flows: FlowRecord[] = [];
  const { analysis } = await analyzeCaptures({
    files: [file],
    analyzers: [createTcpAnalyzer(config)],
    onFlow: (record) => flows.push(record),
  });
  flows.sort((a, b) => a.tcp!.stream - b.tcp!.stream);
  return { flows, summary: analysis.tcp as TcpAnalysisSummary };
}

describe('TCP analyzer', () => {
  it('reports a clean connection: handshake times, initial RTT, RTT samples, throughput', async () => {
    const { flows, summary } = await analyze('clean');
    expect(flows).toHaveLength(1);
    const tcp = flows[0]!.tcp!;
    expect(tcp.stream).toBe(0);
    expect(tcp.handshake).toMatchObject({ state: 'complete', synRetransmissions: 0 });
    expect(tcp.handshake!.synToSynAck).toBeCloseTo(0.005, 6);
    expect(tcp.handshake!.synAckToAck).toBeCloseTo(0.005, 6);
    expect(tcp.handshake!.total).toBeCloseTo(0.01, 6);
    expect(tcp.initialRtt).toBeCloseTo(0.01, 6);
    // Client data at 0.02 ACKed at 0.03; server data at 0.031 ACKed at 0.04.
    expect(tcp.rtt).toMatchObject({ samples: 2 });
    expect(tcp.rtt!.min).toBeCloseTo(0.009, 6);
    expect(tcp.rtt!.max).toBeCloseTo(0.01, 6);
    expect(tcp.fwd.payloadBytes).toBe(300);
    expect(tcp.rev.payloadBytes).toBe(500);
    expect(tcp.fwd.throughput).toBeCloseTo(300 / 0.07, 0);
    expect(tcp.fwd.retransmissions).toBeUndefined();
    // Window 512 << 7 = 64 KiB: not low.
    expect(tcp.fwd.lowWindows).toBeUndefined();
    expect(summary.tcpFlows).toBe(1);
    expect(summary.packets).toBe(10);
    expect(summary.handshakes).toMatchObject({ complete: 1, unanswered: 0, midstream: 0 });
    expect(summary.rtt).toMatchObject({ count: 2, sampled: 0 });
    expect(summary.issues.retransmission).toEqual({ count: 0, flows: 0, topFlows: [], droppedFlows: 0 });
  });

  it('classifies RTO and spurious retransmissions and takes no RTT sample over them (Karn)', async () => {
    const { flows, summary } = await analyze('rtoAndSpurious');
    const tcp = flows[0]!.tcp!;
    expect(tcp.fwd).toMatchObject({
      retransmissions: 2,
      rtoRetransmissions: 1,
      spuriousRetransmissions: 1,
      retransmittedBytes: 200,
      payloadBytes: 300,
    });
    expect(tcp.rev.duplicateAcks).toBe(1);
    expect(tcp.rtt).toBeUndefined();
    const issue = summary.issues.retransmission;
    expect(issue).toMatchObject({ count: 2, flows: 1, droppedFlows: 0 });
    expect(issue.topFlows[0]).toMatchObject({
      stream: 0,
      srcIp: '10.0.0.1',
      srcPort: 40000,
      dstIp: '10.0.0.2',
      dstPort: 80,
      count: 2,
      communityId: flows[0]!.communityId,
      filter: 'ip.addr==10.0.0.1 && tcp.port==40000 && ip.addr==10.0.0.2 && tcp.port==80',
    });
  });

  it('finds the fast retransmission after three duplicate ACKs', async () => {
    const { flows, summary } = await analyze('fastRetransmission');
    const tcp = flows[0]!.tcp!;
    expect(tcp.fwd).toMatchObject({ fastRetransmissions: 1, retransmissions: 1, lostSegments: 1 });
    expect(tcp.fwd.rtoRetransmissions).toBeUndefined();
    expect(tcp.rev.duplicateAcks).toBe(3);
    expect(summary.issues.fastRetransmission.count).toBe(1);
    expect(summary.issues.duplicateAck.count).toBe(3);
  });

  it('measures zero- and low-window episodes and counts window full and probes', async () => {
    const { flows, summary } = await analyze('zeroWindow');
    const rev = flows[0]!.tcp!.rev;
    expect(rev.zeroWindows).toBe(2);
    expect(rev.zeroWindowSeconds).toBeCloseTo(0.5, 6);
    expect(rev.lowWindows).toBe(1);
    expect(rev.lowWindowSeconds).toBeCloseTo(0.01, 6);
    expect(flows[0]!.tcp!.fwd).toMatchObject({ windowFull: 1, zeroWindowProbes: 1 });
    expect(summary.issues.zeroWindow).toMatchObject({ count: 2, flows: 1 });
    expect(summary.issues.lowWindow).toMatchObject({ count: 1, flows: 1 });
    const quiet = await analyze('zeroWindow', { lowWindowBytes: 500 });
    expect(quiet.flows[0]!.tcp!.rev.lowWindows).toBeUndefined();
  });

  it('tells refused, unanswered and reset handshakes apart, and who reset', async () => {
    const { flows, summary } = await analyze('handshakeFailures');
    expect(flows.map((f) => [f.srcPort, f.tcp!.handshake!.state, f.tcp!.resetBy])).toEqual([
      [40000, 'refused', 'responder'],
      [40001, 'unanswered', undefined],
      [40002, 'reset', 'originator'],
    ]);
    expect(flows[1]!.tcp!.handshake!.synRetransmissions).toBe(1);
    expect(flows[2]!.tcp!.handshake!.synToSynAck).toBeCloseTo(0.01, 6);
    expect(summary.handshakes).toMatchObject({ refused: 1, unanswered: 1, reset: 1, complete: 0 });
    expect(summary.resets).toEqual({ byOriginator: 1, byResponder: 1 });
    expect(summary.issues.synRetransmission).toMatchObject({ count: 1, flows: 1 });
    expect(summary.issues.reset).toMatchObject({ count: 2, flows: 2 });
    expect(summary.handshakes.synToSynAck).toMatchObject({ count: 1, sampled: 0 });
  });

  it('caps the flows listed per issue and counts the rest', async () => {
    const { summary } = await analyze('handshakeFailures', { maxFlowsPerIssue: 1 });
    expect(summary.issues.reset).toMatchObject({ count: 2, flows: 2, droppedFlows: 1 });
    expect(summary.issues.reset.topFlows).toHaveLength(1);
  });

  it('keeps percentiles from a capped sample', async () => {
    const { summary } = await analyze('clean', { maxTimeSamples: 1 });
    expect(summary.rtt).toMatchObject({ count: 2, sampled: 1 });
    expect(summary.rtt.min).toBeCloseTo(0.009, 6);
    expect(summary.rtt.max).toBeCloseTo(0.01, 6);
  });
});
