/**
 * The built dashboard (`web/`, built by Vite into `dist/web`) at `/`. Every file is read once at
 * registration, so a request path is only ever a key into that table, never a file path. Hashed
 * assets (`/assets/*`) are cached for a year; `index.html` and other files are revalidated.
 * Client routes (`/flows`, `/hosts/10.0.0.1`, …) answer `index.html` (the SPA fallback); paths
 * under `/api/`, `/docs`, `/assets/` and file names (`.js`, `.css`, …) that do not exist stay 404s.
 * HTML answers carry a Content-Security-Policy that keeps the page to this server.
 *
 * Compressible files (text, JSON, SVG) of 1 KiB or more are compressed once, in the background
 * after their first request (brotli and gzip, zlib's thread pool), and then served from those
 * buffers to clients that accept them; until then @fastify/compress compresses each answer
 * again (brotli quality 4: 8–20 ms of CPU for the dashboard's script, every load).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERR, packageFile } from '../../shared/index.js';
import { ApiError, sendError } from '../api-error.js';

export interface WebRouteOptions {
  /** Folder holding the built dashboard (index.html, assets/); default dist/web. */
  root?: string;
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
  /** The body compressed, once `compressOnce` has finished (compressible files only). */
  encoded?: { br: Buffer; gzip: Buffer };
  /** Set when compression has started, so it runs once. */
  compressing?: boolean;
}

/** Files of these types and at least this size are worth compressing (as @fastify/compress). */
const COMPRESSIBLE = /^(?:text\/|application\/json|image\/svg\+xml)/;
const COMPRESS_THRESHOLD = 1024;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses a file's body once, off the event loop; a failure leaves it to @fastify/compress. */
function compressOnce(file: StaticFile): void {
  if (file.compressing || !COMPRESSIBLE.test(file.type) || file.body.length < COMPRESS_THRESHOLD) return;
  file.compressing = true;
  Promise.all([
    brotli(file.body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_SIZE_HINT]: file.body.length,
      },
    }),
    gzipAsync(file.body, { level: 9 }),
  ]).then(
    ([br, gz]) => {
      file.encoded = { br, gzip: gz };
    },
    () => undefined,
  );
}

/** The best encoding of ours the client accepts (`br`, then `gzip`), per Accept-Encoding q-values. */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (acceptEncoding === undefined) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m !== null);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/**
 * The dashboard loads only its own files and talks only to this server (HTTP and WebSocket);
 * report.html may be framed from here; nothing may frame the dashboard.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
const REVALIDATE = 'no-cache';
/** The built dashboard is a few hundred KB; refuse to hold anything absurd in memory. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/** The built dashboard (`npm run build:web` writes dist/web), also when the server runs from src/. */
export function defaultWebRoot(): string {
  return packageFile('dist/web');
}

function readTree(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let total = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      if (!entry.isFile()) continue;
      total += statSync(full).size;
      if (total > MAX_TOTAL_BYTES) throw new Error(`${root} holds more than ${MAX_TOTAL_BYTES} bytes`);
      const body = readFileSync(full);
      const urlPath = `/${path.relative(root, full).split(path.sep).join('/')}`;
      files.set(urlPath, {
        body,
        type: CONTENT_TYPES[path.extname(full).toLowerCase()] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      });
    }
  };
  walk(root);
  return files;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Flowlens</title>
<p>The dashboard is not built. Run <code>npm run build:web</code> (or <code>npm ci</code>), then restart
<code>flowlens serve</code>. The API is at <a href="/docs">/docs</a>.</p>`;

/** Paths that name a file (client routes such as /hosts/10.0.0.1 contain dots but are not files). */
const FILE_LIKE = /\.(?:js|mjs|css|map|html|json|txt|svg|png|ico|webmanifest|woff2?)$/i;

function isReserved(urlPath: string): boolean {
  return (
    urlPath.startsWith('/api/') ||
    urlPath === '/api' ||
    urlPath.startsWith('/docs') ||
    urlPath.startsWith('/assets/') ||
    FILE_LIKE.test(urlPath)
  );
}

export async function webRoutes(app: FastifyInstance, options: WebRouteOptions): Promise<void> {
  const root = options.root ?? defaultWebRoot();
  const files = existsSync(path.join(root, 'index.html')) ? readTree(root) : undefined;
  if (files === undefined) app.log.warn({ root }, 'dashboard not built: / explains how to build it');

  const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile) => {
    reply
      .header('cache-control', file.cacheControl)
      .header('etag', file.etag)
      .header('x-content-type-options', 'nosniff');
    if (file.type.startsWith('text/html')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    compressOnce(file);
    const encoding = file.encoded && pickEncoding(request.headers['accept-encoding']);
    if (file.encoded && encoding) {
      return reply
        .type(file.type)
        .header('vary', 'accept-encoding')
        .header('content-encoding', encoding)
        .send(file.encoded[encoding]);
    }
    return reply.type(file.type).send(file.body);
  };

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const urlPath = request.url.split('?')[0];
    if (files === undefined) {
      if (isReserved(urlPath)) return notFound(request, reply);
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', REVALIDATE)
        .send(NOT_BUILT);
    }
    const file = files.get(urlPath === '/' ? '/index.html' : urlPath);
    if (file !== undefined) return send(request, reply, file);
    if (isReserved(urlPath)) return notFound(request, reply);
    return send(request, reply, files.get('/index.html')!);
  });
}

function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(
    reply,
    new ApiError(404, ERR.API_NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
