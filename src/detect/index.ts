/** Detect stage: single-pass detectors over flow records, ARP and DNS events → deduplicated Alerts. */
export {
  DEFAULT_DETECTION_CONFIG,
  DEFAULT_HOME_NETWORKS,
  type DetectionConfig,
  type DetectionConfigInput,
  resolveDetectionConfig,
} from './config.js';
export type {
  AlertCandidate,
  DetectionContext,
  Detector,
  DetectorFactory,
  DetectorStats,
  DnsEvent,
  EnrichmentLookups,
  HostHistory,
} from './detector.js';
export { ALL_DETECTORS } from './detectors.js';
export {
  createDetectionEngine,
  type DetectionEngine,
  type DetectionEngineOptions,
  type DetectionStats,
  severityForScore,
} from './engine.js';
export { MITRE, type MitreTechnique, mitreLabel } from './mitre.js';
