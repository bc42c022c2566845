/**
 * The flow store contract: where flow records, alerts and the ingest ledger live, and how the
 * query layer reads them back. `duckdb/` implements it on one embedded file; a ClickHouse
 * implementation can follow the same shape (batched writes, parameterised SQL, an ingest ledger).
 *
 * Ownership: a store is created inert, owns its database from `start()` to `stop()`, and never
 * keeps references to the arrays or objects passed to it once the returned promise settles.
 * Errors that users should see are FlowlensError with code FLOWLENS_ERR_STORE or
 * FLOWLENS_ERR_ALREADY_INGESTED; anything else is a bug.
 */
import type { Device, FlowRecord, InterfaceCounterRecord } from '../model/index.js';

/** Where a flow came from; matches the filter field `source` (SOURCE_KINDS). */
export type SourceKind = 'pcap' | 'live' | 'netflow' | 'ipfix' | 'sflow';

/**
 * A flow record (with its application metadata) plus the columns the store adds. Optional fields are stored as NULL when absent
 * (empty `threatTags` is stored as an empty list). Counts in FlowRecord are the scaled ones for
 * sampled exports; `rawPackets`/`rawBytes` keep what the exporter reported.
 */
/**
 * A flow as the store keeps it. `srcIp`/`dstIp` must be canonical text (model's formatIpv4 and
 * formatIpv6, as every decoder writes them): `host` and `net` filters compare that text.
 */
export interface StoredFlow extends FlowRecord {
  sourceKind: SourceKind;
  /** Exporter address (flow exports) or capture interface name (live). */
  exporter?: string;
  /** 1-in-N packet sampling; 1 or absent means unsampled. */
  samplingRate?: number;
  rawPackets?: number;
  rawBytes?: number;
  /** SNMP ifIndex of input/output interfaces (flow exports). */
  inputIf?: number;
  outputIf?: number;
  /** ISO 3166-1 alpha-2, upper case. */
  srcCountry?: string;
  dstCountry?: string;
  srcAsn?: number;
  dstAsn?: number;
  srcAsName?: string;
  dstAsName?: string;
  threatTags?: string[];
  /** Set by the store for flows written through an IngestWriter; never set it yourself. */
  ingestId?: string;
}

export type AlertSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type AlertState = 'new' | 'acknowledged' | 'dismissed';
export const ALERT_STATES: readonly AlertState[] = ['new', 'acknowledged', 'dismissed'];
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface StoredAlert {
  /** Unique id chosen by the detector (e.g. a UUID); writing an existing id is an error. */
  id: string;
  /** Seconds since the Unix epoch (microsecond precision). */
  ts: number;
  /** Detector name, e.g. 'port-scan'. */
  type: string;
  severity: AlertSeverity;
  state: AlertState;
  srcIp?: string;
  dstIp?: string;
  summary: string;
  /** Any JSON-serialisable value; stored as JSON. */
  evidence: unknown;
  /** MITRE ATT&CK technique ids, e.g. ['T1046']. */
  mitre: string[];
  /** Community IDs of the flows that raised the alert. */
  communityIds?: string[];
  ingestId?: string;
  /** Same fingerprint, same alert: `recordAlerts` counts repeats instead of adding rows. Default: id. */
  fingerprint?: string;
  /** 0–100. */
  score?: number;
  /** First and last occurrence (seconds since the epoch); default `ts`. */
  firstSeen?: number;
  lastSeen?: number;
  /** Occurrences; default 1. */
  count?: number;
  /** Target addresses or names when there are several. */
  targets?: string[];
  /** Who moved the alert to its state, and when (seconds since the epoch). */
  stateBy?: string;
  stateAt?: number;
}

/** A device as stored: the inventory's view merged over every ingest, plus what users set. */
export interface StoredDevice extends Device {
  name?: string;
  owner?: string;
  notes?: string;
  trusted: boolean;
}

/** What users may set on a device; undefined leaves a field as it is, null clears it. */
export interface DeviceUpdate {
  name?: string | null;
  owner?: string | null;
  notes?: string | null;
  trusted?: boolean;
}

export interface AlertQuery {
  state?: AlertState;
  /** This severity and above. */
  minSeverity?: AlertSeverity;
  type?: string;
  limit?: number;
}

export type IngestStatus = 'running' | 'complete' | 'aborted';

export interface IngestSource {
  /** Path as the user gave it (shown back to them), not resolved. */
  file: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  sizeBytes: number;
  sourceKind: SourceKind;
  /**
   * When a complete ingest with this sha256 exists: false (default) refuses with
   * FLOWLENS_ERR_ALREADY_INGESTED; true replaces it — its flows go when this ingest commits.
   */
  replace?: boolean;
}

export interface IngestRecord {
  id: string;
  file: string;
  sha256: string;
  sizeBytes: number;
  sourceKind: SourceKind;
  status: IngestStatus;
  /** Seconds since the Unix epoch. */
  startedAt: number;
  finishedAt?: number;
  flows: number;
  packets: number;
  bytes: number;
  /** Why an aborted ingest stopped ('interrupted', 'killed: rolled back at start-up', an error). */
  error?: string;
}

/** Totals recorded on the ingest row at commit (the pipeline's view of the file). */
export interface IngestTotals {
  packets: number;
  bytes: number;
}

/**
 * One file's ingest, all or nothing. Flows written through it carry its id and are not visible
 * to queries until `commit` resolves; `abort` (or a crash at any point) leaves none of them.
 * Calls must not overlap: await each `write` before the next call. After `commit` or `abort`
 * the writer is closed and further calls reject.
 */
