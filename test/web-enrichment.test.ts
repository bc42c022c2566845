/**
 * Enrichment in the dashboard, in Debian's Chromium (playwright-core) against a real server: the
 * store is filled by `flowlens ingest --threat-feeds` from corpus captures (a feed lists one
 * public address of the capture), the server is `createServer` on 127.0.0.1 with the built
 * dashboard. Checks: the host page of a public IP shows its country and AS as the lookup API
 * answers them, and its threat tag; a private IP shows its range label and the MAC and vendor of
 * its device from the inventory; the overview lists the
 * top countries and networks as the top API answers them and draws the world map with every
 * located country coloured, and clicking a country opens the explorer filtered to it; the flow
 * table shows the threat column for tagged flows. No console error, page error or failed request
 * anywhere. Screenshots go to test-results/. Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupAnswer, TopResult } from '../src/server/api-types.js';
import { corpusAvailable, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { runCli, toolsAvailable } from './support/run.js';
import { requireBuiltWorker, startTestServer, type TestServer } from './support/server-harness.js';
import { openWatched, settlePage, type WatchedPage } from './support/watch-page.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(PROJECT_ROOT, 'test-results');
const INGESTED = ['bulk_mixed_apps_1kxun.pcap', 'lt_rawip_tls_alpn_sni.pcap'];
/** The busiest public address of bulk_mixed_apps_1kxun.pcap (the corpus is fixed); the feed lists it. */
const LISTED = '172.105.121.82';
const ready = corpusAvailable && toolsAvailable(['chromium']);

describe.skipIf(!ready)('enrichment in the dashboard (headless Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let feedDir: string;

  beforeAll(async () => {
    requireBuiltWorker();
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) {
      throw new Error('dist/web/index.html is missing: run npm run build first');
    }
    mkdirSync(SHOTS, { recursive: true });
    feedDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-web-feeds-'));
    writeFileSync(path.join(feedDir, 'listed.txt'), `${LISTED}\n`);
    const feeds = path.join(feedDir, 'feeds.json');
    writeFileSync(
      feeds,
      JSON.stringify({
        feeds: [{ name: 'e2e', file: 'listed.txt', format: 'ip-list', category: 'testlist' }],
      }),
    );
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-web-enrich-'));
    const ingest = await runCli([
      'ingest',
      ...INGESTED.map(corpusPath),
      '--data',
      dataDir,
      '--threat-feeds',
      feeds,
      '--no-progress',
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    t = await startTestServer({}, dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (feedDir) rmSync(feedDir, { recursive: true, force: true });
  });

  const open = (url: string): Promise<WatchedPage> => openWatched(browser, t.url, url);
  const settle = settlePage;
  const api = async <T>(pathAndQuery: string): Promise<T> =>
    (await (await fetch(`${t.url}/api/v1${pathAndQuery}`)).json()) as T;

  it('host page: country, AS and threat tag of a public IP; the range label of a private one', async () => {
    const [known] = (await api<LookupAnswer>(`/lookup/${LISTED}`)).results;
    if (known.kind !== 'ip') throw new Error('not an ip result');
    expect(known.country).toMatch(/^[A-Z]{2}$/);
    expect(known.asn).toBeGreaterThan(0);
    expect(known.seen?.threatTags).toEqual(['e2e', 'testlist']);

    const { page, problems } = await open(`/hosts/${LISTED}?range=all`);
    await page.getByTestId('host-enrichment').waitFor();
    await settle(page);
    expect((await page.getByTestId('host-country').textContent())?.trim()).toBe(known.country);
    const asn = (await page.getByTestId('host-asn').textContent()) ?? '';
    expect(asn).toContain(`AS${known.asn}`);
    expect(asn).toContain(known.asName as string);
    expect(await page.getByTestId('host-threat').textContent()).toContain('testlist');
    expect(await page.getByTestId('enrichment').textContent()).toContain(`AS${known.asn}`);
    await page.screenshot({ path: path.join(SHOTS, 'web-host-enrichment.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();

    const hosts = await api<TopResult>('/top?range=all&by=host&limit=50');
    const local = hosts.rows.map((r) => String(r.key)).find((ip) => /^(10|192\.168)\./.test(ip));
    expect(local).toBeDefined();
    const [localKnown] = (await api<LookupAnswer>(`/lookup/${local}`)).results;
    if (localKnown.kind !== 'ip') throw new Error('not an ip result');
    // The device inventory (ingest runs the devices analyzer) knows the MAC behind a LAN address.
    const device = localKnown.devices?.[0];
    expect(device?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const second = await open(`/hosts/${local}?range=all`);
    await second.page.getByTestId('host-range').waitFor();
    await settle(second.page);
    expect(await second.page.getByTestId('host-range').textContent()).toMatch(/^private/);
    const shown = (await second.page.getByTestId('host-device').textContent()) ?? '';
    expect(shown).toContain(device?.mac);
    if (device?.vendor) expect(shown).toContain(device.vendor);
    expect(second.problems).toEqual([]);
    await second.page.context().close();
  }, 60_000);

  it('overview: top countries and networks, and the world map; a country opens the explorer', async () => {
    const countries = await api<TopResult>('/top?range=all&by=country&limit=300');
    const asns = await api<TopResult>('/top?range=all&by=asn&limit=8');
    expect(countries.rows.length).toBeGreaterThan(2);
    const { page, problems } = await open('/?range=all');
    await page.getByTestId('world-map').waitFor();
    await settle(page);
    const listed = await page.getByTestId('top-countries').locator('li .bar-label').allTextContents();
    expect(listed).toEqual(countries.rows.slice(0, 8).map((r) => String(r.key)));
    const networks = await page.getByTestId('top-asns').locator('li .bar-label').allTextContents();
    expect(networks.map((n) => n.split(' ')[0])).toEqual(asns.rows.map((r) => `AS${r.key}`));
    expect(networks[0]).toContain(asns.rows[0].name as string);

    const map = page.getByTestId('world-map');
    expect(await map.locator('path').count()).toBeGreaterThan(150);
    // Countries too small for 1:110m (Singapore, Hong Kong…) are circles.
    const coloured = await map
      .locator('[data-country]')
      .evaluateAll((paths) =>
        paths.map((p) => (p as unknown as { dataset: { country: string } }).dataset.country).sort(),
      );
    expect(coloured).toEqual(countries.rows.map((r) => String(r.key)).sort());
    expect(await map.locator('.map-legend li').count()).toBe(5);
    await page.screenshot({ path: path.join(SHOTS, 'web-overview-map.png'), fullPage: true });

    const top = String(countries.rows[0].key);
    await map.locator(`[data-country="${top}"]`).click();
    await page.waitForURL(
      (url) => url.pathname === '/flows' && url.searchParams.get('filter') === `country ${top}`,
    );
    await page.getByTestId('flow-table').waitFor();
    await settle(page);
    expect(await page.getByTestId('flow-table').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('explorer: the threat column shows the tags of tagged flows', async () => {
    const { page, problems } = await open('/flows?range=all&filter=threat');
    await page.getByTestId('flow-table').waitFor();
    await settle(page);
    const headers = await page.getByTestId('flow-table').locator('thead th').allTextContents();
    expect(headers.map((h) => h.trim())).toContain('Threat');
    const tags = await page.getByTestId('flow-table').locator('tbody .threat-tags').allTextContents();
    expect(tags.length).toBeGreaterThan(0);
    for (const text of tags) expect(text).toContain('testlist');
    await page.screenshot({ path: path.join(SHOTS, 'web-explorer-threat.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
