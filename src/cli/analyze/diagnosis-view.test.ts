/**
 * The table's diagnosis section on real analyzer output (corpus captures through every analyzer,
 * completed as `analyze` completes them): the health score with its main reasons first, then the
 * DNS, ICMP and timing lines, each saying what its analyzer counted; the devices with their vendor.
 */
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath } from '../../../test/support/corpus.js';
import type { DnsSummary, HealthScore, IcmpSummary } from '../../model/index.js';
import { analyzeCaptures, completeAnalysis, createDiagnosisAnalyzers } from '../../pipeline/index.js';
import { formatCount } from '../format.js';
import { diagnosisLines } from './diagnosis-view.js';

async function linesOf(file: string) {
  const { summary, analysis } = await analyzeCaptures({
    files: [corpusPath(file)],
    analyzers: createDiagnosisAnalyzers(),
    onFlow() {},
  });
  const completed = completeAnalysis(summary, analysis);
  return { lines: diagnosisLines(completed), analysis: completed };
}

describe.skipIf(!corpusAvailable)('diagnosisLines', () => {
  it('opens with the health score and the components that lost the most points', async () => {
    const { lines, analysis } = await linesOf('bulk_mixed_apps_1kxun.pcap');
    const health = analysis.health as HealthScore;
    const at = lines.indexOf(
      `Health ${health.score}/100 (${health.grade}; ${health.measuredComponents} of 6 components measured)`,
    );
    expect(at).toBe(1);
    const worst = health.components
      .filter((c) => c.deducted > 0)
      .sort((a, b) => b.deducted - a.deducted)
      .slice(0, 3);
    expect(worst.length).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 1 + worst.length)).toEqual(
      worst.map((c) => `  ${c.label}: ${c.explanation}`),
    );
    expect(lines).toContain('  not measured: Jitter');
    const dns = analysis.dns as DnsSummary;
    expect(lines).toContain(
      `DNS (${formatCount(dns.queries)} queries, ${formatCount(dns.responses)} responses)`,
    );
    expect(lines.some((l) => l.startsWith('Timing'))).toBe(true);
  });

  it('lists ICMP unreachables by code', async () => {
    const { lines, analysis } = await linesOf('encap_gre_ipv4_mixed.pcap');
    const icmp = analysis.icmp as IcmpSummary;
    expect(lines).toContain(`ICMP (${formatCount(icmp.messages)} messages)`);
    const [code, count] = Object.entries(icmp.unreachable.byCode)[0];
    expect(lines.some((l) => l.startsWith(`  unreachable: ${code} ${count}`))).toBe(true);
  });

  it('lists devices as a table with their vendor, addresses, names and OS guess', async () => {
    const { lines } = await linesOf('atk_c2_cryptowall4_http.pcapng');
    const at = lines.indexOf('Devices (2)');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1].split('\n').map((l) => l.split(/\s{2,}/).map((c) => c.trim()))).toEqual([
      ['', 'mac', 'vendor', 'addresses', 'names', 'os'],
      ['', '-----------------', '------------------', '---------------', '-----', '-------'],
      ['', '00:06:c1:cb:83:4a', 'Cisco Systems, Inc', '-', '-', '-'],
      ['', '00:22:19:e2:4b:86', 'Dell Inc.', '192.168.122.145', '-', 'Windows'],
    ]);
  });
});
