/**
 * Threat intelligence for a run: the feeds of a `--threat-feeds` config, the feeds configured in
 * a data directory (their cached copies or local files), the watchlist (a feed named and
 * categorised `watchlist`) and the allowlist, compiled into one ThreatMatcher.
 *
 * `rebuild()` reads the data directory again (feeds.json, copies, lists) and swaps a new matcher
 * in whole; parsed copies are kept by path, modification time and size, so an unchanged copy is
 * not parsed again. A configured feed without a usable copy (never fetched, unreadable, empty)
 * is left out with a warning: it never stops a run. `refresh…` fetches feeds (network), then
 * rebuilds. `startRefreshing` does that for due feeds in the background, one pass at a time,
 * and also rebuilds when feeds.json or a list changed on disk (`flowlens feeds` beside serve);
 * it never throws; readers of `matcher` see the old matcher until the new one is complete.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ERR, FlowlensError } from '../../shared/index.js';
import { type FeedEntries, parseFeed } from './feed-formats.js';
import {
  type ConfiguredFeed,
  type FeedLibrary,
  type FeedState,
  listEntries,
  openFeedLibrary,
} from './feed-library.js';
import {
  DEFAULT_REFRESH_LIMITS,
  isFeedDue,
  type RefreshLimits,
  type RefreshOutcome,
  refreshFeed,
} from './feed-refresh.js';
import { MAX_FEED_BYTES, type ThreatFeeds } from './threat-feeds.js';
import { type CompiledFeed, compileThreatMatcher, type ThreatMatcher } from './threat-matcher.js';

export interface ThreatIntelOptions {
  /** Data directory whose feeds.json, cached copies and lists are used; absent: none. */
  dataDir?: string;
  /** Feeds of a `--threat-feeds` config, loaded; their reloads stay theirs. */
  fileFeeds?: ThreatFeeds;
  refreshLimits?: RefreshLimits;
  /** Background refresh reports (outcomes that failed, rebuild warnings). */
  log?(message: string): void;
}

/** A configured feed as `feeds list` and the API show it. */
export interface FeedView extends ConfiguredFeed {
  state: FeedState;
  /** A copy to match against exists (URL feeds) or the file exists (local feeds). */
  hasCopy: boolean;
  /** Due for a refresh now. */
  due: boolean;
}

export interface ThreatIntel {
  readonly matcher: ThreatMatcher;
  readonly library?: FeedLibrary;
  /** Something to match: a feed entry or a watchlist entry. */
  readonly active: boolean;
  /** Warnings of the last rebuild (feeds left out). */
  warnings(): string[];
  /** Reads the data directory again and swaps the new matcher in; never waits for a fetch in flight. */
  rebuild(): Promise<string[]>;
  /** Refreshes the named feeds (all when none are named), then rebuilds if a copy changed. Unknown ids are a user error. */
  refresh(ids?: string[]): Promise<RefreshOutcome[]>;
  /** Refreshes the feeds that are due, then rebuilds if a copy changed. */
  refreshDue(): Promise<RefreshOutcome[]>;
  /**
   * Prometheus text exposition of `flowlens_feed_*`: refreshes by feed and outcome (this
   * process), entries in use and the last success of each configured feed (as of the last rebuild
   * or refresh). Empty without configured feeds.
   */
  metrics(): string;
  /** Checks for due feeds every `tickMs` in the background until `stop()`. */
  startRefreshing(tickMs?: number): void;
  stop(): Promise<void>;
}

export const WATCHLIST_FEED = 'watchlist';

export async function describeFeeds(library: FeedLibrary): Promise<FeedView[]> {
  const feeds = await library.feeds();
  return Promise.all(
    feeds.map(async (feed) => {
      const state = await library.state(feed.id);
      return { ...feed, state, hasCopy: existsSync(library.sourcePath(feed)), due: isFeedDue(feed, state) };
    }),
  );
}

