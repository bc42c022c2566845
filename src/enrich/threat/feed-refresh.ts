/**
 * Refreshing one configured feed (feed-library.ts). A URL feed is fetched with Node's fetch:
 * a conditional GET (If-None-Match / If-Modified-Since from the last good copy; 304 keeps it),
 * one time limit for the whole answer (headers and body), a size limit, and parse-before-replace:
 * the body goes to a temporary file, is parsed, and only a body that lists something (and not
 * more than GROWTH_LIMIT times the entries of the last copy) is renamed over the copy. So an
 * error status, a timeout, a body that is too large, truncated (shorter than its Content-Length
 * or cut by a closed connection) or garbage leaves the last good copy as it was.
 *
 * A local-file feed is read and parsed in place, so `update` checks it and records its entries.
 *
 * Contract: `refreshFeed` never rejects; every outcome, failures included, is recorded in the
 * feed's state (last attempt, last success, entries, last error) and returned.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FEED_FORMATS, type FeedEntries, parseFeed } from './feed-formats.js';
import type { ConfiguredFeed, FeedLibrary, FeedState } from './feed-library.js';
import { GROWTH_LIMIT, MAX_FEED_BYTES } from './threat-feeds.js';

export interface RefreshLimits {
  /** The whole answer, headers and body, must arrive within this time. */
  timeoutMs: number;
  /** Largest body accepted. */
  maxBytes: number;
  /** Ends a fetch in flight (shutdown). */
  signal?: AbortSignal;
}

export const DEFAULT_REFRESH_LIMITS: RefreshLimits = { timeoutMs: 60_000, maxBytes: 64 * 1024 * 1024 };

export type RefreshStatus = 'updated' | 'not-modified' | 'failed';

export interface RefreshOutcome {
  id: string;
  status: RefreshStatus;
  /** Why it failed (the last good copy, if any, stays in use). */
  error?: string;
  state: FeedState;
}

const now = () => Math.floor(Date.now() / 1000);

function errorText(error: unknown, limits: RefreshLimits): string {
  if (limits.signal?.aborted) return 'stopped';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no complete answer within ${limits.timeoutMs / 1000} s`;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  if (error.message === 'terminated')
    return `connection closed before the answer was complete${cause ? ` (${cause})` : ''}`;
  return cause ? `${error.message}: ${cause}` : error.message;
}

function countEntries(entries: FeedEntries, feed: ConfiguredFeed, previous: FeedState): void {
  const after = entries.networks.length + entries.domains.length;
  if (after === 0) {
    throw new Error(
      `lists nothing as ${feed.format} (${entries.skipped} lines not understood; formats: ${FEED_FORMATS.join(', ')})`,
    );
  }
  const before = (previous.networks ?? 0) + (previous.domains ?? 0);
  if (before > 0 && after > before * GROWTH_LIMIT)
    throw new Error(`grew from ${before} to ${after} entries (more than ${GROWTH_LIMIT}×), not taken`);
}

/** Streams `response`'s body into `file`, at most `maxBytes`; returns the bytes written. */
async function saveBody(response: Response, file: string, maxBytes: number): Promise<number> {
  const handle = await open(file, 'w');
  let bytes = 0;
  try {
    const reader = response.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (bytes > maxBytes) {
        await reader?.cancel();
        throw new Error(`answer larger than ${maxBytes} bytes`);
      }
      await handle.write(chunk.value);
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

async function fetchInto(
  feed: ConfiguredFeed & { url: string },
  library: FeedLibrary,
  previous: FeedState,
  limits: RefreshLimits,
): Promise<RefreshOutcome> {
  const copy = library.copyPath(feed.id);
  const haveCopy = existsSync(copy);
  const headers: Record<string, string> = { 'user-agent': 'flowlens-feeds' };
  if (haveCopy && previous.etag) headers['if-none-match'] = previous.etag;
  if (haveCopy && previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  const response = await fetch(feed.url, {
    headers,
    signal: limits.signal
      ? AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.signal])
      : AbortSignal.timeout(limits.timeoutMs),
    redirect: 'follow',
  });
  if (response.status === 304 && haveCopy) {
    await response.body?.cancel();
    const state: FeedState = { ...previous, lastAttempt: now(), lastSuccess: now() };
    delete state.lastError;
    return { id: feed.id, status: 'not-modified', state };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(
      `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${feed.url}`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes is larger than the limit of ${limits.maxBytes}`);
  }
  const temp = `${copy}.${randomBytes(6).toString('hex')}.tmp`;
  await mkdir(path.dirname(copy), { recursive: true });
  try {
    const bytes = await saveBody(response, temp, limits.maxBytes);
    // Without a content coding, Content-Length counts the bytes we read.
    if (!response.headers.get('content-encoding') && Number.isFinite(declared) && bytes !== declared)
      throw new Error(`truncated answer: ${bytes} of ${declared} bytes`);
    const entries = parseFeed(await readFile(temp, 'utf8'), feed.format);
    countEntries(entries, feed, previous);
    await rename(temp, copy);
    const at = now();
    return {
      id: feed.id,
      status: 'updated',
      state: {
        lastAttempt: at,
        lastSuccess: at,
        lastChanged: at,
        networks: entries.networks.length,
        domains: entries.domains.length,
        bytes,
        ...(response.headers.get('etag') ? { etag: response.headers.get('etag') as string } : {}),
        ...(response.headers.get('last-modified')
          ? { lastModified: response.headers.get('last-modified') as string }
          : {}),
      },
    };
  } finally {
    await rm(temp, { force: true });
  }
}

async function readLocal(feed: ConfiguredFeed & { file: string }): Promise<RefreshOutcome> {
  const size = (await stat(feed.file)).size;
  if (size > MAX_FEED_BYTES) throw new Error(`${feed.file} is larger than ${MAX_FEED_BYTES} bytes`);
  const entries = parseFeed(await readFile(feed.file, 'utf8'), feed.format);
  countEntries(entries, feed, {});
  const at = now();
  // Read in place: it may have changed without changing its counts, so it is always "updated".
  return {
    id: feed.id,
    status: 'updated',
    state: {
      lastAttempt: at,
      lastSuccess: at,
      lastChanged: at,
      networks: entries.networks.length,
      domains: entries.domains.length,
      bytes: size,
    },
  };
}

/** Refreshes one feed and records the outcome in its state. */
export async function refreshFeed(
  library: FeedLibrary,
  feed: ConfiguredFeed,
  limits: RefreshLimits = DEFAULT_REFRESH_LIMITS,
): Promise<RefreshOutcome> {
  const previous = await library.state(feed.id);
  let outcome: RefreshOutcome;
  try {
    outcome = feed.url
      ? await fetchInto({ ...feed, url: feed.url }, library, previous, limits)
      : await readLocal({ ...feed, file: feed.file ?? '' });
  } catch (error) {
    const message = errorText(error, limits);
    outcome = {
      id: feed.id,
      status: 'failed',
      error: message,
      state: { ...previous, lastAttempt: now(), lastError: message },
    };
  }
  await library.writeState(feed.id, outcome.state);
  return outcome;
}

/** A feed is due when it has never been tried, or its interval (10 minutes at most after a failure) has passed. */
export function isFeedDue(feed: ConfiguredFeed, state: FeedState, at = now()): boolean {
  if (state.lastAttempt === undefined) return true;
  const wait = state.lastError ? Math.min(feed.refreshSeconds, 600) : feed.refreshSeconds;
  return at - state.lastAttempt >= wait;
}
