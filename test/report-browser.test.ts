/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): a report from
 * a real capture run through analyzeCaptures and the report's analyzers, and the fixture document
 * full of hostile strings. Checks: no console error and no page error, no request leaves the page
 * (every request is routed and recorded; only the report file itself may load), no script dialog
 * (an escaped `alert(1)` must stay text), the main sections are present and visible, no sideways
 * scrolling on a phone-sized viewport, the theme toggle works, printing hides the navigation.
 * Screenshots go to test/artifacts/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeHealthScore,
  createHierarchyAnalyzer,
  createTalkersAnalyzer,
  createThroughputAnalyzer,
  resolveLinkLayer,
} from '../src/analyze/index.js';
import type { ProtocolHierarchy, ReportDocument, ThroughputSeries, TopTalkers } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import {
  createReportDocument,
  REPORT_SECTIONS,
  renderReportHtml,
  reportSummaryOf,
} from '../src/report/index.js';
import { fixtureDocument } from '../src/report/testing/fixture-document.js';
import { corpusAvailable, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { toolsAvailable } from './support/run.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');
const CHROMIUM = '/usr/bin/chromium';

async function captureReport(name: string): Promise<ReportDocument> {
  const { summary, analysis } = await analyzeCaptures({
    files: [corpusPath(name)],
    analyzers: [createHierarchyAnalyzer(), createTalkersAnalyzer(), createThroughputAnalyzer()],
    onFlow() {},
  });
  const health = computeHealthScore({
    malformedRate: summary.packets > 0 ? summary.undecodable / summary.packets : undefined,
    malformedPackets: summary.undecodable,
    warningRate: summary.packets > 0 ? summary.warnings / summary.packets : undefined,
    warnings: summary.warnings,
  });
  return createReportDocument({
    summary: reportSummaryOf(summary),
    generatedAt: '2024-01-01T00:00:00.000Z',
    health,
    protocolHierarchy: resolveLinkLayer(analysis.protocolHierarchy as ProtocolHierarchy, summary),
    talkers: analysis.talkers as TopTalkers,
    throughput: analysis.throughput as ThroughputSeries,
    warnings: Object.entries(summary.warningsByCode).map(([code, count]) => ({ code, message: code, count })),
  });
}

interface PageRun {
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

const ready = toolsAvailable(['chromium']);

describe.skipIf(!ready)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
    dir = mkdtempSync(path.join(tmpdir(), 'flowlens-report-'));
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(doc: ReportDocument | string, name: string, viewport = { width: 1280, height: 900 }) {
    const file = path.join(dir, `${name}.html`);
    writeFileSync(file, typeof doc === 'string' ? doc : renderReportHtml(doc));
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const run: PageRun = { consoleErrors: [], requests: [], dialogs: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') run.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => run.consoleErrors.push(String(e)));
    page.on('dialog', (d) => {
      run.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (r.url() !== url) run.requests.push(r.url());
    });
    await context.route('**/*', (route) =>
      route.request().url() === url ? route.continue() : route.abort('blockedbyclient'),
    );
    await page.goto(url, { waitUntil: 'load' });
    return { page, context, run };
  }

  it.skipIf(!corpusAvailable)('renders a real capture cleanly, with every main section', async () => {
    const doc = await captureReport('encap_teredo_mixed.pcap');
    const { page, context, run } = await open(doc, 'capture');
    for (const [id, title] of REPORT_SECTIONS) {
      await expect(page.locator(`#${id} > h2`).textContent()).resolves.toBe(title);
      expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
    }
    expect(await page.locator('#throughput svg.chart path.area').count()).toBe(1);
    expect(await page.locator('#hierarchy tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#talkers tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('#icmp .na').textContent()).toBe('not available');
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-capture.png'), fullPage: true });
    expect(run).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await context.close();
  });

  it('keeps hostile strings inert and makes no request', async () => {
    const { page, context, run } = await open(fixtureDocument(), 'hostile');
    expect(await page.locator('#inventory td').first().textContent()).toContain('<script>alert(1)</script>');
    expect(await page.locator('iframe, img, link, base, object, embed').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    await page.locator('button.copy').first().click();
    expect(run).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await context.close();
  });

  it('catches a page that does load something (control for the checks above)', async () => {
    const leaky = renderReportHtml(fixtureDocument())
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
      .replace('<main>', '<main><img src="http://192.0.2.1/pixel.png" alt="">');
    const { context, run } = await open(leaky, 'leaky');
    expect(run.requests).toEqual(['http://192.0.2.1/pixel.png']);
    await context.close();
  });

  it('fits a phone screen, toggles the theme and prints without navigation', async () => {
    const { page, context, run } = await open(fixtureDocument(), 'phone', { width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-phone.png'), fullPage: true });

    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const before = await background();
    await page.locator('#theme-toggle').click();
    const theme = await page.evaluate<string | null>("document.documentElement.getAttribute('data-theme')");
    expect(theme === 'dark' || theme === 'light').toBe(true);
    expect(await background()).not.toBe(before);
    await page.screenshot({ path: path.join(ARTIFACTS, `report-phone-${theme}.png`) });

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.sections').isVisible()).toBe(false);
    expect(await page.locator('#theme-toggle').isVisible()).toBe(false);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.pdf({ path: path.join(ARTIFACTS, 'report-print.pdf') });
    expect(run).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await context.close();
  });
});
