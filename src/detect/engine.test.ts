import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../model/index.js';
import { createDetectionEngine } from './engine.js';

/** A SYN that got no answer, as the flow table reports it. */
function probe(src: string, dst: string, dstPort: number, ts: number): FlowRecord {
  return {
    communityId: `1:${src}-${dst}-${dstPort}`,
    protocol: 6,
    ipVersion: 4,
    srcIp: src,
    srcPort: 40_000,
    dstIp: dst,
    dstPort,
    vlan: 0,
    firstTs: ts,
    lastTs: ts,
    packets: 1,
    bytes: 44,
    frameBytes: 58,
    fwdPackets: 1,
    fwdBytes: 44,
    revPackets: 0,
    revBytes: 0,
    tcpFlags: 2,
    fwdTcpFlags: 2,
    revTcpFlags: 0,
    state: 'S0',
    endReason: 'idle-timeout',
    fragments: 0,
  };
}

describe('detection engine', () => {
  it('raises a vertical scan with its numbers, and deduplicates the next window into it', () => {
    const seen: string[] = [];
    const engine = createDetectionEngine({}, { onAlert: (a, change) => seen.push(`${change} ${a.count}`) });
    for (let port = 1; port <= 20; port++)
      engine.onFlow(probe('198.51.100.7', '10.0.0.5', port, 1000 + port));
    // The next window (after portScan.windowSeconds) scans again.
    for (let port = 1; port <= 20; port++)
      engine.onFlow(probe('198.51.100.7', '10.0.0.5', port, 1400 + port));
    const alerts = engine.finish();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'port-scan',
      source: '198.51.100.7',
      targets: ['10.0.0.5'],
      count: 2,
      firstSeen: 1001,
      lastSeen: 1420,
      fingerprint: 'port-scan|198.51.100.7|10.0.0.5',
    });
    expect(alerts[0].explanation).toBe(
      '198.51.100.7 probed 20 TCP ports on 10.0.0.5 in 19 s; 0 % answered with RST, 100 % unanswered, 0 open.',
    );
    expect(alerts[0].id).toMatch(/^a[0-9a-f]{16}$/);
    expect(seen).toEqual(['new 1', 'updated 2']);
  });

  it('escalates a repeated low alert', () => {
    const engine = createDetectionEngine({ escalation: { repeats: 3 }, portScan: { windowSeconds: 10 } });
    for (let w = 0; w < 3; w++) {
      for (let h = 1; h <= 5; h++) engine.onFlow(probe('10.1.1.1', `10.2.2.${h}`, 445, 1000 + 20 * w + h));
    }
    const [alert] = engine.finish();
    expect(alert).toMatchObject({ type: 'port-scan', count: 3, severity: 'medium' });
    expect(severityBefore(alert.explanation)).toBe('low');
  });

  it('skips allowlisted sources and counts them', () => {
    const engine = createDetectionEngine({
      allowlist: { sources: ['198.51.100.0/24'], destinations: [], pairs: [] },
    });
    for (let port = 1; port <= 20; port++)
      engine.onFlow(probe('198.51.100.7', '10.0.0.5', port, 1000 + port));
    expect(engine.finish()).toEqual([]);
    expect(engine.stats().allowlisted).toBe(20);
  });

  it('keeps state bounded and counts evictions', () => {
    const engine = createDetectionEngine({ maxTrackedPerDetector: 100 });
    // Two probes per source, so each source leaves the probation cache for the table.
    for (let i = 0; i < 1000; i++) {
      const src = `203.0.${i >> 8}.${i & 255}`;
      engine.onFlow(probe(src, '10.0.0.5', 80, 1000));
      engine.onFlow(probe(src, '10.0.0.5', 81, 1000));
    }
    const stats = engine.stats().detectors['port-scan'];
    expect(stats.tracked).toBe(100);
    expect(stats.evictions).toBe(900);
  });

  it('rejects unknown settings and bad numbers with a usage error', () => {
    expect(() => createDetectionEngine({ portScan: { verticalMinPorts: -1 } })).toThrow(
      /portScan.verticalMinPorts/,
    );
    expect(() => createDetectionEngine({ homeNetworks: ['10.0.0.0/33'] })).toThrow(/bad prefix/);
    expect(() => createDetectionEngine({ nope: 1 } as never)).toThrow(/not a known setting/);
  });
});

function severityBefore(explanation: string): string | undefined {
  return /raised from (\w+) to/.exec(explanation)?.[1];
}
