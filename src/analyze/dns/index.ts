/** DNS analyzer (UDP and TCP) and its zero-copy DNS message reader. */
export {
  createDnsAnalyzer,
  DEFAULT_DNS_ANALYZER_CONFIG,
  type DnsAnalyzer,
  type DnsAnalyzerConfig,
  type DnsMessageListener,
} from './dns-analyzer.js';
export {
  createDnsMessage,
  type DnsMessage,
  type DnsParseError,
  parseDnsMessage,
  readDnsAnswers,
} from './dns-message.js';
export { createLogHistogram, type LogHistogram, responseTimes, toMs } from './dns-stats.js';
