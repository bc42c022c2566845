/**
 * The feeds and lists kept in a data directory (docs/enrichment.md, "Configured feeds"):
 *
 *   <data>/feeds.json               { "version": 1, "feeds": [ConfiguredFeed…] }
 *   <data>/feeds/<id>.txt           the last good copy of a URL feed
 *   <data>/feeds/<id>.state.json    FeedState: last attempt, last success, entries, last error,
 *                                   the validators of the copy (ETag, Last-Modified)
 *   <data>/lists/watchlist.json     { "entries": [IP, CIDR or domain…] }
 *   <data>/lists/allowlist.json
 *
 * File names come from feed ids only, and an id must match FEED_ID (no dots, no slashes), so no
 * user text ever becomes a path. Every file is written to a temporary name and renamed, so a
 * reader sees the old or the new file, never half of one. Documents read back are validated
 * again (a hand-edited file with a mistake is a one-line user error naming the field).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ERR, FlowlensError } from '../../shared/index.js';
import { normalizeHostName } from '../names/index.js';
import { FEED_FORMATS, type FeedEntries, type FeedFormat, parseNetwork } from './feed-formats.js';

export const FEED_ID = /^[a-z0-9][a-z0-9_-]{0,47}$/;
export const TAG_WORD = /^[a-z0-9_.-]{1,64}$/;
export const MAX_FEEDS = 100;
export const MAX_URL_LENGTH = 2048;
export const MIN_REFRESH_SECONDS = 60;
export const MAX_REFRESH_SECONDS = 30 * 86_400;
export const DEFAULT_REFRESH_SECONDS = 86_400;
export const MAX_LIST_ENTRIES = 10_000;
export const LIST_KINDS = ['watchlist', 'allowlist'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
/** Ids that name something other than a feed (the watchlist's tag). */
const RESERVED_IDS = new Set(['watchlist', 'allowlist']);

/** A feed declared in feeds.json: a URL (fetched into a cached copy) or a local file (read in place). */
export interface ConfiguredFeed {
  id: string;
  url?: string;
  file?: string;
  format: FeedFormat;
  category: string;
  /** Seconds between refreshes of a URL feed. */
  refreshSeconds: number;
  /** Seconds since the epoch. */
  addedAt: number;
}

/** What the last refreshes of a feed did; seconds since the epoch. */
export interface FeedState {
  lastAttempt?: number;
  lastSuccess?: number;
  /** When the copy last changed (a 200 that parsed). */
  lastChanged?: number;
  networks?: number;
  domains?: number;
  bytes?: number;
  lastError?: string;
  etag?: string;
  lastModified?: string;
}

/** JSON Schema of feeds.json (the same checks as `validateFeedsConfig`, for docs and the API). */
export const FEED_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'format', 'category'],
  properties: {
    id: { type: 'string', pattern: FEED_ID.source },
    url: { type: 'string', maxLength: MAX_URL_LENGTH, pattern: '^https?://' },
    file: { type: 'string', minLength: 1, maxLength: 4096 },
    format: { type: 'string', enum: [...FEED_FORMATS] },
    category: { type: 'string', pattern: TAG_WORD.source },
    refreshSeconds: { type: 'integer', minimum: MIN_REFRESH_SECONDS, maximum: MAX_REFRESH_SECONDS },
    addedAt: { type: 'number' },
  },
} as const;

export const FEEDS_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'feeds'],
  properties: {
    version: { const: 1 },
    feeds: { type: 'array', maxItems: MAX_FEEDS, items: FEED_SCHEMA },
  },
} as const;

function invalid(message: string): never {
  throw new FlowlensError(ERR.USAGE, message, 2);
}

export function assertFeedId(id: unknown, where = 'feed id'): string {
  if (typeof id !== 'string' || !FEED_ID.test(id))
    invalid(`${where} must be 1-48 of a-z, 0-9, '_', '-' (starting with a letter or digit)`);
  if (RESERVED_IDS.has(id)) invalid(`${where} "${id}" is reserved`);
  return id;
}

/** A URL Flowlens may fetch: http or https, no credentials, at most MAX_URL_LENGTH. */
export function checkFeedUrl(text: string, where = 'url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalid(`${where} "${text.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(`${where} must be http:// or https://`);
  if (url.username || url.password) invalid(`${where} must not hold a user name or password`);
  if (text.length > MAX_URL_LENGTH) invalid(`${where} is longer than ${MAX_URL_LENGTH} characters`);
  return url.href;
}

