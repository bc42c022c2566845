/**
 * `/api/v1` analytics: overview, top, series, flows, hosts/:ip and export, one to one onto
 * `store/query`. Each handler resolves the range and the filter the same way, calls one query
 * function and returns its result object unchanged (the CLI's `--format json` prints the same).
 *
 * overview, top, series, flows and hosts/:ip go through a QueryCache keyed by the route and its
 * validated parameters: identical requests in flight share one store query, an answer is reused
 * for the cache's TTL (1 s by default), and past it for as long as the store's flows have not
 * changed (FlowStore.flowsVersion) when its range does not end at the wall clock (not
 * `until=now`, not an empty store): such an answer reads only the flows, so it is still exact.
 * A query whose clients have all disconnected is interrupted. The header
 * `x-flowlens-cache: hit|stale|coalesced|miss` says which happened.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERR } from '../../shared/index.js';
import { type FilterExpr, FilterSyntaxError, parseFilter } from '../../store/filter/index.js';
import type { FlowStore } from '../../store/index.js';
import {
  type Dimension,
  type ExportFormat,
  exportFlows,
  hostDetail,
  type Metric,
  overview,
  parseRange,
  parseTime,
  type ResolvedRange,
  resolveRange,
  type SortField,
  searchFlows,
  series,
  top,
} from '../../store/query/index.js';
import { ApiError } from '../api-error.js';
import { QueryCache } from '../query-cache.js';
import {
  answer,
  ERROR_ANSWERS,
  EXPORT_QUERY,
  FLOWS_QUERY,
  HOST_PARAMS,
  HOST_QUERY,
  OVERVIEW_QUERY,
  SERIES_QUERY,
  TOP_QUERY,
} from '../schemas.js';

interface Selection {
  range: string;
  until?: string;
  filter?: string;
  net?: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The filter text and `net` as one tree; a syntax error in either is a 400 naming which. */
function filterOf(selection: Selection): FilterExpr | undefined {
  const filter = selection.filter?.trim() ? parseFilter(selection.filter) : undefined;
  if (selection.net === undefined) return filter;
  let net: FilterExpr;
  try {
    net = parseFilter(`net ${selection.net}`);
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    throw new ApiError(400, ERR.API_VALIDATION, `net: ${error.message.replace(/^column \d+: /, '')}`, {
      in: 'querystring',
      path: '/net',
    });
  }
  return filter === undefined ? net : { kind: 'and', args: [filter, net] };
}

async function rangeOf(store: FlowStore, selection: Selection, signal?: AbortSignal): Promise<ResolvedRange> {
  const until =
    selection.until === undefined
      ? undefined
      : selection.until === 'now'
        ? 'now'
        : parseTime(selection.until);
  return resolveRange(store, parseRange(selection.range), { until, signal });
}

/** Aborts when the connection closes before the answer is complete, so an export stops reading. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed'));
  });
  return controller.signal;
}

export interface AnalyticsRouteOptions {
  store: FlowStore;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
  /** Answer cache (TTL ms, entries, stale ms); default 1000 ms, 512, 0. TTL 0 keeps only coalescing. */
  queryCache?: { ttlMs: number; maxEntries: number; staleMs?: number };
}

