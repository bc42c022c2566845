/**
 * Top-N: the values of one dimension with the most bytes, packets or flows in a range. Rows
 * carry all three metrics; ordering is by the chosen one, then by key so ties are stable.
 */
import type { FlowStore, StoreRow } from '../store.js';
import {
  COUNTERS,
  type Dimension,
  dimensionColumns,
  dimensionRows,
  isDimension,
  isMetric,
  type Metric,
  metricAggregate,
} from './dimensions.js';
import { usage } from './errors.js';
import { hostRollupSource, isAddressDimension } from './host-rollup-source.js';
import type { TimeRange } from './range.js';
import { rollupRelation } from './rollup-source.js';
import { type FilterInput, overlaps, selection, toFilterExpr } from './selection.js';
import { ident, join, type Sql, sql } from './sql.js';
import { key, num } from './values.js';

export interface TopOptions {
  by: Dimension;
  metric?: Metric;
  range: TimeRange;
  filter?: FilterInput;
  /** Rows returned, 1–10000; default 10. */
  limit?: number;
  /** Answer from the time rollups when they fit (default); false reads raw flows only. */
  rollups?: boolean;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

export interface TopRow {
  /** The dimension's value: text for addresses, names and countries; a number for ports, protocols, ASNs. */
  key: string | number;
  flows: number;
  packets: number;
  bytes: number;
  /** `asn` only: the AS name most flows of the range carry for it (absent when none does). */
  name?: string;
}

export interface TopResult {
  by: Dimension;
  metric: Metric;
  range: TimeRange;
  rows: TopRow[];
}

export const MAX_LIMIT = 10_000;

export function checkLimit(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw usage(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${value}`);
  }
  return value;
}

/** Throws FlowlensError (usage) for an unknown dimension or metric, FilterSyntaxError for a bad filter. */
export async function top(store: FlowStore, options: TopOptions): Promise<TopResult> {
  const metric = options.metric ?? 'bytes';
  if (!isDimension(options.by)) throw usage(`unknown dimension "${options.by}"`);
  if (!isMetric(metric)) throw usage(`unknown metric "${metric}"`);
  const limit = checkLimit(options.limit, 10);
  const addressRows = await addressRollupRows(store, options);
  const rows =
    addressRows === undefined
      ? await topKeys(
          store,
          options.by,
          metric,
          flowSource(options.range, options.filter, dimensionColumns(options.by), options.rollups),
          limit,
          options.signal,
        )
      : await topOfKeyRows(store, metric, addressRows, limit, options.signal);
  if (options.by === 'asn') await nameAsns(store, rows, options.range, options.signal);
  return { by: options.by, metric, range: options.range, rows };
}

/** The address rollup's rows for an unfiltered top-N by address, when it can answer. */
async function addressRollupRows(store: FlowStore, options: TopOptions): Promise<Sql | undefined> {
  if (options.rollups === false || !isAddressDimension(options.by)) return undefined;
  if (toFilterExpr(options.filter) !== undefined) return undefined;
  return hostRollupSource(store, options.by, options.range, options.signal);
}

/**
 * The top `limit` keys of rows `(key, flows, packets, bytes)` whose counters may be negative
 * (host-rollup-source.ts): keys summing to no flows are not in the range.
 */
async function topOfKeyRows(
  store: FlowStore,
  metric: Metric,
  keyRows: Sql,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<TopRow[]> {
  const statement = sql`SELECT key, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${keyRows}) GROUP BY key HAVING sum(flows) > 0
ORDER BY sum(${ident(metric)}) DESC, key ASC LIMIT ${limit}`;
  return toTopRows(await store.query(statement.text, statement.params, { signal }));
}

/**
 * Sets `name` on ASN rows from the AS name columns of the range's raw flows (the rollups keep
 * no names): the most common name per number, either side.
 */
async function nameAsns(
  store: FlowStore,
  rows: TopRow[],
  range: TimeRange,
  signal: AbortSignal | undefined,
): Promise<void> {
  const numbers = rows.map((row) => row.key).filter((k): k is number => typeof k === 'number');
  if (numbers.length === 0) return;
  const list = join(
    numbers.map((n) => sql`${n}`),
    ', ',
  );
  const statement = sql`SELECT asn, mode(name) AS name FROM (
  SELECT src_asn AS asn, src_as_name AS name FROM flows WHERE ${overlaps(range)} AND src_asn IN (${list}) AND src_as_name IS NOT NULL
  UNION ALL
  SELECT dst_asn AS asn, dst_as_name AS name FROM flows WHERE ${overlaps(range)} AND dst_asn IN (${list}) AND dst_as_name IS NOT NULL
) GROUP BY asn`;
  const names = new Map(
    (await store.query(statement.text, statement.params, { signal })).map((r) => [
      num(r.asn),
      String(r.name),
    ]),
  );
  for (const row of rows) {
    const name = names.get(row.key as number);
    if (name !== undefined) row.name = name;
  }
}

/**
 * The flows a query reads: raw rows of `flows` matching `where`, or the rollup relation of
 * rollup-source.ts (columns of `flows` plus flows, packets, bytes and t), named `r`.
 */
export type FlowSource = { where: Sql; relation?: undefined } | { relation: Sql; where?: undefined };

/** The rollup relation when it can answer (and `rollups` is not false), else raw flows. */
export function flowSource(
  range: TimeRange,
  filter: FilterInput,
  columns: readonly string[],
  rollups: boolean | undefined,
  divides?: number,
): FlowSource {
  const expr = toFilterExpr(filter);
  const relation = rollups === false ? undefined : rollupRelation({ range, filter: expr, columns, divides });
  return relation === undefined ? { where: selection(range, expr) } : { relation };
}

/** The top `limit` rows of a dimension over a source's flows (shared with series splits). */
export async function topKeys(
  store: FlowStore,
  by: Dimension,
  metric: Metric,
  source: FlowSource,
  limit: number,
  signal?: AbortSignal,
): Promise<TopRow[]> {
  const statement =
    source.relation === undefined
      ? sql`SELECT key, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${dimensionRows(by, source.where, ident(COUNTERS))})
GROUP BY key ORDER BY ${metricAggregate(metric)} DESC, key ASC LIMIT ${limit}`
      : sql`WITH r AS (${source.relation})
SELECT key, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${dimensionRows(by, ident('true'), ident('flows, packets, bytes'), 'r')})
GROUP BY key ORDER BY sum(${ident(metric)}) DESC, key ASC LIMIT ${limit}`;
  return toTopRows(await store.query(statement.text, statement.params, { signal }));
}

function toTopRows(rows: readonly StoreRow[]): TopRow[] {
  return rows.map((row) => ({
    key: key(row.key) ?? '',
    flows: num(row.flows),
    packets: num(row.packets),
    bytes: num(row.bytes),
  }));
}