/** A feed id made from a URL or file name: `https://feodotracker.abuse.ch/x/ipblocklist.csv` → `ipblocklist`. */
export function suggestFeedId(source: string): string {
  const withoutExtension = (name: string) => name.replace(/\.[a-z0-9]{1,8}$/i, '');
  let base: string;
  try {
    const url = new URL(source);
    const last = url.pathname.split('/').filter(Boolean).pop();
    base = last ? withoutExtension(last) : url.hostname;
  } catch {
    base = withoutExtension(path.basename(source));
  }
  const id = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 48);
  return id === '' || RESERVED_IDS.has(id) ? 'feed' : id;
}

/** Checks one feed object (from feeds.json or a client) and fills its defaults. */
export function validateFeed(value: unknown, where: string, baseDir: string): ConfiguredFeed {
  if (!value || typeof value !== 'object' || Array.isArray(value)) invalid(`${where} is not an object`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!(key in FEED_SCHEMA.properties)) invalid(`${where}.${key} is not a feed field`);
  }
  const id = assertFeedId(v.id, `${where}.id`);
  if ((v.url === undefined) === (v.file === undefined)) invalid(`${where} needs exactly one of url and file`);
  if (v.url !== undefined && typeof v.url !== 'string') invalid(`${where}.url must be a string`);
  if (v.file !== undefined && (typeof v.file !== 'string' || v.file === '' || v.file.length > 4096))
    invalid(`${where}.file must be a file path`);
  if (typeof v.format !== 'string' || !(FEED_FORMATS as readonly string[]).includes(v.format))
    invalid(`${where}.format must be one of ${FEED_FORMATS.join(', ')}`);
  if (typeof v.category !== 'string' || !TAG_WORD.test(v.category))
    invalid(`${where}.category must be 1-64 of a-z, 0-9, '_', '.', '-'`);
  const refresh = v.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  if (
    typeof refresh !== 'number' ||
    !Number.isInteger(refresh) ||
    refresh < MIN_REFRESH_SECONDS ||
    refresh > MAX_REFRESH_SECONDS
  )
    invalid(`${where}.refreshSeconds must be a whole number ${MIN_REFRESH_SECONDS}-${MAX_REFRESH_SECONDS}`);
  const addedAt = v.addedAt ?? Math.floor(Date.now() / 1000);
  if (typeof addedAt !== 'number' || !Number.isFinite(addedAt)) invalid(`${where}.addedAt must be a number`);
  return {
    id,
    ...(typeof v.url === 'string' ? { url: checkFeedUrl(v.url, `${where}.url`) } : {}),
    ...(typeof v.file === 'string' ? { file: path.resolve(baseDir, v.file) } : {}),
    format: v.format as FeedFormat,
    category: v.category,
    refreshSeconds: refresh,
    addedAt,
  };
}

export function validateFeedsConfig(doc: unknown, source: string, baseDir: string): ConfiguredFeed[] {
  if (!doc || typeof doc !== 'object') invalid(`${source}: expected {"version": 1, "feeds": [...]}`);
  const { version, feeds } = doc as Record<string, unknown>;
  if (version !== 1) invalid(`${source}: "version" must be 1`);
  if (!Array.isArray(feeds)) invalid(`${source}: "feeds" must be an array`);
  if (feeds.length > MAX_FEEDS) invalid(`${source}: more than ${MAX_FEEDS} feeds`);
  const ids = new Set<string>();
  return feeds.map((feed, i) => {
    const checked = validateFeed(feed, `${source}: feeds[${i}]`, baseDir);
    if (ids.has(checked.id)) invalid(`${source}: feeds[${i}].id "${checked.id}" is used twice`);
    ids.add(checked.id);
    return checked;
  });
}

/** One watchlist or allowlist entry → its canonical text, or undefined when it is none of IP, CIDR, domain. */
export function normalizeListEntry(text: string): string | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '' || trimmed.length > 253) return undefined;
  if (parseNetwork(trimmed)) return trimmed;
  const host = normalizeHostName(trimmed);
  // A name, not a wildcard, and not digits that failed as an address ("1.2.3").
  return host && !host.includes('*') && /[a-z_-]/.test(host.slice(host.lastIndexOf('.') + 1))
    ? host
    : undefined;
}

/** List entries → feed entries for the matcher. */
export function listEntries(entries: readonly string[]): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  for (const entry of entries) {
    const network = parseNetwork(entry);
    if (network) out.networks.push(network);
    else out.domains.push(entry);
  }
  return out;
}

