/**
 * What `GET /api/v1/status` answers: the server, the store's size, how fast flows go into it,
 * and the traffic sources running in this process (collector, live capture). Types only; the
 * dashboard reads them through api-types.ts.
 */
import type { ExporterCounters, ExporterDomainCounters } from '../../model/index.js';
import type { IngestRecord } from '../../store/index.js';

export interface StatusAnswer {
  server: {
    version: string;
    /** Seconds since the epoch. */
    startedAt: number;
    uptimeSeconds: number;
  };
  store: StoreStatus;
  ingest: IngestStatus;
  /** Null when no collector runs in this server (start it with `flowlens serve --collect`). */
  collector: CollectorStatus | null;
  /** Null when no live capture runs in this server (`flowlens serve --capture IFACE`). */
  capture: CaptureStatus | null;
}

export interface StoreStatus {
  path: string;
  /** The database file with its write-ahead log, bytes. */
  fileBytes: number;
  schemaVersion: number;
  flows: number;
  alerts: number;
  ingests: number;
  /** First start and last end of the stored flows, seconds since the epoch; null when empty. */
  oldestFlowTs: number | null;
  newestFlowTs: number | null;
  /** Flows and alerts older than this many days are deleted; null: kept until deleted by hand. */
  retentionDays: number | null;
}

export interface IngestStatus {
  /** Flows committed to the store per second over the last `windowSeconds` (jobs, collector, capture). */
  flowsPerSecond: number;
  /** Seconds the rate covers: 60, or the uptime while shorter. */
  windowSeconds: number;
  /** Flows committed since the server started, by who wrote them. */
  flowsWritten: { jobs: number; collector: number; capture: number };
  jobs: { running: number; waiting: number };
  /** The newest ingests of the ledger (capture files), newest first, at most 5. */
  recentIngests: IngestRecord[];
}

export interface ListenerStatus {
  protocol: 'netflow' | 'ipfix' | 'sflow';
  address: string;
  port: number;
  /** Datagrams received on this port since the collector started. */
  datagrams: number;
  /** SO_RCVBUF the kernel granted (Linux reports twice the usable size). */
  receiveBufferBytes: number;
}

/** An exporter's counters since the collector started (ExporterCounters), with its current rate. */
export interface ExporterStatus extends ExporterCounters {
  /** Flow records decoded per second over the last 10 seconds. */
  recordsPerSecond: number;
  domains: ExporterDomainCounters[];
}

export interface CollectorStatus {
  listeners: ListenerStatus[];
  /** Exporters in first-seen order. */
  exporters: ExporterStatus[];
  /** All exporters together, per second over the last 10 seconds. */
  recordsPerSecond: number;
  flowsWritten: number;
  /** Flows dropped because the store fell behind or a write failed. */
  flowsDropped: number;
  writeErrors: number;
  /** Datagrams the receive thread dropped because decoding fell behind. */
  datagramsDropped: number;
  /** Batches of flows waiting for the store now. */
  queuedBatches: number;
}

export interface CaptureStatus {
  interface: string;
  running: boolean;
  /** Packets seen since the capture started. */
  packets: number;
  packetsPerSecond: number;
  activeFlows: number;
  flowsEnded: number;
  flowsWritten: number;
  /** Flow batches the store refused. */
  writeFailures: number;
  /** Packets the kernel dropped, as the capture tool reports when it exits; null while it runs. */
  droppedByKernel: number | null;
}
