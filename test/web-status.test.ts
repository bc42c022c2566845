/**
 * The dashboard's Status page in Debian's Chromium (playwright-core) against the built
 * `flowlens serve --collect` on free UDP ports, after hand-built NetFlow v5/v9 datagrams with
 * known counters (test/support/export-datagrams.ts): the exporter row shows its records, template
 * misses and sequence gap (highlighted), the store tile its size as GET /api/v1/status gives it,
 * with no console error and no failed request; a server with no collector explains how to start
 * one. Screenshots go to test-results/. Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusAnswer } from '../src/server/api-types.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { exportDatagrams } from './support/export-datagrams.js';
import { toolsAvailable } from './support/run.js';
import { collectNetflowOn, type RunningServe, startServe, stopServe, until } from './support/serve-cli.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';
import { DESKTOP_VIEWPORT, openWatched, type WatchedPage } from './support/watch-page.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(PROJECT_ROOT, 'test-results');
const ready = toolsAvailable(['chromium']);

/** Same formatting as web/src/format.ts `bytes` (SI units), to compare the tile's text. */
function siBytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = value;
  let unit = 0;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${unit === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[unit]}`;
}

describe.skipIf(!ready)('Status page in headless Chromium', () => {
  let browser: Browser;
  const dirs: string[] = [];
  const servers: RunningServe[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const running of servers) await stopServe(running);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function start(args: string[]): Promise<RunningServe> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-web-status-'));
    dirs.push(dir);
    const running = await startServe(['--data', path.join(dir, 'data'), ...args]);
    servers.push(running);
    return running;
  }

  /** `url` is absolute: each test has its own server. */
  const open = (url: string, viewport = DESKTOP_VIEWPORT): Promise<WatchedPage> => {
    const { origin, pathname, search } = new URL(url);
    return openWatched(browser, origin, `${pathname}${search}`, { viewport });
  };

  it('shows the exporter with its counters, problems highlighted, and the store size', async () => {
    const netflow = await freeUdpPort();
    const running = await start([...collectNetflowOn(netflow)]);
    await sendDatagrams(exportDatagrams(), netflow);
    const status = await until('the flows in the store', async () => {
      const answer = (await (await fetch(`${running.url}/api/v1/status`)).json()) as StatusAnswer;
      return answer.store.flows === 12 ? answer : undefined;
    });

    const { page, problems } = await open(`${running.url}/status`);
    const row = page.getByTestId('exporter-row');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe('127.0.0.1');
    const cells = await row.locator('td').allTextContents();
    // exporter, packets, records, records/s, decode errors, template misses, sequence gaps, …
    expect([cells[1], cells[2], cells[4], cells[5], cells[6]]).toEqual(['7', '12', '1', '2', '1']);
    for (const id of ['exporter-errors', 'exporter-misses', 'exporter-gaps']) {
      expect(await page.getByTestId(id).getAttribute('class')).toContain('alarm');
    }
    // The domains under the exporter: v5 engine 0 (the gap) and v9 source id 7 (the misses).
    expect(await page.locator('tr.domain td:first-child').allTextContents()).toEqual([
      '↳ NetFlow v5 engine 0',
      '↳ NetFlow v9 source id 7',
    ]);
    // The store tile shows the size the API reports (the file may grow between two reads).
    const size = await page.getByTestId('tile-store-size').locator('.kpi-value').textContent();
    const later = (await (await fetch(`${running.url}/api/v1/status`)).json()) as StatusAnswer;
    expect([siBytes(status.store.fileBytes), siBytes(later.store.fileBytes)]).toContain(size);
    expect(await page.getByTestId('tile-store-size').textContent()).toContain('12 flows');
    expect(await page.getByTestId('listeners').textContent()).toContain(String(netflow));
    expect(await page.getByTestId('ready').textContent()).toContain('collector');

    // The raw metrics stay folded until asked for.
    expect(await page.getByTestId('metrics').count()).toBe(0);
    await page.locator('details.raw-metrics > summary').click();
    await page.getByTestId('metrics').waitFor();
    expect(await page.getByTestId('metrics').textContent()).toContain('flowlens_collector_records_total');
    await page.locator('details.raw-metrics > summary').click();
    await page.screenshot({ path: path.join(SHOTS, 'web-status-collector.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();

    // On a phone the wide tables scroll inside their panel; the page does not scroll sideways.
    const phone = await open(`${running.url}/status`, { width: 390, height: 844 });
    await phone.page.getByTestId('exporter-row').waitFor();
    const sideways = await phone.page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth > root.clientWidth;
    });
    expect(sideways).toBe(false);
    await phone.page.screenshot({ path: path.join(SHOTS, 'web-status-phone.png'), fullPage: true });
    expect(phone.problems).toEqual([]);
    await phone.page.context().close();
  }, 120_000);

  it('explains how to start a collector when none runs', async () => {
    const running = await start([]);
    const { page, problems } = await open(`${running.url}/status`);
    await page.getByTestId('collector-empty').waitFor();
    const text = await page.getByTestId('collector-empty').textContent();
    expect(text).toContain('flowlens serve --collect');
    expect(text).toMatch(/2055.*4739.*6343/);
    expect(await page.getByTestId('tile-store-size').textContent()).toContain('0 flows');
    await page.screenshot({ path: path.join(SHOTS, 'web-status-empty.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
