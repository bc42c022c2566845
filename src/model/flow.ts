/**
 * Bidirectional flow records: the one model that captures, live traffic and flow exports share.
 *
 * Field names are a public contract (`flowlens analyze --format json|ndjson`): keep them stable.
 * "fwd" is the originator → responder direction, "rev" the opposite.
 */
import type { AppMetadata } from './app-metadata.js';
import type { FlowDns } from './dns.js';
import type { FlowEnrichment } from './enrichment.js';
import type { TcpFlowDiagnostics } from './tcp-diagnostics.js';
import type { FlowJitter } from './timing.js';

export type FlowEndReason =
  /** No packet for the protocol's idle timeout. */
  | 'idle-timeout'
  /** Interim record of a long-lived flow; the flow goes on and later records continue it. */
  | 'active-timeout'
  /** TCP closed by FIN from both sides, after the grace period. */
  | 'tcp-fin'
  /** TCP reset, after the grace period. */
  | 'tcp-rst'
  /** A new TCP connection (SYN) reused the 5-tuple of a closed one. */
  | 'tcp-reuse'
  /** The input ended while the flow was still active. */
  | 'end-of-input'
  /** The flow table was full and this flow was the least recently seen. */
  | 'evicted';

/**
 * Connection state after Zeek's conn.log `conn_state`
 * (S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH). Non-TCP flows use S0 (one direction
 * only) or SF (both directions).
 */
export type ConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

export interface FlowTunnel {
  /** 'gre' | 'vxlan' | 'geneve' | 'teredo' | 'ipip' */
  type: string;
  /** VXLAN/Geneve VNI or GRE key, when present. */
  id?: number;
  outerSrcIp: string;
  outerDstIp: string;
}

/** Enrichment fields (FlowEnrichment, set by enrich/) are absent for special-purpose ranges. */
export interface FlowRecord extends FlowEnrichment {
  /** Community ID v1 (seed 0), e.g. "1:LQU9qZlK+B5F3KDmev6m5PMibrg=". */
  communityId: string;
  /** IANA protocol number. */
  protocol: number;
  ipVersion: 4 | 6;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** 802.1Q VLAN id, 0 when untagged. */
  vlan: number;
  /** Seconds since the Unix epoch (microsecond precision). */
  firstTs: number;
  lastTs: number;
  packets: number;
  /** IP-layer bytes (IP header plus payload), as NetFlow/IPFIX octet counts and Zeek's ip_bytes. */
  bytes: number;
  /** Sum of frame lengths on the wire, as Wireshark's Conversations count. */
  frameBytes: number;
  fwdPackets: number;
  fwdBytes: number;
  revPackets: number;
  revBytes: number;
  /** Union of TCP flags over both directions (0 for non-TCP). */
  tcpFlags: number;
  fwdTcpFlags: number;
  revTcpFlags: number;
  state: ConnState;
  endReason: FlowEndReason;
  /** Packets of this flow that were IP fragments. */
  fragments: number;
  tunnel?: FlowTunnel;
  /** Application protocol name, e.g. 'dns', 'tls', 'http' (set by analyzers or exporters). */
  application?: string;
  /** TLS/QUIC server name indication. */
  sni?: string;
  /** HTTP/1.x Host header. */
  httpHost?: string;
  /** First DNS query name of the flow. */
  dnsName?: string;
  /** Application metadata (TLS, HTTP, DHCP, SSH, QUIC) when the flow carried any (analyze/app). */
  app?: AppMetadata;
  /** TCP diagnostics (analyze/tcp) for TCP flows it analysed; see docs/tcp-analysis.md. */
  tcp?: TcpFlowDiagnostics;
  /** DNS transactions (analyze/dns) on flows that carried DNS; see docs/dns-icmp-timing.md. */
  dns?: FlowDns;
  /** RFC 3393 IPDV of UDP media flows (analyze/timing); see docs/dns-icmp-timing.md. */
  jitter?: FlowJitter;
}

/**
 * Gives `record` every field the analyzers may add (application metadata, TCP, DNS, jitter),
 * left undefined where absent, in the order they set them (the order `analyze --format json`
 * writes them). Called on each ended record before any analyzer sees it, so that every record
 * has one hidden class in V8 whatever its protocol: the analyzers, enrichment, the detections and
 * the writers then read its fields without megamorphic lookups. JSON omits undefined fields, so
 * the output is unchanged.
 */
export function declareAnalyzerFields(record: FlowRecord): void {
  const { application, app, sni, httpHost, tcp, dns, dnsName, jitter } = record;
  record.application = application;
  record.app = app;
  record.sni = sni;
  record.httpHost = httpHost;
  record.tcp = tcp;
  record.dns = dns;
  record.dnsName = dnsName;
  record.jitter = jitter;
}
