/**
 * Top talkers versus tshark's IPv4/IPv6 Endpoints table (`-z endpoints,ip -z endpoints,ipv6`) on
 * real captures without tunnels (tshark counts a tunnel's outer and inner addresses both; we count
 * the inner). Tolerance: none — packets, bytes, Tx and Rx per address are exact. Also checks that
 * throughput buckets add up to the run's totals and that the bounded maps count what they prune.
 */
import { describe, expect, it } from 'vitest';
import { createTalkersAnalyzer, createThroughputAnalyzer } from '../src/analyze/talkers/index.js';
import type { ThroughputSeries, TopTalkers } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { run, toolsAvailable } from './support/run.js';

const FILES = [
  'tls12_sni_chrome.pcap',
  'http_get_google.pcapng',
  'atk_ssh_bruteforce.pcap',
  'arp_poison_mitm.pcapng',
  'dns_over_tcp.pcapng',
  'icmpv6_neighbor_solicitation.pcapng',
  'atk_nmap_syn_scan.pcapng',
  'fmt_gzip_loopback_echo_82k.pcap.gz',
];

type Row = [
  packets: number,
  bytes: number,
  txPackets: number,
  txBytes: number,
  rxPackets: number,
  rxBytes: number,
];

async function tsharkEndpoints(file: string): Promise<Record<string, Row>> {
  const { stdout } = await run('tshark', [
    '-n',
    '-r',
    file,
    '-q',
    '-z',
    'endpoints,ip',
    '-z',
    'endpoints,ipv6',
  ]);
  const rows: Record<string, Row> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([0-9a-f.:]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line.trim());
    if (m !== null) rows[m[1]] = m.slice(2).map(Number) as Row;
  }
  return rows;
}

async function analyze(file: string, maxEntries = 10_000) {
  const { summary, analysis } = await analyzeCaptures({
    files: [file],
    analyzers: [createTalkersAnalyzer({ top: 100_000, maxEntries }), createThroughputAnalyzer()],
    onFlow() {},
  });
  return {
    summary,
    talkers: analysis.talkers as TopTalkers,
    throughput: analysis.throughput as ThroughputSeries,
  };
}

const ready = corpusAvailable && toolsAvailable(['tshark']);

describe.skipIf(!ready)('top talkers versus tshark endpoints', () => {
  it.each(FILES)('%s', async (name) => {
    const file = corpusPath(name);
    const [{ talkers }, expected] = await Promise.all([analyze(file), tsharkEndpoints(file)]);
    const actual: Record<string, Row> = {};
    for (const h of talkers.hosts) {
      actual[h.address] = [h.packets, h.bytes, h.txPackets, h.txBytes, h.rxPackets, h.rxBytes];
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
    expect(talkers.exact).toBe(true);
    expect(talkers.hostsSeen).toBe(Object.keys(expected).length);
  });
});

describe.skipIf(!corpusAvailable)('throughput and bounds on real captures', () => {
  it('buckets add up to the frames and bytes the analyzers saw, about 200 of them', async () => {
    const { summary, throughput } = await analyze(corpusPath('fmt_gzip_loopback_echo_82k.pcap.gz'));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(throughput.packets)).toBe(summary.packets);
    expect(sum(throughput.bytes)).toBe(summary.bytes);
    expect(throughput.packets.length).toBeGreaterThanOrEqual(40);
    expect(throughput.packets.length).toBeLessThanOrEqual(250);
    expect(throughput.startTs).toBeLessThanOrEqual(summary.firstTs ?? 0);
    expect(throughput.startTs + throughput.bucketSeconds * throughput.packets.length).toBeGreaterThan(
      summary.lastTs ?? 0,
    );
    expect(throughput.outOfOrder).toBe(0);
  });

  it('prunes to the configured bound and says the counts are no longer exact', async () => {
    // An nmap version scan: DNS lookups and probes of several hosts, so more than two hosts.
    const scan = await analyze(corpusPath('atk_nmap_version_scan_arp_sweep.pcap'), 1);
    expect(scan.talkers.hosts.length).toBeLessThanOrEqual(2);
    expect(scan.talkers.hostsSeen).toBeGreaterThan(2);
    expect(scan.talkers.exact).toBe(false);
    expect(scan.talkers.prunedHostEntries).toBeGreaterThan(0);
    const full = await analyze(corpusPath('atk_nmap_version_scan_arp_sweep.pcap'));
    expect(full.talkers.exact).toBe(true);
    // The heaviest host survives pruning with its exact count (it is never the one pruned).
    expect(scan.talkers.hosts[0].address).toBe(full.talkers.hosts[0].address);
  });
});
