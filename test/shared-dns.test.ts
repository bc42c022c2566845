/**
 * One DNS analyzer for the whole pass: with the diagnosis DNS analyzer shared
 * (diagnosisDnsAnalyzer → createCaptureDetection's `dns` and FlowEnrichment.shareDnsAnalyzer),
 * the DNS-heavy real captures give the same flow records, the same DNS and passive-names results
 * and the same alerts (DNS tunnels included) as with each consumer's own DNS analyzer.
 */
import { describe, expect, it } from 'vitest';
import { createPassiveNames } from '../src/enrich/index.js';
import type { FlowRecord } from '../src/model/index.js';
import {
  analyzeCaptures,
  createCaptureDetection,
  createDiagnosisAnalyzers,
  createFlowEnrichment,
  diagnosisDnsAnalyzer,
} from '../src/pipeline/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';

const CAPTURES = [
  'atk_dns_tunnel_iodine.pcap',
  'atk_dns_tunnel_dnscat2_exfil.pcap',
  'dns_large_fragmented_responses.pcap',
  'dns_over_tcp.pcapng',
  'ip_v6_fragmented_dns.pcap',
  'lt_radiotap_80211_dns.pcap',
];

async function pass(file: string, share: boolean) {
  const analyzers = createDiagnosisAnalyzers();
  const enrichment = createFlowEnrichment({ names: createPassiveNames() });
  const dns = share ? diagnosisDnsAnalyzer(analyzers) : undefined;
  if (share) {
    expect(dns).toBeDefined();
    if (dns) enrichment.shareDnsAnalyzer(dns);
  }
  const detection = createCaptureDetection({}, { dns });
  const records: FlowRecord[] = [];
  const result = await analyzeCaptures({
    files: [corpusPath(file)],
    analyzers: [...analyzers, ...detection.analyzers],
    enrichment,
    onFlow(record) {
      detection.onFlow(record);
      records.push(record);
    },
  });
  return {
    records: JSON.stringify(records),
    analysis: JSON.stringify(result.analysis),
    alerts: JSON.stringify(detection.finish()),
    stats: detection.stats(),
    names: enrichment.summary().names,
  };
}

describe.skipIf(!corpusAvailable)(
  'the DNS analyzer shared by diagnosis, detections and passive names',
  () => {
    for (const file of CAPTURES) {
      it(`gives the results of separate DNS analyzers on ${file}`, async () => {
        const separate = await pass(file, false);
        const shared = await pass(file, true);
        expect(shared.stats.dnsEvents).toBeGreaterThan(0);
        expect(shared.stats).toEqual(separate.stats);
        expect(shared.records).toBe(separate.records);
        expect(shared.analysis).toBe(separate.analysis);
        expect(shared.alerts).toBe(separate.alerts);
        expect(shared.names).toEqual(separate.names);
      });
    }

    it('raises the DNS tunnel of the iodine capture through the shared analyzer', async () => {
      const shared = await pass('atk_dns_tunnel_iodine.pcap', true);
      const alerts = JSON.parse(shared.alerts) as { type: string; evidence: string[] }[];
      const tunnel = alerts.find((a) => a.type === 'dns-tunnel');
      expect(tunnel).toBeDefined();
      // Community IDs of the DNS flows reach the alert's evidence.
      expect(tunnel?.evidence.some((id) => id.startsWith('1:'))).toBe(true);
    });
  },
);
