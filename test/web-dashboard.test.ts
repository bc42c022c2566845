/**
 * The dashboard end to end in Debian's Chromium (playwright-core) against a real server: the
 * store is filled by `flowlens ingest` from corpus captures (one with an ARP-spoofing alert),
 * the server is `createServer` on 127.0.0.1 with the built dashboard (dist/web). Checks: every
 * page loads with no console error, no page error and no failed or 4xx/5xx request; a filter
 * typed in the explorer changes the table and the URL, and a bad one shows the API's column;
 * keyboard shortcuts navigate; uploading a capture shows SSE progress and ends with report links
 * (report.json is fetched; report.html answers 501 until a renderer is plugged in, so it is
 * only checked to be linked and, when 200, to open); acknowledging an alert survives a reload;
 * after the server drops the live WebSocket the page reconnects with `since=` and shows the alert
 * change it missed as a toast; an empty store explains how to get data in.
 * Screenshots of each page go to test-results/. Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertList, Job } from '../src/server/api-types.js';
import { corpusAvailable, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { runCli, toolsAvailable } from './support/run.js';
import { requireBuiltWorker, startTestServer, type TestServer } from './support/server-harness.js';
import { DESKTOP_VIEWPORT, openWatched, settlePage, watchPage } from './support/watch-page.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(PROJECT_ROOT, 'test-results');
const INGESTED = ['arp_poison_mitm.pcapng', 'bulk_mixed_apps_1kxun.pcap', 'lt_null_loopback_quic.pcap'];
const UPLOADED = 'lt_rawip_tls_alpn_sni.pcap';
const ready = corpusAvailable && toolsAvailable(['chromium']);

/**
 * The page's `document`, for functions that run in the browser (the test project has no DOM
 * types). Functions, not strings: the dashboard's Content-Security-Policy forbids eval; a
 * function is sent as its source, so it cannot call helpers defined here.
 */
interface PageDocument {
  documentElement: { dataset: Record<string, string | undefined>; scrollWidth: number; clientWidth: number };
  activeElement: { id: string } | null;
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
}
/** `(globalThis as unknown as InPage).document`, written out in each function (they are serialised). */
type InPage = { document: PageDocument };

interface Watched {
  page: Page;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
}

