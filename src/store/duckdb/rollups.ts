/**
 * Maintenance of the rollup tables (store/rollups.ts) in DuckDB. Every function runs inside the
 * caller's transaction, next to the write it mirrors, so flows and rollups commit together.
 * Rollup rows here come from SQL over the rows just written, so they are exact by construction.
 * The live path (live-writer.ts) sums its batches' rows as it appends them instead, with the
 * same bucket arithmetic, exact integer sums and the same key values.
 */
import { type DuckDBConnection, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import {
  HOST_ROLLUP,
  HOST_SIDES,
  HOST_TOTALS,
  ROLLUP_KEY_COLUMNS,
  ROLLUP_LEVELS,
  type RollupLevel,
} from '../rollups.js';

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

/** Statements filling every time level from all of `flows` (migration 6). */
export function rebuildRollupStatements(): string[] {
  return [
    ...ROLLUP_LEVELS.map(({ table }) => `DELETE FROM ${table}`),
    ...insertStatements('flows', 'true', 'true'),
  ];
}

/** `CREATE TABLE` of the address rollup (store/rollups.ts, HOST_ROLLUP). */
export function createHostRollupTable(): string {
  return `CREATE TABLE ${HOST_ROLLUP.table} (
  bucket TIMESTAMP NOT NULL,
  ingest_id VARCHAR,
  ip VARCHAR NOT NULL,
  side UTINYINT NOT NULL,
  flows BIGINT NOT NULL,
  packets BIGINT NOT NULL,
  bytes BIGINT NOT NULL
)`;
}

/** INSERT of the address rollup rows of the flows matching `where`, one row per day, address, side. */
function insertHostRollup(where: string): string {
  const { source, destination, self } = HOST_SIDES;
  return `INSERT INTO ${HOST_ROLLUP.table}
SELECT ${bucketOf('first_ts', HOST_ROLLUP.seconds)} AS bucket, ingest_id, ip, side,
  count(*), sum(CAST(packets AS BIGINT)), sum(CAST(bytes AS BIGINT))
FROM (
  SELECT first_ts, ingest_id, src_ip AS ip, CAST(${source} AS UTINYINT) AS side, packets, bytes FROM flows WHERE ${where}
  UNION ALL
  SELECT first_ts, ingest_id, dst_ip, CAST(CASE WHEN dst_ip = src_ip THEN ${self} ELSE ${destination} END AS UTINYINT),
    packets, bytes FROM flows WHERE ${where}
) GROUP BY ALL`;
}

/** Statements filling the address rollup from all of `flows` (migration 7). */
export function rebuildHostRollupStatements(): string[] {
  return [`DELETE FROM ${HOST_ROLLUP.table}`, insertHostRollup('true')];
}

/** Every rollup from all of `flows` (stores built by SQL, such as the query bench's). */
export function rebuildAllRollupStatements(): string[] {
  return [...rebuildRollupStatements(), ...rebuildHostRollupStatements(), ...rebuildHostTotalsStatements()];
}

/** `CREATE TABLE` of the address totals (store/rollups.ts, HOST_TOTALS). */
export function createHostTotalsTable(): string {
  return `CREATE TABLE ${HOST_TOTALS.table} (
  ip VARCHAR NOT NULL,
  side UTINYINT NOT NULL,
  flows BIGINT NOT NULL,
  packets BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  compacted BOOLEAN NOT NULL
)`;
}

/** SELECT of the sums per address and side of `table`'s rows matching `where`, as totals rows. */
function totalsOf(table: string, where: string, sign: 1 | -1, compacted: boolean): string {
  const negate = sign === 1 ? '' : '-';
  return `SELECT ip, side, ${negate}sum(flows)::BIGINT, ${negate}sum(packets)::BIGINT,
  ${negate}sum(bytes)::BIGINT, ${compacted}
FROM ${table} WHERE ${where} GROUP BY ip, side`;
}

/** Statements filling the address totals from the whole address rollup (migration 8). */
export function rebuildHostTotalsStatements(): string[] {
  return [
    `DELETE FROM ${HOST_TOTALS.table}`,
    `INSERT INTO ${HOST_TOTALS.table} ${totalsOf(HOST_ROLLUP.table, 'true', 1, true)}`,
  ];
}

/**
 * Adds `sign` times the address rollup rows matching `where` to the totals: after the rollup
 * gained them (1), or before it loses them (-1).
 */
async function addToHostTotals(
  connection: DuckDBConnection,
  where: string,
  params: DuckDBValue[],
  sign: 1 | -1,
): Promise<void> {
  await connection.run(
    `INSERT INTO ${HOST_TOTALS.table} ${totalsOf(HOST_ROLLUP.table, where, sign, false)}`,
    params,
  );
}

/**
 * Merges the address totals into one row per key (dropping keys that sum to nothing) once the
 * rows added since the last merge are at least half as many as the merged ones, so a merge's
 * cost is paid for by the writes before it. Sums are unchanged; runs in the caller's transaction.
 */
async function compactHostTotals(connection: DuckDBConnection): Promise<void> {
  const { table } = HOST_TOTALS;
  const counts = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE compacted) AS merged, count(*) FILTER (WHERE NOT compacted) AS added
FROM ${table}`,
  );
  const [merged, added] = counts.getRows()[0].map(Number);
  if (added === 0 || 2 * added < merged) return;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE host_totals_compacted AS
SELECT ip, side, sum(flows)::BIGINT AS flows, sum(packets)::BIGINT AS packets, sum(bytes)::BIGINT AS bytes,
  true AS compacted
FROM ${table} GROUP BY ip, side HAVING sum(flows) <> 0 OR sum(packets) <> 0 OR sum(bytes) <> 0`,
  );
  await connection.run(`DELETE FROM ${table}`);
  await connection.run(`INSERT INTO ${table} SELECT * FROM host_totals_compacted`);
  await connection.run('DROP TABLE host_totals_compacted');
}

