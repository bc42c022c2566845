/**
 * The server's one configuration object: defaults, and the start-up checks that refuse an unsafe
 * or inconsistent setup with a message saying what to do. Everything else in `server/` reads a
 * `ResolvedServerConfig`, never the raw input.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { ERR, FlowlensError } from '../shared/index.js';

/** Requests per minute per client address, by endpoint weight. `false` turns rate limiting off. */
export interface RateLimits {
  /** overview, top, flows, jobs listing. */
  light: number;
  /** series, hosts/:ip, export: queries that scan more. */
  heavy: number;
  /** Capture uploads. */
  upload: number;
}

export interface ServerConfig {
  /** TCP port; 0 picks a free one (see FlowlensServer.address). Default 8080. */
  port?: number;
  /** Listen address. Default 127.0.0.1; any other address needs `apiToken`. */
  bind?: string;
  /** Data directory: the store's database, `uploads/`, `reports/`, `jobs/`. */
  dataDir: string;
  /** Bearer token for `/api/v1/*` and `/metrics`; required when `bind` is not loopback. */
  apiToken?: string;
  /** Origins allowed by CORS; empty or absent means CORS is off (no CORS headers at all). */
  corsOrigins?: string[];
  /** Largest non-upload request body, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Largest capture upload, bytes. Default 2 GiB. */
  uploadLimit?: number;
  /** Jobs waiting for a worker before uploads get 503. Default 4. */
  queueLimit?: number;
  /** Analyses running at once, each in its own worker thread. Default 1. */
  concurrency?: number;
  /** Per-job limit, ms. Default 30 min. */
  jobTimeoutMs?: number;
  /** Keep uploads after analysis. Default false (deleted). */
  keepUploads?: boolean;
  /** How long a finished job's report is kept, ms. Default 24 h. */
  reportTtlMs?: number;
  /** How often expired reports are removed, ms. Default 1 h. */
  sweepIntervalMs?: number;
  rateLimit?: RateLimits | false;
  /** Analytics answers are reused this long, ms (server/query-cache.ts). Default 1000; 0: never (in-flight coalescing stays). */
  queryCacheTtlMs?: number;
  /** Analytics answers kept at most. Default 512. */
  queryCacheEntries?: number;
  /** An expired analytics answer is still served this long while it is refreshed, ms. Default 0. */
  queryCacheStaleMs?: number;
  /**
   * API paths (under /api/v1, with their query) asked once at start so that their answers are
   * cached before the first visitor (server/warm-up.ts; DASHBOARD_LANDING is the dashboard's).
   * Ignored when the cache TTL is 0. Default none.
   */
  warmUp?: readonly string[];
  /** WebSocket: heartbeat period, ms. Default 15 s. */
  heartbeatMs?: number;
  /** WebSocket: a client whose unsent bytes pass this is cut off. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Messages kept for resume (per server, all topics). Default 1000. */
  liveHistory?: number;
  /** pino level, or false for no logs. Default 'info'. */
  logLevel?: string | false;
  /** Where logs go (a writable with `write(string)`); default stdout. */
  logStream?: { write(line: string): unknown };
  /** The analysis worker's script; default the built `dist/server/jobs/analysis-worker.js`. */
  workerScript?: string;
  /**
   * Enrichment of uploaded captures (country, AS, passive names on each flow, the report's
   * countries section), as `flowlens ingest` does: the databases (default the bundled data), or
   * false for none.
   */
  enrich?: EnrichDatabases | false;
}

/** Users' own .mmdb files; absent ones fall back to the bundled data. */
export interface EnrichDatabases {
  geoipDb?: string;
  asnDb?: string;
}

export type ResolvedServerConfig = Required<Omit<ServerConfig, 'apiToken' | 'logStream' | 'workerScript'>> &
  Pick<ServerConfig, 'apiToken' | 'logStream' | 'workerScript'> & {
    uploadsDir: string;
    reportsDir: string;
    jobsDir: string;
  };

export const DEFAULT_RATE_LIMITS: RateLimits = { light: 1200, heavy: 120, upload: 30 };
export const MIN_TOKEN_LENGTH = 16;

export function isLoopback(address: string): boolean {
  if (address === 'localhost' || address === '::1') return true;
  return isIP(address) === 4 && address.startsWith('127.');
}

function configError(message: string): FlowlensError {
  return new FlowlensError(ERR.USAGE, message, 2);
}

function positive(name: string, value: number, integer = true): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw configError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

/** Fills defaults and refuses unsafe or inconsistent settings (FlowlensError USAGE, exit 2). */
export function resolveServerConfig(config: ServerConfig): ResolvedServerConfig {
  const bind = config.bind ?? '127.0.0.1';
  if (bind !== 'localhost' && isIP(bind) === 0) {
    throw configError(`--bind expects an IP address, got "${bind}"`);
  }
  const token = config.apiToken === '' ? undefined : config.apiToken;
  if (!isLoopback(bind) && token === undefined) {
    throw configError(
      `refusing to listen on ${bind} without an API token: anyone who can reach it could read your flows. ` +
        `Set FLOWLENS_API_TOKEN to a secret of at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`), ` +
        'or bind to 127.0.0.1',
    );
  }
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw configError(`the API token is too short: use at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const port = config.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw configError(`bad port ${port}`);
  const dataDir = path.resolve(config.dataDir);
  const limits = config.rateLimit === undefined ? DEFAULT_RATE_LIMITS : config.rateLimit;
  return {
    port,
    bind,
    dataDir,
    apiToken: token,
    corsOrigins: config.corsOrigins ?? [],
    bodyLimit: positive('bodyLimit', config.bodyLimit ?? 1 << 20),
    uploadLimit: positive('uploadLimit', config.uploadLimit ?? 2 * 1024 ** 3),
    queueLimit: config.queueLimit === 0 ? 0 : positive('queueLimit', config.queueLimit ?? 4),
    concurrency: positive('concurrency', config.concurrency ?? 1),
    jobTimeoutMs: positive('jobTimeoutMs', config.jobTimeoutMs ?? 30 * 60_000),
    keepUploads: config.keepUploads ?? false,
    reportTtlMs: positive('reportTtlMs', config.reportTtlMs ?? 24 * 3600_000),
    sweepIntervalMs: positive('sweepIntervalMs', config.sweepIntervalMs ?? 3600_000),
    rateLimit: limits,
    queryCacheTtlMs:
      config.queryCacheTtlMs === 0 ? 0 : positive('queryCacheTtlMs', config.queryCacheTtlMs ?? 1000, false),
    queryCacheEntries: positive('queryCacheEntries', config.queryCacheEntries ?? 512),
    queryCacheStaleMs:
      (config.queryCacheStaleMs ?? 0) === 0
        ? 0
        : positive('queryCacheStaleMs', config.queryCacheStaleMs ?? 0, false),
    warmUp: config.warmUp ?? [],
    heartbeatMs: positive('heartbeatMs', config.heartbeatMs ?? 15_000),
    maxBufferedBytes: positive('maxBufferedBytes', config.maxBufferedBytes ?? 4 << 20),
    liveHistory: positive('liveHistory', config.liveHistory ?? 1000),
    logLevel: config.logLevel ?? 'info',
    logStream: config.logStream,
    workerScript: config.workerScript,
    enrich: config.enrich ?? {},
    uploadsDir: path.join(dataDir, 'uploads'),
    reportsDir: path.join(dataDir, 'reports'),
    jobsDir: path.join(dataDir, 'jobs'),
  };
}