describe.skipIf(!ready)('dashboard in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltWorker();
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) {
      throw new Error('dist/web/index.html is missing: run npm run build first');
    }
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-web-e2e-'));
    const ingest = await runCli(['ingest', ...INGESTED.map(corpusPath), '--data', dataDir, '--no-progress']);
    expect(ingest.code, ingest.stderr).toBe(0);
    t = await startTestServer({}, dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const open = (url: string, viewport = DESKTOP_VIEWPORT): Promise<Watched> =>
    openWatched(browser, t.url, url, { viewport, acceptDownloads: true });
  const settle = settlePage;

  it('loads every page with no console error and no failed request', async () => {
    const hosts = (await (await fetch(`${t.url}/api/v1/top?range=all&by=host&limit=1`)).json()) as {
      rows: { key: string }[];
    };
    const pages: [string, string, string][] = [
      ['overview', '/?range=all', 'kpi-traffic'],
      ['explorer', '/flows?range=all', 'flow-table'],
      ['host', `/hosts/${hosts.rows[0].key}?range=all`, 'page-host'],
      ['alerts', '/alerts', 'alert-list'],
      ['captures', '/captures', 'jobs'],
      ['status', '/status', 'ready'],
    ];
    for (const [name, url, testId] of pages) {
      const { page, problems } = await open(url);
      await page.getByTestId(testId).waitFor();
      await settle(page);
      await page.screenshot({ path: path.join(SHOTS, `web-${name}.png`), fullPage: true });
      expect(problems, name).toEqual([]);
      await page.context().close();
    }
  }, 120_000);

  it("overview: top talkers are the API's top hosts, and no request waits for another", async () => {
    const hosts = (await (await fetch(`${t.url}/api/v1/top?range=all&by=host&limit=8`)).json()) as {
      rows: { key: string }[];
    };
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const problems = watchPage(page, t.url);
    // API requests and answers in the order the browser saw them (the live WebSocket is not one).
    const events: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/')) events.push(`request ${new URL(r.url()).pathname}`);
    });
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/')) events.push(`answer ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${t.url}/?range=all`);
    await page.getByTestId('what-changed').waitFor();
    await settle(page);
    const talkers = await page.getByTestId('top-talkers').locator('a.ip').allTextContents();
    expect(talkers).toEqual(hosts.rows.map((r) => r.key));
    const firstAnswer = events.findIndex((e) => e.startsWith('answer'));
    expect(firstAnswer).toBeGreaterThan(0);
    expect(events.slice(firstAnswer).filter((e) => e.startsWith('request'))).toEqual([]);
    expect(events.filter((e) => e === 'request /api/v1/overview')).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows real totals on the overview, dark theme and a phone viewport without sideways scrolling', async () => {
    const overview = (await (await fetch(`${t.url}/api/v1/overview?range=all`)).json()) as {
      current: { flows: number };
    };
    const { page, problems } = await open('/?range=all', { width: 390, height: 844 });
    await page.getByTestId('kpi-flows').waitFor();
    await settle(page);
    const flowsText = await page.getByTestId('kpi-flows').locator('.kpi-value').textContent();
    expect(Number(flowsText?.replace(/,/g, ''))).toBe(overview.current.flows);
    expect(await page.getByTestId('top-talkers').locator('a.ip').count()).toBeGreaterThan(0);
    await page.keyboard.press('t');
    const theme = await page.evaluate(
      () => (globalThis as unknown as InPage).document.documentElement.dataset.theme,
    );
    expect(['light', 'dark']).toContain(theme);
    const scrolls = await page.evaluate(
      () =>
        (globalThis as unknown as InPage).document.documentElement.scrollWidth >
        (globalThis as unknown as InPage).document.documentElement.clientWidth,
    );
    expect(scrolls).toBe(false);
    await page.screenshot({ path: path.join(SHOTS, 'web-overview-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('a filter typed in the explorer changes the table and the URL; a bad one shows where', async () => {
    const { page, problems } = await open('/flows?range=all&limit=100');
    const table = page.getByTestId('flow-table');
    await table.waitFor();
    await settle(page);
    const protocolsBefore = await table.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(new Set(protocolsBefore).size).toBeGreaterThan(1);

    await page.keyboard.press('/');
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe(
      'filter-input',
    );
    await page.keyboard.type('udp');
    await page.keyboard.press('Escape');
    await page.getByTestId('filter').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('filter') === 'udp');
    await page.waitForFunction(() => {
      const cells = [
        ...(globalThis as unknown as InPage).document.querySelectorAll(
          '[data-testid="flow-table"] tbody tr td:nth-child(6)',
        ),
      ];
      return cells.length > 0 && cells.every((cell) => cell.textContent === 'UDP');
    });
    const protocolsAfter = await table.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(new Set(protocolsAfter)).toEqual(new Set(['UDP']));

    // A syntax error: the API's column shows under the filter, and nothing else breaks.
    await page.getByTestId('filter').fill('port 80 port 443');
    await page.getByTestId('filter').press('Enter');
    const error = page.getByTestId('filter-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('column 9');
    expect(new URL(page.url()).searchParams.get('filter')).toBe('port 80 port 443');
    await page.screenshot({ path: path.join(SHOTS, 'web-explorer-filter-error.png') });
    // The bad filter's 400 is the one expected HTTP error.
    expect(problems.filter((p) => !p.includes('HTTP 400') && !p.includes('400 (Bad Request)'))).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('pages through flows with the keyset cursor, keeps the page in the URL and opens a flow', async () => {
    const { page, problems } = await open('/flows?range=all&limit=25');
    await page.getByTestId('flow-table').waitFor();
    await settle(page);
    const first = await page.getByTestId('flow-table').locator('tbody').textContent();
    const nextPage = page.waitForResponse(
      (r) => r.url().includes('/api/v1/flows?') && r.url().includes('after='),
    );
    await page.getByTestId('next-page').click();
    await page.waitForURL((url) => url.searchParams.has('after') && url.searchParams.get('page') === '2');
    await nextPage;
    await settle(page);
    const second = await page.getByTestId('flow-table').locator('tbody').textContent();
    expect(second).not.toBe(first);
    const firstPage = page.waitForResponse(
      (r) => r.url().includes('/api/v1/flows?') && !r.url().includes('after='),
    );
    await page.goBack();
    await firstPage;
    await settle(page);
    expect(await page.getByTestId('flow-table').locator('tbody').textContent()).toBe(first);
    // A row opens every field of its flow.
    await page.getByTestId('flow-table').locator('tbody tr').first().locator('td').first().click();
    const detail = page.locator('tr.flow-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toMatch(/communityId1:/);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('keyboard shortcuts go to pages', async () => {
    const { page, problems } = await open('/?range=all');
    await page.getByTestId('page-overview').waitFor();
    for (const [key, testId] of [
      ['a', 'page-alerts'],
      ['c', 'page-captures'],
      ['s', 'page-status'],
      ['e', 'page-explorer'],
      ['o', 'page-overview'],
    ]) {
      await page.keyboard.press('g');
      await page.keyboard.press(key);
      await page.getByTestId(testId).waitFor({ timeout: 15_000 });
    }
    await settle(page);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('uploads a capture, shows its progress and ends with report links', async () => {
    const { page, problems } = await open('/captures');
    await page.getByTestId('jobs').waitFor();
    await page.getByTestId('file-input').setInputFiles(corpusPath(UPLOADED));
    const upload = page.getByTestId('upload').first();
    await upload.waitFor();
    await page.locator('[data-testid="upload"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const stats = await upload.getByTestId('upload-stats').textContent();
    expect(stats).toMatch(/100% · 28 packets/);
    const link = upload.getByTestId('report-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/jobs\/[0-9a-f-]{36}\/report\.html$/);
    const jsonHref = await upload.getByTestId('report-json').getAttribute('href');
    const report = await fetch(`${t.url}${jsonHref}`);
    expect(report.status).toBe(200);
    expect(((await report.json()) as { job: Job }).job.fileName).toBe(UPLOADED);
    // report.html: 501 until the report renderer lands (another worker); then it must open.
    const html = await fetch(`${t.url}${href}`);
    expect([200, 501]).toContain(html.status);
    if (html.status === 200) {
      const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      await popup.waitForLoadState();
      expect(await popup.title()).not.toBe('');
    }
    await page.getByTestId('jobs').getByText(UPLOADED).first().waitFor();
    await settle(page);
    // Inline: the report in a sandboxed frame, or (501, no renderer yet) why not and report.json.
    await page.getByTestId('jobs').getByRole('button', { name: 'inline' }).first().click();
    const inline = page.getByTestId('inline-report');
    if (html.status === 200) await inline.locator('iframe').waitFor();
    else await inline.getByText('HTTP 501').waitFor();
    await settle(page);
    await page.screenshot({ path: path.join(SHOTS, 'web-captures-uploaded.png'), fullPage: true });
    // The only error allowed is the 501 of report.html while no renderer is plugged in.
    const unexpected = problems.filter(
      (p) => !(html.status === 501 && /501/.test(p) && /report\.html|Failed to load resource/.test(p)),
    );
    expect(unexpected).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('asks for the API token when the server wants one, then shows the overview', async () => {
    // The overview's requests start before the app listens for a 401 (prefetch in main.tsx):
    // the page must still ask for the token.
    const guarded = await startTestServer({ apiToken: 'overview-token-1234' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${guarded.url}/?range=all`);
      const dialog = page.getByRole('dialog', { name: 'API token' });
      await dialog.waitFor();
      await dialog.locator('input').fill('overview-token-1234');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('kpi-flows').waitFor();
      const overview = (await (
        await fetch(`${guarded.url}/api/v1/overview?range=all`, {
          headers: { authorization: 'Bearer overview-token-1234' },
        })
      ).json()) as { current: { flows: number } };
      const flowsText = await page.getByTestId('kpi-flows').locator('.kpi-value').textContent();
      expect(Number(flowsText?.replace(/,/g, ''))).toBe(overview.current.flows);
    } finally {
      await context.close();
      await guarded.close();
    }
  }, 60_000);

  it('explains what to do on an empty store', async () => {
    const empty = await startTestServer();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${empty.url}/`);
      await page.getByText('No flows yet.').waitFor();
      expect(await page.locator('.empty').first().textContent()).toContain('flowlens ingest');
      await page.screenshot({ path: path.join(SHOTS, 'web-overview-empty.png') });
      await page.goto(`${empty.url}/alerts`);
      await page.getByText('No alerts. Detections run').waitFor();
      await page.goto(`${empty.url}/captures`);
      await page.getByText('No capture analysed yet').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await empty.close();
    }
  }, 60_000);

  it('reconnects the live feed after a drop, resumes from the last id and toasts the missed alert change', async () => {
    const { page, problems } = await open('/alerts?type=new-device');
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.getByTestId('alert-row').first().waitFor();
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    // A stats message has arrived once a second, so the client has an id to resume from.
    await page.waitForTimeout(1500);
    for (const client of t.server.app.websocketServer.clients) client.terminate();
    await page.getByTestId('live-status').filter({ hasNotText: 'live' }).waitFor();
    const alerts = (await (
      await fetch(`${t.url}/api/v1/alerts?type=new-device&state=new&limit=1`)
    ).json()) as AlertList;
    const ack = await fetch(`${t.url}/api/v1/alerts/${alerts.alerts[0].id}/ack`, { method: 'POST' });
    expect(ack.status).toBe(200);
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    expect(sockets.at(-1)).toMatch(/[?&]since=\d+/);
    await page.getByTestId('toast').filter({ hasText: 'Alert acknowledged' }).waitFor({ timeout: 10_000 });
    await page
      .locator(`[data-alert-id="${alerts.alerts[0].id}"]`)
      .getByTestId('alert-state-cell')
      .filter({ hasText: 'acknowledged' })
      .waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('acknowledging an alert persists across a reload', async () => {
    const { page, problems } = await open('/alerts?severity=high');
    const row = page.getByTestId('alert-row').first();
    await row.waitFor();
    const id = await row.getAttribute('data-alert-id');
    expect(await row.getByTestId('alert-state-cell').textContent()).toBe('new');
    await row.click();
    await page.waitForURL((url) => url.searchParams.get('id') === id);
    await page.getByTestId('ack').click();
    await page.getByTestId('detail-state').filter({ hasText: 'acknowledged' }).waitFor();
    await page.reload();
    await page.getByTestId('detail-state').waitFor();
    await settle(page);
    expect(await page.getByTestId('detail-state').textContent()).toMatch(/^acknowledged by api/);
    expect(await page.locator(`[data-alert-id="${id}"]`).getByTestId('alert-state-cell').textContent()).toBe(
      'acknowledged',
    );
    const stored = (await (await fetch(`${t.url}/api/v1/alerts?state=acknowledged`)).json()) as AlertList;
    expect(stored.alerts.map((a) => a.id)).toContain(id);
    await page.screenshot({ path: path.join(SHOTS, 'web-alert-acknowledged.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
