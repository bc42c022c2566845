/** TCP analyzer: Wireshark-style sequence analysis, handshakes, windows, RTT and throughput. */
export type { TcpAnalyzerConfig } from './config.js';
export { DEFAULT_TCP_ANALYZER_CONFIG } from './config.js';
export type { TcpAnalyzer } from './tcp-analyzer.js';
export { createTcpAnalyzer } from './tcp-analyzer.js';
