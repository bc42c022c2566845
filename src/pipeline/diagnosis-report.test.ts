/**
 * The diagnosis mapping on real analyzer output: corpus captures (and one synthetic RTP stream,
 * the corpus having no media flow long enough for jitter) run through analyzeCaptures with every
 * analyzer and the detections, then mapped. Each section is checked against the analyzer result
 * it came from, and the health score against computeHealthScore on the inputs the mapping chose.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath } from '../../test/support/corpus.js';
import { concat, ETHERTYPE, ethernet, ipv4, PROTO, udp } from '../../test/support/packet-builder.js';
import { type AppInventory, computeHealthScore, type DeviceInventory } from '../analyze/index.js';
import type {
  DnsSummary,
  HealthScore,
  IcmpSummary,
  InputWarning,
  ProtocolHierarchy,
  ReportDocument,
  ReportSection,
  TcpAnalysisSummary,
  TimingSummary,
} from '../model/index.js';
import { TCP_ISSUES, wiresharkTcpFilter } from '../model/index.js';
import { createPcapWriter } from '../sources/index.js';
import { analyzeCaptures } from './analyze-captures.js';
import { createCaptureDetection } from './capture-detection.js';
import type { CaptureSummary } from './capture-summary.js';
import { completeAnalysis, diagnosisReport, reportWarnings } from './diagnosis-report.js';
import { createDiagnosisAnalyzers } from './diagnosis-report-analyzers.js';
import { healthInputsOf } from './diagnosis-report-health.js';

interface Run {
  summary: CaptureSummary;
  analysis: Record<string, unknown>;
  warnings: InputWarning[];
  doc: ReportDocument;
}

const GENERATED_AT = '2024-01-01T00:00:00.000Z';

async function run(file: string): Promise<Run> {
  const detection = createCaptureDetection();
  const warnings: InputWarning[] = [];
  const result = await analyzeCaptures({
    files: [file],
    analyzers: [...createDiagnosisAnalyzers(), ...detection.analyzers],
    onFlow: (record) => detection.onFlow(record),
    onWarning: (w) => warnings.push(w),
  });
  result.analysis.alerts = detection.finish();
  const analysis = completeAnalysis(result.summary, result.analysis);
  const doc = diagnosisReport(result.summary, analysis, { warnings, generatedAt: GENERATED_AT });
  return { summary: result.summary, analysis, warnings, doc };
}

/** A fact's value by label. */
function fact(section: { facts: { label: string; value: unknown }[] } | undefined, label: string): unknown {
  const found = section?.facts.find((f) => f.label === label);
  if (found === undefined) throw new Error(`no fact ${label}`);
  return found.value;
}

function table(section: ReportSection | undefined, title: string) {
  const found = section?.tables.find((t) => t.title === title);
  if (found === undefined) throw new Error(`no table ${title}`);
  return found;
}

