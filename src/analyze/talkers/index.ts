/** Top talkers (hosts, conversations) and throughput over time: capture-level traffic summaries. */
export type { TalkersAnalyzerConfig } from './talkers-analyzer.js';
export { createTalkersAnalyzer, DEFAULT_TALKERS_CONFIG } from './talkers-analyzer.js';
export type { ThroughputAnalyzerConfig } from './throughput-analyzer.js';
export { BUCKET_WIDTHS, createThroughputAnalyzer } from './throughput-analyzer.js';
