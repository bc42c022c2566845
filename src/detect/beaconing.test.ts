import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../model/index.js';
import { createDetectionEngine } from './engine.js';

/** One finished connection from `src` to `dst`:`dstPort`, `bytes` in all, starting at `ts`. */
function connection(src: string, dst: string, protocol: 6 | 17, dstPort: number, ts: number, bytes: number) {
  const flow: FlowRecord = {
    communityId: `1:${src}-${dst}-${dstPort}-${ts}`,
    protocol,
    ipVersion: 4,
    srcIp: src,
    srcPort: 50_000 + (ts % 10_000),
    dstIp: dst,
    dstPort,
    vlan: 0,
    firstTs: ts,
    lastTs: ts + 0.2,
    packets: 4,
    bytes,
    frameBytes: bytes + 56,
    fwdPackets: 2,
    fwdBytes: bytes / 2,
    revPackets: 2,
    revBytes: bytes / 2,
    tcpFlags: protocol === 6 ? 0x1b : 0,
    fwdTcpFlags: protocol === 6 ? 0x1b : 0,
    revTcpFlags: protocol === 6 ? 0x1b : 0,
    state: protocol === 6 ? 'SF' : 'S1',
    endReason: 'idle-timeout',
    fragments: 0,
  };
  return flow;
}

/** 60 check-ins, one a minute (±1 s), 600 bytes (±10). */
function checkIns(src: string, dst: string, protocol: 6 | 17, dstPort: number): FlowRecord[] {
  return Array.from({ length: 60 }, (_, i) =>
    connection(src, dst, protocol, dstPort, 1_000_000 + i * 60 + (i % 3) - 1, 600 + (i % 5) * 5 - 10),
  );
}

function beacons(flows: FlowRecord[], config = {}) {
  const engine = createDetectionEngine(config);
  for (const flow of flows) engine.onFlow(flow);
  return engine.finish().filter((alert) => alert.type === 'beaconing');
}

describe('beaconing', () => {
  it('scores a once-a-minute HTTPS check-in to an external address, with the formula in the explanation', () => {
    const alerts = beacons(checkIns('10.0.0.8', '203.0.113.50', 6, 443));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: '10.0.0.8', targets: ['203.0.113.50'], mitre: ['T1071'] });
    expect(alerts[0].metrics.connections).toBe(60);
    // Offsets -1, 0, +1 s repeat: intervals 61, 61, 58, … so the median is 61 s.
    expect(alerts[0].metrics.intervalSeconds).toBe(61);
    expect(alerts[0].explanation).toContain('10.0.0.8 connected to 203.0.113.50 443/tcp 60 times');
    expect(alerts[0].explanation).toMatch(/beacon score \d+ = 100 × \(0\.45 × /);
  });

  it('stays quiet on a host polling its resolver and its time server on the same timer', () => {
    const flows = [
      ...checkIns('10.0.0.8', '8.8.8.8', 17, 53),
      ...checkIns('10.0.0.8', '162.159.200.1', 17, 123),
    ];
    flows.sort((a, b) => a.firstTs - b.firstTs);
    expect(beacons(flows)).toEqual([]);
  });

  it('scores DNS too when beaconing.ignorePorts is emptied', () => {
    const alerts = beacons(checkIns('10.0.0.8', '8.8.8.8', 17, 53), { beaconing: { ignorePorts: [] } });
    expect(alerts.map((alert) => alert.targets[0])).toEqual(['8.8.8.8']);
  });

  it('ignores internal-to-internal series (C2 sits outside)', () => {
    expect(beacons(checkIns('10.0.0.8', '10.0.0.1', 6, 443))).toEqual([]);
  });
});
