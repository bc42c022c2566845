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
