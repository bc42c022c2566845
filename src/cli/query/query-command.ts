/**
 * `flowlens query overview|top|series|flows|host|export`: the query layer on the command line.
 * Each subcommand resolves the range, runs one query of `store/query` and prints it as a table,
 * JSON (the query's result object, as the HTTP API serves it) or CSV.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ERR, FlowlensError } from '../../shared/index.js';
import { FilterSyntaxError } from '../../store/filter/index.js';
import type { FlowStore } from '../../store/index.js';
import {
  DIMENSIONS,
  type Dimension,
  EXPORT_FORMATS,
  type ExportFormat,
  exportFlows,
  hostDetail,
  MAX_TOP_HOSTS,
  METRICS,
  type Metric,
  overview,
  parseRange,
  parseTime,
  type ResolvedRange,
  resolveRange,
  SORT_FIELDS,
  type SortField,
  searchFlows,
  series,
  top,
} from '../../store/query/index.js';
import { countAtLeastOne, duration } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { defaultDataDir, withStore } from './open-store.js';
import { flowsView, hostView, overviewView, seriesView, topView, type ViewFormat } from './query-views.js';

interface CommonFlags {
  data: string;
  range: string;
  until?: string;
  filter?: string;
  format: ViewFormat;
}

const EXAMPLES = `
Ranges (--range): 15m, 1h, 24h, 7d, all, or FROM..TO with ISO 8601 times (UTC unless a zone is
given) or epoch seconds; either side may be empty. A flow is in the range when it overlaps it.
Relative ranges end at the newest flow in the store (so a capture from the past shows its own
last hour); --until now ends them at the wall clock, --until TIME anywhere.

Examples:
  $ flowlens query overview --range 24h
  $ flowlens query overview --range 1h --top-hosts 5 --format json
  $ flowlens query top --by dst_ip --metric bytes --limit 20 --filter "tcp and not port 22"
  $ flowlens query top --by host --range 2024-05-01T00:00:00Z..2024-05-02T00:00:00Z
  $ flowlens query series --range 7d --split-by application --top-k 5
  $ flowlens query flows --filter "dst port 443 and bytes > 1M" --sort bytes --limit 50
  $ flowlens query flows --after <cursor printed by the previous page>
  $ flowlens query host 10.0.0.5 --range all
  $ flowlens query export --filter "host 10.0.0.5" --format ndjson > flows.ndjson

Exit codes: 0 done, 1 unexpected failure, 2 bad usage, bad filter, or no store in --data.`;

function addCommon(command: Command, formats: readonly string[] = ['table', 'json', 'csv']): Command {
  return command
    .option('--data <dir>', 'data directory of the store (default: $FLOWLENS_DATA or ./data)')
    .option('-r, --range <range>', 'time range: 1h, 24h, 7d, all, FROM..TO', '24h')
    .option(
      '--until <time>',
      'end of relative ranges: ISO 8601, epoch seconds, or now (default: newest flow)',
    )
    .option('-F, --filter <expr>', 'flow filter, e.g. "tcp and dst port 443" (docs/filter-language.md)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default(formats[0]))
    .addHelpText('after', EXAMPLES);
}

/** Resolves flags to a range; a filter syntax error becomes a usage error with a caret. */
async function prepare(store: FlowStore, flags: CommonFlags): Promise<ResolvedRange> {
  const until =
    flags.until === undefined ? undefined : flags.until === 'now' ? 'now' : parseTime(flags.until);
  return resolveRange(store, parseRange(flags.range), { until });
}

/** Rewrites a FilterSyntaxError as the one-line message, the filter, and a caret under the column. */
function withFilterCaret(error: unknown, filter: string | undefined): unknown {
  if (!(error instanceof FilterSyntaxError) || filter === undefined) return error;
  const caret = `${' '.repeat(Math.max(0, error.column - 1))}^`;
  return new FlowlensError(ERR.USAGE, `bad filter: ${error.message}\n  ${filter}\n  ${caret}`, 2);
}

/** Opens the store, runs `body`, and writes what it returns to stdout. */
async function run(flags: CommonFlags, body: (store: FlowStore, range: ResolvedRange) => Promise<string>) {
  const out = createOutputStream();
  try {
    const text = await withStore(flags.data ?? defaultDataDir(), async (store) =>
      body(store, await prepare(store, flags)),
    );
    out.write(text);
  } catch (error) {
    throw withFilterCaret(error, flags.filter);
  } finally {
    await out.end();
  }
}

