/**
 * Threat feeds from local files, declared in a JSON config, compiled into one ThreatMatcher.
 *
 * Config (`--threat-feeds FILE`, or `$FLOWLENS_THREAT_FEEDS`):
 *   { "feeds": [ { "name": "feodo", "file": "ipblocklist.csv", "format": "abusech-csv",
 *                  "category": "c2" }, … ] }
 * `file` is relative to the config file. `name` and `category` are tag words
 * ([a-z0-9_.-], at most 64 characters).
 *
 * Refresh: `reload()` reads every feed again and swaps the new matcher in whole. A feed that
 * fails (missing, unreadable, more than MAX_FEED_BYTES, no entry at all, or more than
 * GROWTH_LIMIT times the entries of its last good copy) keeps its last good copy and adds a
 * warning; the first load of a feed that fails is a FlowlensError (a bad config is a user error).
 * Feeds by URL, configured in a data directory, are feed-library.ts, feed-refresh.ts, threat-intel.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ERR, FlowlensError } from '../../shared/index.js';
import { FEED_FORMATS, type FeedEntries, type FeedFormat, parseFeed } from './feed-formats.js';
import { type CompiledFeed, compileThreatMatcher, type ThreatMatcher } from './threat-matcher.js';

export interface FeedConfig {
  name: string;
  file: string;
  format: FeedFormat;
  category: string;
}

export interface FeedStatus {
  name: string;
  file: string;
  format: FeedFormat;
  category: string;
  networks: number;
  domains: number;
  skipped: number;
  /** Seconds since the epoch of the copy in use. */
  loadedAt: number;
  /** Set when the last reload failed and the previous copy stayed in use. */
  warning?: string;
}

export interface ThreatFeeds {
  readonly matcher: ThreatMatcher;
  /** The entries in use per feed, to compile with other feeds (threat-intel.ts). */
  compiledFeeds(): CompiledFeed[];
  status(): FeedStatus[];
  /** Reads every feed again; returns the warnings of feeds that kept their last good copy. */
  reload(): Promise<string[]>;
}

export const MAX_FEED_BYTES = 256 * 1024 * 1024;
export const GROWTH_LIMIT = 20;
const TAG_WORD = /^[a-z0-9_.-]{1,64}$/;

function invalid(source: string, message: string): never {
  throw new FlowlensError(ERR.ENRICH_DB_INVALID, `${source}: ${message}`, 2);
}

/** Parses and checks a feeds config document; relative paths resolve against `baseDir`. */
export function parseFeedsConfig(text: string, source: string, baseDir: string): FeedConfig[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    invalid(source, `not JSON (${(error as Error).message})`);
  }
  const feeds = (doc as { feeds?: unknown })?.feeds;
  if (!Array.isArray(feeds)) invalid(source, 'expected {"feeds": [...]}');
  const names = new Set<string>();
  return feeds.map((feed, i): FeedConfig => {
    const where = `feeds[${i}]`;
    if (!feed || typeof feed !== 'object') invalid(source, `${where} is not an object`);
    const { name, file, format, category } = feed as Record<string, unknown>;
    if (typeof name !== 'string' || !TAG_WORD.test(name))
      invalid(source, `${where}.name must match ${TAG_WORD}`);
    if (names.has(name)) invalid(source, `${where}.name "${name}" is used twice`);
    names.add(name);
    if (typeof category !== 'string' || !TAG_WORD.test(category))
      invalid(source, `${where}.category must match ${TAG_WORD}`);
    if (typeof format !== 'string' || !(FEED_FORMATS as readonly string[]).includes(format))
      invalid(source, `${where}.format must be one of ${FEED_FORMATS.join(', ')}`);
    if (typeof file !== 'string' || file === '') invalid(source, `${where}.file must be a file path`);
    return { name, file: path.resolve(baseDir, file), format: format as FeedFormat, category };
  });
}

async function readFeed(feed: FeedConfig): Promise<FeedEntries> {
  let size: number;
  try {
    size = (await stat(feed.file)).size;
  } catch (error) {
    throw new FlowlensError(
      ERR.ENRICH_DB_OPEN,
      `cannot read threat feed ${feed.name} (${feed.file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      2,
    );
  }
  if (size > MAX_FEED_BYTES)
    invalid(feed.file, `threat feed ${feed.name} is larger than ${MAX_FEED_BYTES} bytes`);
  const text = await readFile(feed.file, 'utf8');
  const entries = parseFeed(text, feed.format);
  if (entries.networks.length + entries.domains.length === 0) {
    invalid(
      feed.file,
      `threat feed ${feed.name} lists nothing as ${feed.format} (${entries.skipped} lines not understood)`,
    );
  }
  return entries;
}

export async function loadThreatFeeds(feeds: FeedConfig[]): Promise<ThreatFeeds> {
  const current = new Map<string, { entries: FeedEntries; loadedAt: number; warning?: string }>();
  for (const feed of feeds)
    current.set(feed.name, { entries: await readFeed(feed), loadedAt: Date.now() / 1000 });
  const compile = () =>
    compileThreatMatcher(
      feeds.map(
        (f): CompiledFeed => ({ name: f.name, category: f.category, entries: current.get(f.name)!.entries }),
      ),
    );
  let matcher = compile();
  return {
    get matcher() {
      return matcher;
    },
    compiledFeeds() {
      return feeds.map((f) => ({
        name: f.name,
        category: f.category,
        entries: current.get(f.name)!.entries,
      }));
    },
    status() {
      return feeds.map((f) => {
        const c = current.get(f.name)!;
        return {
          name: f.name,
          file: f.file,
          format: f.format,
          category: f.category,
          networks: c.entries.networks.length,
          domains: c.entries.domains.length,
          skipped: c.entries.skipped,
          loadedAt: c.loadedAt,
          ...(c.warning ? { warning: c.warning } : {}),
        };
      });
    },
    async reload() {
      const warnings: string[] = [];
      for (const feed of feeds) {
        const last = current.get(feed.name)!;
        try {
          const entries = await readFeed(feed);
          const before = last.entries.networks.length + last.entries.domains.length;
          const after = entries.networks.length + entries.domains.length;
          if (after > before * GROWTH_LIMIT) {
            invalid(
              feed.file,
              `threat feed ${feed.name} grew from ${before} to ${after} entries (more than ${GROWTH_LIMIT}×)`,
            );
          }
          current.set(feed.name, { entries, loadedAt: Date.now() / 1000 });
        } catch (error) {
          const warning = `threat feed ${feed.name}: ${(error as Error).message}; keeping the copy loaded at ${new Date(last.loadedAt * 1000).toISOString()}`;
          last.warning = warning;
          warnings.push(warning);
        }
      }
      matcher = compile();
      return warnings;
    },
  };
}

/** Reads a feeds config file and loads its feeds. */
export async function loadThreatFeedsConfig(file: string): Promise<ThreatFeeds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FlowlensError(
      ERR.ENRICH_DB_OPEN,
      `cannot read threat feeds config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      2,
    );
  }
  return loadThreatFeeds(parseFeedsConfig(text, file, path.dirname(path.resolve(file))));
}
