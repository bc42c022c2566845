/** Flow table settings, with the defaults `flowlens analyze` documents in its --help. */
export interface FlowTableConfig {
  /** Seconds without a packet before a TCP flow ends. */
  tcpIdleTimeout: number;
  udpIdleTimeout: number;
  icmpIdleTimeout: number;
  /** Any other IP protocol (GRE, ESP, OSPF, …). */
  otherIdleTimeout: number;
  /** Seconds a TCP flow lingers after FIN from both sides or a RST, for the last ACKs. */
  tcpCloseGrace: number;
  /** Seconds after which a long-lived flow emits an interim record; 0 disables. */
  activeTimeout: number;
  /** Flows held at once; past it the least recently seen flow is ended ('evicted'). */
  maxFlows: number;
  /** Seconds a first fragment's ports are remembered for the fragments that follow it. */
  fragmentTimeout: number;
  maxFragmentEntries: number;
}

export const DEFAULT_FLOW_TABLE_CONFIG: Readonly<FlowTableConfig> = {
  tcpIdleTimeout: 300,
  udpIdleTimeout: 60,
  icmpIdleTimeout: 60,
  otherIdleTimeout: 60,
  tcpCloseGrace: 5,
  activeTimeout: 1800,
  maxFlows: 1_000_000,
  fragmentTimeout: 30,
  maxFragmentEntries: 65_536,
};
