/**
 * A complete ReportDocument for renderer tests, with hostile strings in every field a capture can
 * fill (hosts, SNI, HTTP, DNS names, alert text, warnings, file names).
 */
import { computeHealthScore } from '../../analyze/index.js';
import type { ReportDocument } from '../../model/index.js';
import { wiresharkTcpFilter } from '../../model/index.js';
import { HOSTILE, HOSTILE_STRINGS } from './hostile.js';

export function fixtureDocument(): ReportDocument {
  const start = 1_700_000_000;
  const buckets = 200;
  return {
    formatVersion: 1,
    title: `Diagnosis of ${HOSTILE_STRINGS[3]}`,
    generatedAt: '2024-01-01T00:00:00.000Z',
    generator: 'flowlens test',
    summary: {
      files: [`/captures/${HOSTILE_STRINGS[1]}.pcap`],
      packets: 12_345,
      bytes: 9_876_543,
      firstTs: start,
      lastTs: start + 20,
      durationSeconds: 20,
      avgPacketsPerSecond: 617.25,
      avgBitsPerSecond: 3_950_617,
      linkTypes: ['ethernet'],
      flows: 321,
      ipv4Packets: 12_000,
      ipv6Packets: 345,
    },
    health: computeHealthScore({
      retransmissionRate: 0.039,
      retransmissions: 39,
      tcpSegments: 1000,
      rttP50Ms: 40,
      rttP95Ms: 550,
      rttSamples: 250,
      dnsFailureRate: 0.02,
      dnsQueries: 120,
      malformedRate: 0,
      malformedPackets: 0,
    }),
    throughput: {
      startTs: start,
      bucketSeconds: 0.1,
      packets: Array.from({ length: buckets }, (_, i) => 40 + Math.round(30 * Math.sin(i / 9))),
      bytes: Array.from({ length: buckets }, (_, i) => 40_000 + Math.round(30_000 * Math.sin(i / 7))),
      outOfOrder: 0,
    },
    protocolHierarchy: {
      frames: 12_345,
      bytes: 9_876_543,
      unresolvedLinkFrames: 0,
      roots: [
        {
          protocol: 'eth',
          frames: 12_345,
          bytes: 9_876_543,
          children: [
            {
              protocol: 'ip',
              frames: 12_000,
              bytes: 9_800_000,
              children: [
                { protocol: 'tcp', frames: 11_000, bytes: 9_700_000, children: [] },
                { protocol: HOSTILE_STRINGS[0], frames: 1_000, bytes: 100_000, children: [] },
              ],
            },
          ],
        },
      ],
    },
    talkers: {
      hosts: [
        {
          address: '10.0.0.1',
          packets: 9000,
          bytes: 8_000_000,
          txPackets: 4000,
          txBytes: 300_000,
          rxPackets: 5000,
          rxBytes: 7_700_000,
          flows: 20,
        },
        {
          address: '2001:db8::1',
          packets: 345,
          bytes: 76_543,
          txPackets: 200,
          txBytes: 40_000,
          rxPackets: 145,
          rxBytes: 36_543,
          flows: 3,
        },
      ],
      conversations: [
        {
          addressA: '10.0.0.1',
          addressB: '93.184.216.34',
          packets: 9000,
          bytes: 8_000_000,
          packetsAToB: 4000,
          bytesAToB: 300_000,
          packetsBToA: 5000,
          bytesBToA: 7_700_000,
          flows: 20,
          firstTs: start,
          lastTs: start + 19.5,
        },
      ],
      hostsSeen: 40,
      conversationsSeen: 30,
      exact: true,
      prunedHostEntries: 0,
      prunedConversationEntries: 0,
      prunedConversationBytes: 0,
    },
    tcp: {
      facts: [
        { label: 'TCP flows', value: 250, kind: 'number' },
        { label: 'Retransmission rate', value: 0.039, kind: 'percent' },
      ],
      groups: [
        {
          type: 'retransmission',
          label: 'Retransmissions',
          description: 'Segments sent again (RTO, fast or spurious).',
          count: 39,
          flows: [
            {
              srcIp: '10.0.0.1',
              srcPort: 51234,
              dstIp: '93.184.216.34',
              dstPort: 443,
              count: 30,
              detail: HOSTILE_STRINGS[2],
              filter: wiresharkTcpFilter('10.0.0.1', 51234, '93.184.216.34', 443),
            },
            {
              srcIp: '2001:db8::1',
              srcPort: 40000,
              dstIp: '2001:db8::2',
              dstPort: 80,
              count: 9,
              filter: wiresharkTcpFilter('2001:db8::1', 40000, '2001:db8::2', 80),
            },
          ],
          omittedFlows: 3,
        },
        { type: 'zero-window', label: 'Zero window', count: 2, flows: [] },
      ],
    },
    dns: {
      facts: [
        { label: 'Queries', value: 120, kind: 'number' },
        { label: 'Response time p95', value: 41.5, kind: 'ms' },
      ],
      tables: [
        {
          title: 'Top names',
          columns: [
            { key: 'name', label: 'Name' },
            { key: 'count', label: 'Queries', kind: 'number' },
          ],
          rows: HOSTILE_STRINGS.map((name, i) => ({ name, count: 100 - i })),
        },
      ],
    },
    // ICMP left out on purpose: it must render "not available".
    inventory: {
      facts: [],
      tables: [
        {
          title: 'TLS',
          columns: [
            { key: 'sni', label: 'SNI' },
            { key: 'version', label: 'Version' },
            { key: 'ja4', label: 'JA4' },
          ],
          rows: [{ sni: HOSTILE, version: 'TLS 1.3', ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1' }],
        },
        {
          title: 'HTTP',
          columns: [
            { key: 'host', label: 'Host' },
            { key: 'path', label: 'Path' },
            { key: 'userAgent', label: 'User-Agent' },
          ],
          rows: [
            { host: HOSTILE_STRINGS[4], path: `/${HOSTILE_STRINGS[5]}`, userAgent: HOSTILE_STRINGS[13] },
          ],
        },
      ],
      notes: [HOSTILE_STRINGS[14]],
    },
    security: [
      {
        id: 'a0123456789abcdef',
        fingerprint: `port-scan|10.0.0.9|${HOSTILE_STRINGS[6]}`,
        type: 'port-scan',
        severity: 'high',
        score: 80,
        mitre: ['T1046'],
        source: '10.0.0.9',
        targets: ['10.0.0.1'],
        firstSeen: start + 1,
        lastSeen: start + 5,
        count: 1,
        explanation: `1000 ports probed ${HOSTILE_STRINGS[12]}`,
        evidence: [],
        metrics: {},
      },
    ],
    warnings: [{ code: 'FLOWLENS_ERR_IP_TRUNCATED', message: `frame 12: ${HOSTILE_STRINGS[8]}`, count: 3 }],
  };
}