describe.skipIf(!corpusAvailable)('diagnosisReport on corpus captures', () => {
  it('maps TCP issues, DNS and the health inputs of mixed LAN traffic', async () => {
    const { summary, analysis, doc } = await run(corpusPath('bulk_mixed_apps_1kxun.pcap'));
    const tcp = analysis.tcp as TcpAnalysisSummary;
    const dns = analysis.dns as DnsSummary;
    expect(tcp.issues.retransmission.count).toBeGreaterThan(0);

    // One group per issue that occurred, in TCP_ISSUES order, with its count and flows.
    const occurred = TCP_ISSUES.filter((issue) => tcp.issues[issue].count > 0);
    expect(doc.tcp?.groups.map((g) => g.type)).toEqual(
      occurred.map((issue) => issue.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)),
    );
    for (const [i, issue] of occurred.entries()) {
      const group = doc.tcp!.groups[i];
      const source = tcp.issues[issue];
      expect(group.count).toBe(source.count);
      expect(group.omittedFlows).toBe(source.droppedFlows);
      expect(group.flows.map((f) => f.count)).toEqual(source.topFlows.map((f) => f.count));
      for (const [j, f] of group.flows.entries()) {
        const from = source.topFlows[j];
        expect(f.filter).toBe(wiresharkTcpFilter(from.srcIp, from.srcPort, from.dstIp, from.dstPort));
        expect(f.detail).toBe(`tcp.stream ${from.stream}`);
      }
    }
    expect(doc.tcp?.groups.find((g) => g.type === 'retransmission')?.flows.length).toBeGreaterThan(0);
    expect(fact(doc.tcp, 'TCP connections')).toBe(tcp.tcpFlows);

    // Health inputs: the rates the analyzers measured, and a score computeHealthScore agrees with.
    const health = analysis.health as HealthScore;
    const inputs = healthInputsOf({
      packets: summary.packets,
      undecodable: summary.undecodable,
      warnings: summary.warnings,
      tcp,
      dns,
      icmp: analysis.icmp as IcmpSummary,
      timing: analysis.timing as TimingSummary,
    });
    expect(inputs.retransmissionRate).toBe(tcp.issues.retransmission.count / tcp.packets);
    expect(inputs.lostSegmentRate).toBe(tcp.issues.lostSegment.count / tcp.packets);
    expect(inputs.dupAckRate).toBe(tcp.issues.duplicateAck.count / tcp.packets);
    expect(inputs.rttP50Ms).toBe(tcp.rtt.median! * 1000);
    expect(inputs.rttP95Ms).toBe(tcp.rtt.p95! * 1000);
    expect(inputs.dnsQueries).toBe(dns.queries);
    expect(inputs.dnsResponseTimeP95Ms).toBe(dns.responseTime?.p95Ms);
    expect(inputs.dnsUnansweredRate).toBe(dns.unanswered / (dns.answered + dns.unanswered));
    expect(inputs.jitterMeanMs).toBeUndefined();
    expect(health).toEqual(computeHealthScore(inputs));
    expect(doc.health).toEqual(health);
    expect(health.components.find((c) => c.id === 'retransmissions')?.measured).toBe(true);
    expect(health.components.find((c) => c.id === 'jitter')?.measured).toBe(false);

    expect(fact(doc.dns, 'Queries')).toBe(dns.queries);
    expect(fact(doc.dns, 'Response time p95')).toBe(dns.responseTime?.p95Ms);
    expect(table(doc.dns, 'Response codes').rows).toEqual(
      Object.entries(dns.rcodes).map(([name, count]) => ({ name, count })),
    );
    expect(table(doc.dns, 'Top names').rows[0]).toEqual({
      name: dns.topNames[0].name,
      count: dns.topNames[0].count,
    });

    const app = analysis.app as AppInventory;
    expect(table(doc.inventory, 'Applications').rows).toEqual(
      Object.entries(app.applications).map(([name, count]) => ({ name, count })),
    );
    expect(table(doc.inventory, 'HTTP hosts').rows.length).toBe(app.topHttpHosts.length);
  });

  it('completes the protocol hierarchy and passes talkers and throughput through', async () => {
    const { summary, analysis, doc } = await run(corpusPath('lt_rawip_tls_alpn_sni.pcap'));
    const hierarchy = analysis.protocolHierarchy as ProtocolHierarchy;
    expect(hierarchy.roots.map((r) => r.protocol)).toEqual(['raw']);
    expect(hierarchy.frames).toBe(summary.packets);
    expect(doc.protocolHierarchy).toEqual(hierarchy);
    expect(doc.talkers).toBe(analysis.talkers);
    expect(doc.throughput).toBe(analysis.throughput);
    expect(doc.summary).toMatchObject({
      packets: summary.packets,
      bytes: summary.bytes,
      flows: summary.flows,
    });
    expect(table(doc.inventory, 'TLS / QUIC server names (SNI)').rows).toEqual([
      { name: 'p130-contacts.icloud.com', count: 1 },
    ]);
    // No DNS or ICMP in this capture: the sections exist (the analyzers ran) with zero counts.
    expect(fact(doc.dns, 'Queries')).toBe(0);
    expect(fact(doc.icmp, 'Messages')).toBe(0);
    expect(doc.security).toEqual([]);
  });

  it('lists the devices of the inventory with their events', async () => {
    const { analysis, doc } = await run(corpusPath('arp_poison_mitm.pcapng'));
    const inventory = analysis.devices as DeviceInventory;
    expect(inventory.devices.length).toBeGreaterThan(0);
    expect(fact(doc.devices, 'Devices')).toBe(inventory.devices.length);
    expect(fact(doc.devices, 'Events')).toBe(inventory.events.length);
    const rows = table(doc.devices, 'Devices (most traffic first)').rows;
    expect(rows.map((r) => String(r.mac).split(' ')[0]).sort()).toEqual(
      inventory.devices.map((d) => d.mac).sort(),
    );
    const byBytes = rows.map((r) => Number(r.bytes));
    expect(byBytes).toEqual([...byBytes].sort((a, b) => b - a));
    const events = table(doc.devices, 'Device events').rows;
    expect(events.map((e) => e.type)).toContain('arp-spoofing-suspected');
  });

  it('maps ICMP errors, DNS over a GRE tunnel, and the hierarchy under the tunnel', async () => {
    const { analysis, doc } = await run(corpusPath('encap_gre_ipv4_mixed.pcap'));
    const icmp = analysis.icmp as IcmpSummary;
    expect(icmp.unreachable.total).toBeGreaterThan(0);
    expect(fact(doc.icmp, 'Unreachable')).toBe(icmp.unreachable.total);
    expect(table(doc.icmp, 'Unreachable by code').rows).toEqual(
      Object.entries(icmp.unreachable.byCode).map(([name, count]) => ({ name, count })),
    );
    const errors = table(doc.icmp, 'Error messages');
    expect(errors.rows).toHaveLength(icmp.errors.length);
    expect(errors.rows[0]).toMatchObject({
      kind: icmp.errors[0].kind,
      code: icmp.errors[0].code,
      from: icmp.errors[0].from,
    });
    expect(errors.rows[0].time).toBe(new Date(icmp.errors[0].ts * 1000).toISOString());
  });

  it('names the application layer of the hierarchy by payload identification when the app analyzer runs', async () => {
    const file = corpusPath('bulk_mixed_apps_1kxun.pcap');
    const hierarchyOf = async (names: string[]) =>
      (await analyzeCaptures({ files: [file], analyzers: createDiagnosisAnalyzers(names), onFlow() {} }))
        .analysis.protocolHierarchy as ProtocolHierarchy;
    const node = (h: ProtocolHierarchy, path: string[]) =>
      path.reduce<{ frames: number; children: ProtocolHierarchy['roots'] } | undefined>(
        (n, protocol) => n?.children.find((c) => c.protocol === protocol),
        { frames: h.frames, children: h.roots },
      );
    const byPort = await hierarchyOf(['hierarchy']);
    const byPayload = await hierarchyOf(['app', 'hierarchy']);
    // HTTP on ports the port table does not know is found by its payload; TCP's total is the same.
    expect(node(byPayload, ['eth', 'ip', 'tcp'])?.frames).toBe(node(byPort, ['eth', 'ip', 'tcp'])?.frames);
    expect(node(byPayload, ['eth', 'ip', 'tcp', 'http'])!.frames).toBeGreaterThan(
      node(byPort, ['eth', 'ip', 'tcp', 'http'])!.frames,
    );
  });

  it('puts detection alerts under security findings', async () => {
    const { analysis, doc } = await run(corpusPath('atk_nmap_syn_scan.pcapng'));
    const alerts = analysis.alerts as { type: string }[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(doc.security).toBe(alerts);
    expect(doc.security?.map((a) => a.type)).toContain('port-scan');
  });

  it('lists one warning per code with its count, and counts malformed frames in the score', async () => {
    const { summary, warnings, doc, analysis } = await run(corpusPath('bad_fuzzed_be_mixed.pcap'));
    expect(summary.warnings).toBeGreaterThan(0);
    expect(doc.warnings.reduce((n, w) => n + (w.count ?? 0), 0)).toBe(summary.warnings);
    for (const w of doc.warnings) {
      const first = warnings.find((x) => x.code === w.code);
      expect(w.message).toContain(first!.message);
    }
    const anomalies = (analysis.health as HealthScore).components.find((c) => c.id === 'anomalies')!;
    expect(anomalies.metrics.find((m) => m.metric === 'warningRate')?.value).toBe(
      summary.warnings / summary.packets,
    );
  });

  it('gives the same document from completed results, raw results and their JSON', async () => {
    const file = corpusPath('encap_teredo_mixed.pcap');
    const { summary, analysis, doc, warnings } = await run(file);
    const again = diagnosisReport(summary, analysis, { warnings, generatedAt: GENERATED_AT });
    expect(again).toEqual(doc);
    // As the server has them: summary and analysis back from JSON.
    const fromJson = diagnosisReport(
      JSON.parse(JSON.stringify(summary)) as CaptureSummary,
      JSON.parse(JSON.stringify(analysis)) as Record<string, unknown>,
      { warnings, generatedAt: GENERATED_AT },
    );
    expect(fromJson).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('diagnosisReport on a synthetic RTP stream', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-diagnosis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps RFC 3393 jitter into the timing section and the health score', async () => {
    const t0 = 1_700_000_000;
    const writer = createPcapWriter({ linkType: 1 });
    for (let i = 0; i < 200; i++) {
      const header = new Uint8Array(12);
      const view = new DataView(header.buffer);
      header[0] = 0x80;
      view.setUint16(2, i);
      view.setUint32(4, i * 160);
      view.setUint32(8, 0x12345678);
      const payload = udp({ srcPort: 20000, dstPort: 30000, payload: concat(header, new Uint8Array(160)) });
      const frame = ethernet({
        etherType: ETHERTYPE.IPV4,
        payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: PROTO.UDP, payload }),
      });
      // Every 4th packet 40 ms late: IPDV of ±40 ms.
      writer.writePacket(frame, t0 + i * 0.02 + (i % 4 === 1 ? 0.04 : 0));
    }
    const file = path.join(dir, 'rtp.pcap');
    writeFileSync(file, writer.toBuffer());
    const { analysis, doc } = await run(file);
    const timing = analysis.timing as TimingSummary;
    expect(timing.jitter.directions).toBe(1);
    expect(fact(doc.timing, 'Jitter mean')).toBe(timing.jitter.meanMs);
    expect(fact(doc.timing, 'Jitter p95')).toBe(timing.jitter.p95Ms);
    expect(table(doc.timing, 'Jitter of media flows (RFC 3393 IPDV)').rows[0]).toMatchObject({
      from: '10.0.0.1:20000',
      to: '10.0.0.2:30000',
      method: 'rtp',
      meanMs: timing.jitter.worst[0].ipdvMeanMs,
    });
    const jitter = (analysis.health as HealthScore).components.find((c) => c.id === 'jitter')!;
    expect(jitter.measured).toBe(true);
    expect(jitter.metrics.map((m) => [m.metric, m.value])).toEqual([
      ['jitterMeanMs', timing.jitter.meanMs],
      ['jitterP95Ms', timing.jitter.p95Ms],
    ]);
    expect(jitter.deducted).toBeGreaterThan(0);
    // No TCP: nothing about retransmissions is claimed.
    expect(
      (analysis.health as HealthScore).components.find((c) => c.id === 'retransmissions')?.measured,
    ).toBe(false);
    expect(doc.tcp?.groups).toEqual([]);
  });

  it('reportWarnings falls back on the code description when no warning of a code was listed', () => {
    const summary = { warningsByCode: { FLOWLENS_ERR_IP_TRUNCATED: 3 } } as unknown as CaptureSummary;
    expect(reportWarnings(summary, [])).toEqual([
      { code: 'FLOWLENS_ERR_IP_TRUNCATED', message: 'IP header cut short', count: 3 },
    ]);
  });
});