/** Checks a list of entries from a client or a file: canonical, deduplicated, bounded. */
export function validateListEntries(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) invalid(`${where} must be an array of IPs, CIDRs or domains`);
  if (value.length > MAX_LIST_ENTRIES) invalid(`${where} holds more than ${MAX_LIST_ENTRIES} entries`);
  const out = new Set<string>();
  value.forEach((entry, i) => {
    const normal = typeof entry === 'string' ? normalizeListEntry(entry) : undefined;
    if (normal === undefined)
      invalid(`${where}[${i}] ${JSON.stringify(entry).slice(0, 80)} is not an IP, CIDR or domain`);
    out.add(normal);
  });
  return [...out];
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FlowlensError(ERR.ENRICH_DB_OPEN, `cannot read ${file}: ${(error as Error).message}`, 2);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    invalid(`${file} is not JSON (${(error as Error).message}): fix or remove it`);
  }
}

export interface FeedLibrary {
  readonly dataDir: string;
  readonly configFile: string;
  /** The feeds of feeds.json; none when the file does not exist. */
  feeds(): Promise<ConfiguredFeed[]>;
  /** Adds a feed (validated); a used id is a user error. */
  add(feed: unknown): Promise<ConfiguredFeed>;
  /** Removes a feed, its copy and its state; false when there is no such feed. */
  remove(id: string): Promise<boolean>;
  state(id: string): Promise<FeedState>;
  writeState(id: string, state: FeedState): Promise<void>;
  /** Where the cached copy of a URL feed lives (the id is checked). */
  copyPath(id: string): string;
  /** The file a feed is read from: its cached copy (URL) or its own file. */
  sourcePath(feed: ConfiguredFeed): string;
  /** Where a list is kept. */
  listFile(kind: ListKind): string;
  readList(kind: ListKind): Promise<string[]>;
  /** Replaces a list (validated, deduplicated); returns what was stored. */
  writeList(kind: ListKind, entries: unknown): Promise<string[]>;
}

export function openFeedLibrary(dataDir: string): FeedLibrary {
  const configFile = path.join(dataDir, 'feeds.json');
  const feedsDir = path.join(dataDir, 'feeds');
  const listFile = (kind: ListKind) => path.join(dataDir, 'lists', `${kind}.json`);
  const statePath = (id: string) => path.join(feedsDir, `${assertFeedId(id)}.state.json`);
  const copyPath = (id: string) => path.join(feedsDir, `${assertFeedId(id)}.txt`);
  // Changes within this process happen one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(change: () => Promise<T>): Promise<T> => {
    const next = queue.then(change, change);
    queue = next.catch(() => {});
    return next;
  };

  const feeds = async (): Promise<ConfiguredFeed[]> => {
    const doc = await readJson(configFile);
    return doc === undefined ? [] : validateFeedsConfig(doc, configFile, dataDir);
  };
  const saveFeeds = (list: ConfiguredFeed[]) =>
    writeAtomically(configFile, `${JSON.stringify({ version: 1, feeds: list }, null, 2)}\n`);

  return {
    dataDir,
    configFile,
    feeds,
    copyPath,
    sourcePath: (feed) => feed.file ?? copyPath(feed.id),
    listFile,
    add: (input) =>
      serial(async () => {
        const list = await feeds();
        const feed = validateFeed(input, 'feed', process.cwd());
        if (list.some((f) => f.id === feed.id))
          invalid(`a feed with id "${feed.id}" exists: choose another --id, or remove it first`);
        if (list.length >= MAX_FEEDS) invalid(`already ${MAX_FEEDS} feeds: remove one first`);
        await saveFeeds([...list, feed]);
        return feed;
      }),
    remove: (id) =>
      serial(async () => {
        assertFeedId(id);
        const list = await feeds();
        if (!list.some((f) => f.id === id)) return false;
        await saveFeeds(list.filter((f) => f.id !== id));
        await rm(copyPath(id), { force: true });
        await rm(statePath(id), { force: true });
        return true;
      }),
    async state(id) {
      const doc = await readJson(statePath(id)).catch(() => undefined);
      return doc && typeof doc === 'object' ? (doc as FeedState) : {};
    },
    writeState: (id, state) => writeAtomically(statePath(id), `${JSON.stringify(state, null, 2)}\n`),
    async readList(kind) {
      const file = listFile(kind);
      const doc = await readJson(file);
      if (doc === undefined) return [];
      return validateListEntries((doc as { entries?: unknown })?.entries, `${file}: entries`);
    },
    writeList: (kind, entries) =>
      serial(async () => {
        const checked = validateListEntries(entries, kind);
        await writeAtomically(listFile(kind), `${JSON.stringify({ entries: checked }, null, 2)}\n`);
        return checked;
      }),
  };
}
