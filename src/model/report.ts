/**
 * The diagnosis report: the protocol hierarchy, top talkers and throughput results of their
 * analyzers, the health score's inputs and result, and the `ReportDocument` that report/ renders
 * as HTML or JSON. Field names are a public contract (`--report`, `--format json`, documented in
 * docs/report.md and docs/health-score.md): keep them stable.
 *
 * Every section of a ReportDocument except `summary` and `warnings` is optional: a section that is
 * absent renders as "not available", never as an error.
 */
import type { Alert } from './alert.js';

// ---- Protocol hierarchy (analyze/hierarchy, like `tshark -q -z io,phs`) ----

export interface ProtocolHierarchyNode {
  /** Protocol name as tshark's io,phs spells it where the two agree ('eth', 'vlan', 'ip', 'tcp', …). */
  protocol: string;
  /** Frames that contain this protocol at this place in the stack. */
  frames: number;
  /** Sum of their frame lengths on the wire. */
  bytes: number;
  /** Most frames first. */
  children: ProtocolHierarchyNode[];
}

export interface ProtocolHierarchy {
  frames: number;
  bytes: number;
  /** One root per link layer seen ('eth', 'sll', 'raw', …), or network layers for link-less captures. */
  roots: ProtocolHierarchyNode[];
  /** Frames under a root the analyzer could not name (see `resolveLinkLayer` in analyze/hierarchy). */
  unresolvedLinkFrames: number;
}

// ---- Top talkers (analyze/talkers) ----

export interface TalkerHost {
  address: string;
  packets: number;
  /** Frame bytes on the wire, both directions. */
  bytes: number;
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
  /** Flow records this host took part in. */
  flows: number;
}

export interface TalkerConversation {
  /** The lower address of the pair (as strings compare), so the pair has one spelling. */
  addressA: string;
  addressB: string;
  packets: number;
  bytes: number;
  packetsAToB: number;
  bytesAToB: number;
  packetsBToA: number;
  bytesBToA: number;
  flows: number;
  firstTs: number;
  lastTs: number;
}

export interface TopTalkers {
  /** Most bytes first, at most the configured `top`. */
  hosts: TalkerHost[];
  conversations: TalkerConversation[];
  /** Distinct hosts and address pairs seen (counting pruned ones once per time they came back). */
  hostsSeen: number;
  conversationsSeen: number;
  /**
   * True when no entry was ever pruned from the bounded maps, so every count is exact. When false,
   * an entry pruned and seen again restarted from zero: its counts are lower bounds.
   */
  exact: boolean;
  /** Traffic of entries pruned from the bounded maps (not in any listed entry). */
  prunedHostEntries: number;
  prunedConversationEntries: number;
  prunedConversationBytes: number;
}

// ---- Throughput over time (analyze/talkers) ----

export interface ThroughputSeries {
  /** Start of the first bucket, seconds since the Unix epoch (a multiple of `bucketSeconds`). */
  startTs: number;
  bucketSeconds: number;
  /** Per bucket, in time order; the same length as `bytes`. */
  packets: number[];
  /** Frame bytes per bucket. */
  bytes: number[];
  /** Frames whose timestamp was before the first bucket (counted in bucket 0). */
  outOfOrder: number;
}

// ---- Health score (analyze/health) ----

/**
 * What the health score is computed from. Every field is optional: `undefined` means "not
 * measured", and a component with nothing measured is not deducted. Rates are ratios 0–1;
 * times are milliseconds. The counts beside the rates are shown in the explanations.
 */
export interface HealthInputs {
  /** Retransmitted TCP segments / TCP segments. */
  retransmissionRate?: number;
  retransmissions?: number;
  tcpSegments?: number;
  /** Segments Wireshark would flag `tcp.analysis.lost_segment` / TCP segments. */
  lostSegmentRate?: number;
  lostSegments?: number;
  /** Duplicate ACKs / TCP segments. */
  dupAckRate?: number;
  dupAcks?: number;
  /** Round-trip time percentiles over the capture's RTT samples. */
  rttP50Ms?: number;
  rttP95Ms?: number;
  rttSamples?: number;
  /** Queries answered with an error rcode (SERVFAIL, REFUSED, …; the mapper decides on NXDOMAIN) / queries. */
  dnsFailureRate?: number;
  /** Queries never answered / queries. */
  dnsUnansweredRate?: number;
  dnsResponseTimeP95Ms?: number;
  dnsQueries?: number;
  /** RFC 3393 IP packet delay variation of UDP media flows. */
  jitterMeanMs?: number;
  jitterP95Ms?: number;
  jitterSamples?: number;
  /** Frames that failed to decode / frames. */
  malformedRate?: number;
  malformedPackets?: number;
  /** Decode or analyzer warnings / frames. */
  warningRate?: number;
  warnings?: number;
  /** TCP flows ended by a reset / TCP flows. */
  resetRatio?: number;
  tcpFlows?: number;
  resetFlows?: number;
}

/** A linear band: at or below `good` nothing is deducted, at or above `bad` all of the weight. */
export interface HealthBand {
  good: number;
  bad: number;
}

export type HealthComponentId = 'retransmissions' | 'loss' | 'rtt' | 'dns' | 'jitter' | 'anomalies';

