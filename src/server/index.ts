/**
 * The HTTP API server (`flowlens serve`): analytics over the flow store, capture upload and
 * analysis jobs, the live WebSocket feed, health and metrics. See docs/api.md.
 */
export { ApiError, type ApiErrorBody } from './api-error.js';
export {
  DEFAULT_RATE_LIMITS,
  isLoopback,
  type RateLimits,
  type ResolvedServerConfig,
  resolveServerConfig,
  type ServerConfig,
} from './config.js';
export type { IngestOutcome, Job, JobEvent, JobProgress, JobStatus } from './jobs/job.js';
export type { JobManager } from './jobs/job-manager.js';
export type {
  LiveCaptureStats,
  LiveCollectorStats,
  LiveFlow,
  LiveFlowsSnapshot,
  LiveFlowsSource,
} from './live/live-flows.js';
export { type LiveHub, type LiveMessage, TOPICS, type Topic } from './live/live-hub.js';
export type { ServerMetrics } from './metrics.js';
export {
  createDiagnosisRenderer,
  type DiagnosisRendererOptions,
  type JobReport,
  type ReportRenderer,
} from './report-renderer.js';
export type { ReadinessCheck, ReadinessResult } from './routes/health.js';
export { createServer, type FlowlensServer, type ServerDeps } from './server.js';
export type { StatusAnswer } from './status/status-answer.js';
export type { CaptureCounters, CollectorCounters, SourcesStatus } from './status/status-view.js';
export { DASHBOARD_LANDING } from './warm-up.js';
