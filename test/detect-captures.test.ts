/**
 * The detection engine on the real attack captures of ../shared/pcaps (atk_*, see MANIFEST.tsv):
 * each raises the expected alert type with the right source and target, and the benign captures
 * (neither atk_ nor bad_) raise nothing high or critical. The run also generates the table of
 * docs/detections.md (capture → alerts → why): `FLOWLENS_WRITE_DETECTIONS=1 npx vitest run
 * test/detect-captures.test.ts` rewrites it; otherwise the test fails when the doc is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetectionEngine, type DetectionStats, type DnsEvent } from '../src/detect/index.js';
import type { Alert } from '../src/model/index.js';
import { analyzeCaptures, createCaptureDetection } from '../src/pipeline/index.js';
import { corpusAvailable, corpusFiles, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { run, toolsAvailable } from './support/run.js';

interface Detection {
  alerts: Alert[];
  stats: DetectionStats;
  flows: number;
  arp: { requests: number; replies: number; skipped: number };
}

/** The capture pass as `flowlens analyze` and `ingest` run it: createCaptureDetection's analyzers. */
async function detect(file: string): Promise<Detection> {
  const detection = createCaptureDetection();
  let flows = 0;
  const result = await analyzeCaptures({
    files: [corpusPath(file)],
    analyzers: detection.analyzers,
    onFlow: (record) => {
      flows++;
      detection.onFlow(record);
    },
  });
  const alerts = detection.finish();
  return { alerts, stats: detection.stats(), flows, arp: result.analysis.arp as Detection['arp'] };
}

const runs = new Map<string, Detection>();
const get = (file: string): Detection => {
  const found = runs.get(file);
  if (!found) throw new Error(`${file} was not analysed`);
  return found;
};
const ofType = (file: string, type: string) => get(file).alerts.filter((a) => a.type === type);

/** Why an attack capture raises nothing, for the docs table. */
const NO_ALERT_REASONS: Record<string, string> = {
  'atk_c2_cryptowall4_http.pcapng':
    'Only 3 check-ins to the C2 (15 s and 26 s apart): beaconing needs `beaconing.minConnections` (6).',
  'atk_c2_merlin_quic.pcapng':
    'All 100 packets are one QUIC connection: flow records carry no per-packet timing, so flow-level beaconing has one connection to look at.',
};