/**
 * compactHostTotals in a transaction of its own, run by every write path after its commit:
 * writes only append to the totals, so they never conflict with each other, while two merges at
 * once would (DuckDB refuses the second delete of a row). A merge that fails is rolled back and
 * left to the next write; sums are exact either way.
 */
export async function compactHostTotalsAfterWrite(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run('BEGIN TRANSACTION');
    await compactHostTotals(connection);
    await connection.run('COMMIT');
  } catch {
    await connection.run('ROLLBACK').catch(() => undefined);
  }
}

/**
 * The live path's address rollup rows pile up per batch (one row per batch, day, address and
 * side); this merges the live rows (NULL ingest_id) of buckets from `since` on into one row per
 * key. Sums are unchanged, so answers are too; run in a transaction of its own.
 */
export async function compactLiveHostRollup(connection: DuckDBConnection, since: DuckDBValue): Promise<void> {
  const { table } = HOST_ROLLUP;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE host_rollup_compacted AS
SELECT bucket, ingest_id, ip, side, sum(flows)::BIGINT AS flows, sum(packets)::BIGINT AS packets,
  sum(bytes)::BIGINT AS bytes
FROM ${table} WHERE ingest_id IS NULL AND bucket >= ? GROUP BY ALL`,
    [since],
  );
  await connection.run(`DELETE FROM ${table} WHERE ingest_id IS NULL AND bucket >= ?`, [since]);
  await connection.run(`INSERT INTO ${table} SELECT * FROM host_rollup_compacted`);
  await connection.run('DROP TABLE host_rollup_compacted');
}

/** Adds the rollups of one ingest's flows (already appended in this transaction). */
export async function addIngestRollups(connection: DuckDBConnection, ingestId: string): Promise<void> {
  for (const statement of insertStatements('flows', 'ingest_id = ?', 'ingest_id = ?')) {
    await connection.run(statement, [ingestId]);
  }
  await connection.run(insertHostRollup('ingest_id = ?'), [ingestId, ingestId]);
  await addToHostTotals(connection, 'ingest_id = ?', [ingestId], 1);
}

/** Removes the rollups of an ingest whose flows are being deleted. */
export async function deleteIngestRollups(connection: DuckDBConnection, ingestId: string): Promise<void> {
  await addToHostTotals(connection, 'ingest_id = ?', [ingestId], -1);
  for (const { table } of [...ROLLUP_LEVELS, HOST_ROLLUP]) {
    await connection.run(`DELETE FROM ${table} WHERE ingest_id = ?`, [ingestId]);
  }
}

/** `micros` rounded up to a whole bucket of `seconds`, as a TIMESTAMP. */
function bucketAfter(micros: bigint, seconds: number): DuckDBTimestampValue {
  const step = BigInt(seconds) * 1_000_000n;
  return new DuckDBTimestampValue(((micros + step - 1n) / step) * step);
}

/**
 * After flows whose `last_ts` is before `cutoffMicros` were deleted: rebuilds, from the flows
 * left there, every rollup bucket before the first whole bucket at or after the cutoff (rollups
 * go by `first_ts`, so older buckets may keep long flows). The time levels rebuild up to a whole
 * hour, the address rollup up to a whole day.
 */
export async function rebuildRollupsBefore(
  connection: DuckDBConnection,
  cutoffMicros: bigint,
): Promise<void> {
  const hostUntil = bucketAfter(cutoffMicros, HOST_ROLLUP.seconds);
  await addToHostTotals(connection, 'bucket < ?', [hostUntil], -1);
  await connection.run(`DELETE FROM ${HOST_ROLLUP.table} WHERE bucket < ?`, [hostUntil]);
  await connection.run(insertHostRollup('first_ts < ?'), [hostUntil, hostUntil]);
  await addToHostTotals(connection, 'bucket < ?', [hostUntil], 1);

  const until = bucketAfter(cutoffMicros, ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1].seconds);
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