function topHostsCount(value: string): number {
  const n = countAtLeastOne(value);
  if (n > MAX_TOP_HOSTS) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_TOP_HOSTS}`);
  return n;
}

export function registerQueryCommand(program: Command): void {
  const query = program
    .command('query')
    .description('ask the flow store: overview, top talkers, time series, flow search, host detail, export');

  addCommon(
    query
      .command('overview')
      .description('totals of a range and their change from the period before')
      .option(
        '--top-hosts <n>',
        `also the n busiest hosts of both periods, by bytes (1-${MAX_TOP_HOSTS}; table and JSON)`,
        topHostsCount,
      ),
  ).action(async (flags: CommonFlags & { topHosts?: number }) => {
    await run(flags, async (store, range) =>
      overviewView(
        await overview(store, { range, filter: flags.filter, topHosts: flags.topHosts }),
        flags.format,
      ),
    );
  });

  addCommon(
    query
      .command('top')
      .description('top values of a dimension by bytes, packets or flows')
      .addOption(new Option('--by <dimension>', 'what to rank').choices(DIMENSIONS).default('host'))
      .addOption(new Option('--metric <metric>', 'ranking metric').choices(METRICS).default('bytes'))
      .option('-n, --limit <n>', 'rows', countAtLeastOne, 10),
  ).action(async (flags: CommonFlags & { by: Dimension; metric: Metric; limit: number }) => {
    await run(flags, async (store, range) =>
      topView(
        await top(store, {
          by: flags.by,
          metric: flags.metric,
          range,
          filter: flags.filter,
          limit: flags.limit,
        }),
        flags.format,
      ),
    );
  });

  addCommon(
    query
      .command('series')
      .description('flows, packets and bytes per time bucket, optionally split by a dimension')
      .addOption(
        new Option('--metric <metric>', 'metric shown in the table and used to pick the split')
          .choices(METRICS)
          .default('bytes'),
      )
      .option('--bucket <duration>', 'bucket size (default: automatic, 100–400 buckets)', duration)
      .addOption(
        new Option('--split-by <dimension>', 'one line per top value plus "other"').choices(DIMENSIONS),
      )
      .option('--top-k <n>', 'values of --split-by shown on their own', countAtLeastOne, 5),
  ).action(
    async (flags: CommonFlags & { metric: Metric; bucket?: number; splitBy?: Dimension; topK: number }) => {
      await run(flags, async (store, range) => {
        const result = await series(store, {
          range,
          filter: flags.filter,
          bucket: flags.bucket ?? 'auto',
          splitBy: flags.splitBy,
          metric: flags.metric,
          topK: flags.topK,
        });
        return seriesView(result, flags.metric, flags.format);
      });
    },
  );

  addCommon(
    query
      .command('flows')
      .description('search flows, one page at a time')
      .addOption(new Option('--sort <field>', 'sort key').choices(SORT_FIELDS).default('first_ts'))
      .option('--asc', 'ascending (default: descending, newest or largest first)')
      .option('-n, --limit <n>', 'flows per page', countAtLeastOne, 50)
      .option('--after <cursor>', 'continue after a previous page (its "next" cursor)'),
  ).action(async (flags: CommonFlags & { sort: SortField; asc?: boolean; limit: number; after?: string }) => {
    await run(flags, async (store, range) => {
      const result = await searchFlows(store, {
        range,
        filter: flags.filter,
        sort: flags.sort,
        direction: flags.asc ? 'asc' : 'desc',
        limit: flags.limit,
        after: flags.after,
      });
      if (flags.format !== 'json' && result.next !== undefined) {
        process.stderr.write(`more flows: add --after ${result.next}\n`);
      }
      return flowsView(result, flags.format);
    });
  });

  addCommon(
    query
      .command('host')
      .description('one address: totals, peers, ports, applications, timeline')
      .argument('<ip>', 'IPv4 or IPv6 address')
      .option('-n, --limit <n>', 'rows per list', countAtLeastOne, 10),
  ).action(async (ip: string, flags: CommonFlags & { limit: number }) => {
    await run(flags, async (store, range) =>
      hostView(
        await hostDetail(store, { ip, range, filter: flags.filter, limit: flags.limit }),
        flags.format,
      ),
    );
  });

  addCommon(
    query
      .command('export')
      .description('every matching flow, streamed, oldest first')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
    EXPORT_FORMATS,
  ).action(async (flags: Omit<CommonFlags, 'format'> & { format: ExportFormat; output?: string }) => {
    await runExport(flags);
  });
}

async function runExport(flags: Omit<CommonFlags, 'format'> & { format: ExportFormat; output?: string }) {
  const common = { ...flags, format: 'table' as const };
  try {
    await withStore(flags.data ?? defaultDataDir(), async (store) => {
      const range = await prepare(store, common);
      const out: Writable = flags.output === undefined ? process.stdout : createWriteStream(flags.output);
      if (flags.output === undefined) {
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'EPIPE') process.exit(0);
        });
      }
      const { flows } = await exportFlows(store, { range, filter: flags.filter, format: flags.format }, out);
      if (flags.output !== undefined) {
        out.end();
        await once(out, 'finish');
        process.stderr.write(`${flows} flows written to ${flags.output}\n`);
      }
    });
  } catch (error) {
    throw withFilterCaret(error, flags.filter);
  }
}
