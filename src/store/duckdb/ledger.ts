/**
 * The `ingests` table: reads, the abort mark, and start-up recovery of ingests a killed process
 * left 'running'. Recovery runs before anything else may write, so a 'running' row found then
 * always belongs to a dead process (DuckDB's file lock keeps out a live one).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IngestRecord, IngestStatus, SourceKind } from '../store.js';
import { deleteIngestRollups } from './rollups.js';
import { nowTimestamp, STORE_VALUE_CONVERTER } from './values.js';

const INGEST_SELECT = `SELECT id, file, file_sha256, size_bytes, source_kind, status, started_at, finished_at,
  flows, packets, bytes, error FROM ingests`;

export const KILLED_REASON = 'killed: rolled back at start-up';

export async function ingestById(
  connection: DuckDBConnection,
  id: string,
): Promise<IngestRecord | undefined> {
  return (await selectIngests(connection, `${INGEST_SELECT} WHERE id = ?`, [id]))[0];
}

export async function completeIngestBySha256(
  connection: DuckDBConnection,
  sha256: string,
): Promise<IngestRecord | undefined> {
  return (await selectIngests(connection, `${INGEST_SELECT} WHERE sha256 = ?`, [sha256]))[0];
}

export async function allIngests(connection: DuckDBConnection): Promise<IngestRecord[]> {
  return selectIngests(connection, `${INGEST_SELECT} ORDER BY started_at DESC, id`, []);
}

export async function markAborted(connection: DuckDBConnection, id: string, reason: string): Promise<void> {
  await connection.run(`UPDATE ingests SET status = 'aborted', finished_at = ?, error = ? WHERE id = ?`, [
    nowTimestamp(),
    reason,
    id,
  ]);
}

/** Rolls back every 'running' ingest: deletes any flows it has, marks it 'aborted'. */
export async function recoverRunningIngests(connection: DuckDBConnection): Promise<IngestRecord[]> {
  const running = await selectIngests(connection, `${INGEST_SELECT} WHERE status = 'running'`, []);
  const recovered: IngestRecord[] = [];
  for (const ingest of running) {
    // The ingest's transaction never committed, so this finds nothing unless an older version
    // of the store committed flows early; it keeps "in or out" true either way.
    await connection.run('DELETE FROM flows WHERE ingest_id = ?', [ingest.id]);
    await deleteIngestRollups(connection, ingest.id);
    await markAborted(connection, ingest.id, KILLED_REASON);
    const record = await ingestById(connection, ingest.id);
    if (record) recovered.push(record);
  }
  return recovered;
}

async function selectIngests(
  connection: DuckDBConnection,
  sql: string,
  params: string[],
): Promise<IngestRecord[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.convertRowObjects(STORE_VALUE_CONVERTER).map((row) => ({
    id: String(row.id),
    file: String(row.file),
    sha256: String(row.file_sha256),
    sizeBytes: Number(row.size_bytes),
    sourceKind: row.source_kind as SourceKind,
    status: row.status as IngestStatus,
    startedAt: Number(row.started_at),
    ...(row.finished_at === null ? {} : { finishedAt: Number(row.finished_at) }),
    flows: Number(row.flows),
    packets: Number(row.packets),
    bytes: Number(row.bytes),
    ...(row.error === null ? {} : { error: String(row.error) }),
  }));
}
