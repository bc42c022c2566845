/**
 * Enrichment wired through the pipeline, as a user runs it (built CLI, real captures, a real
 * DuckDB store, feed files written here):
 * - `analyze --format json`: every flow's country/AS equals what the enricher answers for its
 *   addresses; flows to a listed address or name carry the feed's tags; `analysis.enrichment`
 *   has top countries/ASNs and the matches; `--no-enrich` leaves all of it out.
 * - `ingest` fills the store's enrichment columns, and the filter fields `country`, `asn`,
 *   `as_name`, `threat` and `tag` select exactly the flows analyze enriched that way.
 * - Passive DNS: DNS answers in a capture name their addresses.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher, type Enricher } from '../src/enrich/index.js';
import type { FlowRecord } from '../src/model/index.js';
import type { EnrichmentSummary } from '../src/pipeline/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';

const CAPTURE = 'bulk_mixed_apps_1kxun.pcap';

interface AnalyzeJson {
  flows: FlowRecord[];
  analysis: {
    enrichment?: EnrichmentSummary;
    passiveDns?: unknown;
    alerts?: { type: string; source?: string; targets: string[]; explanation: string }[];
  };
}

async function analyze(args: string[]): Promise<AnalyzeJson> {
  const result = await runCli(['analyze', corpusPath(CAPTURE), '--format', 'json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AnalyzeJson;
}

describe('enrichment in analyze and ingest', () => {
  let tmp: string;
  let enricher: Enricher;
  let plain: AnalyzeJson;
  let enriched: AnalyzeJson;
  let listedIp: string;
  let listedName: string;
  let feeds: string;

  beforeAll(async () => {
    if (!corpusAvailable) {
      if (process.env.CI === 'true') throw new Error('corpus missing under CI');
      console.warn('[flowlens tests] corpus not found: enrichment pipeline tests skipped');
      return;
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-enrich-pipeline-'));
    enricher = createEnricher();
    await enricher.start();
    plain = await analyze(['--no-enrich']);
    // A public server address and a host name from the capture itself go into the feeds.
    const publicFlow = plain.flows.find((f) => enricher.lookupIp(f.dstIp).country !== undefined);
    const named = plain.flows.find((f) => f.httpHost && /[a-z]/.test(f.httpHost));
    if (!publicFlow || !named?.httpHost)
      throw new Error('capture lacks a public server or an HTTP host name');
    listedIp = publicFlow.dstIp;
    listedName = named.httpHost.toLowerCase();
    writeFileSync(path.join(tmp, 'ips.netset'), `# test list\n${listedIp}\n203.0.113.0/24 ; documentation\n`);
    writeFileSync(path.join(tmp, 'domains.txt'), `# hosts form\n0.0.0.0 ${listedName}\n`);
    feeds = path.join(tmp, 'feeds.json');
    writeFileSync(
      feeds,
      JSON.stringify({
        feeds: [
          { name: 'test-ips', file: 'ips.netset', format: 'ip-list', category: 'c2' },
          { name: 'test-domains', file: 'domains.txt', format: 'domain-list', category: 'malware' },
        ],
      }),
    );
    enriched = await analyze(['--threat-feeds', feeds]);
  }, 120_000);

  afterAll(async () => {
    await enricher?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('--no-enrich leaves flows as they were', () => {
    if (!corpusAvailable) return;
    for (const f of plain.flows) {
      expect(f.srcCountry ?? f.dstCountry ?? f.srcAsn ?? f.dstAsn ?? f.threatTags).toBeUndefined();
    }
    expect(plain.analysis.enrichment).toBeUndefined();
  });

  it('every flow carries what the enricher answers for its addresses', () => {
    if (!corpusAvailable) return;
    expect(enriched.flows.length).toBe(plain.flows.length);
    let located = 0;
    for (const f of enriched.flows) {
      const src = enricher.lookupIp(f.srcIp);
      const dst = enricher.lookupIp(f.dstIp);
      expect([f.srcCountry, f.srcAsn, f.srcAsName]).toEqual([src.country, src.asn, src.asName]);
      expect([f.dstCountry, f.dstAsn, f.dstAsName]).toEqual([dst.country, dst.asn, dst.asName]);
      if (f.srcCountry || f.dstCountry) located++;
    }
    expect(located).toBeGreaterThan(10);
    const summary = enriched.analysis.enrichment as EnrichmentSummary;
    expect(summary.flowsWithCountry).toBe(located);
    expect(summary.topCountries.length).toBeGreaterThan(0);
    expect(summary.topAsns.length).toBeGreaterThan(0);
    expect(summary.attribution.join('\n')).toMatch(/ip-location-db/);
  });

  it('flows to a listed address or name carry the feed tags', () => {
    if (!corpusAvailable) return;
    let byIp = 0;
    let byName = 0;
    for (const f of enriched.flows) {
      const expected = new Set<string>();
      if (f.srcIp === listedIp || f.dstIp === listedIp) {
        expected.add('c2').add('test-ips');
        byIp++;
      }
      const names = [f.sni, f.httpHost, f.dnsName].map((n) => n?.toLowerCase());
      if (names.some((n) => n === listedName || n?.endsWith(`.${listedName}`))) {
        expected.add('malware').add('test-domains');
        byName++;
      }
      expect(f.threatTags ?? [], `${f.srcIp} → ${f.dstIp}`).toEqual([...expected].sort());
    }
    expect(byIp).toBeGreaterThan(0);
    expect(byName).toBeGreaterThan(0);
    const summary = enriched.analysis.enrichment as EnrichmentSummary;
    expect(summary.threat.matches.map((m) => m.value)).toEqual(expect.arrayContaining([listedIp]));
    expect(summary.threat.flowsTagged).toBe(enriched.flows.filter((f) => f.threatTags).length);
    // The detection engine raises a threat-intel alert for the listed address.
    const alerts = (enriched.analysis.alerts ?? []).filter((a) => a.type === 'threat-intel');
    expect(alerts.some((a) => a.explanation.includes(`${listedIp} is listed by test-ips (c2)`))).toBe(true);
    expect((plain.analysis.alerts ?? []).some((a) => a.type === 'threat-intel')).toBe(false);
  });

  it('ingest fills the store, and the filter fields select what analyze enriched', async () => {
    if (!corpusAvailable) return;
    const data = path.join(tmp, 'data');
    const ingest = await runCli(['ingest', corpusPath(CAPTURE), '--data', data, '--threat-feeds', feeds]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const exportFlows = async (filter: string) => {
      const result = await runCli([
        'query',
        'export',
        '--data',
        data,
        '--range',
        'all',
        '-F',
        filter,
        '-f',
        'json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown>[];
    };
    const country = enriched.analysis.enrichment?.topCountries[0].country as string;
    const as = enriched.analysis.enrichment?.topAsns[0];
    const cases: [string, (f: FlowRecord) => boolean][] = [
      [`dst country ${country.toLowerCase()}`, (f) => f.dstCountry === country],
      [`country ${country}`, (f) => f.srcCountry === country || f.dstCountry === country],
      [`asn ${as?.asn}`, (f) => f.srcAsn === as?.asn || f.dstAsn === as?.asn],
      ['threat', (f) => f.threatTags !== undefined],
      ['tag c2', (f) => f.threatTags?.includes('c2') === true],
      ['tag test-domains', (f) => f.threatTags?.includes('test-domains') === true],
    ];
    for (const [filter, expected] of cases) {
      const rows = await exportFlows(filter);
      const want = enriched.flows.filter(expected).length;
      expect(want, filter).toBeGreaterThan(0);
      expect(rows.length, filter).toBe(want);
    }
    const rows = await exportFlows(`host ${listedIp}`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.threatTags).toEqual(expect.arrayContaining(['c2', 'test-ips']));
  }, 120_000);

  it('collect fills the same columns for flow exports', async () => {
    if (!corpusAvailable) return;
    const data = path.join(tmp, 'collect');
    const collect = await runCli([
      'collect',
      '--from-pcap',
      corpusPath('flow_netflow_v5.pcap'),
      '--data',
      data,
      '--threat-feeds',
      feeds,
    ]);
    expect(collect.code, collect.stderr).toBe(0);
    const result = await runCli(['query', 'export', '--data', data, '--range', 'all', '-f', 'json']);
    const rows = JSON.parse(result.stdout) as FlowRecord[];
    expect(rows.length).toBeGreaterThan(0);
    let located = 0;
    for (const row of rows) {
      for (const side of ['src', 'dst'] as const) {
        const info = enricher.lookupIp(side === 'src' ? row.srcIp : row.dstIp);
        expect(row[`${side}Country`] ?? undefined).toBe(info.country);
        expect(row[`${side}Asn`] ?? undefined).toBe(info.asn);
        if (info.country) located++;
      }
    }
    expect(located).toBeGreaterThan(0);
  }, 60_000);

  it('--reverse-dns asks the given resolver for PTR names of public servers', async () => {
    if (!corpusAvailable) return;
    // A DNS server on 127.0.0.1 answering every PTR query with host-<last octet>.example.test.
    const server = createSocket('udp4');
    let queries = 0;
    server.on('message', (msg, peer) => {
      queries++;
      let o = 12;
      const first = msg.toString('latin1', o + 1, o + 1 + msg[o]);
      while (msg[o] !== 0) o += msg[o] + 1;
      const question = msg.subarray(12, o + 5);
      const header = Buffer.alloc(12);
      msg.copy(header, 0, 0, 2);
      header.writeUInt16BE(0x8180, 2);
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(1, 6);
      const labels = [`host-${first}`, 'example', 'test'];
      const target = Buffer.concat([
        ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0]),
      ]);
      const answer = Buffer.alloc(12);
      answer.writeUInt16BE(0xc00c, 0);
      answer.writeUInt16BE(12, 2);
      answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(60, 6);
      answer.writeUInt16BE(target.length, 10);
      server.send(Buffer.concat([header, question, answer, target]), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    try {
      const out = await analyze(['--reverse-dns', `127.0.0.1:${server.address().port}`]);
      const ptr = out.analysis.enrichment?.reverseDns;
      expect(ptr?.names.length).toBeGreaterThan(0);
      expect(queries).toBeGreaterThan(0);
      for (const { ip, name } of ptr?.names ?? []) expect(name).toBe(`host-${ip.split('.')[3]}.example.test`);
      // Without the flag, no query is sent.
      const before = queries;
      await analyze([]);
      expect(queries).toBe(before);
    } finally {
      server.close();
    }
  }, 60_000);

  it('learns names from DNS answers in the capture', () => {
    if (!corpusAvailable) return;
    const names = enriched.analysis.enrichment?.names;
    expect(names?.addresses).toBeGreaterThan(0);
    const top = names?.top ?? [];
    expect(top.length).toBeGreaterThan(0);
    // Every learnt name came from DNS, SNI or HTTP Host and is a host name.
    for (const entry of top) {
      for (const n of entry.names) {
        expect(n.name).toMatch(/^[a-z0-9_.*-]+$/);
        expect(n.firstSeen).toBeLessThanOrEqual(n.lastSeen);
      }
    }
    expect(top.some((e) => e.names.some((n) => n.sources.includes('dns')))).toBe(true);
  });
});
