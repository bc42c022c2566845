/** Wires the stages together: sources → decode → flows (→ analyze/enrich/detect → store later). */
export {
  type AnalyzeOptions,
  type AnalyzeProgress,
  type AnalyzeResult,
  analyzeCaptures,
} from './analyze-captures.js';
export { type CaptureSummary, protocolName, type TrafficCounter } from './capture-summary.js';
