/** Wires the stages together: sources → decode → flows (→ analyze/enrich/detect later) → store. */
export {
  type AnalyzeOptions,
  type AnalyzeProgress,
  type AnalyzeResult,
  analyzeCaptures,
} from './analyze-captures.js';
export { type CaptureDetection, createCaptureDetection, storedAlerts } from './capture-detection.js';
export {
  type CaptureLiveOptions,
  type CaptureLiveResult,
  type LiveStatus,
  runLiveCapture,
  type SaveOptions,
} from './capture-live.js';
export { type CaptureSummary, protocolName, type TrafficCounter } from './capture-summary.js';
export {
  type CollectorMetricFamily,
  type CollectorOptions,
  type CollectorRegistry,
  type CollectorStats,
  collectorMetricFamilies,
  collectorMetrics,
  createCollectorRegistry,
  runCollector,
} from './collect-exports.js';
export {
  type DecodeExportCaptureOptions,
  type DecodeExportCaptureResult,
  decodeExportCapture,
  FLOW_EXPORT_PORTS,
  looksLikeFlowExport,
} from './decode-export-capture.js';
export { deviceEventAlerts } from './device-alerts.js';
export {
  ANALYSIS_KEYS,
  completeAnalysis,
  type DiagnosisReportOptions,
  diagnosisReport,
  reportWarnings,
} from './diagnosis-report.js';
export {
  createDiagnosisAnalyzers,
  DIAGNOSIS_ANALYZER_NAMES,
  isDiagnosisAnalyzer,
} from './diagnosis-report-analyzers.js';
export { type HealthSources, healthInputsOf } from './diagnosis-report-health.js';
export { type IngestCaptureOptions, type IngestCaptureResult, ingestCapture } from './ingest-capture.js';
