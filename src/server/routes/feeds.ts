/**
 * `/api/v1/feeds` and `/api/v1/lists/{watchlist,allowlist}`: the threat feeds and local lists of
 * the server's data directory (enrich/threat; docs/enrichment.md), as `flowlens feeds` manages
 * them. Every change rebuilds the server's threat matcher, so the collector, the live capture and
 * ingest jobs match with it from their next flow.
 *
 * Feeds added here are URLs only: a local path from a client would let it make the server read
 * its files. A new feed is fetched in the background; `POST /feeds/:id/refresh` fetches one now
 * and answers with the outcome (a failed fetch is `status: "failed"` in a 200: the request
 * worked, the feed did not, and its last good copy stays).
 */
import type { FastifyInstance } from 'fastify';
import {
  describeFeeds,
  FEED_FORMATS,
  FEED_ID,
  LIST_KINDS,
  type ListKind,
  MAX_LIST_ENTRIES,
  MAX_REFRESH_SECONDS,
  MAX_URL_LENGTH,
  MIN_REFRESH_SECONDS,
  suggestFeedId,
  TAG_WORD,
  type ThreatIntel,
} from '../../enrich/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import { ApiError } from '../api-error.js';
import { answer, ERROR_ANSWERS } from '../schemas.js';

export interface FeedRouteOptions {
  intel: ThreatIntel;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
}

const FEED_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: FEED_ID.source } },
} as const;

const NEW_FEED_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'format', 'category'],
  properties: {
    id: { type: 'string', pattern: FEED_ID.source, description: 'default: from the URL' },
    url: { type: 'string', maxLength: MAX_URL_LENGTH, pattern: '^https?://' },
    format: { type: 'string', enum: [...FEED_FORMATS] },
    category: { type: 'string', pattern: TAG_WORD.source },
    refreshSeconds: { type: 'integer', minimum: MIN_REFRESH_SECONDS, maximum: MAX_REFRESH_SECONDS },
  },
} as const;

const LIST_PARAMS = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string', enum: [...LIST_KINDS] } },
} as const;

const LIST_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['entries'],
  properties: {
    entries: {
      type: 'array',
      maxItems: MAX_LIST_ENTRIES,
      items: { type: 'string', minLength: 1, maxLength: 253 },
      description: 'IPv4/IPv6 addresses, CIDRs and domain names (a domain covers its subdomains)',
    },
  },
} as const;

/** A user error of the feed library (bad entry, used id) is the client's 400 or 409. */
function asApiError(error: unknown): never {
  if (error instanceof FlowlensError && error.code === ERR.USAGE) {
    const status = /exists|is used twice/.test(error.message) ? 409 : 400;
    throw new ApiError(status, status === 409 ? ERR.API_CONFLICT : ERR.API_VALIDATION, error.message);
  }
  throw error;
}

export async function feedRoutes(app: FastifyInstance, options: FeedRouteOptions): Promise<void> {
  const { intel } = options;
  const library = intel.library;
  if (!library) throw new Error('feed routes need a ThreatIntel with a data directory');
  const notFound = (id: string) =>
    new ApiError(404, ERR.API_NOT_FOUND, `no feed ${id}: GET /api/v1/feeds lists the feeds`);

  app.get(
    '/feeds',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['feeds'],
        summary: 'Threat feeds: source, interval, last attempt and success, entries, last error',
        response: { 200: answer('FeedList (api-types.ts)'), ...ERROR_ANSWERS },
      },
    },
    async () => ({
      feeds: await describeFeeds(library),
      warnings: intel.warnings(),
      lists: {
        watchlist: (await library.readList('watchlist')).length,
        allowlist: (await library.readList('allowlist')).length,
      },
    }),
  );

  app.post<{ Body: { id?: string; url: string; format: string; category: string; refreshSeconds?: number } }>(
    '/feeds',
    {
      config: options.rateLimit('heavy'),
      schema: {
        tags: ['feeds'],
        summary: 'Add a feed by URL; it is fetched in the background, then on its interval',
        body: NEW_FEED_BODY,
        response: {
          201: answer('FeedView of the new feed'),
          409: { description: 'A feed with that id exists', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const feed = await library.add({ ...body, id: body.id ?? suggestFeedId(body.url) }).catch(asApiError);
      // The first fetch runs in the background; its outcome shows in GET /feeds.
      intel
        .refresh([feed.id])
        .catch((error: unknown) => request.log.warn({ err: error }, 'feed refresh failed'));
      const [view] = (await describeFeeds(library)).filter((f) => f.id === feed.id);
      return reply.code(201).send(view);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/feeds/:id',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['feeds'],
        summary: 'Remove a feed with its cached copy and state',
        params: FEED_PARAMS,
        response: {
          200: answer('{ id, removed: true }'),
          404: { description: 'No such feed', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const removed = await library.remove(request.params.id).catch(asApiError);
      if (!removed) throw notFound(request.params.id);
      await intel.rebuild();
      return { id: request.params.id, removed: true };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/feeds/:id/refresh',
    {
      config: options.rateLimit('heavy'),
      schema: {
        tags: ['feeds'],
        summary: 'Fetch a feed now; answers with the outcome (a failure keeps the last good copy)',
        params: FEED_PARAMS,
        response: {
          200: answer('RefreshOutcome (api-types.ts)'),
          404: { description: 'No such feed', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      if (!(await library.feeds()).some((f) => f.id === id)) throw notFound(id);
      const [outcome] = await intel.refresh([id]).catch(asApiError);
      return outcome;
    },
  );

  app.get<{ Params: { kind: ListKind } }>(
    '/lists/:kind',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['feeds'],
        summary: 'The watchlist (alerts like a feed) or the allowlist (never alerts)',
        params: LIST_PARAMS,
        response: { 200: answer('ListAnswer (api-types.ts)'), ...ERROR_ANSWERS },
      },
    },
    async (request) => ({ entries: await library.readList(request.params.kind) }),
  );

  app.put<{ Params: { kind: ListKind }; Body: { entries: string[] } }>(
    '/lists/:kind',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['feeds'],
        summary: 'Replace the watchlist or the allowlist; every entry is checked, duplicates dropped',
        params: LIST_PARAMS,
        body: LIST_BODY,
        response: { 200: answer('ListAnswer after the change'), ...ERROR_ANSWERS },
      },
    },
    async (request) => {
      const entries = await library.writeList(request.params.kind, request.body.entries).catch(asApiError);
      await intel.rebuild();
      return { entries };
    },
  );
}
