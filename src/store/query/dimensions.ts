/**
 * The dimensions a query may group by, and the only column names that grouping puts into SQL.
 *
 * One-sided dimensions read one column. Two-sided ones (`host`, `country`, `asn`) count a flow
 * once for each distinct endpoint value: a flow from A to B counts for A and for B, a flow from
 * A to A once. Their rows therefore add up to more than the total. Flows whose value is NULL
 * (no enrichment, no SNI…) are left out of top lists and fall into "other" in split series.
 */
import { ident, type Sql, sql } from './sql.js';

export const DIMENSIONS = [
  'src_ip',
  'dst_ip',
  'host',
  'src_port',
  'dst_port',
  'protocol',
  'application',
  'sni',
  'country',
  'asn',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const METRICS = ['bytes', 'packets', 'flows'] as const;
export type Metric = (typeof METRICS)[number];

interface DimensionSpec {
  /** One column, or [src column, dst column] for two-sided dimensions. */
  columns: readonly [string] | readonly [string, string];
  nullable: boolean;
}

const SPECS: Record<Dimension, DimensionSpec> = {
  src_ip: { columns: ['src_ip'], nullable: false },
  dst_ip: { columns: ['dst_ip'], nullable: false },
  host: { columns: ['src_ip', 'dst_ip'], nullable: false },
  src_port: { columns: ['src_port'], nullable: false },
  dst_port: { columns: ['dst_port'], nullable: false },
  protocol: { columns: ['protocol'], nullable: false },
  application: { columns: ['application'], nullable: true },
  sni: { columns: ['sni'], nullable: true },
  country: { columns: ['src_country', 'dst_country'], nullable: true },
  asn: { columns: ['src_asn', 'dst_asn'], nullable: true },
};

export function isDimension(value: string): value is Dimension {
  return (DIMENSIONS as readonly string[]).includes(value);
}

/** The `flows` columns a dimension reads. */
export function dimensionColumns(dimension: Dimension): readonly string[] {
  return SPECS[dimension].columns;
}

export function isMetric(value: string): value is Metric {
  return (METRICS as readonly string[]).includes(value);
}

/**
 * Counters read as BIGINT: DuckDB 1.5 sums BIGINT about twice as fast as the UBIGINT columns
 * (bench/query-bench.mjs); a counter past 2^63 fails the cast loudly rather than wrapping.
 */
export const COUNTERS = 'CAST(packets AS BIGINT) AS packets, CAST(bytes AS BIGINT) AS bytes';
/** flows, packets and bytes over rows of `flows`. */
export const SUMS =
  'count(*) AS flows, sum(CAST(packets AS BIGINT)) AS packets, sum(CAST(bytes AS BIGINT)) AS bytes';

/** The aggregate expression of a metric over rows with `packets` and `bytes` columns. */
export function metricAggregate(metric: Metric): Sql {
  return ident(metric === 'flows' ? 'count(*)' : `sum(CAST(${metric} AS BIGINT))`);
}

/**
 * Rows `(key, <extra columns>)` for the flows matching `where`, one per flow and side as the
 * file header describes. `extra` is a select list over `flows` (e.g. `packets, bytes`), or over
 * `table` when given (a relation with the flows' columns, such as rollup-source.ts builds).
 */
export function dimensionRows(dimension: Dimension, where: Sql, extra: Sql, table = 'flows'): Sql {
  const spec = SPECS[dimension];
  const [first, second] = spec.columns;
  const notNull = (column: string) => ident(spec.nullable ? ` AND ${column} IS NOT NULL` : '');
  const from = ident(table);
  const firstRows = sql`SELECT ${ident(first)} AS key, ${extra} FROM ${from} WHERE ${where}${notNull(first)}`;
  if (second === undefined) return firstRows;
  return sql`${firstRows} UNION ALL SELECT ${ident(second)} AS key, ${extra} FROM ${from} WHERE ${where}${notNull(second)} AND ${ident(second)} IS DISTINCT FROM ${ident(first)}`;
}

/**
 * Like `dimensionRows` but keeps NULL keys, for splits where they belong to "other". A flow with
 * NULL on both sides of a two-sided dimension appears once, with a NULL key.
 */
export function dimensionRowsWithNulls(dimension: Dimension, where: Sql, extra: Sql, table = 'flows'): Sql {
  const spec = SPECS[dimension];
  const [first, second] = spec.columns;
  const from = ident(table);
  const firstRows = sql`SELECT ${ident(first)} AS key, ${extra} FROM ${from} WHERE ${where}`;
  if (second === undefined) return firstRows;
  return sql`${firstRows} UNION ALL SELECT ${ident(second)} AS key, ${extra} FROM ${from} WHERE ${where} AND ${ident(second)} IS DISTINCT FROM ${ident(first)}`;
}