describe.skipIf(!corpusAvailable)('detections on the attack and benign captures', () => {
  const files = corpusFiles((name) => !name.startsWith('bad_'));

  beforeAll(async () => {
    for (const file of files) runs.set(file, await detect(file));
  }, 300_000);

  it('every flow reaches the engine once, and ARP frames become events', () => {
    for (const file of files) expect(get(file).stats.flows, file).toBe(get(file).flows);
    const sweep = get('atk_nmap_version_scan_arp_sweep.pcap');
    expect(sweep.stats.arpEvents).toBe(sweep.arp.requests + sweep.arp.replies);
    expect(sweep.arp.requests).toBeGreaterThanOrEqual(503);
  });

  it('nmap SYN scan → vertical port scan of 64.13.134.52 by 172.16.0.8', () => {
    const [scan] = ofType('atk_nmap_syn_scan.pcapng', 'port-scan');
    expect(scan).toMatchObject({ source: '172.16.0.8', targets: ['64.13.134.52'], mitre: ['T1046'] });
    expect(scan.metrics.kind).toBe('vertical');
    expect(scan.metrics.tcpPorts).toBeGreaterThanOrEqual(990);
    expect(scan.explanation).toMatch(/^172\.16\.0\.8 probed 1,000 TCP ports on 64\.13\.134\.52 in \d+ s; /);
    expect(scan.evidence.length).toBeGreaterThan(0);
    // A single scanner over a thousand ports is a scan, not a SYN flood.
    expect(ofType('atk_nmap_syn_scan.pcapng', 'flood')).toEqual([]);
  });

  it('nmap version scan + ARP sweep → port scan and host sweep by 192.168.1.71', () => {
    const file = 'atk_nmap_version_scan_arp_sweep.pcap';
    const scans = ofType(file, 'port-scan');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(scan.source).toBe('192.168.1.71');
    expect(scans.some((s) => s.metrics.kind === 'horizontal' && s.targets.includes('192.168.1.1'))).toBe(
      true,
    );
    const [sweep] = ofType(file, 'host-sweep');
    expect(sweep).toMatchObject({ source: '192.168.1.71', mitre: ['T1018', 'T1046'] });
    expect(sweep.metrics.kind).toBe('arp');
    expect(sweep.metrics.hosts).toBeGreaterThanOrEqual(200);
    expect(sweep.targets).toContain('192.168.1.2');
  });

  it.each([
    ['atk_ssh_bruteforce.pcap', '192.168.56.103', 22, 11],
    ['atk_ftp_bruteforce.pcap', '192.168.56.101', 21, 30],
  ])('%s → brute force from 192.168.56.1 against %s port %i', (file, target, port, attempts) => {
    const [alert] = ofType(file, 'brute-force');
    expect(alert).toMatchObject({ source: '192.168.56.1', targets: [target], mitre: ['T1110.001', 'T1110'] });
    expect(alert.metrics).toMatchObject({ port, attempts });
  });

  it('ICMP tunnel → icmp-tunnel between 192.168.154.131 and 192.168.154.132', () => {
    const [alert] = ofType('atk_icmp_tunnel.pcap', 'icmp-tunnel');
    expect(alert).toMatchObject({ source: '192.168.154.131', targets: ['192.168.154.132'] });
    expect(alert.metrics.packets).toBe(863);
    expect(['high', 'critical']).toContain(alert.severity);
  });

  it('spoofed SYN flood → SYN flood against 10.10.10.10 from tens of thousands of sources', () => {
    const floods = ofType('atk_synflood_spoofed.pcap', 'flood');
    const syn = floods.find((a) => a.metrics.kind === 'syn');
    expect(syn).toBeDefined();
    expect(syn?.source).toBeUndefined();
    expect(syn?.targets).toEqual(['10.10.10.10']);
    expect(syn?.severity).toBe('critical');
    // ~37.6k spoofed sources (MANIFEST); linear counting is within a few percent.
    expect(Number(syn?.metrics.sources)).toBeGreaterThan(30_000);
    expect(syn?.metrics.synAcked).toBe(0);
  });

  it('DNS amplification → reflection flood against 10.10.10.10 from port 53', () => {
    const reflection = ofType('atk_dns_amp_rrsig_fragmented.pcap', 'flood').find(
      (a) => a.metrics.kind === 'reflection',
    );
    expect(reflection).toMatchObject({ targets: ['10.10.10.10'], mitre: ['T1498.002', 'T1498'] });
    expect(reflection?.metrics.port).toBe(53);
    expect(Number(reflection?.metrics.reflectors)).toBeGreaterThanOrEqual(20);
  });

  it('CryptoWall: the capture holds 3 check-ins, fewer than beaconing needs, so no beaconing claim', () => {
    const file = 'atk_c2_cryptowall4_http.pcapng';
    expect(get(file).flows).toBe(3);
    expect(get(file).flows).toBeLessThan(createDetectionEngine().config.beaconing.minConnections);
    expect(ofType(file, 'beaconing')).toEqual([]);
  });

  it('Merlin: the capture is one QUIC connection, which flow-level beaconing cannot time', () => {
    const file = 'atk_c2_merlin_quic.pcapng';
    expect(get(file).flows).toBe(1);
    expect(ofType(file, 'beaconing')).toEqual([]);
  });

  it.each([
    ['atk_dns_tunnel_iodine.pcap', '10.0.2.30', '10.0.2.20', 'pirate.sea'],
    ['atk_dns_tunnel_dnscat2_exfil.pcap', '192.168.220.56', '192.168.203.167', '(no registered domain)'],
  ])('%s → dns-tunnel from %s via %s, from the DNS analyzer in the pass', (file, client, server, domain) => {
    const run = get(file);
    expect(run.stats.dnsEvents).toBeGreaterThan(0);
    const alerts = ofType(file, 'dns-tunnel');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: client, targets: [server], mitre: ['T1071.004', 'T1048'] });
    expect(alerts[0].metrics.domain).toBe(domain);
    expect(['high', 'critical']).toContain(alerts[0].severity);
    // Evidence: Community IDs of the flows that carried the queries, as the flow records have them.
    expect(alerts[0].evidence.length).toBeGreaterThan(0);
    for (const id of alerts[0].evidence) expect(id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
  });

  it('benign captures raise no high or critical alert', () => {
    for (const file of files.filter((name) => !name.startsWith('atk_'))) {
      const loud = get(file).alerts.filter((a) => a.severity === 'high' || a.severity === 'critical');
      expect(loud.map((a) => `${file}: ${a.explanation}`)).toEqual([]);
    }
  });

  it('docs/detections.md holds the current capture → alerts table', () => {
    const rows = files
      .filter((file) => file.startsWith('atk_') || get(file).alerts.length > 0)
      .flatMap((file) => {
        const alerts = get(file).alerts;
        if (alerts.length === 0) return [`| \`${file}\` | none | ${NO_ALERT_REASONS[file] ?? ''} |`];
        return alerts.map(
          (a) =>
            `| \`${file}\` | ${a.type} (${a.severity}, ${a.score}; ${a.mitre.join(', ')}) | ${a.explanation.replaceAll('|', '\\|')} |`,
        );
      });
    const table = [
      '| capture | alert (severity, score; ATT&CK) | why |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n');
    const doc = path.join(PROJECT_ROOT, 'docs', 'detections.md');
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- captures-table:start -->\n';
    const end = '\n<!-- captures-table:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    expect(from >= 0 && to > from, 'docs/detections.md has the table markers').toBe(true);
    const next = text.slice(0, from + start.length) + table + text.slice(to);
    if (process.env.FLOWLENS_WRITE_DETECTIONS === '1') writeFileSync(doc, next);
    else expect(text, 'stale: run with FLOWLENS_WRITE_DETECTIONS=1').toBe(next);
  });
});

