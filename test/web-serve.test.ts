/**
 * The built dashboard as `flowlens serve` serves it (in process, `inject`): index.html at `/`
 * and for client routes (SPA fallback), hashed assets with their content type and a year of
 * caching, ETag revalidation, and the API, docs, health and metrics untouched (unknown API paths
 * and missing assets stay JSON 404s). A server without a build explains how to build one, and
 * the built `flowlens serve` CLI finds dist/web by itself. Needs `npm run build` (dist/web).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding } from '../src/server/routes/web.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { CLI } from './support/run.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

const WEB_ROOT = path.join(PROJECT_ROOT, 'dist', 'web');

describe('dashboard serving', () => {
  let t: TestServer;
  const get = (url: string, headers: Record<string, string> = {}) =>
    t.server.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    if (!existsSync(path.join(WEB_ROOT, 'index.html'))) {
      throw new Error(`${WEB_ROOT}/index.html is missing: run npm run build first`);
    }
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves index.html at / and for client routes, revalidated', async () => {
    for (const url of [
      '/',
      '/flows?range=all&filter=tcp',
      '/hosts/10.0.0.1',
      '/alerts',
      '/captures',
      '/status',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.body, url).toContain('<div id="root"></div>');
    }
    const first = await get('/');
    expect(first.headers['content-security-policy']).toContain("default-src 'self'");
    expect(first.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    const again = await get('/alerts', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed assets with their content type, compressed and cached for a year', async () => {
    const assets = readdirSync(path.join(WEB_ROOT, 'assets'));
    const script = assets.find((name) => name.endsWith('.js'));
    const style = assets.find((name) => name.endsWith('.css'));
    expect(script).toBeDefined();
    const js = await get(`/assets/${script}`, { 'accept-encoding': 'gzip' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-encoding']).toBe('gzip');
    const css = await get(`/assets/${style}`);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    // The page references only its own assets: nothing from a CDN or a font service.
    const html = (await get('/')).body;
    for (const match of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(match[1]).toMatch(/^\//);
  });

  it('serves assets compressed once (brotli, gzip) byte-exact, per Accept-Encoding', async () => {
    const script = readdirSync(path.join(WEB_ROOT, 'assets')).find((name) => name.endsWith('.js'));
    const file = readFileSync(path.join(WEB_ROOT, 'assets', String(script)));
    const url = `/assets/${script}`;
    await get(url, { 'accept-encoding': 'br' });
    // The compressed copies are made in the background after the first request; they are
    // smaller than @fastify/compress's on-the-fly brotli (quality 4).
    const onTheFly = brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }).length;
    const started = Date.now();
    let br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    while (br.rawPayload.length >= onTheFly && Date.now() - started < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    }
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(onTheFly);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).equals(file)).toBe(true);
    const gz = await get(url, { 'accept-encoding': 'br;q=0, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(file)).toBe(true);
    const plain = await get(url, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(file)).toBe(true);
    expect(pickEncoding(undefined)).toBeUndefined();
    expect(pickEncoding('gzip;q=0.5, br;q=0')).toBe('gzip');
    expect(pickEncoding('deflate')).toBeUndefined();
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*, br;q=0')).toBe('gzip');
  });

  it('keeps the API, docs, health and metrics, and 404s unknown API paths and missing files', async () => {
    expect((await get('/health')).json()).toMatchObject({ status: 'ok' });
    expect((await get('/metrics')).body).toContain('flowlens_');
    expect((await get('/docs/')).statusCode).toBe(200);
    expect((await get('/api/v1/openapi.json')).json().openapi).toBe('3.0.3');
    for (const url of [
      '/api/v1/nope',
      '/api/v2/overview',
      '/assets/missing-abc123.js',
      '/robots.txt',
      '/docs/nope.js',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code, url).toBe('FLOWLENS_ERR_NOT_FOUND');
    }
    const post = await t.server.app.inject({ method: 'POST', url: '/flows' });
    expect(post.statusCode).toBe(404);
  });

  it('never reads a path from the request: traversal attempts get the app or a 404', async () => {
    for (const url of ['/../package.json', '/assets/../../package.json', '/%2e%2e/%2e%2e/package.json']) {
      const response = await get(url);
      expect(response.body, url).not.toContain('"devDependencies"');
    }
  });

  it('explains how to build the dashboard when there is no build', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'flowlens-noweb-'));
    const { createServer } = await import('../src/server/index.js');
    const bare = createServer(
      { port: 0, dataDir: empty, logLevel: false },
      { store: t.store, webRoot: empty },
    );
    try {
      await bare.start();
      const response = await bare.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build:web');
      expect((await bare.app.inject({ method: 'GET', url: '/api/v1/nope' })).statusCode).toBe(404);
    } finally {
      await bare.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is what `flowlens serve` (the built CLI) serves at /, on loopback', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-serve-web-'));
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /on (http:\/\/[0-9.:]+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      const index = await fetch(`${url}/flows?range=all`);
      expect(index.status).toBe(200);
      const html = await index.text();
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`${url}${script}`);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await fetch(`${url}/api/v1/overview?range=all`)).status).toBe(200);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
