/** Settings of the TCP analyzer, with the defaults docs/tcp-analysis.md documents. */

export interface TcpAnalyzerConfig {
  /**
   * A scaled receive window above 0 and below this many bytes counts as a low window. Only
   * judged when the window scale is known (the handshake was captured, or no scaling was used).
   */
  lowWindowBytes: number;
  /**
   * Seconds after the last duplicate ACK within which a retransmission of the ACKed sequence
   * number is a fast retransmission (Wireshark: 20 ms).
   */
  fastRetransmissionWindow: number;
  /**
   * Seconds after the highest segment within which an earlier segment is out of order rather
   * than retransmitted, when the flow has no initial RTT (Wireshark: 3 ms; with an initial RTT,
   * that RTT is the threshold).
   */
  outOfOrderDefaultThreshold: number;
  /** Flows listed per issue type in the capture summary (the ones with the most events). */
  maxFlowsPerIssue: number;
  /** Values kept per time distribution (RTT, handshake) for its percentiles. */
  maxTimeSamples: number;
}

export const DEFAULT_TCP_ANALYZER_CONFIG: Readonly<TcpAnalyzerConfig> = {
  lowWindowBytes: 4096,
  fastRetransmissionWindow: 0.02,
  outOfOrderDefaultThreshold: 0.003,
  maxFlowsPerIssue: 100,
  maxTimeSamples: 100_000,
};
