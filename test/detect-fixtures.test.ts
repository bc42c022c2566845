/**
 * Detections on the synthetic captures of scripts/make-detection-fixtures.ts (written with the
 * project's own pcap writer): the DNS analyzer in the capture pass feeds the DNS-tunnel
 * detector, through the pipeline and through `flowlens analyze`. With FLOWLENS_WRITE_FIXTURES=1
 * the fixtures are written instead of compared.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDetectionFixtures, DNS_TUNNEL_FIXTURE } from '../scripts/make-detection-fixtures.js';
import type { Alert, FlowRecord } from '../src/model/index.js';
import { analyzeCaptures, createCaptureDetection } from '../src/pipeline/index.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { runCli } from './support/run.js';

const FIXTURES_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures');
const write = process.env.FLOWLENS_WRITE_FIXTURES === '1';
const fixtures = buildDetectionFixtures();
const fixture = (name: string) => path.join(FIXTURES_DIR, name);

describe('detection fixtures', () => {
  it.runIf(write)('writes every detection fixture', () => {
    for (const [name, bytes] of fixtures) writeFileSync(fixture(name), bytes);
  });

  it.skipIf(write).each([...fixtures.keys()])('%s is up to date', (name) => {
    expect(existsSync(fixture(name)), `${name} missing: run with FLOWLENS_WRITE_FIXTURES=1`).toBe(true);
    expect(readFileSync(fixture(name)).equals(fixtures.get(name) as Buffer), `${name} differs`).toBe(true);
  });
});

describe.skipIf(write)('DNS tunnel on a synthetic capture', () => {
  const f = DNS_TUNNEL_FIXTURE;

  it('the capture pass raises one dns-tunnel alert for the tunnel client, none for the busy ordinary one', async () => {
    const detection = createCaptureDetection();
    const flows: FlowRecord[] = [];
    const result = await analyzeCaptures({
      files: [fixture(f.file)],
      analyzers: detection.analyzers,
      onFlow: (record) => {
        flows.push(record);
        detection.onFlow(record);
      },
    });
    const alerts = detection.finish();
    // Every query and every response became a DNS event.
    expect(detection.stats().dnsEvents).toBe(2 * (f.queries + f.benignQueries));
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({
      type: 'dns-tunnel',
      source: f.client,
      targets: [f.resolver],
      mitre: ['T1071.004', 'T1048'],
      count: 1,
    });
    expect(alert.metrics).toMatchObject({
      domain: f.domain,
      queries: f.queries,
      uniqueNames: f.queries,
      dataTypeShare: 1,
      answeredShare: 1,
      binaryShare: 0,
      // Unique names, name length, entropy (base32), TXT: 4 of 6.
      indicators: 4,
    });
    expect(Number(alert.metrics.meanQueryLength)).toBeGreaterThan(50);
    expect(Number(alert.metrics.labelEntropy)).toBeGreaterThan(4);
    expect(alert.explanation).toMatch(
      /^10\.20\.0\.7 sent 60 DNS queries for 60 unique names under exfil\.example via 10\.20\.0\.53; /,
    );
    // Evidence: the Community IDs of the tunnel's flows (one per client port), as the records have them.
    const tunnelFlows = flows.filter((r) => r.srcIp === f.client).map((r) => r.communityId);
    expect(tunnelFlows).toHaveLength(f.queries / f.queriesPerPort);
    expect([...alert.evidence].sort()).toEqual([...tunnelFlows].sort());
    // The detection's own DNS analyzer leaves the records and the analysis as they were.
    expect(flows.every((r) => r.dns === undefined)).toBe(true);
    expect(result.analysis['detection-dns']).toBeUndefined();
  });

  it('flowlens analyze shows it in the JSON output', async () => {
    const result = await runCli(['analyze', fixture(f.file), '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const alerts = JSON.parse(result.stdout).analysis.alerts as Alert[];
    expect(alerts.map((a) => [a.type, a.source, a.targets[0]])).toEqual([
      ['dns-tunnel', f.client, f.resolver],
    ]);
  });
});
