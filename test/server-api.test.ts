/**
 * The HTTP API in process (`inject`), on a real DuckDB store built from corpus captures: every
 * analytics route answers exactly what its `store/query` function returns, pagination visits
 * every flow once, exports stream every flow, and every parameter error is a 400 with
 * `{error:{code,message,details}}`. Also: health, readiness, metrics, OpenAPI and the docs UI,
 * the bearer token, CORS, rate limits and the request log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveServerConfig } from '../src/server/index.js';
import {
  DIMENSIONS,
  hostDetail,
  overview,
  parseRange,
  resolveRange,
  searchFlows,
  series,
  top,
} from '../src/store/query/index.js';
import { corpusAvailable } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

const FILES = ['bulk_mixed_apps_1kxun.pcap', 'lt_null_loopback_quic.pcap'];
const TOKEN = 'correct-horse-battery-staple';

describe.skipIf(!corpusAvailable)('HTTP API over a corpus store (inject)', () => {
  let data: QueryStore;
  let t: TestServer;
  const get = (url: string, headers: Record<string, string> = {}) =>
    t.server.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    data = await buildQueryStore(FILES);
    t = await startTestServer({}, data.dataDir);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /health and /ready (the store answers)', async () => {
    expect((await get('/health')).json()).toMatchObject({ status: 'ok' });
    const ready = await get('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { store: { ok: true }, jobs: { ok: true } },
    });
  });

  it('maps overview, top, series, flows and hosts one to one onto store/query', async () => {
    const range = await resolveRange(t.store, parseRange('all'));
    const filter = 'tcp';
    expect((await get('/api/v1/overview?range=all&filter=tcp')).json()).toEqual(
      JSON.parse(JSON.stringify(await overview(t.store, { range, filter }))),
    );
    const ranked = (await get('/api/v1/overview?range=all&filter=tcp&topHosts=5')).json();
    expect(ranked).toEqual(
      JSON.parse(JSON.stringify(await overview(t.store, { range, filter, topHosts: 5 }))),
    );
    expect(ranked.topHosts.current).toEqual(
      JSON.parse(JSON.stringify((await top(t.store, { by: 'host', range, filter, limit: 5 })).rows)),
    );
    for (const by of DIMENSIONS) {
      const response = await get(`/api/v1/top?range=all&by=${by}&metric=packets&limit=7`);
      expect(response.statusCode, by).toBe(200);
      expect(response.json()).toEqual(
        JSON.parse(JSON.stringify(await top(t.store, { by, metric: 'packets', range, limit: 7 }))),
      );
    }
    expect((await get('/api/v1/series?range=all&splitBy=protocol&topK=3&metric=flows')).json()).toEqual(
      JSON.parse(
        JSON.stringify(
          await series(t.store, { range, splitBy: 'protocol', topK: 3, metric: 'flows', bucket: 'auto' }),
        ),
      ),
    );
    expect((await get('/api/v1/series?range=1h&bucket=60')).json().bucket).toBe(60);
    expect((await get('/api/v1/flows?range=all&sort=bytes&limit=5')).json()).toEqual(
      JSON.parse(JSON.stringify(await searchFlows(t.store, { range, sort: 'bytes', limit: 5 }))),
    );
    const ip = data.flows[0].srcIp;
    expect((await get(`/api/v1/hosts/${ip}?range=all&limit=3`)).json()).toEqual(
      JSON.parse(JSON.stringify(await hostDetail(t.store, { ip, range, limit: 3 }))),
    );
  });

  it('combines net= with filter=', async () => {
    const range = await resolveRange(t.store, parseRange('all'));
    const expected = await overview(t.store, { range, filter: 'udp and net 0.0.0.0/0' });
    const answer = (await get('/api/v1/overview?range=all&filter=udp&net=0.0.0.0/0')).json();
    expect(answer.current).toEqual(expected.current);
  });

  it('pages through every flow exactly once with keyset cursors', async () => {
    const seen = new Set<string>();
    let pages = 0;
    let next: string | undefined;
    do {
      const response = await get(`/api/v1/flows?range=all&limit=97${next ? `&after=${next}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.json() as {
        flows: { communityId: string; firstTs: number; srcPort: number }[];
        next?: string;
      };
      for (const flow of page.flows) {
        const key = JSON.stringify(flow);
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      next = page.next;
      pages++;
    } while (next !== undefined);
    expect(seen.size).toBe(data.flows.length);
    expect(pages).toBe(Math.ceil(data.flows.length / 97) + (data.flows.length % 97 === 0 ? 1 : 0));
  });

  it('streams every flow as NDJSON, CSV and JSON', async () => {
    const ndjson = await get('/api/v1/export?range=all&format=ndjson');
    expect(ndjson.statusCode).toBe(200);
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson');
    expect(ndjson.headers['content-disposition']).toMatch(/^attachment; filename="flows-\d+-\d+\.ndjson"$/);
    expect(ndjson.body.trim().split('\n')).toHaveLength(data.flows.length);
    const csv = await get('/api/v1/export?range=all&format=csv&filter=udp');
    const udp = data.flows.filter((f) => f.protocol === 17).length;
    expect(csv.body.trim().split('\r\n')).toHaveLength(udp + 1);
    const json = await get('/api/v1/export?range=all&format=json');
    expect(JSON.parse(json.body)).toHaveLength(data.flows.length);
  });

  it('compresses large answers for clients that accept it', async () => {
    const response = await get('/api/v1/export?range=all&format=ndjson', { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
  });

  const BAD: [string, string, string][] = [
    ['/api/v1/top?by=nope', 'FLOWLENS_ERR_VALIDATION', '/by'],
    ['/api/v1/top?limit=0', 'FLOWLENS_ERR_VALIDATION', '/limit'],
    ['/api/v1/top?limit=10001', 'FLOWLENS_ERR_VALIDATION', '/limit'],
    ['/api/v1/top?limit=ten', 'FLOWLENS_ERR_VALIDATION', '/limit'],
    ['/api/v1/series?topK=51', 'FLOWLENS_ERR_VALIDATION', '/topK'],
    ['/api/v1/series?bucket=-5', 'FLOWLENS_ERR_VALIDATION', '/bucket'],
    ['/api/v1/flows?sort=size', 'FLOWLENS_ERR_VALIDATION', '/sort'],
    ['/api/v1/flows?after=not*a*cursor', 'FLOWLENS_ERR_VALIDATION', '/after'],
    ['/api/v1/overview?until=yesterday', 'FLOWLENS_ERR_VALIDATION', '/until'],
    ['/api/v1/overview?net=10.0.0.0/33', 'FLOWLENS_ERR_VALIDATION', '/net'],
    ['/api/v1/overview?net=10.1.0.0/8', 'FLOWLENS_ERR_VALIDATION', '/net'],
    ['/api/v1/overview?colour=blue', 'FLOWLENS_ERR_VALIDATION', ''],
    ['/api/v1/overview?topHosts=101', 'FLOWLENS_ERR_VALIDATION', '/topHosts'],
    ['/api/v1/overview?topHosts=-1', 'FLOWLENS_ERR_VALIDATION', '/topHosts'],
    ['/api/v1/hosts/10.0.0.300', 'FLOWLENS_ERR_VALIDATION', '/ip'],
    ['/api/v1/hosts/not-an-ip', 'FLOWLENS_ERR_VALIDATION', '/ip'],
    ['/api/v1/export?format=xml', 'FLOWLENS_ERR_VALIDATION', '/format'],
  ];
  for (const [url, code, where] of BAD) {
    it(`refuses ${url} with 400 ${code}`, async () => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
      if (where !== '') expect(JSON.stringify(body.error.details)).toContain(where);
    });
  }

  it('reports a filter syntax error with its column', async () => {
    const response = await get(`/api/v1/flows?filter=${encodeURIComponent('port 80 port 443')}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'FLOWLENS_ERR_BAD_FILTER',
      details: { column: 9, found: 'port' },
    });
  });

  it('refuses ranges and cursors the query layer rejects as 400 FLOWLENS_ERR_USAGE', async () => {
    for (const url of [
      '/api/v1/overview?range=fortnight',
      '/api/v1/overview?range=2024-13-45..',
      '/api/v1/series?range=all&bucket=0.5',
      `/api/v1/flows?after=${Buffer.from('{"s":"bytes"}').toString('base64url')}`,
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('FLOWLENS_ERR_USAGE');
    }
  });

  it('answers unknown routes and jobs with 404 FLOWLENS_ERR_NOT_FOUND', async () => {
    for (const url of ['/api/v1/nope', '/api/v1/jobs/00000000-0000-0000-0000-000000000000']) {
      const response = await get(url);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('FLOWLENS_ERR_NOT_FOUND');
    }
    const deleted = await t.server.app.inject({
      method: 'DELETE',
      url: '/api/v1/jobs/00000000-0000-0000-0000-000000000000',
    });
    expect(deleted.statusCode).toBe(404);
    const report = await get('/api/v1/jobs/00000000-0000-0000-0000-000000000000/report.json');
    expect(report.statusCode).toBe(404);
    const badId = await get('/api/v1/jobs/../../etc/passwd');
    expect(badId.statusCode).toBe(404);
    expect((await get('/api/v1/jobs/not-a-uuid')).json().error.code).toBe('FLOWLENS_ERR_VALIDATION');
  });

  it('lists jobs (none yet) and validates the listing', async () => {
    expect((await get('/api/v1/jobs')).json()).toEqual({ jobs: [] });
    expect((await get('/api/v1/jobs?status=lost')).statusCode).toBe(400);
  });

  it('refuses uploads that are not multipart with 415', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/captures',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from('abcd'),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('FLOWLENS_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('exposes Prometheus metrics with request latencies', async () => {
    await get('/api/v1/overview?range=all');
    const text = (await get('/metrics')).body;
    expect(text).toMatch(/flowlens_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/overview"/);
    for (const name of [
      'flowlens_server_event_loop_lag_p99_seconds',
      'flowlens_jobs_queue_depth',
      'flowlens_job_duration_seconds',
      'flowlens_live_clients',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('serves an OpenAPI 3 document built from the validation schemas', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of [
      '/api/v1/overview',
      '/api/v1/top',
      '/api/v1/series',
      '/api/v1/flows',
      '/api/v1/hosts/{ip}',
      '/api/v1/export',
      '/api/v1/captures',
      '/api/v1/jobs',
      '/api/v1/jobs/{id}',
      '/api/v1/jobs/{id}/events',
      '/api/v1/jobs/{id}/report.json',
    ]) {
      expect(doc.paths, route).toHaveProperty([route]);
    }
    const by = doc.paths['/api/v1/top'].get.parameters.find((p: { name: string }) => p.name === 'by');
    expect(by.schema.enum).toEqual([...DIMENSIONS]);
  });

  it('serves the docs UI with local assets only', async () => {
    const page = await get('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)[a-z]/i);
    const scripts = [...page.body.matchAll(/src="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const asset = await get(`/docs/${script.replace(/^docs\//, '')}`);
      expect(asset.statusCode, script).toBe(200);
    }
  });

  it('sends no CORS headers unless configured', async () => {
    const response = await get('/api/v1/overview', { origin: 'https://evil.example' });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('server configuration and security defaults', () => {
  it('refuses a public bind address without a token, saying what to do', () => {
    expect(() => resolveServerConfig({ dataDir: '/tmp/x', bind: '0.0.0.0' })).toThrow(/FLOWLENS_API_TOKEN/);
    expect(() => resolveServerConfig({ dataDir: '/tmp/x', bind: '0.0.0.0', apiToken: 'short' })).toThrow(
      /at least 16/,
    );
    expect(resolveServerConfig({ dataDir: '/tmp/x' }).bind).toBe('127.0.0.1');
    expect(resolveServerConfig({ dataDir: '/tmp/x', bind: '0.0.0.0', apiToken: TOKEN }).apiToken).toBe(TOKEN);
  });

  it('refuses a WebSocket upgrade without the token with 401, and still stops at once', async () => {
    const guarded = await startTestServer({ apiToken: TOKEN });
    try {
      const socket = new WebSocket(`${guarded.url.replace('http', 'ws')}/api/v1/live`);
      const refused = await new Promise<string>((resolve) => {
        socket.on('error', (error) => resolve(error.message));
        socket.on('open', () => resolve('opened'));
      });
      expect(refused).toBe('Unexpected server response: 401');
    } finally {
      const stopped = await Promise.race([
        guarded.close().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still stopping after 5 s'), 5000)),
      ]);
      expect(stopped).toBe('stopped');
    }
  });

  describe('with a token, CORS, rate limits and logs', () => {
    let t: TestServer;
    const lines: Record<string, unknown>[] = [];
    beforeAll(async () => {
      t = await startTestServer({
        apiToken: TOKEN,
        corsOrigins: ['https://dash.example'],
        rateLimit: { light: 3, heavy: 1, upload: 1 },
        logLevel: 'info',
        logStream: { write: (line: string) => lines.push(JSON.parse(line)) },
      });
    });
    afterAll(async () => {
      await t?.close();
    });
    const inject = (url: string, headers: Record<string, string> = {}) =>
      t.server.app.inject({ method: 'GET', url, headers });
    const auth = { authorization: `Bearer ${TOKEN}` };

    it('requires the bearer token on the API and metrics, not on health or docs', async () => {
      const denied = await inject('/api/v1/jobs');
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer');
      expect(denied.json().error.code).toBe('FLOWLENS_ERR_UNAUTHORIZED');
      expect(
        (await inject('/api/v1/jobs', { authorization: 'Bearer wrong-token-of-some-length' })).statusCode,
      ).toBe(401);
      expect((await inject('/metrics')).statusCode).toBe(401);
      expect((await inject('/api/v1/jobs', auth)).statusCode).toBe(200);
      expect((await inject(`/api/v1/export?access_token=${TOKEN}`)).statusCode).toBe(200);
      expect((await inject('/health')).statusCode).toBe(200);
      expect((await inject('/api/v1/openapi.json')).statusCode).toBe(200);
    });

    it('answers configured origins with CORS headers', async () => {
      const response = await inject('/api/v1/jobs', { ...auth, origin: 'https://dash.example' });
      expect(response.headers['access-control-allow-origin']).toBe('https://dash.example');
      const other = await inject('/api/v1/jobs', { ...auth, origin: 'https://evil.example' });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('rate-limits per endpoint, heavy endpoints lower, with 429 and Retry-After', async () => {
      expect((await inject('/api/v1/series', auth)).statusCode).toBe(200);
      const limited = await inject('/api/v1/series', auth);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('FLOWLENS_ERR_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The lighter overview still has room.
      expect((await inject('/api/v1/overview', auth)).statusCode).toBe(200);
    });

    it('logs one structured line per request: id, method, path, status, duration', async () => {
      await inject('/api/v1/overview?range=1h&filter=tcp', auth);
      const line = [...lines].reverse().find((l) => l.msg === 'request' && l.path === '/api/v1/overview');
      expect(line).toMatchObject({ method: 'GET', status: 200 });
      expect(typeof line?.reqId).toBe('string');
      expect(typeof line?.durationMs).toBe('number');
      // The query string (which may carry a token) is not logged.
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    });
  });
});
