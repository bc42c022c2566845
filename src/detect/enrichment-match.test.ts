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

describe('threat-intel alerts on names', () => {
  const listed: Record<string, { listed: string; feed: string; tag: string }> = {
    'evil.example': { listed: 'evil.example', feed: 'lab-domains', tag: 'c2' },
    'cdn.evil.example': { listed: 'evil.example', feed: 'lab-domains', tag: 'c2' },
    'drop.example': { listed: 'drop.example', feed: 'urlhaus', tag: 'malware' },
  };
  const threatIntelDomain = (name: string) => listed[name];

  it('match the DNS query name, TLS SNI or HTTP Host, one alert per source and listed domain', () => {
    const engine = createDetectionEngine({}, { lookups: { threatIntelDomain } });
    engine.onFlow({ ...flowTo('10.0.0.53', 1000), dstPort: 53, dnsName: 'evil.example' });
    engine.onFlow({ ...flowTo('203.0.113.9', 1001), sni: 'cdn.evil.example' });
    engine.onFlow({ ...flowTo('203.0.113.10', 1002), dstPort: 80, httpHost: 'drop.example' });
    engine.onFlow({ ...flowTo('203.0.113.11', 1003), sni: 'fine.example' });
    const alerts = engine.finish().filter((a) => a.type === 'threat-intel');
    expect(
      alerts.map((a) => ({
        key: a.fingerprint.split('|')[2],
        mitre: a.mitre,
        count: a.count,
        text: a.explanation,
      })),
    ).toEqual([
      {
        key: 'evil.example',
        mitre: ['T1071'],
        count: 2,
        // The deduplicated alert carries the latest sighting's explanation.
        text: '10.0.0.8 → 203.0.113.9:443: cdn.evil.example (named in TLS) is under evil.example, which is listed by lab-domains (c2).',
      },
      {
        key: 'drop.example',
        mitre: ['T1105'],
        count: 1,
        text: '10.0.0.8 → 203.0.113.10:80: drop.example (requested over HTTP) is listed by urlhaus (malware).',
      },
    ]);
  });

  it('an address match takes precedence: one alert, for the address', () => {
    const engine = createDetectionEngine(
      {},
      {
        lookups: {
          threatIntelDomain,
          threatIntel: (ip) => (ip === '203.0.113.9' ? { feed: 'feodo', tag: 'c2' } : undefined),
        },
      },
    );
    engine.onFlow({ ...flowTo('203.0.113.9', 1000), sni: 'cdn.evil.example' });
    const alerts = engine.finish().filter((a) => a.type === 'threat-intel');
    expect(alerts.map((a) => a.fingerprint.split('|')[2])).toEqual(['203.0.113.9']);
  });
});
