/**
 * Time series: flows, packets and bytes per time bucket, optionally split by a dimension into
 * its top K values plus "other".
 *
 * Attribution: a flow counts whole in the bucket where it starts, or in the first bucket when it
 * started before the range. So the buckets of a series add up exactly to the range's totals
 * (those of `overview`), and a long flow shows as a spike at its start; interim records
 * (`--active-timeout`, default 30 min) spread long-lived flows out. Buckets are aligned to
 * multiples of their size since the epoch (UTC) and returned densely, empty ones as zeros.
 */
import type { FlowStore, StoreParam } from '../store.js';
import {
  COUNTERS,
  type Dimension,
  dimensionColumns,
  dimensionRowsWithNulls,
  isDimension,
  isMetric,
  type Metric,
  SUMS,
} from './dimensions.js';
import { usage } from './errors.js';
import type { TimeRange } from './range.js';
import type { FilterInput } from './selection.js';
import { ident, join, type Sql, sql, timestamp } from './sql.js';
import { checkLimit, type FlowSource, flowSource, topKeys } from './top.js';
import { key, num } from './values.js';

/** Automatic bucket sizes, in seconds. */
export const BUCKET_SIZES = [1, 10, 60, 300, 900, 3600, 21_600, 86_400] as const;
/** The automatic size is the smallest giving at most this many buckets (1 h → 10 s, 24 h → 5 min, 7 d → 1 h). */
export const MAX_AUTO_BUCKETS = 400;
/** An explicit bucket size may not give more buckets than this. */
export const MAX_BUCKETS = 100_000;

