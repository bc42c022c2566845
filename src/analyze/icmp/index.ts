/** ICMP/ICMPv6 analyzer: errors by type and code, path MTU, echo round-trip times. */
export {
  createIcmpAnalyzer,
  DEFAULT_ICMP_ANALYZER_CONFIG,
  type IcmpAnalyzerConfig,
} from './icmp-analyzer.js';
