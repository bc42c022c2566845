/**
 * The dashboard's only way to the server: JSON over `/api/v1`, `/health`, `/ready`, `/metrics`.
 * Types come from src/server/api-types.ts (types only). A saved API token (needed when the
 * server binds beyond loopback) is sent as a bearer header, or as `access_token` where browsers
 * cannot send headers (EventSource, WebSocket).
 */
import type { ApiErrorBody } from '../../src/server/api-types';

const TOKEN_KEY = 'flowlens-token';

export function savedToken(): string | undefined {
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string | undefined): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** A failed request: the API's error code, message and details, or a network failure. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Details of FLOWLENS_ERR_BAD_FILTER. */
export interface FilterErrorDetails {
  column: number;
  expected: string;
  found: string;
  suggestion: string | null;
}

type Params = Record<string, string | number | boolean | undefined | null>;

export function withParams(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Adds the saved token as `access_token`, for EventSource, WebSocket and download links. */
export function withToken(url: string): string {
  const token = savedToken();
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

const listeners = new Set<() => void>();
/** Called when the server answers 401, so the app can ask for a token. */
export function onUnauthorized(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function request<T>(
  path: string,
  options: { method?: string; params?: Params; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = savedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withParams(path, options.params), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiFailure(0, 'NETWORK', `the server did not answer (${(error as Error).message})`);
  }
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok && !(path === '/ready' && response.status === 503)) {
    if (response.status === 401) for (const listener of listeners) listener();
    const error = (body as ApiErrorBody | undefined)?.error;
    throw new ApiFailure(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `HTTP ${response.status}`,
      error?.details,
    );
  }
  return body as T;
}

/** How long a prefetched answer waits for its page; after that the page asks again. */
const PREFETCH_MS = 10_000;
/** GETs started by `api.prefetch`, by URL, with when they started. */
const early = new Map<string, { answer: Promise<unknown>; started: number }>();

export const api = {
  /** A GET; the answer of a recent `prefetch` of the same URL is taken over (once). */
  get: <T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> => {
    const url = withParams(`/api/v1${path}`, params);
    const prefetched = early.get(url);
    early.delete(url);
    if (prefetched === undefined || performance.now() - prefetched.started > PREFETCH_MS) {
      return request<T>(url, { signal });
    }
    // A 401 before the app listened for it: ask again, so the token prompt opens.
    return prefetched.answer.catch((error: unknown) => {
      if (error instanceof ApiFailure && error.status === 401) return request<T>(url, { signal });
      throw error;
    }) as Promise<T>;
  },
  /** Starts a GET before the page that needs it has rendered (see `get`). */
  prefetch(path: string, params?: Params): void {
    const url = withParams(`/api/v1${path}`, params);
    const answer = request(url);
    answer.catch(() => undefined);
    early.set(url, { answer, started: performance.now() });
  },
  post: <T>(path: string, body?: unknown) => request<T>(`/api/v1${path}`, { method: 'POST', body }),
  patch: <T>(path: string, body: unknown) => request<T>(`/api/v1${path}`, { method: 'PATCH', body }),
};
