/**
 * TCP diagnostics: the per-flow field (`FlowRecord.tcp`) and the capture-level summary that the
 * TCP analyzer publishes under `analysis.tcp`. Field names are a public contract
 * (`flowlens analyze --format json`, docs/tcp-analysis.md): keep them stable.
 *
 * Times are seconds. Counts of Wireshark-style events count packets, as `tcp.analysis.*` flags do.
 */

/** How a connection's three-way handshake went. */
export type TcpHandshakeState =
  /** SYN, SYN-ACK and the final ACK were all seen. */
  | 'complete'
  /** SYN(s) without any answer from the responder. */
  | 'unanswered'
  /** The responder answered the SYN with a RST (connection refused). */
  | 'refused'
  /** A SYN-ACK was seen, then a RST (either side) before the final ACK. */
  | 'reset'
  /** A SYN-ACK was seen but neither the final ACK nor a RST (capture ended, or the ACK was lost). */
  | 'incomplete';

export interface TcpHandshake {
  state: TcpHandshakeState;
  /** Most recent SYN → first SYN-ACK, as seen at the capture point. */
  synToSynAck?: number;
  /** First SYN-ACK → the originator's first ACK. */
  synAckToAck?: number;
  /** Most recent SYN → the originator's first ACK. */
  total?: number;
  /** Pure SYNs the originator sent beyond the first. */
  synRetransmissions: number;
}

/** One direction of a flow. Counters that are zero are left out. */
export interface TcpDirectionDiagnostics {
  /** Payload bytes by the TCP segment length (retransmitted bytes included). */
  payloadBytes: number;
  /** payloadBytes / the flow's duration; absent when the flow lasted 0 s. */
  throughput?: number;
  /** Every retransmission (tcp.analysis.retransmission: RTO, fast and spurious). */
  retransmissions?: number;
  /** Retransmissions that are neither fast nor spurious (timer-driven). */
  rtoRetransmissions?: number;
  fastRetransmissions?: number;
  spuriousRetransmissions?: number;
  retransmittedBytes?: number;
  outOfOrder?: number;
  duplicateAcks?: number;
  /** "Previous segment not captured" (tcp.analysis.lost_segment). */
  lostSegments?: number;
  /** "ACKed unseen segment" (tcp.analysis.ack_lost_segment). */
  ackedUnseen?: number;
  keepAlives?: number;
  /** Packets advertising a zero window (tcp.analysis.zero_window), and how long it lasted. */
  zeroWindows?: number;
  zeroWindowSeconds?: number;
  zeroWindowProbes?: number;
  /** Packets advertising a window below `lowWindowBytes` (scaled; scale must be known). */
  lowWindows?: number;
  lowWindowSeconds?: number;
  /** Segments that filled the peer's advertised window (tcp.analysis.window_full). */
  windowFull?: number;
  resets?: number;
}

export interface TcpRttStats {
  samples: number;
  min: number;
  mean: number;
  max: number;
}

export interface TcpFlowDiagnostics {
  /** tshark-style tcp.stream: index of the flow among the TCP flows seen, in order of first packet. */
  stream: number;
  handshake?: TcpHandshake;
  /** As Wireshark's tcp.analysis.initial_rtt: most recent SYN → first ACK without SYN. */
  initialRtt?: number;
  /** Data segment → ACK covering it, never for retransmitted data (Karn). */
  rtt?: TcpRttStats;
  /** Which side sent the first RST, when one did. */
  resetBy?: 'originator' | 'responder';
  fwd: TcpDirectionDiagnostics;
  rev: TcpDirectionDiagnostics;
}

/** Issue types the capture summary counts and lists flows for. */
export const TCP_ISSUES = [
  'retransmission',
  'rtoRetransmission',
  'fastRetransmission',
  'spuriousRetransmission',
  'outOfOrder',
  'duplicateAck',
  'lostSegment',
  'ackedUnseen',
  'zeroWindow',
  'lowWindow',
  'windowFull',
  'reset',
  'synRetransmission',
  'unansweredHandshake',
  'refusedHandshake',
  'resetHandshake',
] as const;
export type TcpIssue = (typeof TCP_ISSUES)[number];

/** A flow named in an issue list, with what a report needs to point Wireshark at it. */
export interface TcpAffectedFlow {
  communityId: string;
  stream: number;
  ipVersion: 4 | 6;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  firstTs: number;
  /** Events of this issue in the flow (packets; 1 for handshake outcomes and resets). */
  count: number;
  /** Wireshark display filter for the flow's 5-tuple, e.g. `ip.addr==10.0.0.1 && tcp.port==443 && …`. */
  filter: string;
}

export interface TcpIssueSummary {
  /** Events over the capture (packets, or flows for handshake outcomes and resets). */
  count: number;
  /** Flows with at least one event. */
  flows: number;
  /** The flows with the most events, at most `maxFlowsPerIssue`, most events first. */
  topFlows: TcpAffectedFlow[];
  /** Affected flows left out of `topFlows`. */
  droppedFlows: number;
}

/** Distribution of a time (seconds) over the capture; percentiles from a capped sample. */
export interface TcpTimeSummary {
  count: number;
  min: number | null;
  median: number | null;
  p95: number | null;
  max: number | null;
  /** Values left out of the percentile sample (min/max/count still see every value). */
  sampled: number;
}

export interface TcpAnalysisSummary {
  tcpFlows: number;
  packets: number;
  /** TCP packets not analysed: IP fragments (no reassembly) and headers cut short. */
  skippedPackets: number;
  payloadBytes: number;
  issues: Record<TcpIssue, TcpIssueSummary>;
  handshakes: {
    complete: number;
    unanswered: number;
    refused: number;
    reset: number;
    incomplete: number;
    /** Flows whose SYN was not captured (started before the capture). */
    midstream: number;
    synToSynAck: TcpTimeSummary;
    synAckToAck: TcpTimeSummary;
    total: TcpTimeSummary;
  };
  initialRtt: TcpTimeSummary;
  rtt: TcpTimeSummary;
  resets: { byOriginator: number; byResponder: number };
  /** The thresholds used, as configured. */
  config: {
    lowWindowBytes: number;
    maxFlowsPerIssue: number;
    maxTimeSamples: number;
    fastRetransmissionWindow: number;
    outOfOrderDefaultThreshold: number;
  };
}
