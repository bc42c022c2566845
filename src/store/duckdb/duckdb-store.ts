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
  type DuckDBValue,
  LIST,
  VARCHAR,
} from '@duckdb/node-api';
import type { Device, InterfaceCounterRecord } from '../../model/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import type {
  AlertQuery,
  AlertSeverity,
  AlertState,
  DeviceUpdate,
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
import { ALERT_SEVERITIES } from '../store.js';
import { DEVICE_COLUMNS, deviceOfRow, updateDevice, upsertDevices } from './devices.js';
import { openIngest } from './ingest-writer.js';
import { allIngests, completeIngestBySha256, recoverRunningIngests } from './ledger.js';
import { createLiveWriter, type LiveWriter } from './live-writer.js';
import { runMigrations, schemaVersion } from './migrate.js';
import { compactHostTotalsAfterWrite, rebuildRollupsBefore } from './rollups.js';
import { bindParams, STORE_VALUE_CONVERTER } from './values.js';

export interface DuckDbStoreConfig {
  /** Directory of the database file; created if missing. */
  dataDir: string;
  /**
   * DuckDB's buffer-pool limit, e.g. '1GB' (default: DuckDB's, 80% of RAM). Ingest memory
   * stays under it: a large uncommitted ingest spills to the database file.
   */
  memoryLimit?: string;
  /** Address rollup rows the live path appends between merges (live-writer.ts; default 250,000). */
  liveHostCompactRows?: number;
}

export const DATABASE_FILE = 'flowlens.duckdb';
/** WAL size that triggers an automatic checkpoint. */
const CHECKPOINT_THRESHOLD = '128MB';

