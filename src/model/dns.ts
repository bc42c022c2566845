/**
 * DNS diagnostics as values: one query or response seen on the wire (`DnsMessageInfo`, handed to
 * consumers such as DNS-tunnelling detection and passive DNS), the compact per-flow summary
 * (`FlowRecord.dns`) and the capture-level summary (`analysis.dns`), plus the RFC 1035 / IANA
 * name tables for rcodes and record types. Field names are a JSON contract: keep them stable.
 */

/** IANA DNS RCODEs (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 6895 §2.3), indexed by the 4-bit code. */
export const DNS_RCODE_NAMES: readonly string[] = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
  'DSOTYPENI',
  'RCODE12',
  'RCODE13',
  'RCODE14',
  'RCODE15',
];

const DNS_TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  10: 'NULL',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  17: 'RP',
  18: 'AFSDB',
  24: 'SIG',
  25: 'KEY',
  28: 'AAAA',
  29: 'LOC',
  33: 'SRV',
  35: 'NAPTR',
  36: 'KX',
  37: 'CERT',
  39: 'DNAME',
  41: 'OPT',
  42: 'APL',
  43: 'DS',
  44: 'SSHFP',
  45: 'IPSECKEY',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  49: 'DHCID',
  50: 'NSEC3',
  51: 'NSEC3PARAM',
  52: 'TLSA',
  53: 'SMIMEA',
  55: 'HIP',
  59: 'CDS',
  60: 'CDNSKEY',
  61: 'OPENPGPKEY',
  62: 'CSYNC',
  63: 'ZONEMD',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  249: 'TKEY',
  250: 'TSIG',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  256: 'URI',
  257: 'CAA',
};

/** Mnemonic of a DNS RR type (IANA "Resource Record (RR) TYPEs"), or `TYPE<n>` (RFC 3597 §5). */
export function dnsTypeName(type: number): string {
  return DNS_TYPES[type] ?? `TYPE${type}`;
}

export function dnsRcodeName(rcode: number): string {
  return DNS_RCODE_NAMES[rcode & 0x0f] ?? `RCODE${rcode}`;
}

/** One DNS message as the DNS analyzer saw it (see DnsAnalyzerConfig.onMessage). */
export interface DnsMessageInfo {
  /** Seconds since the Unix epoch of the frame that completed the message. */
  ts: number;
  /** The query's sender and the server it asked (for a response: its destination and source). */
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  transport: 'udp' | 'tcp';
  /** DNS transaction id. */
  id: number;
  isResponse: boolean;
  /** First question's name ('' when the message has none) and type. */
  qname: string;
  qtype: number;
  /** RCODE of a response (0 for queries). */
  rcode: number;
  /** ANCOUNT from the header. */
  answerCount: number;
  /**
   * Answer data in order, at most `maxAnswers`: addresses (A/AAAA), names (CNAME/PTR/NS/MX/DNAME)
   * and TXT text; other types are skipped.
   */
  answers: string[];
  /** Response time in seconds when this response answered a query of the same flow. */
  responseTime?: number;
  /** The parser stopped early (truncated or malformed); fields read before the problem are set. */
  error?: string;
}

/**
 * Per-flow DNS summary (`FlowRecord.dns`), present only on flows that carried DNS. Counts
 * cover this record's segment of the flow (an interim record restarts them).
 */
export interface FlowDns {
  queries: number;
  responses: number;
  /** Queries answered in this flow, and those that got no response within the timeout. */
  answered: number;
  unanswered: number;
  /** Responses per non-NOERROR rcode name; absent when all were NOERROR. */
  errors?: Record<string, number>;
  /** Mean and maximum response time of answered queries, in milliseconds. */
  responseTimeMeanMs?: number;
  responseTimeMaxMs?: number;
}

/** A query without a response, or one of the slowest transactions. */
export interface DnsTransactionSample {
  ts: number;
  client: string;
  server: string;
  transport: 'udp' | 'tcp';
  id: number;
  qname: string;
  qtype: string;
  rcode?: string;
  responseTimeMs?: number;
}

export interface DnsCount {
  name: string;
  count: number;
}

/** A distribution of durations in milliseconds (percentiles from a log-scale histogram). */
export interface DurationStats {
  count: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The DNS analyzer's capture-level results (`analysis.dns`). */
export interface DnsSummary {
  /** DNS messages parsed, by direction and transport. */
  queries: number;
  responses: number;
  udpMessages: number;
  tcpMessages: number;
  /** Queries matched with a response in the same flow (transactions). */
  answered: number;
  /** Queries with no response within `queryTimeout`, or none before the end of the flow. */
  unanswered: number;
  /** Repeated queries (same flow and id, unanswered, within `retransmissionWindow`). */
  retransmissions: number;
  /** Responses with no open query: their query was not captured, or a repeated response. */
  unmatchedResponses: number;
  /** Responses that came after `queryTimeout`: their query counts as unanswered. */
  lateResponses: number;
  /** Messages the parser could not read up to the question (counted, not used). */
  malformed: number;
  /** UDP DNS messages in IP-fragmented datagrams that never completed: not counted as messages. */
  fragmentedIncomplete: number;
  /** TCP DNS streams whose framing was lost (a gap in sequence numbers); the partial message is dropped. */
  tcpGaps: number;
  rcodes: Record<string, number>;
  responseTime: DurationStats | null;
  /** Most queried names and types, most first (at most `topN`). */
  topNames: DnsCount[];
  topQueryTypes: DnsCount[];
  /** Distinct names seen, and queries whose name was not counted because `maxNames` was reached. */
  distinctNames: number;
  namesNotCounted: number;
  slowest: DnsTransactionSample[];
  unansweredSamples: DnsTransactionSample[];
  /** Unanswered queries beyond `maxSamples` (not listed). */
  unansweredSamplesDropped: number;
}
