/**
 * `flowlens feeds list|add|update|remove` and `flowlens feeds watchlist|allowlist`: the threat
 * feeds and local lists kept in the data directory (enrich/threat/feed-library.ts;
 * docs/enrichment.md). `analyze`, `ingest`, `collect` and `serve` use them; only `add`, `update`
 * and `serve` touch the network.
 *
 * Exit codes: 0 done; 1 a fetch failed (the last good copy stays); 2 bad usage or a bad config.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import {
  createThreatIntel,
  DEFAULT_REFRESH_LIMITS,
  DEFAULT_REFRESH_SECONDS,
  describeFeeds,
  FEED_FORMATS,
  type FeedView,
  LIST_KINDS,
  type ListKind,
  normalizeListEntry,
  openFeedLibrary,
  type RefreshOutcome,
  suggestFeedId,
} from '../../enrich/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import { formatDuration, renderTable } from '../format.js';
import { byteSize, duration } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { defaultDataDir } from '../query/open-store.js';

const EXAMPLES = `
Examples:
  $ flowlens feeds add https://feodotracker.abuse.ch/downloads/ipblocklist.csv --format abusech-csv --category c2
  $ flowlens feeds add https://www.spamhaus.org/drop/drop.txt --format spamhaus-drop --category hijacked --refresh 12h
  $ flowlens feeds add ./my-blocklist.txt --id mine --format ip-list --category blocklist
  $ flowlens feeds list                              feeds, last success, entries, last error
  $ flowlens feeds update                            fetch every feed now (conditional GET)
  $ flowlens feeds update feodo --format json
  $ flowlens feeds remove feodo
  $ flowlens feeds watchlist add 203.0.113.7 198.51.100.0/24 evil.example
  $ flowlens feeds allowlist add 192.0.2.10 updates.example.com
  $ flowlens feeds allowlist show

Feeds live in <data>/feeds.json, their copies in <data>/feeds/, the lists in <data>/lists/.
analyze, ingest and collect match them (cached copies, no network); serve refreshes them.`;

type OutputFormat = 'table' | 'json';

interface CommonFlags {
  data?: string;
  format: OutputFormat;
}

const formatOption = () =>
  new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table');
const dataOption = ['--data <dir>', 'data directory (default: $FLOWLENS_DATA, else ./data)'] as const;

async function print(text: string): Promise<void> {
  const out = createOutputStream();
  out.write(text);
  await out.end();
}

function ago(seconds: number | undefined): string {
  if (seconds === undefined) return 'never';
  const elapsed = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  return `${elapsed < 60 ? `${elapsed} s` : formatDuration(elapsed)} ago`;
}

function feedsTable(views: FeedView[]): string {
  if (views.length === 0) return 'no feeds: add one with flowlens feeds add URL --format F --category C\n';
  const rows = views.map((v) => [
    v.id,
    v.category,
    v.format,
    v.url ?? v.file ?? '',
    v.url ? formatDuration(v.refreshSeconds) : '-',
    ago(v.state.lastSuccess),
    v.state.networks === undefined ? '-' : String((v.state.networks ?? 0) + (v.state.domains ?? 0)),
    v.state.lastError ?? (v.hasCopy ? 'ok' : 'no copy yet: flowlens feeds update'),
  ]);
  return `${renderTable(
    ['ID', 'CATEGORY', 'FORMAT', 'SOURCE', 'REFRESH', 'LAST SUCCESS', 'ENTRIES', 'STATUS'],
    rows,
    new Set([6]),
  )}\n`;
}

function outcomesTable(outcomes: RefreshOutcome[]): string {
  if (outcomes.length === 0) return 'no feeds to update\n';
  const rows = outcomes.map((o) => [
    o.id,
    o.status,
    o.state.networks === undefined ? '-' : String((o.state.networks ?? 0) + (o.state.domains ?? 0)),
    o.error ? `${o.error} (the last good copy stays)` : '',
  ]);
  return `${renderTable(['ID', 'RESULT', 'ENTRIES', 'ERROR'], rows, new Set([2]))}\n`;
}

function limitsOf(flags: { timeout: number; maxSize: number }) {
  return { timeoutMs: flags.timeout * 1000, maxBytes: flags.maxSize };
}

async function update(dataDir: string, ids: string[], flags: { timeout: number; maxSize: number }) {
  const intel = await createThreatIntel({ dataDir, refreshLimits: limitsOf(flags) });
  return intel.refresh(ids);
}

/** Exit code 1 when a refresh failed (after the outcomes are printed). */
function failIfAnyFailed(outcomes: RefreshOutcome[]): void {
  const failed = outcomes.filter((o) => o.status === 'failed').map((o) => o.id);
  if (failed.length === 0) return;
  throw new FlowlensError(
    ERR.FEED_FETCH,
    `${failed.length} of ${outcomes.length} feeds failed to update (${failed.join(', ')}); their last good copies stay in use`,
    1,
  );
}

function addRefreshOptions(command: Command): Command {
  return command
    .option(
      '--timeout <duration>',
      'give up on an answer after this long',
      duration,
      DEFAULT_REFRESH_LIMITS.timeoutMs / 1000,
    )
    .option('--max-size <size>', 'largest answer accepted', byteSize, DEFAULT_REFRESH_LIMITS.maxBytes);
}