/** The cache key of a request: route and its validated (coerced, defaulted) parameters, sorted. */
function cacheKey(route: string, ...parts: object[]): string {
  const entries = parts
    .flatMap((part) => Object.entries(part))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${route}?${JSON.stringify(entries)}`;
}

export async function analyticsRoutes(app: FastifyInstance, options: AnalyticsRouteOptions): Promise<void> {
  const { store } = options;
  const tags = ['analytics'];
  const cache = new QueryCache({
    ...(options.queryCache ?? { ttlMs: 1000, maxEntries: 512 }),
    version: () => store.flowsVersion(),
  });
  /** Runs `compute` through the cache; the filter is parsed first, so a 400 never waits. */
  /**
   * The answer is cached as its JSON text, serialized once: a cache hit then costs no
   * serialization (the 200 schemas only describe the answer, so the text is what Fastify would
   * have sent).
   */
  const cached = async (
    route: string,
    request: { query: Selection; params?: unknown },
    reply: FastifyReply,
    compute: (signal: AbortSignal, range: ResolvedRange) => Promise<unknown>,
  ): Promise<string> => {
    const key = cacheKey(route, request.query, (request.params ?? {}) as object);
    // An answer over a range that does not end at the wall clock depends only on the flows.
    let clockFree = false;
    const { source, answer } = cache.run(
      key,
      async (signal) => {
        const range = await rangeOf(store, request.query, signal);
        clockFree = range.anchor !== 'now';
        return JSON.stringify(await compute(signal, range));
      },
      clientGone(reply),
      { untilChanged: () => clockFree },
    );
    reply.header('x-flowlens-cache', source);
    const body = await answer;
    reply.type('application/json; charset=utf-8');
    return body;
  };

  app.get<{ Querystring: Selection & { topHosts: number } }>(
    '/overview',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'Totals of a range and their change from the period before',
        querystring: OVERVIEW_QUERY,
        response: { 200: answer('OverviewResult (docs/queries.md)'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query);
      const { topHosts } = request.query;
      return cached('overview', request, reply, (signal, range) =>
        overview(store, { range, filter, topHosts, signal }),
      );
    },
  );

  app.get<{ Querystring: Selection & { by: Dimension; metric: Metric; limit: number } }>(
    '/top',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'Top values of a dimension by bytes, packets or flows',
        querystring: TOP_QUERY,
        response: { 200: answer('TopResult: { by, metric, range, rows[] }'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const { by, metric, limit } = request.query;
      const filter = filterOf(request.query);
      return cached('top', request, reply, (signal, range) =>
        top(store, { by, metric, limit, filter, range, signal }),
      );
    },
  );

  app.get<{
    Querystring: Selection & { bucket?: number; splitBy?: Dimension; metric: Metric; topK: number };
  }>(
    '/series',
    {
      config: options.rateLimit('heavy'),
      schema: {
        tags,
        summary: 'Flows, packets and bytes per time bucket, optionally split by a dimension',
        querystring: SERIES_QUERY,
        response: { 200: answer('SeriesResult: { range, bucket, buckets[], series[] }'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const { bucket, splitBy, metric, topK } = request.query;
      const filter = filterOf(request.query);
      return cached('series', request, reply, (signal, range) =>
        series(store, { range, filter, bucket: bucket ?? 'auto', splitBy, metric, topK, signal }),
      );
    },
  );

  app.get<{
    Querystring: Selection & { sort: SortField; direction: 'asc' | 'desc'; limit: number; after?: string };
  }>(
    '/flows',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'One page of flows; follow "next" for the following page (keyset pagination)',
        querystring: FLOWS_QUERY,
        response: { 200: answer('SearchResult: { flows: FlowRow[], next? }'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const { sort, direction, limit, after } = request.query;
      const filter = filterOf(request.query);
      return cached('flows', request, reply, (signal, range) =>
        searchFlows(store, { range, filter, sort, direction, limit, after, signal }),
      );
    },
  );

  app.get<{ Params: { ip: string }; Querystring: Selection & { limit: number } }>(
    '/hosts/:ip',
    {
      config: options.rateLimit('heavy'),
      schema: {
        tags,
        summary: 'One address: totals, peers, ports, applications, timeline',
        params: HOST_PARAMS,
        querystring: HOST_QUERY,
        response: { 200: answer('HostDetail (docs/queries.md)'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query);
      return cached('hosts', request, reply, (signal, range) =>
        hostDetail(store, {
          ip: request.params.ip,
          range,
          filter,
          limit: request.query.limit,
          signal,
        }),
      );
    },
  );

  app.get<{ Querystring: Selection & { format: ExportFormat } }>(
    '/export',
    {
      config: options.rateLimit('heavy'),
      schema: {
        tags,
        summary: 'Every matching flow, oldest first, streamed as CSV, JSON or NDJSON',
        querystring: EXPORT_QUERY,
        response: { 200: answer('CSV (header row), one JSON array, or NDJSON of FlowRow'), ...ERROR_ANSWERS },
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      // Everything that can fail with a 400 fails before the first byte is sent.
      const filter = filterOf(request.query);
      const range = await rangeOf(store, request.query);
      const body = new PassThrough();
      const signal = clientGone(reply);
      exportFlows(store, { range, filter, format, signal }, body).then(
        () => body.end(),
        (error: unknown) => {
          if (!signal.aborted) request.log.error({ err: error }, 'export failed mid-stream');
          body.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
      const name = `flows-${Math.floor(range.from)}-${Math.floor(range.to)}.${format}`;
      return reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
    },
  );
}