export function createDuckDbStore(config: DuckDbStoreConfig): FlowStore {
  const path = join(config.dataDir, DATABASE_FILE);
  let instance: DuckDBInstance | undefined;
  let ledger: DuckDBConnection | undefined;
  let liveWriter: Promise<LiveWriter> | undefined;
  let activeIngest: IngestWriter | undefined;
  /** FlowStore.flowsVersion: moved after each write to flows has committed or failed. */
  let flowsVersion = 0;
  const flowsChanged = () => {
    flowsVersion++;
  };

  const opened = () => {
    if (!instance || !ledger) throw new Error('the flow store is not started');
    return { instance, ledger };
  };

  const writeLiveBatch = async (batch: readonly StoredFlow[]): Promise<void> => {
    if (!liveWriter) {
      liveWriter = createLiveWriter(opened().instance, config.liveHostCompactRows);
      liveWriter.catch(() => {
        liveWriter = undefined;
      });
    }
    await (await liveWriter).write(batch);
  };
  /** The last live batch's write; the next one starts after it. */
  let liveWrites: Promise<unknown> = Promise.resolve();

  return {
    async start(): Promise<StoreStartReport> {
      if (instance) throw new Error('the flow store is already started');
      await mkdir(config.dataDir, { recursive: true });
      try {
        instance = await DuckDBInstance.create(path, {
          // Measured on live writes (bench/live-write-bench.mjs): DuckDB's default (16MB of WAL)
          // checkpoints every ~60k flows, and those checkpoints were a third of the write path's
          // CPU; at 128MB it is ~8 µs a flow instead of ~11. The cost: a longer WAL replay after
          // a crash, and up to 128MB of recent rows held in memory before a checkpoint.
          checkpoint_threshold: CHECKPOINT_THRESHOLD,
          ...(config.memoryLimit === undefined ? {} : { memory_limit: config.memoryLimit }),
        });
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
      flowsChanged();
      return { migrated, rolledBack };
    },

    async stop() {
      if (!instance) return;
      try {
        if (activeIngest) await activeIngest.abort('store stopped');
        await liveWrites;
        if (liveWriter) (await liveWriter.catch(() => undefined))?.close();
      } finally {
        liveWriter = undefined;
        ledger?.closeSync();
        instance.closeSync();
        instance = undefined;
        ledger = undefined;
      }
    },

    writeFlows(batch: readonly StoredFlow[]) {
      // One batch at a time: each is a transaction on the one live connection.
      const written = liveWrites.then(() => writeLiveBatch(batch)).finally(flowsChanged);
      liveWrites = written.catch(() => undefined);
      return written;
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

    async recordAlerts(batch: readonly StoredAlert[]) {
      const connection = await opened().instance.connect();
      let inserted = 0;
      let merged = 0;
      try {
        await connection.run('BEGIN TRANSACTION');
        const fresh: StoredAlert[] = [];
        for (const alert of batch) {
          const fingerprint = alert.fingerprint ?? alert.id;
          const lastSeen = timestampOf(alert.lastSeen ?? alert.ts);
          const updated = await connection.run(
            `UPDATE alerts SET count = count + ?, last_seen = greatest(last_seen, ?),
  severity = CASE WHEN list_position(${SEVERITY_ORDER}, severity) < list_position(${SEVERITY_ORDER}, ?) THEN ? ELSE severity END,
  score = greatest(score, ?)
WHERE fingerprint = ? AND state <> 'dismissed'`,
            [alert.count ?? 1, lastSeen, alert.severity, alert.severity, alert.score ?? 0, fingerprint].map(
              toParam,
            ),
          );
          if (updated.rowsChanged > 0) merged++;
          else fresh.push(alert);
        }
        // Repeats inside one batch merge into the first of their fingerprint.
        const byFingerprint = new Map<string, StoredAlert>();
        for (const alert of fresh) {
          const fingerprint = alert.fingerprint ?? alert.id;
          const first = byFingerprint.get(fingerprint);
          if (!first) {
            byFingerprint.set(fingerprint, { ...alert, count: alert.count ?? 1 });
            continue;
          }
          first.count = (first.count ?? 1) + (alert.count ?? 1);
          first.lastSeen = Math.max(first.lastSeen ?? first.ts, alert.lastSeen ?? alert.ts);
          merged++;
        }
        const appender = await connection.createAppender('alerts');
        for (const alert of byFingerprint.values()) appendAlert(appender, alert);
        appender.closeSync();
        inserted = byFingerprint.size;
        await connection.run('COMMIT');
        return { inserted, merged };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => {});
        throw storeError('recording alerts failed', error);
      } finally {
        connection.closeSync();
      }
    },

    async listAlerts(query: AlertQuery = {}) {
      const where: string[] = [];
      const params: StoreParam[] = [];
      if (query.state) {
        where.push('state = ?');
        params.push(query.state);
      }
      if (query.type) {
        where.push('type = ?');
        params.push(query.type);
      }
      if (query.minSeverity) {
        where.push(`list_position(${SEVERITY_ORDER}, severity) >= list_position(${SEVERITY_ORDER}, ?)`);
        params.push(query.minSeverity);
      }
      params.push(Math.max(1, Math.min(query.limit ?? 100, 10_000)));
      const rows = await this.query(
        `SELECT id, ts, type, severity, state, src_ip, dst_ip, summary, evidence::VARCHAR AS evidence, mitre,
  community_ids, ingest_id, fingerprint, score, first_seen, last_seen, count, targets, state_by, state_at
FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY last_seen DESC, id LIMIT ?`,
        params,
      );
      return rows.map(alertOfRow);
    },

    async writeInterfaceCounters(batch: readonly InterfaceCounterRecord[]) {
      const connection = await opened().instance.connect();
      try {
        const appender = await connection.createAppender('interface_counters');
        for (const c of batch) {
          appender.appendTimestamp(timestampOf(c.ts));
          appender.appendVarchar(c.exporter);
          appender.appendVarchar(c.agent);
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.subAgentId))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.sequence))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifIndex))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifType))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifSpeed))));
          appender.appendUTinyInt(c.ifDirection & 0xff);
          appender.appendUTinyInt(c.ifStatus & 0xff);
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInOctets))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInUcastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInMulticastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInBroadcastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInDiscards))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInErrors))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifInUnknownProtos))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutOctets))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutUcastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutMulticastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutBroadcastPkts))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutDiscards))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifOutErrors))));
          appender.appendUBigInt(BigInt(Math.max(0, Math.trunc(c.ifPromiscuousMode))));
          appender.endRow();
        }
        appender.closeSync();
      } catch (error) {
        throw storeError('writing interface counters failed', error);
      } finally {
        connection.closeSync();
      }
    },

    async upsertDevices(devices: readonly Device[]) {
      const connection = await opened().instance.connect();
      try {
        await upsertDevices(connection, devices);
      } catch (error) {
        throw storeError('writing devices failed', error);
      } finally {
        connection.closeSync();
      }
    },

    async listDevices(limit = 1000) {
      const rows = await this.query(
        `SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY last_seen DESC, mac LIMIT ?`,
        [Math.max(1, Math.min(limit, 100_000))],
      );
      return rows.map(deviceOfRow);
    },

    async getDevice(mac: string) {
      const rows = await this.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE mac = ?`, [
        mac.toLowerCase(),
      ]);
      return rows.length > 0 ? deviceOfRow(rows[0]) : undefined;
    },

    async updateDevice(mac: string, update: DeviceUpdate) {
      const connection = await opened().instance.connect();
      try {
        return await updateDevice(connection, mac.toLowerCase(), update);
      } catch (error) {
        throw storeError('updating the device failed', error);
      } finally {
        connection.closeSync();
      }
    },

    async setAlertState(id: string, state: AlertState, by: string, at = new Date()) {
      const connection = await opened().instance.connect();
      try {
        const result = await connection.run(
          'UPDATE alerts SET state = ?, state_by = ?, state_at = ? WHERE id = ?',
          [state, by, new DuckDBTimestampValue(BigInt(at.getTime()) * 1000n), id],
        );
        return result.rowsChanged > 0;
      } catch (error) {
        throw storeError('updating the alert failed', error);
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
      // Closed after its COMMIT, or after it failed or was aborted: either way the flows may differ.
      const writer = await openIngest(db, led, source, () => {
        activeIngest = undefined;
        flowsChanged();
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
        // Rollup buckets are by first_ts while retention goes by last_ts: the buckets up to
        // the cutoff's are rebuilt from the flows that stay.
        await rebuildRollupsBefore(led, cutoff.micros);
        await led.run('COMMIT');
        await compactHostTotalsAfterWrite(led);
        return { flowsDeleted: flows.rowsChanged, alertsDeleted: alerts.rowsChanged };
      } catch (error) {
        await led.run('ROLLBACK').catch(() => undefined);
        throw storeError('retention failed', error);
      } finally {
        flowsChanged();
      }
    },

    flowsVersion: () => flowsVersion,

    async health(): Promise<StoreHealth> {
      const led = opened().ledger;
      const counts = await led.runAndReadAll(
        `SELECT (SELECT count(*) FROM flows) AS flows, (SELECT count(*) FROM alerts) AS alerts,
          (SELECT count(*) FROM ingests) AS ingests,
          (SELECT epoch_us(min(first_ts)) FROM flows) AS oldest_us,
          (SELECT epoch_us(max(last_ts)) FROM flows) AS newest_us`,
      );
      const row = counts.getRowObjects()[0];
      const seconds = (micros: unknown) => (micros === null ? null : Number(micros) / 1e6);
      return {
        path,
        fileBytes: (await fileSize(path)) + (await fileSize(`${path}.wal`)),
        schemaVersion: await schemaVersion(led),
        flows: Number(row.flows),
        alerts: Number(row.alerts),
        ingests: Number(row.ingests),
        oldestFlowTs: seconds(row.oldest_us),
        newestFlowTs: seconds(row.newest_us),
      };
    },

    async query<T extends StoreRow = StoreRow>(
      sql: string,
      params?: readonly StoreParam[],
      options: Pick<StoreQueryOptions, 'signal'> = {},
    ): Promise<T[]> {
      const { signal } = options;
      signal?.throwIfAborted();
      const connection = await opened().instance.connect();
      const onAbort = () => connection.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const reader = await connection.runAndReadAll(sql, bindParams(params));
        return reader.convertRowObjects(STORE_VALUE_CONVERTER) as T[];
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw storeError('query failed', error);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        connection.closeSync();
      }
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
  appender.appendVarchar(alert.fingerprint ?? alert.id);
  if (alert.score === undefined) appender.appendNull();
  else appender.appendUTinyInt(Math.max(0, Math.min(100, Math.round(alert.score))));
  appender.appendTimestamp(timestampOf(alert.firstSeen ?? alert.ts));
  appender.appendTimestamp(timestampOf(alert.lastSeen ?? alert.ts));
  appender.appendUBigInt(BigInt(alert.count ?? 1));
  if (alert.targets) appender.appendList(new DuckDBListValue(alert.targets), VARCHAR_LIST);
  else appender.appendNull();
  text(alert.stateBy);
  if (alert.stateAt === undefined) appender.appendNull();
  else appender.appendTimestamp(timestampOf(alert.stateAt));
  appender.endRow();
}

function timestampOf(seconds: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(seconds * 1e6)));
}

/** Severities in rising order, as a SQL list literal (a constant of ours, never user text). */
const SEVERITY_ORDER = `[${ALERT_SEVERITIES.map((s) => `'${s}'`).join(', ')}]`;

function toParam(value: unknown): DuckDBValue {
  return value as DuckDBValue;
}

/** A row of `listAlerts` (timestamps arrive as seconds, lists as arrays: STORE_VALUE_CONVERTER). */
function alertOfRow(row: StoreRow): StoredAlert {
  const optional = <T>(value: unknown, map: (v: unknown) => T): T | undefined =>
    value === null || value === undefined ? undefined : map(value);
  const texts = (value: unknown) => (value as unknown[]).map(String);
  return {
    id: String(row.id),
    ts: Number(row.ts),
    type: String(row.type),
    severity: row.severity as AlertSeverity,
    state: row.state as AlertState,
    srcIp: optional(row.src_ip, String),
    dstIp: optional(row.dst_ip, String),
    summary: String(row.summary),
    evidence: optional(row.evidence, (v) => JSON.parse(String(v))),
    mitre: texts(row.mitre),
    communityIds: optional(row.community_ids, texts),
    ingestId: optional(row.ingest_id, String),
    fingerprint: optional(row.fingerprint, String),
    score: optional(row.score, Number),
    firstSeen: optional(row.first_seen, Number),
    lastSeen: optional(row.last_seen, Number),
    count: optional(row.count, Number),
    targets: optional(row.targets, texts),
    stateBy: optional(row.state_by, String),
    stateAt: optional(row.state_at, Number),
  };
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