export function registerFeedsCommand(program: Command): void {
  const feeds = program
    .command('feeds')
    .description('threat feeds (URLs or files), the watchlist and the allowlist of the data directory')
    .addHelpText('after', EXAMPLES);

  feeds
    .command('list')
    .description('the configured feeds: source, refresh interval, last success, entries, last error')
    .option(...dataOption)
    .addOption(formatOption())
    .action(async (flags: CommonFlags) => {
      const views = await describeFeeds(openFeedLibrary(flags.data ?? defaultDataDir()));
      await print(
        flags.format === 'json' ? `${JSON.stringify({ feeds: views }, null, 2)}\n` : feedsTable(views),
      );
    });

  addRefreshOptions(
    feeds
      .command('add')
      .description('add a feed by URL (fetched now and on its interval) or local file (read in place)')
      .argument('<source>', 'http(s) URL or file path')
      .addOption(
        new Option('--format <format>', 'feed format (docs/enrichment.md)')
          .choices(FEED_FORMATS)
          .makeOptionMandatory(),
      )
      .option('--category <word>', 'tag for matches: c2, malware, blocklist, … ([a-z0-9_.-])', 'blocklist')
      .option('--id <id>', 'feed id, also its tag (default: from the URL or file name)')
      .option(
        '--refresh <duration>',
        'time between refreshes of a URL feed (1m-30d)',
        duration,
        DEFAULT_REFRESH_SECONDS,
      )
      .option('--no-fetch', 'do not fetch a URL feed now (the first refresh fetches it)')
      .option(...dataOption),
  ).action(
    async (
      source: string,
      flags: {
        data?: string;
        format: string;
        category: string;
        id?: string;
        refresh: number;
        fetch: boolean;
        timeout: number;
        maxSize: number;
      },
    ) => {
      const dataDir = flags.data ?? defaultDataDir();
      const isUrl = /^https?:\/\//i.test(source);
      if (!isUrl && !existsSync(source))
        throw new FlowlensError(ERR.USAGE, `no file ${source}: give an http(s) URL or an existing file`, 2);
      const library = openFeedLibrary(dataDir);
      const feed = await library.add({
        id: flags.id ?? suggestFeedId(source),
        ...(isUrl ? { url: source } : { file: path.resolve(source) }),
        format: flags.format,
        category: flags.category,
        refreshSeconds: Math.round(flags.refresh),
      });
      const [outcome] = isUrl && !flags.fetch ? [] : await update(dataDir, [feed.id], flags);
      if (outcome?.status === 'failed') {
        throw new FlowlensError(
          ERR.FEED_FETCH,
          `added feed ${feed.id}, but its first fetch failed: ${outcome.error}; check the URL and --format, then run flowlens feeds update ${feed.id} (or flowlens feeds remove ${feed.id})`,
          1,
        );
      }
      const entries = outcome
        ? `${(outcome.state.networks ?? 0) + (outcome.state.domains ?? 0)} entries`
        : 'not fetched yet';
      await print(`added feed ${feed.id} (${feed.category}, ${feed.format}): ${entries}\n`);
    },
  );

  addRefreshOptions(
    feeds
      .command('update')
      .description('refresh feeds now (all, or the ids given); a failure keeps the last good copy')
      .argument('[ids...]', 'feed ids (default: all)')
      .option(...dataOption)
      .addOption(formatOption()),
  ).action(async (ids: string[], flags: CommonFlags & { timeout: number; maxSize: number }) => {
    const outcomes = await update(flags.data ?? defaultDataDir(), ids, flags);
    await print(
      flags.format === 'json' ? `${JSON.stringify({ outcomes }, null, 2)}\n` : outcomesTable(outcomes),
    );
    failIfAnyFailed(outcomes);
  });

  feeds
    .command('remove')
    .description('remove a feed with its cached copy and state')
    .argument('<id>', 'feed id (flowlens feeds list)')
    .option(...dataOption)
    .action(async (id: string, flags: { data?: string }) => {
      if (!(await openFeedLibrary(flags.data ?? defaultDataDir()).remove(id)))
        throw new FlowlensError(ERR.USAGE, `no feed ${id}: flowlens feeds list shows the feeds`, 2);
      process.stderr.write(`flowlens: removed feed ${id}\n`);
    });

  for (const kind of LIST_KINDS) registerListCommand(feeds, kind);
}

const LIST_HELP: Record<ListKind, string> = {
  watchlist: 'addresses, networks and domains to alert on like a feed (category and tag "watchlist")',
  allowlist: 'addresses, networks and domains that never get threat tags or threat-intel alerts',
};

function registerListCommand(feeds: Command, kind: ListKind): void {
  const list = feeds.command(kind).description(LIST_HELP[kind]);
  list
    .command('show')
    .description(`the ${kind}'s entries`)
    .option(...dataOption)
    .addOption(formatOption())
    .action(async (flags: CommonFlags) => {
      const entries = await openFeedLibrary(flags.data ?? defaultDataDir()).readList(kind);
      await print(
        flags.format === 'json'
          ? `${JSON.stringify({ entries }, null, 2)}\n`
          : entries.length === 0
            ? `the ${kind} is empty\n`
            : `${entries.join('\n')}\n`,
      );
    });
  const change = (name: 'add' | 'remove') =>
    list
      .command(name)
      .description(`${name} entries: IPs, CIDRs or domains`)
      .argument('<entries...>', 'IP, CIDR or domain')
      .option(...dataOption)
      .action(async (values: string[], flags: { data?: string }) => {
        const library = openFeedLibrary(flags.data ?? defaultDataDir());
        const entries = values.map((value) => {
          const entry = normalizeListEntry(value);
          if (entry === undefined)
            throw new FlowlensError(ERR.USAGE, `not an IP, CIDR or domain: ${value}`, 2);
          return entry;
        });
        const current = await library.readList(kind);
        const next =
          name === 'add' ? [...current, ...entries] : current.filter((entry) => !entries.includes(entry));
        const stored = await library.writeList(kind, next);
        process.stderr.write(`flowlens: the ${kind} holds ${stored.length} entries\n`);
      });
  change('add');
  change('remove');
}
