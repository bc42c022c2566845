/**
 * Time rollups of `flows` (as Akvorado keeps them): per 1 min, 5 min and 1 h bucket of
 * `first_ts`, the flows, packets and bytes of every combination of a few low-cardinality
 * columns. The store keeps them equal to an aggregation of `flows` at every commit (ingest,
 * live writes, `--force` replacement, recovery, retention); the query layer answers from them
 * when a range covers whole buckets and every column a query reads is a rollup column.
 *
 * Contract for a rollup table: `bucket` is `first_ts` rounded down to a multiple of `seconds`
 * since the epoch; the key columns hold the flows' values (NULL included); rows are additive
 * (several rows may share a bucket and key, e.g. one per ingest): answers always sum them.
 */

export interface RollupLevel {
  table: 'flows_1m' | 'flows_5m' | 'flows_1h';
  seconds: number;
}

/** Finest first; each size divides the next. */
export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { table: 'flows_1m', seconds: 60 },
  { table: 'flows_5m', seconds: 300 },
  { table: 'flows_1h', seconds: 3600 },
];

/**
 * Columns of `flows` kept in every rollup, besides `bucket` and the three counters. Changing
 * this list needs a migration that recreates and refills the tables (as migration 6 built them).
 */
export const ROLLUP_KEY_COLUMNS = [
  'ingest_id',
  'protocol',
  'ip_version',
  'dst_port',
  'source_kind',
  'application',
  'src_country',
  'dst_country',
  'src_asn',
  'dst_asn',
] as const;

export type RollupKeyColumn = (typeof ROLLUP_KEY_COLUMNS)[number];

export function isRollupColumn(column: string): column is RollupKeyColumn {
  return (ROLLUP_KEY_COLUMNS as readonly string[]).includes(column);
}

/**
 * The address rollup: per day of `first_ts`, per address and side, the flows, packets and bytes.
 * It answers unfiltered top-N by `src_ip`, `dst_ip` and `host` over long ranges, which the time
 * rollups cannot (an address per hour keeps nearly every flow as its own row).
 *
 * Contract: `bucket` as in the time rollups (`seconds` = one day); `ip` is the `src_ip` or
 * `dst_ip` text of `flows`; `side` says which (HOST_SIDES); `ingest_id` as in `flows`. Every flow
 * adds one `source` row for its source and one `destination` or `self` row for its destination
 * (`self` when both texts are equal). Rows are additive, as in the time rollups.
 */
export const HOST_ROLLUP = { table: 'flows_hosts_1d', seconds: 86_400 } as const;

/**
 * The address totals: the address rollup summed over all its days, so that a range covering
 * most of the stored days reads one row per address and side (plus the days it leaves out,
 * subtracted) instead of one per day.
 *
 * Contract: for every `ip` and `side`, the sum of its rows equals the sum of its address rollup
 * rows over every bucket, at every commit. Rows are additive and may be negative (a deleted
 * ingest or a rebuilt day is subtracted); writes only append. `compacted` marks the rows of the
 * last merge (one per key that has flows); the others are changes since, merged after a write
 * once they reach half as many.
 */
export const HOST_TOTALS = { table: 'flows_hosts_total' } as const;

/** Values of the address rollup's `side` column. */
export const HOST_SIDES = { source: 0, destination: 1, self: 2 } as const;

/**
 * The sides each address dimension sums: `host` counts a flow once per distinct endpoint, so a
 * flow from A to A counts for A once (its `source` row).
 */
export const HOST_DIMENSION_SIDES = {
  src_ip: [HOST_SIDES.source],
  dst_ip: [HOST_SIDES.destination, HOST_SIDES.self],
  host: [HOST_SIDES.source, HOST_SIDES.destination],
} as const;
