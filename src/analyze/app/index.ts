/** Application metadata and identification (TLS, HTTP, DHCP, SSH, QUIC) for the analyze stage. */
export type { AppAnalyzer, AppAnalyzerConfig } from './app-analyzer.js';
export { createAppAnalyzer, DEFAULT_APP_ANALYZER_CONFIG } from './app-analyzer.js';
export type { AppCounters, AppInventory, CountedName } from './inventory.js';
