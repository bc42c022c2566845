/**
 * `GET /api/v1/lookup/:value` over real HTTP on a store seeded with the demo capture, with a
 * threat feed: a public IP with the bundled data (country and AS equal to the enricher's, the
 * SNI names it served, feed tags), a private IP labelled, a domain's servers, a MAC
 * vendor and the store's device, bad input → 400. Then the server is stopped and the built CLI
 * (`flowlens lookup --data --format json`) must print the same answers for the same store.
 * Needs `npm run build`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/cli/serve/demo.js';
import { createEnricher, type Enricher, loadThreatFeedsConfig } from '../src/enrich/index.js';
import type { LookupAnswer } from '../src/server/api-types.js';
import { runCli } from './support/run.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

const feedDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-lookup-feeds-'));
const feedsFile = path.join(feedDir, 'feeds.json');
let ctx: TestServer;
let enricher: Enricher;
const answers = new Map<string, LookupAnswer>();

beforeAll(async () => {
  writeFileSync(path.join(feedDir, 'github.txt'), '140.82.112.0/20\n');
  writeFileSync(path.join(feedDir, 'domains.txt'), 'ycombinator.com\n');
  writeFileSync(
    feedsFile,
    JSON.stringify({
      feeds: [
        { name: 'gh', file: 'github.txt', format: 'ip-list', category: 'testlist' },
        { name: 'yc', file: 'domains.txt', format: 'domain-list', category: 'news' },
      ],
    }),
  );
  const feeds = await loadThreatFeedsConfig(feedsFile);
  ctx = await startTestServer({}, undefined, { threat: () => feeds.matcher });
  await seedDemo(ctx.store, ctx.dataDir);
  enricher = createEnricher();
  await enricher.start();
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  await enricher?.stop();
  rmSync(feedDir, { recursive: true, force: true });
});

async function lookup(value: string): Promise<LookupAnswer> {
  const response = await fetch(`${ctx.url}/api/v1/lookup/${encodeURIComponent(value)}`);
  expect(response.status, value).toBe(200);
  const answer = (await response.json()) as LookupAnswer;
  answers.set(value, answer);
  return answer;
}

describe('/api/v1/lookup/:value', () => {
  it('a public IP: country and AS from the bundled data, names it served, feed tags', async () => {
    const answer = await lookup('140.82.121.4');
    expect(answer.results).toHaveLength(1);
    const [result] = answer.results;
    const expected = enricher.lookupIp('140.82.121.4');
    expect(expected.country).toMatch(/^[A-Z]{2}$/);
    expect(expected.asn).toBeGreaterThan(0);
    expect(result).toMatchObject({ kind: 'ip', ...expected, threatTags: ['gh', 'testlist'] });
    if (result.kind !== 'ip') throw new Error('not an ip result');
    expect(result.devices).toBeUndefined();
    expect(result.seen?.flows).toBeGreaterThan(0);
    expect(result.seen?.names).toContainEqual(expect.objectContaining({ name: 'github.com', source: 'sni' }));
    expect(answer.attribution.length).toBeGreaterThan(0);
  });

  it('a private IP is labelled, never looked up; its flows are counted and its device named', async () => {
    const [result] = (await lookup('192.168.1.10')).results;
    expect(result).toMatchObject({
      kind: 'ip',
      ip: '192.168.1.10',
      range: { label: 'private', cidr: '192.168.0.0/16' },
      threatTags: [],
    });
    if (result.kind !== 'ip') throw new Error('not an ip result');
    expect(result.country).toBeUndefined();
    expect(result.asn).toBeUndefined();
    expect(result.seen?.flows).toBeGreaterThan(0);
    expect(result.devices?.map((d) => d.mac)).toEqual(['3c:22:fb:10:01:0a']);
  });

  it('a domain: the servers that answered to its name (SNI, HTTP Host)', async () => {
    const [result] = (await lookup('GitHub.com')).results;
    if (result.kind !== 'domain') throw new Error('not a domain result');
    expect(result.domain).toBe('github.com');
    expect(result.note).toBeUndefined();
    expect(result.seen?.addresses).toContainEqual(
      expect.objectContaining({ ip: '140.82.121.4', role: 'server', source: 'sni' }),
    );
    expect(result.seen?.addresses).toContainEqual(
      expect.objectContaining({ ip: '140.82.121.4', role: 'server', source: 'http' }),
    );
    const [yc] = (await lookup('news.ycombinator.com')).results;
    expect(yc).toMatchObject({ kind: 'domain', threatTags: ['news', 'yc'] });
  });

  it('a MAC: vendor from the IEEE registry, and the device the store knows', async () => {
    const [vmware] = (await lookup('00:0c:29:40:0e:ef')).results;
    expect(vmware).toMatchObject({ kind: 'mac', vendor: enricher.lookupMac('00:0c:29:40:0e:ef')?.vendor });
    expect(vmware).not.toHaveProperty('device');
    const [known] = (await lookup('3C-22-FB-10-01-0A')).results;
    if (known.kind !== 'mac') throw new Error('not a mac result');
    expect(known.mac).toBe('3c:22:fb:10:01:0a');
    expect(known.device?.addresses.map((a) => a.ip)).toContain('192.168.1.10');
  });

  it('answers 400 with a clear message for anything else', async () => {
    for (const bad of ['1.2.3.4.5', 'not a host', 'bad_value!', '-.example', 'x'.repeat(400)]) {
      const response = await fetch(`${ctx.url}/api/v1/lookup/${encodeURIComponent(bad)}`);
      expect(response.status, bad).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FLOWLENS_ERR_VALIDATION');
      if (bad.length < 300) {
        expect(body.error.message).toBe(`not an IP address, MAC address or domain name: ${bad}`);
      }
    }
  });

  it('a URL with a broken %-escape: 400 in the API error shape, saying how to escape', async () => {
    const response = await fetch(`${ctx.url}/api/v1/lookup/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'FLOWLENS_ERR_VALIDATION',
        message: `'/api/v1/lookup/%E0%A4%A' is not a valid url component: escape "%" as %25 in URLs`,
        details: { in: 'url' },
      },
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${ctx.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths).toHaveProperty('/api/v1/lookup/{value}');
  });

  it('flowlens lookup --data --format json prints the same answers for the same store', {
    timeout: 60_000,
  }, async () => {
    expect(answers.size).toBeGreaterThanOrEqual(5);
    await ctx.close(true);
    try {
      for (const [value, answer] of answers) {
        const cli = await runCli([
          'lookup',
          value,
          '--data',
          ctx.dataDir,
          '--threat-feeds',
          feedsFile,
          '-f',
          'json',
        ]);
        expect(cli.stderr, value).toBe('');
        expect(cli.code).toBe(0);
        expect(JSON.parse(cli.stdout), value).toEqual(answer);
      }
      const table = await runCli(['lookup', '140.82.121.4', 'github.com', '--data', ctx.dataDir]);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^Seen in stored flows$/m);
      expect(table.stdout).toMatch(/^ {4}name github\.com \(sni, [\d,]+ flows\)$/m);
      expect(table.stdout).toMatch(/^ {4}server 140\.82\.121\.4 \(sni, [\d,]+ flows\)$/m);
    } finally {
      ctx = await startTestServer({}, ctx.dataDir);
    }
  });
});
