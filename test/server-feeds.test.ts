/**
 * The feeds API over real HTTP: `createServer` with a ThreatIntel on a temporary data directory
 * (as `flowlens serve` wires it), a feed server on 127.0.0.1, real DuckDB. Covers listing,
 * adding (background first fetch), validation (400), a used id (409), refresh now (updated,
 * not-modified, failed keeping the copy), the background refresh on an interval, removal, the
 * watchlist and allowlist, and an ingest job whose flows are tagged and whose detections raise
 * (watchlist) or do not raise (allowlist) a threat-intel alert.
 *
 * Needs `npm run build`: analysis workers run the built worker script.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThreatIntel, openFeedLibrary, type ThreatIntel } from '../src/enrich/index.js';
import type { FeedList, FeedView, ListAnswer, RefreshOutcome } from '../src/server/api-types.js';
import { PROJECT_ROOT } from './support/corpus.js';
import {
  requireBuiltWorker,
  startTestServer,
  type TestServer,
  upload,
  waitForJob,
} from './support/server-harness.js';

const CAPTURE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tcp-handshake-and-close.pcap');
const FEED = '198.51.100.0/24\n203.0.113.9\n';
let body = FEED;
/** Answers the held `/slow` request. */
let releaseSlow: (() => void) | undefined;
let feedServer: Server;
let feedBase: string;
let t: TestServer;
let intel: ThreatIntel;

beforeAll(async () => {
  requireBuiltWorker();
  feedServer = createHttpServer((req, res) => {
    if (req.url === '/slow') {
      releaseSlow = () => {
        res.writeHead(200);
        res.end('192.0.2.99\n');
      };
    } else if (req.url === '/missing') {
      res.writeHead(404);
      res.end();
    } else if (req.headers['if-none-match'] === `"${body.length}"`) {
      res.writeHead(304);
      res.end();
    } else {
      res.writeHead(200, { etag: `"${body.length}"` });
      res.end(body);
    }
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'flowlens-server-feeds-'));
  intel = await createThreatIntel({ dataDir });
  t = await startTestServer({}, dataDir, { threatIntel: intel });
});
afterAll(async () => {
  await intel?.stop();
  await t?.close();
  await new Promise((resolve) => feedServer.close(resolve));
});

const api = (route: string, init: RequestInit = {}) =>
  fetch(`${t.url}/api/v1${route}`, {
    ...init,
    headers: init.body ? { 'content-type': 'application/json' } : {},
  });
const send = (method: string, route: string, value: unknown) =>
  api(route, { method, body: JSON.stringify(value) });

