/**
 * `createServer(config, deps)`: the Fastify application behind `flowlens serve`, created inert.
 * `start()` starts the job manager, the live feed and the listener; `stop()` stops accepting,
 * fails unfinished jobs cleanly, closes live clients and waits for requests in flight. The store
 * is the caller's: it is started before `start()` and stopped after `stop()`.
 *
 * Layout: `/health`, `/ready`, `/metrics`, `/docs` (Swagger UI, local assets) and everything
 * else under `/api/v1` (analytics, alerts, captures and jobs, the live WebSocket, the OpenAPI
 * document); the built dashboard answers every other GET (routes/web.ts).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import {
  createEnricher,
  type Enricher,
  type ReverseDns,
  type ThreatIntel,
  type ThreatMatcher,
} from '../enrich/index.js';
import { createLookup } from '../pipeline/index.js';
import { ERR } from '../shared/index.js';
import type { FlowStore } from '../store/index.js';
import { ApiError, ERROR_SCHEMA, errorHandler, sendError } from './api-error.js';
import { type ResolvedServerConfig, resolveServerConfig, type ServerConfig } from './config.js';
import { createJobManager, type JobManager } from './jobs/job-manager.js';
import type { LiveFlowsSource } from './live/live-flows.js';
import { createLiveHub, type LiveHub } from './live/live-hub.js';
import { createServerMetrics, enricherMetricsText, type ServerMetrics } from './metrics.js';
import type { ReportRenderer } from './report-renderer.js';
import { alertRoutes } from './routes/alerts.js';
import { analyticsRoutes } from './routes/analytics.js';
import { deviceRoutes } from './routes/devices.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { liveRoutes } from './routes/live.js';
import { lookupRoutes } from './routes/lookup.js';
import { statusRoutes } from './routes/status.js';
import { webRoutes } from './routes/web.js';
import { createStatusView, type SourcesStatus } from './status/status-view.js';
import { warmUp } from './warm-up.js';

export interface ServerDeps {
  /** A started flow store; the server never stops it. */
  store: FlowStore;
  /** Renders report.html; without it that route answers 501. */
  renderer?: ReportRenderer;
  /** Registry to add the server's metrics to (others may add theirs); default a new one. */
  registry?: Registry;
  /** Extra readiness conditions by name (collectors bound, …). */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Server version shown in the OpenAPI document. */
  version?: string;
  /** The live capture's active flows, for `GET /api/v1/live/flows` (404 without it). */
  liveFlows?: LiveFlowsSource;
  /** More Prometheus text exposition appended to `/metrics` (the collector's counters, …). */
  extraMetrics?: () => string;
  /** Folder of the built dashboard served at `/`; default dist/web (see routes/web.ts). */
  webRoot?: string;
  /** Counters of the collector and live capture running in this process, for `GET /api/v1/status`. */
  status?: () => SourcesStatus;
  /** Retention the caller applies, shown by `GET /api/v1/status`; absent: none. */
  retentionDays?: number;
  /**
   * The enricher behind `GET /api/v1/lookup/:value`, owned by the server from here on (stopped
   * with it); started on the first lookup unless the caller started it. Default: bundled data.
   */
  enricher?: Enricher;
  /**
   * Reverse DNS for lookups' `reverseName` (`serve --reverse-dns`); the caller closes it. None: no
   * PTR queries at all.
   */
  reverseDns?: ReverseDns;
  /** The current threat-feed matcher, for lookups' `threatTags`; default `threatIntel`'s. */
  threat?: () => ThreatMatcher | undefined;
  /**
   * Threat feeds and lists of the data directory: `/api/v1/feeds` and `/api/v1/lists/*` manage
   * them, and ingest jobs raise threat-intel alerts from them (404 and none without it).
   */
  threatIntel?: ThreatIntel;
}

export interface FlowlensServer {
  readonly app: FastifyInstance;
  readonly config: ResolvedServerConfig;
  readonly metrics: ServerMetrics;
  readonly live: LiveHub;
  readonly jobs: JobManager;
  /** Listens; resolves with the bound address (port 0 picks a free port). */
  start(): Promise<{ host: string; port: number; url: string }>;
  /** Graceful: idempotent. */
  stop(): Promise<void>;
}

const API = '/api/v1';
const STUCK_MS = 5 * 60_000;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The token of a request: `Authorization: Bearer …`, else `?access_token=` (EventSource, WebSocket). */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const query = request.query as { access_token?: unknown } | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

function needsToken(url: string): boolean {
  const path = url.split('?')[0];
  return (path.startsWith(`${API}/`) && path !== `${API}/openapi.json`) || path === '/metrics';
}

