/** Wires the stages together: sources → decode → flows → analyze/enrich/detect → store. */
export {
  type AnalyzeOptions,
  type AnalyzeProgress,
  type AnalyzeResult,
  analyzeCaptures,
} from './analyze-captures.js';
export {
  type CaptureDetection,
  type CaptureDetectionOptions,
  createCaptureDetection,
  storedAlert,
  storedAlerts,
} from './capture-detection.js';
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
  type ContinuousDetection,
  type ContinuousDetectionOptions,
  type ContinuousDetectionStats,
  createContinuousDetection,
} from './continuous-detection.js';
export {
  type DecodeExportCaptureOptions,
  type DecodeExportCaptureResult,
  decodeExportCapture,
  FLOW_EXPORT_PORTS,
  looksLikeFlowExport,
} from './decode-export-capture.js';
export {
  createDetectionThread,
  type DatagramDetection,
  type DetectionThreadOptions,
  type DetectionThreatSources,
} from './detection-thread.js';
export {
  deviceEventAlerts,
  networkOf,
  newNetworkEvents,
  type RecordedInventory,
  recordInventory,
} from './device-alerts.js';
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
  diagnosisDnsAnalyzer,
  isDiagnosisAnalyzer,
} from './diagnosis-report-analyzers.js';
export { type HealthSources, healthInputsOf } from './diagnosis-report-health.js';
export {
  createFlowEnrichment,
  type EnrichmentSummary,
  type FlowEnrichment,
  type FlowEnrichmentOptions,
  type ThreatMatch,
  type TopAs,
  type TopCountry,
} from './enrich-flows.js';
export { type IngestCaptureOptions, type IngestCaptureResult, ingestCapture } from './ingest-capture.js';
export {
  createLookup,
  type Lookup,
  type LookupAnswer,
  type LookupKind,
  type LookupResult,
  type LookupSources,
  lookupKind,
  NAMES_NEED_STORE,
  notLookupValue,
} from './lookup.js';
