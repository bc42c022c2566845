/**
 * The report's "Countries, networks and threats" section end to end (the built CLI):
 * `flowlens analyze CAPTURE --threat-feeds F --report out.json` and `--report out.html` on a
 * corpus capture with public addresses, one of them listed by the feed. The JSON document's
 * section must carry the same countries, ASes and threat match as `analysis.enrichment` of
 * `--format json`, with the attribution; the HTML shows them. `--no-enrich` leaves it out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDocument } from '../src/model/index.js';
import type { EnrichmentSummary } from '../src/pipeline/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';

const FILE = 'bulk_mixed_apps_1kxun.pcap';
/** A public address of the capture (the corpus is fixed); the feed lists it. */
const LISTED = '172.105.121.82';

function sectionHtml(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe.skipIf(!corpusAvailable)('report: countries, networks and threats', () => {
  let dir: string;
  let feeds: string;
  let enrichment: EnrichmentSummary;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowlens-report-geo-'));
    writeFileSync(path.join(dir, 'listed.txt'), `${LISTED}\n`);
    feeds = path.join(dir, 'feeds.json');
    writeFileSync(
      feeds,
      JSON.stringify({
        feeds: [{ name: 'e2e', file: 'listed.txt', format: 'ip-list', category: 'testlist' }],
      }),
    );
    const result = await runCli([
      'analyze',
      corpusPath(FILE),
      '--threat-feeds',
      feeds,
      '--format',
      'json',
      '--no-progress',
    ]);
    expect(result.code, result.stderr).toBe(0);
    enrichment = (JSON.parse(result.stdout) as { analysis: { enrichment: EnrichmentSummary } }).analysis
      .enrichment;
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('JSON: the section holds the countries, ASes, threat match and attribution of the run', async () => {
    const file = path.join(dir, 'report.json');
    const result = await runCli([
      'analyze',
      corpusPath(FILE),
      '--threat-feeds',
      feeds,
      '--report',
      file,
      '--no-progress',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ReportDocument;
    const section = doc.geography;
    expect(section).toBeDefined();
    if (!section) return;
    expect(section.facts).toContainEqual({
      label: 'Flows with a country',
      value: enrichment.flowsWithCountry,
      kind: 'number',
    });
    expect(section.facts).toContainEqual({
      label: 'Flows with threat tags',
      value: enrichment.threat.flowsTagged,
      kind: 'number',
    });
    expect(enrichment.threat.flowsTagged).toBeGreaterThan(0);
    const [countries, networks, threats] = section.tables;
    expect(countries.rows).toEqual(
      enrichment.topCountries.map((c) => ({ country: c.country, flows: c.flows, bytes: c.bytes })),
    );
    expect(countries.rows.length).toBeGreaterThan(2);
    expect(networks.rows.map((r) => r.asn)).toEqual(enrichment.topAsns.map((a) => `AS${a.asn}`));
    expect(threats.rows).toContainEqual(
      expect.objectContaining({ value: LISTED, kind: 'ip', tags: 'e2e, testlist' }),
    );
    for (const line of enrichment.attribution) expect(section.notes).toContain(`Data: ${line}`);
  });

  it('HTML: the section shows them; --no-enrich leaves it "not available"', async () => {
    const file = path.join(dir, 'report.html');
    const result = await runCli([
      'analyze',
      corpusPath(FILE),
      '--threat-feeds',
      feeds,
      '--report',
      file,
      '--no-progress',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const html = sectionHtml(readFileSync(file, 'utf8'), 'geography');
    expect(html).toContain('Countries, networks and threats');
    expect(html).toContain(`<td class="text">${enrichment.topCountries[0].country}</td>`);
    expect(html).toContain(`AS${enrichment.topAsns[0].asn}`);
    expect(html).toContain(LISTED);
    expect(html).toContain('testlist');
    const bare = path.join(dir, 'bare.html');
    const off = await runCli(['analyze', corpusPath(FILE), '--no-enrich', '--report', bare, '--no-progress']);
    expect(off.code, off.stderr).toBe(0);
    expect(sectionHtml(readFileSync(bare, 'utf8'), 'geography')).toContain('not available');
  });
});
