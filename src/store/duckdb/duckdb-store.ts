/**
 * The flow store on embedded DuckDB: one file, `<dataDir>/flowlens.duckdb`, opened by one
 * process at a time (DuckDB's file lock; a second process gets FLOWLENS_ERR_STORE). The ledger
 * connection runs migrations, recovery, ledger updates and retention; each ingest gets its own
 * connection and transaction (ingest-writer.ts); each query or stream gets its own connection,
 * so reads never wait behind an ingest and never see its rows before commit.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBTimestampValue,
  LIST,
  VARCHAR,
} from '@duckdb/node-api';
import { ERR, FlowlensError } from '../../shared/index.js';
import type {
  FlowStore,
  IngestSource,
  IngestWriter,
  RetentionResult,
  StoredAlert,
  StoredFlow,
  StoreHealth,
  StoreParam,
  StoreQueryOptions,
  StoreRow,
  StoreStartReport,
} from '../store.js';
import { createFlowAppender, type FlowAppender } from './flow-appender.js';
import { openIngest } from './ingest-writer.js';
import { allIngests, completeIngestBySha256, recoverRunningIngests } from './ledger.js';
import { runMigrations, schemaVersion } from './migrate.js';
import { bindParams, STORE_VALUE_CONVERTER } from './values.js';

export interface DuckDbStoreConfig {
  /** Directory of the database file; created if missing. */
  dataDir: string;
  /**
   * DuckDB's buffer-pool limit, e.g. '1GB' (default: DuckDB's, 80% of RAM). Ingest memory
   * stays under it: a large uncommitted ingest spills to the database file.
   */
  memoryLimit?: string;
}

export const DATABASE_FILE = 'flowlens.duckdb';

export function createDuckDbStore(config: DuckDbStoreConfig): FlowStore {
  const path = join(config.dataDir, DATABASE_FILE);
  let instance: DuckDBInstance | undefined;
  let ledger: DuckDBConnection | undefined;
  let liveFlows: { connection: DuckDBConnection; appender: FlowAppender } | undefined;
  let activeIngest: IngestWriter | undefined;

  const opened = () => {
    if (!instance || !ledger) throw new Error('the flow store is not started');
    return { instance, ledger };
  };

  const withConnection = async <T>(run: (connection: DuckDBConnection) => Promise<T>): Promise<T> => {
    const connection = await opened().instance.connect();
    try {
      return await run(connection);
    } catch (error) {
      throw storeError('query failed', error);
    } finally {
      connection.closeSync();
    }
  };

  return {
    async start(): Promise<StoreStartReport> {
      if (instance) throw new Error('the flow store is already started');
      await mkdir(config.dataDir, { recursive: true });
      try {
        instance = await DuckDBInstance.create(
          path,
          config.memoryLimit === undefined ? undefined : { memory_limit: config.memoryLimit },
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/lock/i.test(message)) {
          throw new FlowlensError(ERR.STORE, `the store ${path} is in use by another process`, 1);
        }
        throw storeError(`cannot open the store ${path}`, error);
      }
      ledger = await instance.connect();
      const migrated = await runMigrations(ledger);
      const rolledBack = await recoverRunningIngests(ledger);
      return { migrated, rolledBack };
    },

    async stop() {
      if (!instance) return;
      try {
        if (activeIngest) await activeIngest.abort('store stopped');
        if (liveFlows) {
          liveFlows.appender.close();
          liveFlows.connection.closeSync();
        }
      } finally {
        liveFlows = undefined;
        ledger?.closeSync();
        instance.closeSync();
        instance = undefined;
        ledger = undefined;
      }
    },

    async writeFlows(batch: readonly StoredFlow[]) {
      if (!liveFlows) {
        const connection = await opened().instance.connect();
        liveFlows = { connection, appender: createFlowAppender(await connection.createAppender('flows')) };
      }
      try {
        liveFlows.appender.append(batch, null);
        liveFlows.appender.flush();
      } catch (error) {
        // Nothing of this batch was flushed; the appender is dropped with its rows.
        liveFlows.appender.discard();
        liveFlows.connection.closeSync();
        liveFlows = undefined;
        throw error instanceof RangeError ? error : storeError('writing flows failed', error);
      }
    },

    async writeAlerts(batch: readonly StoredAlert[]) {
      const connection = await opened().instance.connect();
      try {
        const appender = await connection.createAppender('alerts');
        for (const alert of batch) appendAlert(appender, alert);
        appender.closeSync();
      } catch (error) {
        throw storeError('writing alerts failed', error);
      } finally {
        connection.closeSync();
      }
    },

    async beginIngest(source: IngestSource): Promise<IngestWriter> {
      const { instance: db, ledger: led } = opened();
      if (activeIngest) throw new Error('another ingest is still open on this store');
      const existing = await completeIngestBySha256(led, source.sha256);
      if (existing && !source.replace) {
        throw new FlowlensError(
          ERR.ALREADY_INGESTED,
          `${source.file} is already in the store (ingest ${existing.id} of ${existing.file})`,
          2,
        );
      }
      const writer = await openIngest(db, led, source, () => {
        activeIngest = undefined;
      });
      activeIngest = writer;
      return writer;
    },

    findIngestBySha256: (sha256) => completeIngestBySha256(opened().ledger, sha256),
    listIngests: () => allIngests(opened().ledger),

    async applyRetention(days: number, now = new Date()): Promise<RetentionResult> {
      if (!Number.isFinite(days) || days <= 0)
        throw new RangeError(`retention must be a positive number of days`);
      const led = opened().ledger;
      const cutoff = new DuckDBTimestampValue(
        BigInt(now.getTime()) * 1000n - BigInt(Math.round(days * 86_400_000_000)),
      );
      await led.run('BEGIN TRANSACTION');
      try {
        const flows = await led.run('DELETE FROM flows WHERE last_ts < ?', [cutoff]);
        const alerts = await led.run('DELETE FROM alerts WHERE ts < ?', [cutoff]);
        await led.run('COMMIT');
        return { flowsDeleted: flows.rowsChanged, alertsDeleted: alerts.rowsChanged };
      } catch (error) {
        await led.run('ROLLBACK').catch(() => undefined);
        throw storeError('retention failed', error);
      }
    },

    async health(): Promise<StoreHealth> {
      const led = opened().ledger;
      const counts = await led.runAndReadAll(
        'SELECT (SELECT count(*) FROM flows) AS flows, (SELECT count(*) FROM alerts) AS alerts, (SELECT count(*) FROM ingests) AS ingests',
      );
      const row = counts.getRowObjects()[0];
      return {
        path,
        fileBytes: (await fileSize(path)) + (await fileSize(`${path}.wal`)),
        schemaVersion: await schemaVersion(led),
        flows: Number(row.flows),
        alerts: Number(row.alerts),
        ingests: Number(row.ingests),
      };
    },

    query<T extends StoreRow = StoreRow>(sql: string, params?: readonly StoreParam[]): Promise<T[]> {
      return withConnection(async (connection) => {
        const reader = await connection.runAndReadAll(sql, bindParams(params));
        return reader.convertRowObjects(STORE_VALUE_CONVERTER) as T[];
      });
    },

    stream<T extends StoreRow = StoreRow>(
      sql: string,
      params?: readonly StoreParam[],
      options: StoreQueryOptions = {},
    ): AsyncIterable<T[]> {
      return streamRows<T>(opened().instance, sql, params, options);
    },
  };
}

