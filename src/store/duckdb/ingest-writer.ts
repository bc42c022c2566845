/**
 * One file's ingest as one DuckDB transaction. The ledger row is committed first as 'running'
 * (so a killed process leaves a trace); the flows then go through an appender on a connection
 * holding an open transaction, and commit flips the row to 'complete' in that same transaction.
 * Measured choice: DuckDB appenders write inside an explicit transaction, other connections do
 * not see the rows, and a SIGKILL before COMMIT leaves none of them after restart (uncommitted
 * row groups written early are reclaimed). Recovery at start-up only has to mark the row. The
 * ingest's rollups (rollups.ts) are added by SQL over its flows inside the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { IngestRecord, IngestSource, IngestTotals, IngestWriter, StoredFlow } from '../store.js';
import { createFlowAppender, type FlowAppender } from './flow-appender.js';
import { ingestById, markAborted } from './ledger.js';
import { addIngestRollups, compactHostTotalsAfterWrite, deleteIngestRollups } from './rollups.js';
import { nowTimestamp } from './values.js';

/** Rows handed to DuckDB's appender between flushes; bounds the appender's own buffer. */
const FLUSH_ROWS = 122_880;

export async function openIngest(
  instance: DuckDBInstance,
  ledger: DuckDBConnection,
  source: IngestSource,
  onClose: () => void,
): Promise<IngestWriter> {
  const id = randomUUID();
  await ledger.run(
    `INSERT INTO ingests (id, file, file_sha256, sha256, size_bytes, source_kind, status, started_at)
     VALUES (?, ?, ?, NULL, ?, ?, 'running', ?)`,
    [id, source.file, source.sha256, source.sizeBytes, source.sourceKind, nowTimestamp()],
  );
  const connection = await instance.connect();
  let appender: FlowAppender;
  try {
    await connection.run('BEGIN TRANSACTION');
    appender = createFlowAppender(await connection.createAppender('flows'));
  } catch (error) {
    connection.closeSync();
    await markAborted(ledger, id, errorText(error));
    onClose();
    throw storeError(error);
  }
  let closed = false;
  let sinceFlush = 0;

  const finish = () => {
    closed = true;
    connection.closeSync();
    onClose();
  };
  const ensureOpen = () => {
    if (closed) throw new Error(`ingest ${id} is already closed`);
  };

  return {
    id,
    async write(batch: readonly StoredFlow[]) {
      ensureOpen();
      appender.append(batch, id);
      sinceFlush += batch.length;
      if (sinceFlush >= FLUSH_ROWS) {
        appender.flush();
        sinceFlush = 0;
      }
    },
    async commit(totals: IngestTotals): Promise<IngestRecord> {
      ensureOpen();
      try {
        appender.close();
        // Rollups of these flows, in their transaction: both commit or neither.
        await addIngestRollups(connection, id);
        if (source.replace) {
          const old = await connection.runAndReadAll('SELECT id FROM ingests WHERE sha256 = ?', [
            source.sha256,
          ]);
          for (const row of old.getRowObjects()) {
            await connection.run('DELETE FROM flows WHERE ingest_id = ?', [row.id]);
            await deleteIngestRollups(connection, row.id as string);
            await connection.run('DELETE FROM alerts WHERE ingest_id = ?', [row.id]);
            await connection.run('DELETE FROM ingests WHERE id = ?', [row.id]);
          }
        }
        await connection.run(
          `UPDATE ingests SET status = 'complete', sha256 = ?, finished_at = ?,
             flows = ?, packets = ?, bytes = ? WHERE id = ?`,
          [source.sha256, nowTimestamp(), appender.rowsAppended, totals.packets, totals.bytes, id],
        );
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        finish();
        await markAborted(ledger, id, errorText(error));
        throw storeError(error);
      }
      await compactHostTotalsAfterWrite(connection);
      finish();
      const record = await ingestById(ledger, id);
      if (!record) throw new FlowlensError(ERR.STORE, `ingest ${id} vanished on commit`);
      return record;
    },
    async abort(reason: string) {
      if (closed) return;
      // Buffered rows are dropped first: closing an appender flushes, and after ROLLBACK that
      // flush would commit them on its own.
      try {
        appender.discard();
      } finally {
        await connection.run('ROLLBACK').catch(() => undefined);
        finish();
        await markAborted(ledger, id, reason);
      }
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function storeError(error: unknown): FlowlensError {
  if (error instanceof FlowlensError) return error;
  return new FlowlensError(ERR.STORE, `store write failed: ${errorText(error)}`);
}