async function feeds(): Promise<FeedList> {
  const response = await api('/feeds');
  expect(response.status).toBe(200);
  return (await response.json()) as FeedList;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('feeds API', () => {
  it('lists nothing, then adds a feed that is fetched in the background', async () => {
    expect(await feeds()).toEqual({ feeds: [], warnings: [], lists: { watchlist: 0, allowlist: 0 } });
    const added = await send('POST', '/feeds', {
      url: `${feedBase}/drop.txt`,
      format: 'ip-list',
      category: 'hijacked',
    });
    expect(added.status).toBe(201);
    const view = (await added.json()) as FeedView;
    expect(view).toMatchObject({ id: 'drop', url: `${feedBase}/drop.txt`, refreshSeconds: 86_400 });
    // The state is written just after the copy is renamed into place: wait for both.
    await until(async () => (await feeds()).feeds[0]?.state.lastSuccess !== undefined, 'the first fetch');
    const [listed] = (await feeds()).feeds;
    expect(listed.state).toMatchObject({ networks: 2, domains: 0, etag: `"${FEED.length}"` });
    expect(listed.state.lastSuccess).toBeGreaterThan(0);
    expect(intel.matcher.matchIp('203.0.113.9')).toEqual(['drop', 'hijacked']);
  });

  it('rejects bad feeds (400) and a used id (409)', async () => {
    const bad: unknown[] = [
      { url: 'ftp://example.org/x', format: 'ip-list', category: 'c2' },
      { url: `${feedBase}/x`, format: 'csv', category: 'c2' },
      { url: `${feedBase}/x`, format: 'ip-list', category: 'C&C' },
      { url: `${feedBase}/x`, format: 'ip-list', category: 'c2', id: '../x' },
      { url: `${feedBase}/x`, format: 'ip-list', category: 'c2', refreshSeconds: 1 },
      { file: '/etc/passwd', format: 'ip-list', category: 'c2' },
      { url: 'http://user:pw@example.org/x', format: 'ip-list', category: 'c2' },
    ];
    for (const value of bad) {
      const response = await send('POST', '/feeds', value);
      expect(response.status, JSON.stringify(value)).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'FLOWLENS_ERR_VALIDATION',
      );
    }
    const used = await send('POST', '/feeds', {
      id: 'drop',
      url: `${feedBase}/x`,
      format: 'ip-list',
      category: 'c2',
    });
    expect(used.status).toBe(409);
    expect(((await used.json()) as { error: { message: string } }).error.message).toMatch(/"drop" exists/);
    expect((await feeds()).feeds).toHaveLength(1);
  });

  it('refreshes a feed now: not-modified, updated, and failed keeping the last good copy', async () => {
    const refresh = async (id: string) => {
      const response = await api(`/feeds/${id}/refresh`, { method: 'POST' });
      expect(response.status).toBe(200);
      return (await response.json()) as RefreshOutcome;
    };
    expect((await refresh('drop')).status).toBe('not-modified');
    body = `${FEED}192.0.2.200\n`;
    expect(await refresh('drop')).toMatchObject({ status: 'updated', state: { networks: 3 } });
    expect(intel.matcher.matchIp('192.0.2.200')).toEqual(['drop', 'hijacked']);
    body = '<html>maintenance</html>\n';
    const failed = await refresh('drop');
    expect(failed).toMatchObject({ status: 'failed', state: { networks: 3 } });
    expect(failed.error).toMatch(/lists nothing as ip-list/);
    expect(readFileSync(path.join(t.dataDir, 'feeds', 'drop.txt'), 'utf8')).toBe(`${FEED}192.0.2.200\n`);
    expect(intel.matcher.matchIp('192.0.2.200')).toEqual(['drop', 'hijacked']);
    body = FEED;
    expect((await api('/feeds/nope/refresh', { method: 'POST' })).status).toBe(404);
    expect((await api('/feeds/..%2Fx/refresh', { method: 'POST' })).status).toBe(400);
  });

  it('refreshes due feeds in the background, never blocking requests', async () => {
    await intel.library?.add({
      id: 'later',
      url: `${feedBase}/later.txt`,
      format: 'ip-list',
      category: 'scan',
    });
    expect((await feeds()).warnings).toEqual([]);
    await intel.rebuild();
    expect((await feeds()).warnings).toEqual(['feed later has no copy yet: run flowlens feeds update later']);
    intel.startRefreshing(50);
    await until(
      async () => (await feeds()).feeds.find((f) => f.id === 'later')?.hasCopy === true,
      'the background refresh',
    );
    await until(async () => intel.matcher.matchIp('198.51.100.1').includes('scan'), 'the rebuilt matcher');
    expect((await feeds()).warnings).toEqual([]);
    // A list changed on disk by another process (flowlens feeds beside serve) is picked up too.
    await openFeedLibrary(t.dataDir).writeList('watchlist', ['192.0.2.77']);
    await until(async () => intel.matcher.matchIp('192.0.2.77').includes('watchlist'), 'the list change');
    await openFeedLibrary(t.dataDir).writeList('watchlist', []);
    await until(async () => intel.matcher.matchIp('192.0.2.77').length === 0, 'the emptied list');
    await intel.stop();
  });

  it('a fetch in flight blocks no other request', async () => {
    await intel.library?.add({ id: 'slow', url: `${feedBase}/slow`, format: 'ip-list', category: 'scan' });
    let answered = false;
    const refreshing = api('/feeds/slow/refresh', { method: 'POST' }).then(async (response) => {
      answered = true;
      return (await response.json()) as RefreshOutcome;
    });
    await until(async () => releaseSlow !== undefined, 'the slow request');
    const put = await send('PUT', '/lists/watchlist', { entries: ['192.0.2.1'] });
    expect(put.status).toBe(200);
    expect(intel.matcher.matchIp('192.0.2.1')).toEqual(['watchlist']);
    expect((await feeds()).feeds.map((f) => f.id)).toEqual(['drop', 'later', 'slow']);
    expect(answered).toBe(false);
    releaseSlow?.();
    expect(await refreshing).toMatchObject({ id: 'slow', status: 'updated' });
    expect(intel.matcher.matchIp('192.0.2.99')).toEqual(['scan', 'slow']);
    expect((await send('PUT', '/lists/watchlist', { entries: [] })).status).toBe(200);
    expect((await api('/feeds/slow', { method: 'DELETE' })).status).toBe(200);
  });

  it('removes a feed (404 the second time)', async () => {
    const removed = await api('/feeds/later', { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ id: 'later', removed: true });
    expect((await api('/feeds/later', { method: 'DELETE' })).status).toBe(404);
    expect(intel.matcher.matchIp('198.51.100.1')).toEqual(['drop', 'hijacked']);
    expect((await feeds()).feeds.map((f) => f.id)).toEqual(['drop']);
  });
});