export interface HealthConfig {
  /** Points per component; the score is scaled so that all weights together are 100. */
  weights: Record<HealthComponentId, number>;
  retransmissionRate: HealthBand;
  lostSegmentRate: HealthBand;
  dupAckRate: HealthBand;
  /** One-way delay (ITU-T G.114); RTT percentiles are halved before comparing. */
  oneWayDelayMs: HealthBand;
  dnsFailureRate: HealthBand;
  dnsUnansweredRate: HealthBand;
  dnsResponseTimeP95Ms: HealthBand;
  jitterMeanMs: HealthBand;
  jitterP95Ms: HealthBand;
  malformedRate: HealthBand;
  warningRate: HealthBand;
  resetRatio: HealthBand;
}

/** One measured metric of a component, with the band it was judged against. */
export interface HealthMetric {
  /** Key in HealthInputs ('retransmissionRate', 'rttP95Ms', …). */
  metric: string;
  value: number;
  /** The value compared with the band (RTT halved to one-way; otherwise `value`). */
  compared: number;
  band: HealthBand;
  /** 0 (good) to 1 (bad), linear between the band's ends. */
  severity: number;
  /** "RTT p95 420 ms (≈ 210 ms one-way; G.114 good ≤ 150 ms, bad ≥ 400 ms)". */
  text: string;
}

export interface HealthComponent {
  id: HealthComponentId;
  label: string;
  weight: number;
  measured: boolean;
  /** Points taken off (0 when not measured), one decimal. */
  deducted: number;
  /** The component's worst metric decides its deduction; every measured metric is listed. */
  metrics: HealthMetric[];
  /** "not measured", or the deduction with the numbers and thresholds behind it. */
  explanation: string;
  /** Where the bands come from (RFC 7680, ITU-T G.114, RFC 3393, …). */
  reference: string;
}

export interface HealthScore {
  /** 0–100, rounded. */
  score: number;
  grade: 'good' | 'fair' | 'poor' | 'critical';
  components: HealthComponent[];
  /** Components that were measured; a score over few components says less. */
  measuredComponents: number;
  config: HealthConfig;
}

// ---- Report document (report/ renders it) ----

export type ReportCellValue = string | number | null;

export interface ReportColumn {
  key: string;
  label: string;
  /**
   * How to show the cell: 'number' (grouped digits), 'bytes' (KB/MB), 'ms', 'percent' (a 0–1
   * ratio), 'filter' (a Wireshark display filter with a copy button), 'text' (default).
   */
  kind?: 'text' | 'number' | 'bytes' | 'ms' | 'percent' | 'filter';
}

/** A generic table any analyzer's results can be put in. */
export interface ReportTable {
  title?: string;
  columns: ReportColumn[];
  rows: Record<string, ReportCellValue>[];
  /** Rows left out (the table shows the first ones). */
  omittedRows?: number;
  note?: string;
}

export interface ReportFact {
  label: string;
  value: ReportCellValue;
  kind?: ReportColumn['kind'];
}

/** A generic section: headline facts, then tables, then notes. */
export interface ReportSection {
  facts: ReportFact[];
  tables: ReportTable[];
  notes?: string[];
}

export interface TcpIssueFlow {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** How many times the issue occurred in this flow. */
  count: number;
  detail?: string;
  /** Wireshark display filter that opens the flow (see `wiresharkTcpFilter`). */
  filter: string;
}

export interface TcpIssueGroup {
  /** Stable id: 'retransmission', 'fast-retransmission', 'zero-window', 'reset', … */
  type: string;
  label: string;
  description?: string;
  /** Occurrences over the capture. */
  count: number;
  /** Flows most affected first (capped). */
  flows: TcpIssueFlow[];
  omittedFlows?: number;
}

export interface TcpIssuesSection {
  facts: ReportFact[];
  groups: TcpIssueGroup[];
  tables?: ReportTable[];
}

export interface ReportWarning {
  code: string;
  message: string;
  count?: number;
}

export interface ReportSummary {
  files: string[];
  packets: number;
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
  durationSeconds: number;
  avgPacketsPerSecond: number;
  avgBitsPerSecond: number;
  linkTypes: string[];
  flows: number;
  ipv4Packets?: number;
  ipv6Packets?: number;
}

export interface ReportDocument {
  /** Version of this document's shape. */
  formatVersion: 1;
  title: string;
  /** ISO 8601. */
  generatedAt: string;
  /** 'flowlens 0.1.0'. */
  generator: string;
  summary: ReportSummary;
  health?: HealthScore;
  throughput?: ThroughputSeries;
  protocolHierarchy?: ProtocolHierarchy;
  talkers?: TopTalkers;
  tcp?: TcpIssuesSection;
  dns?: ReportSection;
  icmp?: ReportSection;
  /** Gaps, jitter, bursts. */
  timing?: ReportSection;
  /** TLS, HTTP and QUIC inventory. */
  inventory?: ReportSection;
  /** Devices seen in the capture (MAC, vendor, addresses, names, OS guess) and their events. */
  devices?: ReportSection;
  /** Countries, autonomous systems and threat-feed matches of the flows, with the data's attribution. */
  geography?: ReportSection;
  /** Alerts from detect/; an empty array means "none found", absent means "not run". */
  security?: Alert[];
  warnings: ReportWarning[];
}

/**
 * The Wireshark display filter of one TCP conversation:
 * `ip.addr==A && ip.addr==B && tcp.port==P && tcp.port==Q` (`ipv6.addr` for IPv6 addresses).
 */
export function wiresharkTcpFilter(addressA: string, portA: number, addressB: string, portB: number): string {
  const field = addressA.includes(':') ? 'ipv6.addr' : 'ip.addr';
  return `${field}==${addressA} && ${field}==${addressB} && tcp.port==${portA} && tcp.port==${portB}`;
}