export interface IngestWriter {
  readonly id: string;
  /** Appends a batch; the store may buffer rows until its own batch size is reached. */
  write(batch: readonly StoredFlow[]): Promise<void>;
  commit(totals: IngestTotals): Promise<IngestRecord>;
  /** Safe to call after a failed write or commit; a second call does nothing. */
  abort(reason: string): Promise<void>;
}

export interface StoreStartReport {
  /** Migration versions applied by this start, in order (empty when the schema was current). */
  migrated: number[];
  /** Ingests left 'running' by a killed process, rolled back and marked 'aborted' now. */
  rolledBack: IngestRecord[];
}

export interface StoreHealth {
  /** Path of the database file, and its size on disk in bytes (WAL included). */
  path: string;
  fileBytes: number;
  schemaVersion: number;
  flows: number;
  alerts: number;
  ingests: number;
  /** First start of any stored flow and last end of any, seconds since the epoch; null with no flows. */
  oldestFlowTs: number | null;
  newestFlowTs: number | null;
}

export interface RetentionResult {
  flowsDeleted: number;
  alertsDeleted: number;
}

/**
 * A row as the query layer sees it, keyed by column name. Values: integers → number when they
 * fit exactly in a double, else bigint (UHUGEINT addresses, huge sums); floats and decimals →
 * number; TIMESTAMP → seconds since the Unix epoch as a number (microsecond precision, as
 * FlowRecord.firstTs); DATE → 'YYYY-MM-DD'; VARCHAR and JSON → string; LIST → array;
 * STRUCT → object; BOOLEAN → boolean; NULL → null.
 */
export type StoreValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | StoreValue[]
  | { [key: string]: StoreValue };
export type StoreRow = Record<string, StoreValue>;

/**
 * Parameters bind to `?` placeholders in order. Accepted: string, number (integers bind as
 * INTEGER or BIGINT, others as DOUBLE), boolean, null. A bigint binds as signed HUGEINT, so for UHUGEINT
 * columns bind a decimal string and write `CAST(? AS UHUGEINT)` (see query/filter-sql.ts).
 */
export type StoreParam = string | number | boolean | null | bigint;

export interface StoreQueryOptions {
  /** Rows per yielded batch for `stream`; default 2048. */
  batchRows?: number;
  signal?: AbortSignal;
}

export interface FlowStore {
  /** Opens (creating if needed) the database, runs pending migrations, rolls back killed ingests. */
  start(): Promise<StoreStartReport>;
  /** Flushes buffered rows and closes. Idempotent. An open IngestWriter is aborted. */
  stop(): Promise<void>;

  /** Appends flows that belong to no ingest (collector, live capture); visible on resolve. */
  writeFlows(batch: readonly StoredFlow[]): Promise<void>;
  writeAlerts(batch: readonly StoredAlert[]): Promise<void>;
  /**
   * Deduplicating write: an alert whose fingerprint matches a stored alert that is not
   * dismissed adds its count to it and moves its last seen (and severity, when higher) forward;
   * any other alert is inserted. Returns how many were inserted and how many merged.
   */
  recordAlerts(batch: readonly StoredAlert[]): Promise<{ inserted: number; merged: number }>;
  /** Alerts, most recent last-seen first. */
  listAlerts(query?: AlertQuery): Promise<StoredAlert[]>;
  /**
   * Merges devices into the inventory: addresses and names are united, first/last seen widen,
   * packets and bytes add up, newer DHCP facts and OS guesses replace older ones.
   */
  upsertDevices(devices: readonly Device[]): Promise<void>;
  /** Devices, most recently seen first. */
  listDevices(limit?: number): Promise<StoredDevice[]>;
  getDevice(mac: string): Promise<StoredDevice | undefined>;
  /** False when no device has this MAC. */
  updateDevice(mac: string, update: DeviceUpdate): Promise<boolean>;
  /** Appends sFlow interface counter samples, as reported (no rates computed). */
  writeInterfaceCounters(batch: readonly InterfaceCounterRecord[]): Promise<void>;
  /** Moves an alert to `state`; false when no alert has this id. */
  setAlertState(id: string, state: AlertState, by: string, at?: Date): Promise<boolean>;

  /** Starts a file's ingest. Rejects FLOWLENS_ERR_ALREADY_INGESTED as IngestSource.replace says. One at a time. */
  beginIngest(source: IngestSource): Promise<IngestWriter>;
  /** The complete ingest with this sha256, if any. */
  findIngestBySha256(sha256: string): Promise<IngestRecord | undefined>;
  /** All ingests, newest first. */
  listIngests(): Promise<IngestRecord[]>;

  /** Deletes flows whose last_ts and alerts whose ts are older than `days` days before now. */
  applyRetention(days: number, now?: Date): Promise<RetentionResult>;
  /**
   * A number that grows after every write that may have changed the flows (a live batch, an
   * ingest's commit or abort, retention), never before that write is visible. A reader that
   * notes it before reading and finds it unchanged later knows the flows it read are still the
   * flows: answers may be reused until it moves. Statements run through `query` are reads and
   * do not move it.
   */
  flowsVersion(): number;
  health(): Promise<StoreHealth>;

  /**
   * Runs one read statement and returns all rows. SQL errors reject with FLOWLENS_ERR_STORE; an
   * aborted `signal` interrupts the statement and rejects with the signal's reason.
   */
  query<T extends StoreRow = StoreRow>(
    sql: string,
    params?: readonly StoreParam[],
    options?: Pick<StoreQueryOptions, 'signal'>,
  ): Promise<T[]>;
  /** Runs one read statement and yields rows in batches, for exports that must not hold them all. */
  stream<T extends StoreRow = StoreRow>(
    sql: string,
    params?: readonly StoreParam[],
    options?: StoreQueryOptions,
  ): AsyncIterable<T[]>;
}
