/**
 * Every HTTP error the API answers, as `{ error: { code, message, details } }`, and the one
 * mapping from thrown values (validation failures, filter syntax errors, the query layer's usage
 * errors, store failures, plug-in errors such as rate limiting) to a status and a code. The table
 * of codes is in docs/api.md; codes live in shared/errors.ts with the rest.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERR, type ErrorCode, FlowlensError } from '../shared/index.js';
import { FilterSyntaxError } from '../store/filter/index.js';

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error the API answers as is: status, stable code, message, optional details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string>;
  constructor(status: number, code: ErrorCode, message: string, details?: unknown, headers = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** HTTP status of each FlowlensError code that can reach a client unchanged. */
const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ERR.USAGE]: 400,
  [ERR.NOT_A_CAPTURE]: 422,
  [ERR.ALREADY_INGESTED]: 409,
  [ERR.STORE]: 500,
};

/** The JSON schema of an error answer, for the OpenAPI document. */
export const ERROR_SCHEMA = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable error code (docs/api.md)' },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const;

function fromFastify(error: FastifyError): ApiError | undefined {
  if (error.validation) {
    const details = error.validation.map((v) => ({
      in: error.validationContext,
      path: v.instancePath || undefined,
      message: v.message,
      params: v.params,
    }));
    return new ApiError(400, ERR.API_VALIDATION, error.message, details);
  }
  const status = error.statusCode ?? 500;
  if (
    status === 413 ||
    error.code === 'FST_REQ_FILE_TOO_LARGE' ||
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
  ) {
    return new ApiError(413, ERR.API_PAYLOAD_TOO_LARGE, error.message);
  }
  if (status === 415) return new ApiError(415, ERR.API_UNSUPPORTED_MEDIA_TYPE, error.message);
  if (status === 429) return new ApiError(429, ERR.API_RATE_LIMITED, error.message);
  if (status >= 400 && status < 500) return new ApiError(status, ERR.API_VALIDATION, error.message);
  return undefined;
}

/** Maps anything thrown by a handler or a plug-in to an ApiError; unknown errors become 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof FilterSyntaxError) {
    return new ApiError(400, ERR.API_BAD_FILTER, `bad filter: ${error.message}`, {
      column: error.column,
      expected: error.expected,
      found: error.found ?? null,
      suggestion: error.suggestion ?? null,
    });
  }
  if (error instanceof FlowlensError) {
    const status = STATUS_OF[error.code];
    if (status !== undefined && status < 500) return new ApiError(status, error.code, error.message);
    return new ApiError(500, error.code, 'the store failed to answer; see the server log');
  }
  if (error instanceof Error && 'statusCode' in error) {
    const mapped = fromFastify(error as FastifyError);
    if (mapped !== undefined) return mapped;
  }
  return new ApiError(500, ERR.API_INTERNAL, 'internal error; see the server log');
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return reply.code(error.status).headers(error.headers).type('application/json').send(body);
}

/** Fastify error handler: logs server-side failures with their stack, answers the client briefly. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const api = toApiError(error);
  if (api.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendError(reply, api);
}

export function notFound(what: string): ApiError {
  return new ApiError(404, ERR.API_NOT_FOUND, `${what} not found`);
}