async function* streamRows<T extends StoreRow>(
  instance: DuckDBInstance,
  sql: string,
  params: readonly StoreParam[] | undefined,
  options: StoreQueryOptions,
): AsyncGenerator<T[]> {
  const batchRows = options.batchRows ?? 2048;
  const connection = await instance.connect();
  const onAbort = () => connection.interrupt();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      result = await connection.stream(sql, bindParams(params));
    } catch (error) {
      throw storeError('query failed', error);
    }
    let pending: T[] = [];
    for await (const rows of result.yieldConvertedRowObjects(STORE_VALUE_CONVERTER)) {
      options.signal?.throwIfAborted();
      for (const row of rows) pending.push(row as T);
      if (pending.length >= batchRows) {
        yield pending;
        pending = [];
      }
    }
    if (pending.length > 0) yield pending;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    connection.closeSync();
  }
}

const VARCHAR_LIST = LIST(VARCHAR);

function appendAlert(appender: DuckDBAppender, alert: StoredAlert): void {
  const text = (value: string | undefined) =>
    value === undefined ? appender.appendNull() : appender.appendVarchar(value);
  appender.appendVarchar(alert.id);
  appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(alert.ts * 1e6))));
  appender.appendVarchar(alert.type);
  appender.appendVarchar(alert.severity);
  appender.appendVarchar(alert.state);
  text(alert.srcIp);
  text(alert.dstIp);
  appender.appendVarchar(alert.summary);
  text(alert.evidence === undefined ? undefined : JSON.stringify(alert.evidence));
  appender.appendList(new DuckDBListValue(alert.mitre), VARCHAR_LIST);
  if (alert.communityIds) appender.appendList(new DuckDBListValue(alert.communityIds), VARCHAR_LIST);
  else appender.appendNull();
  text(alert.ingestId);
  appender.endRow();
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function storeError(context: string, error: unknown): FlowlensError {
  if (error instanceof FlowlensError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlowlensError(ERR.STORE, `${context}: ${message.split('\n')[0]}`);
}
