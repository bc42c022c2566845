/**
 * Start-up warm-up (server/warm-up.ts) against a real server and Debian's Chromium: after a
 * start with `warmUp: DASHBOARD_LANDING`, the overview's first load in the browser asks exactly
 * the listed requests and every answer comes from the query cache (computed at start, or joined
 * while still running); without warm-up the same load computes them. With an API token the
 * warm-up authenticates as the server; with a cache TTL of 0 nothing is warmed. The store is
 * filled from the project's own generated captures. Needs `npm run build`.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_LANDING } from '../src/server/index.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { runCli, toolsAvailable } from './support/run.js';
import { startTestServer, type TestServer } from './support/server-harness.js';
import { openWatched } from './support/watch-page.js';

const FIXTURES = ['udp-dns-ipv6.pcap', 'tcp-handshake-and-close.pcap', 'tunnels.pcap'].map((name) =>
  path.join(PROJECT_ROOT, 'test', 'fixtures', name),
);
const API = '/api/v1';

/** The canonical form of an API path: its query parameters sorted. */
function canonical(pathWithQuery: string): string {
  const url = new URL(pathWithQuery, 'http://x');
  const params = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${url.pathname}?${new URLSearchParams(params)}`;
}

describe.skipIf(!toolsAvailable(['chromium']))('start-up warm-up of the dashboard overview', () => {
  let browser: Browser;
  let dataDir: string;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) {
      throw new Error('dist/web/index.html is missing: run npm run build first');
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-warm-up-'));
    const ingest = await runCli(['ingest', ...FIXTURES, '--data', dataDir, '--no-progress']);
    expect(ingest.code, ingest.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    // The servers share the data directory; the last one removes it.
    for (const [i, server] of servers.entries()) await server.close(i < servers.length - 1);
  });

  /** Starts a server on the shared store; its earlier server is stopped first (one writer). */
  async function start(config: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
    const previous = servers.at(-1);
    if (previous !== undefined) await previous.server.stop();
    const server = await startTestServer(config, dataDir);
    servers.push(server);
    return server;
  }

  /** Loads `/` and returns each analytics request's path (canonical) and cache source. */
  async function loadOverview(t: TestServer): Promise<Map<string, string>> {
    const sources = new Map<string, string>();
    const { page, problems } = await openWatched(browser, t.url, '/', {
      before: (watched) =>
        watched.on('response', (response) => {
          const url = new URL(response.url());
          const source = response.headers()['x-flowlens-cache'];
          // Analytics answers carry their cache source; other API requests (alerts) are not cached.
          if (!url.pathname.startsWith(`${API}/`) || source === undefined) return;
          sources.set(canonical(`${url.pathname.slice(API.length)}${url.search}`), source);
        }),
    });
    await page.getByTestId('kpi-traffic').waitFor();
    await page.waitForLoadState('networkidle');
    await page.context().close();
    expect(problems).toEqual([]);
    return sources;
  }

  it('answers every request of the first overview load from the cache', async () => {
    const t = await start({ warmUp: DASHBOARD_LANDING });
    const sources = await loadOverview(t);
    expect([...sources.keys()].sort()).toEqual(DASHBOARD_LANDING.map(canonical).sort());
    for (const [request, source] of sources) expect(['hit', 'coalesced'], request).toContain(source);
  }, 60_000);

  it('computes them on the first load without warm-up', async () => {
    const t = await start({});
    const sources = await loadOverview(t);
    expect(sources.size).toBe(DASHBOARD_LANDING.length);
    for (const request of ['/overview?range=24h&topHosts=20', '/top?range=24h&by=dst_port&limit=8']) {
      expect(sources.get(canonical(request)), request).toBe('miss');
    }
  }, 60_000);

  it('warms with the server token, and not at all with a cache TTL of 0', async () => {
    const token = 'warm-up-test-token-0123456789abcdef';
    const withToken = await start({ warmUp: DASHBOARD_LANDING, apiToken: token });
    const overview = `${withToken.url}${API}${DASHBOARD_LANDING[0]}`;
    const headers = { authorization: `Bearer ${token}` };
    // Start-up asked it already: this request is answered from the cache or joins it.
    const warmed = await fetch(overview, { headers });
    expect(warmed.status).toBe(200);
    expect(['hit', 'coalesced']).toContain(warmed.headers.get('x-flowlens-cache'));

    const uncached = await start({ warmUp: DASHBOARD_LANDING, queryCacheTtlMs: 0 });
    const asked = await fetch(`${uncached.url}${API}${DASHBOARD_LANDING[0]}`);
    expect(asked.headers.get('x-flowlens-cache')).toBe('miss');
  }, 60_000);
});