/**
 * Until the DNS analyzer lands, the DNS-tunnel detector is checked on the same captures' DNS
 * messages as tshark decodes them (an independent decoder), fed as DnsEvents.
 */
async function tsharkDnsEvents(file: string): Promise<DnsEvent[]> {
  const fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'dns.flags.response'];
  const more = ['dns.qry.name', 'dns.qry.type', 'dns.flags.rcode', 'dns.count.answers'];
  const args = ['-r', corpusPath(file), '-Y', 'dns', '-T', 'fields', '-E', 'occurrence=f'];
  const result = await run('tshark', [...args, ...[...fields, ...more].flatMap((f) => ['-e', f])]);
  expect(result.code, result.stderr).toBe(0);
  const events: DnsEvent[] = [];
  for (const line of result.stdout.split('\n')) {
    const [ts, src4, dst4, src6, dst6, response, qname, qtype, rcode, answers] = line.split('\t');
    if (!qname) continue;
    const isResponse = response === '1' || response === 'True';
    const src = src4 || src6;
    const dst = dst4 || dst6;
    events.push({
      ts: Number(ts),
      client: isResponse ? dst : src,
      server: isResponse ? src : dst,
      qname,
      qtype: Number(qtype),
      rcode: Number(rcode || 0),
      isResponse,
      answerCount: Number(answers || 0),
    });
  }
  return events;
}

describe.skipIf(!corpusAvailable || !toolsAvailable(['tshark']))(
  'DNS tunnelling on tshark-decoded DNS',
  () => {
    it.each([
      ['atk_dns_tunnel_iodine.pcap', '10.0.2.30', '10.0.2.20', 'pirate.sea'],
      ['atk_dns_tunnel_dnscat2_exfil.pcap', '192.168.220.56', '192.168.203.167', '(no registered domain)'],
    ])('%s → dns-tunnel from %s via %s', async (file, client, server, domain) => {
      const engine = createDetectionEngine();
      const events = await tsharkDnsEvents(file);
      for (const event of events) engine.onDns(event);
      const alerts = engine.finish().filter((a) => a.type === 'dns-tunnel');
      expect(engine.stats().dnsEvents).toBe(events.length);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ source: client, targets: [server], mitre: ['T1071.004', 'T1048'] });
      expect(alerts[0].metrics.domain).toBe(domain);
      expect(['high', 'critical']).toContain(alerts[0].severity);
    });

    it('benign DNS in the corpus raises no dns-tunnel alert', async () => {
      for (const file of corpusFiles((n) => /^(dns_|bulk_|ip_v6_fragmented_dns)/.test(n))) {
        const engine = createDetectionEngine();
        for (const event of await tsharkDnsEvents(file)) engine.onDns(event);
        expect(engine.finish(), file).toEqual([]);
      }
    });
  },
);