export function createServer(input: ServerConfig, deps: ServerDeps): FlowlensServer {
  const config = resolveServerConfig(input);
  const metrics = createServerMetrics(deps.registry);
  const logger =
    config.logLevel === false
      ? false
      : { level: config.logLevel, ...(config.logStream ? { stream: config.logStream } : {}) };
  const app = Fastify({
    logger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimit,
    // Long enough for a domain name (253) in /lookup/:value; longer values get the schema's 400.
    routerOptions: { maxParamLength: 512 },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Errors Fastify meets before routing (a URL with broken %-escapes) answer in the API's shape.
    frameworkErrors: (error, _request, reply) =>
      sendError(
        reply,
        new ApiError(400, ERR.API_VALIDATION, `${error.message}: escape "%" as %25 in URLs`, { in: 'url' }),
      ),
  });
  const live = createLiveHub(
    {
      history: config.liveHistory,
      heartbeatMs: config.heartbeatMs,
      maxBufferedBytes: config.maxBufferedBytes,
    },
    metrics,
  );
  const jobs = createJobManager(config, {
    store: deps.store,
    threatDataDir: deps.threatIntel?.library ? config.dataDir : undefined,
    metrics,
    log: app.log,
    onEvent(job, event) {
      live.publish('jobs', { jobId: job.id, event: event.event, eventId: event.id, data: event.data });
    },
  });
  const status = createStatusView({
    store: deps.store,
    metrics,
    jobs,
    version: deps.version ?? '0.0.0',
    sources: deps.status,
    retentionDays: deps.retentionDays,
  });
  const enricher = deps.enricher ?? createEnricher();
  const lookup = createLookup({
    enricher,
    threat: deps.threat ?? (deps.threatIntel ? () => deps.threatIntel?.matcher : undefined),
    store: deps.store,
    reverseDns: deps.reverseDns,
  });
  let requestsSinceTick = 0;
  live.addStatsSource('server', () => {
    const perSecond = requestsSinceTick;
    requestsSinceTick = 0;
    return {
      requestsPerSecond: perSecond,
      jobsRunning: jobs.running,
      jobsWaiting: jobs.waiting,
      liveClients: live.clients,
    };
  });

  const expected = config.apiToken === undefined ? undefined : digest(config.apiToken);
  const rateLimitConfig = (weight: 'light' | 'heavy' | 'upload') =>
    config.rateLimit === false ? {} : { rateLimit: { max: config.rateLimit[weight], timeWindow: 60_000 } };

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ApiError(404, ERR.API_NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
  app.addSchema(ERROR_SCHEMA);

  app.addHook('onRequest', async (request, reply) => {
    requestsSinceTick++;
    reply.header('x-request-id', request.id);
    if (expected === undefined || !needsToken(request.url)) return;
    const token = presentedToken(request);
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        401,
        ERR.API_UNAUTHORIZED,
        'missing or wrong API token: send Authorization: Bearer <token>',
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    // A refused WebSocket upgrade (401, 404, 429, …): the socket left the HTTP server's hands at
    // the upgrade and is half-open, so nothing else closes it, and app.close() would wait forever.
    if (reply.statusCode >= 400 && request.raw.headers.upgrade !== undefined) request.raw.socket.destroy();
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
  });

  const ready = (async () => {
    if (config.corsOrigins.length > 0) await app.register(cors, { origin: config.corsOrigins });
    await app.register(compress, {
      global: true,
      threshold: 1024,
      // JSON, NDJSON, CSV and HTML; never event streams.
      customTypes: /^text\/(?!event-stream)|(?:\+|\/)(?:x-nd)?json(?:;|$)/,
    });
    if (config.rateLimit !== false) {
      await app.register(rateLimit, {
        global: false,
        errorResponseBuilder: (_request, context) =>
          new ApiError(
            429,
            ERR.API_RATE_LIMITED,
            `rate limit of ${context.max} requests per minute reached; retry in ${Math.ceil(context.ttl / 1000)} s`,
            { limit: context.max },
            { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
          ),
      });
    }
    await app.register(multipart, { limits: { fileSize: config.uploadLimit, files: 1 } });
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Flowlens API',
          version: deps.version ?? '0.0.0',
          description: 'Flow analytics, capture analysis jobs and the live feed. Error codes: docs/api.md.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: config.apiToken === undefined ? [] : [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: `${API}/openapi.json` } });
    await app.register(healthRoutes, {
      store: deps.store,
      jobs,
      metrics,
      checks: deps.readinessChecks ?? {},
      stuckMs: STUCK_MS,
      extraMetrics: () => `${enricherMetricsText(enricher)}${deps.extraMetrics?.() ?? ''}`,
    });
    await app.register(
      async (api) => {
        api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
        await api.register(analyticsRoutes, {
          store: deps.store,
          rateLimit: rateLimitConfig,
          queryCache: {
            ttlMs: config.queryCacheTtlMs,
            maxEntries: config.queryCacheEntries,
            staleMs: config.queryCacheStaleMs,
          },
        });
        await api.register(jobRoutes, {
          config,
          jobs,
          renderer: deps.renderer,
          rateLimit: rateLimitConfig,
          heartbeatMs: config.heartbeatMs,
        });
        await api.register(deviceRoutes, { store: deps.store, rateLimit: rateLimitConfig });
        await api.register(lookupRoutes, { lookup, rateLimit: rateLimitConfig });
        await api.register(liveRoutes, { hub: live, flows: deps.liveFlows });
        await api.register(alertRoutes, { store: deps.store, live, rateLimit: rateLimitConfig });
        await api.register(statusRoutes, { view: status, rateLimit: rateLimitConfig });
        if (deps.threatIntel?.library)
          await api.register(feedRoutes, { intel: deps.threatIntel, rateLimit: rateLimitConfig });
      },
      { prefix: API },
    );
    await app.register(webRoutes, { root: deps.webRoot });
  })();
  // Registration errors surface from start(); keep an early failure from being unhandled.
  ready.catch(() => {});

  let stopped: Promise<void> | undefined;
  let warming: Promise<void> | undefined;
  return {
    app,
    config,
    metrics,
    live,
    jobs,
    async start() {
      await ready;
      await jobs.start();
      metrics.start();
      live.start();
      status.start();
      await app.listen({ port: config.port, host: config.bind });
      if (config.queryCacheTtlMs > 0 && config.warmUp.length > 0) {
        warming = warmUp(app, API, config.warmUp, config.apiToken);
      }
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${host}:${address.port}` };
    },
    stop() {
      stopped ??= (async () => {
        live.stop();
        status.stop();
        await warming;
        await jobs.stop();
        await app.close();
        await lookup.stop();
        metrics.stop();
      })();
      return stopped;
    },
  };
}
