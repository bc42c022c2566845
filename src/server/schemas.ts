/**
 * The JSON schemas of every API parameter. Fastify validates requests with them and
 * @fastify/swagger turns the same objects into the OpenAPI document, so the two cannot drift.
 * Checks a schema cannot express (range syntax, filter syntax, cursors) run in the query layer
 * and come back as 400s through api-error.ts.
 */
import { ALERT_SEVERITIES, ALERT_STATES } from '../store/index.js';
import {
  DIMENSIONS,
  EXPORT_FORMATS,
  MAX_LIMIT,
  MAX_TOP_HOSTS,
  METRICS,
  SORT_FIELDS,
} from '../store/query/index.js';

/** Most alerts one list answer holds. */
export const MAX_ALERTS = 1000;

/** Query-string token, for clients that cannot set headers (EventSource, WebSocket in browsers). */
export const ACCESS_TOKEN = {
  type: 'string',
  maxLength: 512,
  description: 'API token, for clients that cannot send an Authorization header (EventSource, WebSocket)',
} as const;

/** IPv4 dotted quad or IPv6 (RFC 4291) CIDR; host-bit checks happen in the filter parser. */
const CIDR_PATTERN =
  '^(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/(?:3[0-2]|[12]?\\d)|[0-9A-Fa-f:.]{2,45}/(?:12[0-8]|1[01]\\d|[1-9]?\\d))$';

/** Parameters every analytics endpoint takes. */
export const SELECTION_PROPERTIES = {
  range: {
    type: 'string',
    minLength: 1,
    maxLength: 120,
    default: '24h',
    description: 'Time range: 15m, 1h, 24h, 7d, all, or FROM..TO (ISO 8601 or epoch seconds)',
    examples: ['24h', 'all', '2024-05-01T00:00:00Z..2024-05-02T00:00:00Z'],
  },
  until: {
    type: 'string',
    maxLength: 64,
    pattern: '^(now|\\d+(\\.\\d+)?|\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)$',
    description: 'End of relative ranges: now, epoch seconds or ISO 8601 (default: the newest flow)',
  },
  filter: {
    type: 'string',
    maxLength: 4096,
    description: 'Flow filter (docs/filter-language.md), e.g. "tcp and dst port 443"',
  },
  net: {
    type: 'string',
    maxLength: 64,
    pattern: CIDR_PATTERN,
    description: 'Only flows with an endpoint in this CIDR network (ANDed with filter)',
    examples: ['10.0.0.0/8', '2001:db8::/32'],
  },
} as const;

function query(properties: Record<string, unknown>, required: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { ...SELECTION_PROPERTIES, ...properties },
    ...(required.length > 0 ? { required } : {}),
  } as const;
}

const limit = (fallback: number) =>
  ({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: fallback }) as const;

export const OVERVIEW_QUERY = query({
  topHosts: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_TOP_HOSTS,
    default: 0,
    description:
      'Also rank this many busiest hosts (by bytes) of the range and of the period before, as top?by=host does',
  },
});

export const TOP_QUERY = query({
  by: { type: 'string', enum: [...DIMENSIONS], default: 'host' },
  metric: { type: 'string', enum: [...METRICS], default: 'bytes' },
  limit: limit(10),
});

export const SERIES_QUERY = query({
  bucket: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: 31_536_000,
    description: 'Bucket size in seconds (default: automatic, at most 400 buckets)',
  },
  splitBy: { type: 'string', enum: [...DIMENSIONS] },
  metric: { type: 'string', enum: [...METRICS], default: 'bytes' },
  topK: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
});

export const FLOWS_QUERY = query({
  sort: { type: 'string', enum: [...SORT_FIELDS], default: 'first_ts' },
  direction: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
  limit: limit(100),
  after: {
    type: 'string',
    maxLength: 2048,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Cursor of the next page (the previous answer\'s "next")',
  },
});

export const HOST_PARAMS = {
  type: 'object',
  required: ['ip'],
  properties: {
    ip: {
      type: 'string',
      anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
      description: 'IPv4 or IPv6 address',
    },
  },
} as const;

export const HOST_QUERY = query({ limit: limit(10) });

export const EXPORT_QUERY = query({
  format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'ndjson' },
  access_token: ACCESS_TOKEN,
});

export const JOB_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$', description: 'Job id (UUID)' } },
} as const;

export const UPLOAD_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ingest: { type: 'boolean', default: false, description: 'Also ingest the analysed flows into the store' },
    replace: {
      type: 'boolean',
      default: false,
      description: 'With ingest: replace an earlier ingest of the same file instead of refusing',
    },
  },
} as const;

export const JOBS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const EVENTS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { access_token: ACCESS_TOKEN },
} as const;

export const REPORT_QUERY = EVENTS_QUERY;

export const LIVE_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topics: {
      type: 'string',
      pattern: '^(stats|alerts|jobs)(,(stats|alerts|jobs))*$',
      description: 'Topics to subscribe to at once, comma-separated',
    },
    since: { type: 'integer', minimum: 0, description: 'Resume after this message id' },
    access_token: ACCESS_TOKEN,
  },
} as const;

export const DEVICES_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: limit(100) },
} as const;

export const DEVICE_PARAMS = {
  type: 'object',
  required: ['mac'],
  properties: {
    mac: {
      type: 'string',
      pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$',
      description: 'MAC address, colon form (aa:bb:cc:dd:ee:ff)',
    },
  },
} as const;

// A type list, not anyOf: with coercion on, anyOf would turn null into "" before trying null.
const DEVICE_TEXT = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

export const DEVICE_UPDATE_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: DEVICE_TEXT(200),
    owner: DEVICE_TEXT(200),
    notes: DEVICE_TEXT(4000),
    trusted: { type: 'boolean' },
  },
} as const;

export const LIVE_FLOWS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Busiest flows to list' },
    access_token: ACCESS_TOKEN,
  },
} as const;

/**
 * A success answer for the OpenAPI document. No shape is given, so Fastify serialises with
 * JSON.stringify; the shapes are the query layer's result types (docs/queries.md).
 */
export function answer(description: string) {
  return { description } as const;
}

export const ERROR_ANSWERS = {
  400: {
    description: 'Bad parameter (code FLOWLENS_ERR_VALIDATION, _BAD_FILTER or _USAGE)',
    $ref: 'ApiError#',
  },
  401: { description: 'Missing or wrong API token', $ref: 'ApiError#' },
  429: { description: 'Rate limit reached; see Retry-After', $ref: 'ApiError#' },
} as const;

export const ALERT_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9._:-]+$',
      description: 'Alert id',
    },
  },
} as const;

export const ALERTS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: [...ALERT_STATES] },
    severity: { type: 'string', enum: [...ALERT_SEVERITIES], description: 'This severity and above' },
    type: {
      type: 'string',
      maxLength: 64,
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      description: 'Only this alert type, e.g. arp-spoofing',
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_ALERTS, default: 100 },
  },
} as const;

export const ALERT_STATE_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 64, description: 'Who does it (default: "api")' },
  },
} as const;

export const STATUS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { access_token: ACCESS_TOKEN },
} as const;