export interface SeriesOptions {
  range: TimeRange;
  filter?: FilterInput;
  /** Bucket size in seconds, or 'auto' (default). */
  bucket?: number | 'auto';
  splitBy?: Dimension;
  /** Metric that picks the split's top K (default bytes). */
  metric?: Metric;
  /** Values of `splitBy` shown on their own, 1–50; default 5. */
  topK?: number;
  /** Answer from the time rollups when they fit (default); false reads raw flows only. */
  rollups?: boolean;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

export interface SeriesLine {
  /** 'total' without a split; else the dimension value, or 'other' for everything else. */
  kind: 'total' | 'value' | 'other';
  /** The dimension value for kind 'value', else null. */
  key: string | number | null;
  /** One number per bucket, aligned with SeriesResult.buckets. */
  flows: number[];
  packets: number[];
  bytes: number[];
}

export interface SeriesResult {
  range: TimeRange;
  /** Bucket size in seconds. */
  bucket: number;
  /** Start of each bucket, seconds since the epoch. */
  buckets: number[];
  splitBy?: Dimension;
  series: SeriesLine[];
}

/**
 * The automatic bucket size for a range: the smallest of BUCKET_SIZES giving at most
 * MAX_AUTO_BUCKETS buckets; past 400 days, a whole number of days.
 */
export function autoBucket(range: TimeRange): number {
  const span = range.to - range.from;
  const fits = BUCKET_SIZES.find((size) => span / size <= MAX_AUTO_BUCKETS);
  return fits ?? 86_400 * Math.ceil(span / 86_400 / MAX_AUTO_BUCKETS);
}

export async function series(store: FlowStore, options: SeriesOptions): Promise<SeriesResult> {
  if (options.splitBy !== undefined && !isDimension(options.splitBy)) {
    throw usage(`unknown dimension "${options.splitBy}"`);
  }
  const columns = options.splitBy === undefined ? [] : dimensionColumns(options.splitBy);
  return seriesFrom(store, options, (bucket) =>
    flowSource(options.range, options.filter, columns, options.rollups, bucket),
  );
}

/** `series` over an explicit WHERE condition on raw flows (host detail adds its own). */
export async function seriesWhere(
  store: FlowStore,
  options: SeriesOptions,
  where: Sql,
): Promise<SeriesResult> {
  return seriesFrom(store, options, () => ({ where }));
}

async function seriesFrom(
  store: FlowStore,
  options: SeriesOptions,
  sourceFor: (bucket: number) => FlowSource,
): Promise<SeriesResult> {
  const { range, signal } = options;
  const bucket =
    options.bucket === undefined || options.bucket === 'auto' ? autoBucket(range) : options.bucket;
  if (!(bucket > 0) || !Number.isInteger(bucket * 1e6))
    throw usage(`bucket must be a positive number of seconds, got ${bucket}`);
  const firstIndex = Math.floor(range.from / bucket);
  const count = Math.ceil(range.to / bucket) - firstIndex;
  if (count > MAX_BUCKETS)
    throw usage(`bucket ${bucket}s gives ${count} buckets over this range (at most ${MAX_BUCKETS})`);
  const buckets = Array.from({ length: count }, (_, i) => (firstIndex + i) * bucket);
  const bucketUs = Math.round(bucket * 1e6);
  const source = sourceFor(bucket);
  // Raw flows start at first_ts; a rollup relation's rows at t (rollup-source.ts).
  const rolled = source.relation !== undefined;
  const bucketExpr = sql`epoch_us(greatest(${ident(rolled ? 't' : 'first_ts')}, ${timestamp(range.from)})) // ${bucketUs}`;
  const withRelation = rolled ? sql`WITH r AS (${source.relation}) ` : ident('');

  if (options.splitBy === undefined) {
    const statement = rolled
      ? sql`${withRelation}SELECT ${bucketExpr} AS b, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM r GROUP BY b`
      : sql`SELECT ${bucketExpr} AS b, ${ident(SUMS)}
FROM flows WHERE ${source.where} GROUP BY b`;
    const line = emptyLine('total', null, count);
    for (const row of await store.query(statement.text, statement.params, { signal })) {
      add(line, num(row.b) - firstIndex, row);
    }
    return { range, bucket, buckets, series: [line] };
  }

  const splitBy = options.splitBy;
  const metric = options.metric ?? 'bytes';
  if (!isDimension(splitBy)) throw usage(`unknown dimension "${splitBy}"`);
  if (!isMetric(metric)) throw usage(`unknown metric "${metric}"`);
  const topK = checkLimit(options.topK, 5);
  if (topK > 50) throw usage(`top K must be at most 50, got ${topK}`);
  const keys = (await topKeys(store, splitBy, metric, source, topK, signal)).map((row) => row.key);
  const inTop =
    keys.length === 0
      ? ident('NULL')
      : sql`CASE WHEN key IN (${join(
          keys.map((k) => sql`${k as StoreParam}`),
          ', ',
        )}) THEN key END`;
  const statement = rolled
    ? sql`${withRelation}SELECT b, ${inTop} AS k, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${dimensionRowsWithNulls(splitBy, ident('true'), sql`flows, packets, bytes, ${bucketExpr} AS b`, 'r')}) GROUP BY ALL`
    : sql`SELECT b, ${inTop} AS k, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${dimensionRowsWithNulls(splitBy, source.where, sql`${ident(COUNTERS)}, ${bucketExpr} AS b`)}) GROUP BY ALL`;
  const lines = new Map<string | number, SeriesLine>(keys.map((k) => [k, emptyLine('value', k, count)]));
  const other = emptyLine('other', null, count);
  for (const row of await store.query(statement.text, statement.params, { signal })) {
    const k = key(row.k);
    add((k === null ? undefined : lines.get(k)) ?? other, num(row.b) - firstIndex, row);
  }
  const result = [...lines.values()];
  if (other.flows.some((n) => n > 0)) result.push(other);
  return { range, bucket, buckets, splitBy, series: result };
}

function emptyLine(kind: SeriesLine['kind'], k: string | number | null, count: number): SeriesLine {
  return {
    kind,
    key: k,
    flows: new Array<number>(count).fill(0),
    packets: new Array<number>(count).fill(0),
    bytes: new Array<number>(count).fill(0),
  };
}

function add(line: SeriesLine, index: number, row: Record<string, unknown>): void {
  if (index < 0 || index >= line.flows.length) return;
  line.flows[index] += num(row.flows as number);
  line.packets[index] += num(row.packets as number);
  line.bytes[index] += num(row.bytes as number);
}
