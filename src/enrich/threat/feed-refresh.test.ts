/**
 * Feed refresh against a real HTTP server on 127.0.0.1: a 200 with an ETag, a conditional GET
 * answered 304, then every way an answer can be bad (404, garbage, a body cut short with the
 * connection closed, a body shorter than its Content-Length, a slow answer, a body over the size
 * limit). After each bad answer the last good copy is byte for byte what it was, the matcher
 * built from the data directory still matches, and the state records the error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeedLibrary } from './feed-library.js';
import { refreshFeed } from './feed-refresh.js';
import { createThreatIntel } from './threat-intel.js';

const GOOD = '# test feed\n198.51.100.7\n203.0.113.0/24\n';
const ETAG = '"v1"';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const handlers: Record<string, Handler> = {
  '/good': (req, res) => {
    if (req.headers['if-none-match'] === ETAG) {
      res.writeHead(304, { etag: ETAG });
      res.end();
      return;
    }
    res.writeHead(200, {
      etag: ETAG,
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(GOOD),
    });
    res.end(GOOD);
  },
  '/missing': (_req, res) => {
    res.writeHead(404);
    res.end('not found');
  },
  '/garbage': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Please log in</body></html>\n');
  },
  '/truncated': (_req, res) => {
    // Promises 2,000 bytes, sends a few lines that parse, then closes the connection.
    res.writeHead(200, { 'content-length': '2000' });
    res.write('192.0.2.1\n192.0.2.2\n');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  '/slow': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('192.0.2.1\n');
    // The rest never comes in time.
    setTimeout(() => res.end('192.0.2.2\n'), 5000).unref();
  },
  '/large': (_req, res) => {
    res.writeHead(200);
    res.end('192.0.2.1\n'.repeat(1000));
  },
};

let server: Server;
let base: string;
const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-feed-refresh-'));
const requests: { url: string; ifNoneMatch?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] as string | undefined });
    const handler = handlers[(req.url ?? '').split('?')[0]];
    if (handler) handler(req, res);
    else {
      res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('feed refresh over HTTP', () => {
  const library = openFeedLibrary(dir);
  const limits = { timeoutMs: 1500, maxBytes: 4096 };

  /** Points the feed at another path of the test server, as a user editing feeds.json would. */
  async function pointAt(route: string) {
    const feeds = await library.feeds();
    const feed = { ...feeds[0], url: `${base}${route}` };
    return feed;
  }

  it('fetches a good copy, then a conditional GET answered 304 keeps it', async () => {
    await library.add({ id: 'test', url: `${base}/good`, format: 'ip-list', category: 'c2' });
    const [feed] = await library.feeds();
    const first = await refreshFeed(library, feed, limits);
    expect(first.status).toBe('updated');
    expect(first.state).toMatchObject({
      networks: 2,
      domains: 0,
      etag: ETAG,
      bytes: Buffer.byteLength(GOOD),
    });
    expect(readFileSync(library.copyPath('test'), 'utf8')).toBe(GOOD);

    const second = await refreshFeed(library, feed, limits);
    expect(second.status).toBe('not-modified');
    expect(requests.at(-1)).toEqual({ url: '/good', ifNoneMatch: ETAG });
    expect(second.state.lastError).toBeUndefined();
    expect(second.state.networks).toBe(2);
    expect(readFileSync(library.copyPath('test'), 'utf8')).toBe(GOOD);
  });

  const BAD: [string, RegExp][] = [
    ['/missing', /HTTP 404/],
    ['/garbage', /lists nothing as ip-list/],
    ['/truncated', /connection closed before the answer was complete|truncated answer/],
    ['/slow', /no complete answer within 1.5 s/],
    ['/large', /larger than 4096 bytes/],
  ];
  for (const [route, error] of BAD) {
    it(`keeps the last good copy when ${route} answers`, async () => {
      const before = await library.state('test');
      const outcome = await refreshFeed(library, await pointAt(route), limits);
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(error);
      expect(readFileSync(library.copyPath('test'), 'utf8')).toBe(GOOD);
      const state = await library.state('test');
      expect(state.lastError).toMatch(error);
      expect(state.lastSuccess).toBe(before.lastSuccess);
      expect(state.networks).toBe(2);
      expect(state.etag).toBe(ETAG);
      expect(state.lastAttempt).toBeGreaterThanOrEqual(before.lastAttempt ?? 0);
      // The data directory's matcher still has the good copy.
      const intel = await createThreatIntel({ dataDir: dir });
      expect(intel.warnings()).toEqual([]);
      expect(intel.matcher.matchIp('203.0.113.9')).toEqual(['c2', 'test']);
    });
  }

  it('a connection refused is a failure that keeps the copy', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const feed = { ...(await library.feeds())[0], url: `http://127.0.0.1:${port}/x` };
    const outcome = await refreshFeed(library, feed, limits);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/fetch failed.*ECONNREFUSED/);
    expect(readFileSync(library.copyPath('test'), 'utf8')).toBe(GOOD);
  });

  it('leaves no temporary files behind', async () => {
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(path.join(dir, 'feeds')).sort()).toEqual(['test.state.json', 'test.txt']);
  });
});