export async function createThreatIntel(options: ThreatIntelOptions): Promise<ThreatIntel> {
  const library = options.dataDir ? openFeedLibrary(options.dataDir) : undefined;
  const limits = options.refreshLimits ?? DEFAULT_REFRESH_LIMITS;
  const parsed = new Map<string, { mtimeMs: number; size: number; entries: FeedEntries }>();
  let matcher: ThreatMatcher = compileThreatMatcher([]);
  let warnings: string[] = [];
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<unknown> | undefined;
  let stopping = new AbortController();
  /** Per configured feed: entries in use, last success, refreshes by outcome. */
  const feedStats = new Map<
    string,
    { entries: number; lastSuccess?: number; refreshes: Record<RefreshOutcome['status'], number> }
  >();
  const statsOf = (id: string) => {
    let stats = feedStats.get(id);
    if (!stats) {
      stats = { entries: 0, refreshes: { updated: 0, 'not-modified': 0, failed: 0 } };
      feedStats.set(id, stats);
    }
    return stats;
  };

  const readCopy = async (feed: ConfiguredFeed, file: string): Promise<FeedEntries> => {
    const info = await stat(file);
    if (info.size > MAX_FEED_BYTES) throw new Error(`larger than ${MAX_FEED_BYTES} bytes`);
    const key = `${feed.format}:${file}`;
    const known = parsed.get(key);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.entries;
    const entries = parseFeed(await readFile(file, 'utf8'), feed.format);
    parsed.set(key, { mtimeMs: info.mtimeMs, size: info.size, entries });
    return entries;
  };

  /** Modification times of feeds.json and the lists: another process (the CLI) may change them. */
  const inputsSignature = async (): Promise<string> => {
    if (!library) return '';
    const files = [library.configFile, library.listFile('watchlist'), library.listFile('allowlist')];
    const times = await Promise.all(
      files.map((f) =>
        stat(f).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      ),
    );
    return times.join(',');
  };
  let signature = '';

  const rebuild = async (): Promise<string[]> => {
    signature = await inputsSignature();
    const next: string[] = [];
    const compiled: CompiledFeed[] = options.fileFeeds ? options.fileFeeds.compiledFeeds() : [];
    let allow: FeedEntries | undefined;
    if (library) {
      const seen = new Set<string>();
      const configured = await library.feeds();
      for (const id of feedStats.keys()) if (!configured.some((f) => f.id === id)) feedStats.delete(id);
      for (const feed of configured) {
        const stats = statsOf(feed.id);
        stats.entries = 0;
        stats.lastSuccess = (await library.state(feed.id)).lastSuccess;
        const file = library.sourcePath(feed);
        seen.add(`${feed.format}:${file}`);
        if (!existsSync(file)) {
          next.push(
            feed.url
              ? `feed ${feed.id} has no copy yet: run flowlens feeds update ${feed.id}`
              : `feed ${feed.id}: ${file} does not exist`,
          );
          continue;
        }
        try {
          const entries = await readCopy(feed, file);
          if (entries.networks.length + entries.domains.length === 0)
            next.push(`feed ${feed.id}: ${file} lists nothing as ${feed.format}`);
          else {
            compiled.push({ name: feed.id, category: feed.category, entries });
            stats.entries = entries.networks.length + entries.domains.length;
          }
        } catch (error) {
          next.push(`feed ${feed.id}: ${(error as Error).message}`);
        }
      }
      for (const key of parsed.keys()) if (!seen.has(key)) parsed.delete(key);
      const watch = await library.readList('watchlist');
      if (watch.length > 0)
        compiled.push({ name: WATCHLIST_FEED, category: WATCHLIST_FEED, entries: listEntries(watch) });
      const allowed = await library.readList('allowlist');
      if (allowed.length > 0) allow = listEntries(allowed);
    }
    matcher = compileThreatMatcher(compiled, allow);
    active = matcher.networks + matcher.domains > 0;
    warnings = next;
    return next;
  };

  const refreshFeeds = async (select: (feed: ConfiguredFeed, state: FeedState) => boolean) => {
    if (!library) return [];
    const outcomes: RefreshOutcome[] = [];
    for (const feed of await library.feeds()) {
      if (!select(feed, await library.state(feed.id))) continue;
      const outcome = await refreshFeed(library, feed, { ...limits, signal: stopping.signal });
      const stats = statsOf(feed.id);
      stats.refreshes[outcome.status]++;
      stats.lastSuccess = outcome.state.lastSuccess;
      if (outcome.status === 'failed')
        options.log?.(`feed ${feed.id}: ${outcome.error}; keeping its last good copy`);
      outcomes.push(outcome);
    }
    // Only a new copy changes what matches (304s and failures keep the copies in use).
    if (outcomes.some((o) => o.status === 'updated')) await serialRebuild();
    return outcomes;
  };

  /** Rebuilds one at a time (a later one never loses to an earlier one), apart from fetches. */
  let rebuilding: Promise<unknown> = Promise.resolve();
  const serialRebuild = (): Promise<string[]> => {
    const run = rebuilding.catch(() => {}).then(rebuild);
    rebuilding = run;
    return run;
  };

  /** One refresh pass at a time: a request waits for the pass in flight, then runs its own. */
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = (pass ?? Promise.resolve()).catch(() => {}).then(work);
    pass = run;
    return run;
  };

  await rebuild();
  return {
    get matcher() {
      return matcher;
    },
    get active() {
      return active;
    },
    library,
    warnings: () => warnings,
    rebuild: serialRebuild,
    refresh(ids) {
      return exclusive(async () => {
        if (ids && ids.length > 0 && library) {
          const known = new Set((await library.feeds()).map((f) => f.id));
          const unknown = ids.filter((id) => !known.has(id));
          if (unknown.length > 0) {
            throw new FlowlensError(
              ERR.USAGE,
              `no feed ${unknown.join(', ')}: flowlens feeds list shows the feeds`,
              2,
            );
          }
        }
        return refreshFeeds((feed) => !ids || ids.length === 0 || ids.includes(feed.id));
      });
    },
    refreshDue: () => exclusive(() => refreshFeeds((feed, state) => isFeedDue(feed, state))),
    metrics() {
      if (feedStats.size === 0) return '';
      const lines: string[] = [];
      const family = (name: string, type: string, help: string, rows: string[]) =>
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
      const all = [...feedStats];
      family(
        'flowlens_feed_refreshes_total',
        'counter',
        'Threat feed refreshes by feed and outcome (updated, not-modified, failed).',
        all.flatMap(([id, s]) =>
          Object.entries(s.refreshes).map(
            ([outcome, n]) => `flowlens_feed_refreshes_total{feed="${id}",outcome="${outcome}"} ${n}`,
          ),
        ),
      );
      family(
        'flowlens_feed_entries',
        'gauge',
        'Networks and domains of the copy of each threat feed in use (0: none in use).',
        all.map(([id, s]) => `flowlens_feed_entries{feed="${id}"} ${s.entries}`),
      );
      family(
        'flowlens_feed_last_success_timestamp_seconds',
        'gauge',
        'When each threat feed was last refreshed successfully (0: never).',
        all.map(
          ([id, s]) => `flowlens_feed_last_success_timestamp_seconds{feed="${id}"} ${s.lastSuccess ?? 0}`,
        ),
      );
      return `${lines.join('\n')}\n`;
    },
    startRefreshing(tickMs = 30_000) {
      if (timer || !library) return;
      let ticking = false;
      const tick = () => {
        if (ticking) return; // A slow fetch spans ticks: no queue of passes behind it.
        ticking = true;
        exclusive(async () => {
          const outcomes = await refreshFeeds((feed, state) => isFeedDue(feed, state));
          // Feeds or lists changed by `flowlens feeds` while serve runs.
          if (!outcomes.some((o) => o.status === 'updated') && (await inputsSignature()) !== signature)
            await serialRebuild();
        })
          .catch((error: unknown) =>
            options.log?.(`feed refresh failed: ${error instanceof Error ? error.message : String(error)}`),
          )
          .finally(() => {
            ticking = false;
          });
      };
      timer = setInterval(tick, tickMs);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      stopping.abort();
      await pass?.catch(() => {});
      await rebuilding.catch(() => {});
      stopping = new AbortController(); // Explicit refreshes still work after a stop.
    },
  };
}
