/**
 * Maintenance of the rollup tables (store/rollups.ts) in DuckDB. Every function runs inside the
 * caller's transaction, next to the write it mirrors, so flows and rollups commit together.
 * Rollup rows here come from SQL over the rows just written, so they are exact by construction.
 * The live path (live-writer.ts) sums its batches' rows as it appends them instead, with the
 * same bucket arithmetic, exact integer sums and the same key values.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { ROLLUP_KEY_COLUMNS, ROLLUP_LEVELS, type RollupLevel } from '../rollups.js';

const KEYS = ROLLUP_KEY_COLUMNS.join(', ');

function bucketOf(column: string, seconds: number): string {
  const us = seconds * 1_000_000;
  return `make_timestamp((epoch_us(${column}) // ${us}) * ${us})`;
}

/** `CREATE TABLE` of each level, key columns typed as in `flows` (`flowColumns`: name, type). */
export function createRollupTables(flowColumns: readonly (readonly [string, string])[]): string[] {
  const types = new Map(flowColumns);
  const keys = ROLLUP_KEY_COLUMNS.map((c) => `  ${c} ${types.get(c)}`).join(',\n');
  return ROLLUP_LEVELS.map(
    ({ table }) => `CREATE TABLE ${table} (
  bucket TIMESTAMP NOT NULL,
${keys},
  flows BIGINT NOT NULL,
  packets BIGINT NOT NULL,
  bytes BIGINT NOT NULL
)`,
  );
}

/**
 * INSERTs aggregating the rows of `source` (a table with the flows columns) matching `rawWhere`
 * into the finest level, then each coarser level from the one below it, over its rows matching
 * `rollupWhere` (which must select exactly the rows the first statement added).
 */
function insertStatements(source: string, rawWhere: string, rollupWhere: string): string[] {
  const [finest, ...coarser] = ROLLUP_LEVELS;
  const statements = [
    `INSERT INTO ${finest.table}
SELECT ${bucketOf('first_ts', finest.seconds)} AS bucket, ${KEYS},
  count(*), sum(CAST(packets AS BIGINT)), sum(CAST(bytes AS BIGINT))
FROM ${source} WHERE ${rawWhere} GROUP BY ALL`,
  ];
  let below: RollupLevel = finest;
  for (const level of coarser) {
    statements.push(`INSERT INTO ${level.table}
SELECT ${bucketOf('bucket', level.seconds)} AS bucket, ${KEYS}, sum(flows), sum(packets), sum(bytes)
FROM ${below.table} WHERE ${rollupWhere} GROUP BY ALL`);
    below = level;
  }
  return statements;
}

/** Statements filling every level from all of `flows` (migration 6, and bench stores built by SQL). */
export function rebuildRollupStatements(): string[] {
  return [
    ...ROLLUP_LEVELS.map(({ table }) => `DELETE FROM ${table}`),
    ...insertStatements('flows', 'true', 'true'),
  ];
}

/** Adds the rollups of one ingest's flows (already appended in this transaction). */
export async function addIngestRollups(connection: DuckDBConnection, ingestId: string): Promise<void> {
  for (const statement of insertStatements('flows', 'ingest_id = ?', 'ingest_id = ?')) {
    await connection.run(statement, [ingestId]);
  }
}

/** Removes the rollups of an ingest whose flows are being deleted. */
export async function deleteIngestRollups(connection: DuckDBConnection, ingestId: string): Promise<void> {
  for (const { table } of ROLLUP_LEVELS) {
    await connection.run(`DELETE FROM ${table} WHERE ingest_id = ?`, [ingestId]);
  }
}

/**
 * After flows older than a cutoff were deleted: rebuilds every bucket before `until` (a
 * TIMESTAMP at or after the cutoff, aligned to the coarsest level) from the flows left there.
 */
export async function rebuildRollupsBefore(connection: DuckDBConnection, until: DuckDBValue): Promise<void> {
  for (const { table } of ROLLUP_LEVELS) {
    await connection.run(`DELETE FROM ${table} WHERE bucket < ?`, [until]);
  }
  const [finest, ...coarser] = ROLLUP_LEVELS;
  await connection.run(
    `INSERT INTO ${finest.table}
SELECT ${bucketOf('first_ts', finest.seconds)} AS bucket, ${KEYS},
  count(*), sum(CAST(packets AS BIGINT)), sum(CAST(bytes AS BIGINT))
FROM flows WHERE first_ts < ? GROUP BY ALL`,
    [until],
  );
  let below: RollupLevel = finest;
  for (const level of coarser) {
    await connection.run(
      `INSERT INTO ${level.table}
SELECT ${bucketOf('bucket', level.seconds)} AS bucket, ${KEYS}, sum(flows), sum(packets), sum(bytes)
FROM ${below.table} WHERE bucket < ? GROUP BY ALL`,
      [until],
    );
    below = level;
  }
}

/** Seconds of the coarsest level: retention rebuilds whole buckets of it. */
export const COARSEST_ROLLUP_SECONDS = ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1].seconds;
