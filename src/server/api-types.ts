/**
 * Every shape the HTTP API and the live feed answer, as types only: the dashboard (`web/`) and
 * other TypeScript clients import this one module and nothing else of the server. Contract: this
 * file holds `export type` lines only, so importing it never pulls server code into a bundle.
 */

export type {
  FeedState,
  FeedView,
  ListKind,
  RefreshOutcome,
  RefreshStatus,
} from '../enrich/index.js';
export type { IpEnrichment, MacEnrichment } from '../model/index.js';
export type { LookupAnswer, LookupKind, LookupResult } from '../pipeline/index.js';
export type { AlertSeverity, AlertState, DeviceUpdate, StoredAlert, StoredDevice } from '../store/index.js';
export type {
  AddressSeen,
  Dimension,
  FlowRow,
  HostDetail,
  Metric,
  NameSeen,
  OverviewResult,
  SearchResult,
  SeriesLine,
  SeriesResult,
  Sightings,
  SortDirection,
  SortField,
  TimeRange,
  TopResult,
  TopRow,
  Totals,
  Usage,
} from '../store/query/index.js';
export type { ApiErrorBody } from './api-error.js';
export type { IngestOutcome, Job, JobEvent, JobPhase, JobProgress, JobStatus } from './jobs/job.js';
export type { PartialResults } from './jobs/worker-protocol.js';
export type {
  LiveCaptureStats,
  LiveCollectorStats,
  LiveFlow,
  LiveFlowsSnapshot,
} from './live/live-flows.js';
export type { LiveMessage, Topic } from './live/live-hub.js';
export type {
  CaptureStatus,
  CollectorStatus,
  ExporterStatus,
  IngestStatus,
  ListenerStatus,
  StatusAnswer,
  StoreStatus,
} from './status/status-answer.js';

/** `GET /api/v1/alerts`. */
export interface AlertList {
  alerts: import('../store/index.js').StoredAlert[];
}

/** `GET /api/v1/devices`. */
export interface DeviceList {
  devices: import('../store/index.js').StoredDevice[];
}

/** `GET /api/v1/jobs`. */
export interface JobList {
  jobs: import('./jobs/job.js').Job[];
}

/** `GET /health`. */
export interface HealthAnswer {
  status: 'ok';
  uptimeSeconds: number;
}

/** `GET /ready` (200 ready, 503 not-ready). */
export interface ReadyAnswer {
  status: 'ready' | 'not-ready';
  /** Same shape as routes/health.ts ReadinessResult (not imported: that file needs Fastify's plug-in types). */
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Data of a `stats` live message: one entry per stats source (`server`, collectors, …). */
export interface LiveStats {
  server?: { requestsPerSecond: number; jobsRunning: number; jobsWaiting: number; liveClients: number };
  /** While `flowlens serve --capture IFACE` runs. */
  capture?: import('./live/live-flows.js').LiveCaptureStats;
  /** While `flowlens serve --collect` runs. */
  collector?: import('./live/live-flows.js').LiveCollectorStats;
  [source: string]: unknown;
}

/** `GET /api/v1/feeds`. */
export interface FeedList {
  feeds: import('../enrich/index.js').FeedView[];
  /** Feeds left out of matching (no copy yet, unreadable, empty). */
  warnings: string[];
  /** Entries in each local list. */
  lists: { watchlist: number; allowlist: number };
}

/** `GET` and `PUT /api/v1/lists/{watchlist,allowlist}`. */
export interface ListAnswer {
  entries: string[];
}