describe('lists API and ingest jobs', () => {
  async function ingestAlerts(): Promise<{ alerts: { type: string; explanation: string }[]; tags: unknown }> {
    const job = (await (await upload(t.url, CAPTURE, { query: 'ingest=true&replace=true' })).json()) as {
      id: string;
    };
    const done = await waitForJob(t.url, job.id, (j) => j.status !== 'queued' && j.status !== 'running');
    expect(done.status).toBe('succeeded');
    const report = (await (await api(`/jobs/${job.id}/report.json`)).json()) as {
      analysis: { alerts: { type: string; explanation: string }[] };
    };
    const rows = await t.store.query<{ tags: string[] | null }>('SELECT threat_tags AS tags FROM flows');
    return {
      alerts: report.analysis.alerts.filter((a) => a.type === 'threat-intel'),
      tags: rows.map((r) => r.tags),
    };
  }

  it('validates and stores the watchlist; an ingest job alerts on it and tags the flow', async () => {
    const bad = await send('PUT', '/lists/watchlist', { entries: ['10.0.0.2', 'not an entry'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'watchlist[1] "not an entry" is not an IP, CIDR or domain',
    );
    expect(
      (await send('PUT', '/lists/watchlist', { entries: new Array(10_001).fill('10.0.0.2') })).status,
    ).toBe(400);
    expect((await send('PUT', '/lists/blocklist', { entries: [] })).status).toBe(400);
    const put = await send('PUT', '/lists/watchlist', { entries: ['10.0.0.2', '10.0.0.2', 'Evil.Example'] });
    expect(put.status).toBe(200);
    expect((await put.json()) as ListAnswer).toEqual({ entries: ['10.0.0.2', 'evil.example'] });
    expect((await (await api('/lists/watchlist')).json()) as ListAnswer).toEqual({
      entries: ['10.0.0.2', 'evil.example'],
    });
    expect((await feeds()).lists).toEqual({ watchlist: 2, allowlist: 0 });

    const { alerts, tags } = await ingestAlerts();
    expect(alerts.map((a) => a.explanation)).toEqual([
      '10.0.0.1 → 10.0.0.2:80: 10.0.0.2 is listed by watchlist (watchlist).',
    ]);
    expect(tags).toEqual([['watchlist']]);
  });

  it('an allowlisted address raises no threat-intel alert and gets no tag', async () => {
    const put = await send('PUT', '/lists/allowlist', { entries: ['10.0.0.0/8'] });
    expect(put.status).toBe(200);
    const { alerts, tags } = await ingestAlerts();
    expect(alerts).toEqual([]);
    expect(tags).toEqual([null]);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await api('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/feeds']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/feeds/{id}'])).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/v1/feeds/{id}/refresh'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/v1/lists/{kind}']).sort()).toEqual(['get', 'put']);
  });
});
