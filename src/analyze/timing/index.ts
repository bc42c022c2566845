/** Timing analyzer: capture gaps, RFC 3393 jitter of UDP media flows, bursts. */
export {
  createTimingAnalyzer,
  DEFAULT_TIMING_ANALYZER_CONFIG,
  type TimingAnalyzerConfig,
} from './timing-analyzer.js';
