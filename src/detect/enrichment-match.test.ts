import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../model/index.js';
import { createDetectionEngine } from './engine.js';
import { MITRE, techniqueForFeedCategory } from './mitre.js';

function flowTo(dstIp: string, ts: number): FlowRecord {
  return {
    communityId: `1:${dstIp}-${ts}`,
    protocol: 6,
    ipVersion: 4,
    srcIp: '10.0.0.8',
    srcPort: 50_000,
    dstIp,
    dstPort: 443,
    vlan: 0,
    firstTs: ts,
    lastTs: ts + 1,
    packets: 10,
    bytes: 2000,
    frameBytes: 2140,
    fwdPackets: 5,
    fwdBytes: 800,
    revPackets: 5,
    revBytes: 1200,
    tcpFlags: 0x1b,
    fwdTcpFlags: 0x1b,
    revTcpFlags: 0x1b,
    state: 'SF',
    endReason: 'idle-timeout',
    fragments: 0,
  };
}

describe('threat-intel alerts', () => {
  it('carry the MITRE technique of the listing feed category', () => {
    const listed: Record<string, { feed: string; tag: string }> = {
      '198.51.100.1': { feed: 'feodo', tag: 'c2' },
      '198.51.100.2': { feed: 'blocklist-de', tag: 'scanner' },
      '198.51.100.3': { feed: 'urlhaus', tag: 'malware' },
      '198.51.100.4': { feed: 'lists', tag: 'watchlist' },
    };
    const engine = createDetectionEngine({}, { lookups: { threatIntel: (ip) => listed[ip] } });
    Object.keys(listed).forEach((ip, i) => {
      engine.onFlow(flowTo(ip, 1000 + i));
    });
    const byTarget = Object.fromEntries(
      engine
        .finish()
        .filter((a) => a.type === 'threat-intel')
        .map((a) => [a.targets[0], a.mitre]),
    );
    expect(byTarget).toEqual({
      '198.51.100.1': ['T1071'],
      '198.51.100.2': ['T1595'],
      '198.51.100.3': ['T1105'],
      '198.51.100.4': ['T1071'],
    });
  });

  it('maps every category to a technique the MITRE table names', () => {
    for (const category of [
      'c2',
      'botnet',
      'scanner',
      'malware',
      'phishing',
      'tor',
      'miner',
      'hijacked',
      'ads',
    ]) {
      expect(MITRE[techniqueForFeedCategory(category)], category).toBeDefined();
    }
  });
});
