/**
 * What flow exports (NetFlow v5/v9, IPFIX, sFlow v5) decode into: flow records that extend the
 * capture path's `FlowRecord`, sFlow interface counter samples, and per-exporter counters.
 *
 * Field names match the store's `StoredFlow` columns (sourceKind, exporter, samplingRate,
 * rawPackets, rawBytes, inputIf, outputIf), so a record can be written as it is.
 */
import type { FlowRecord } from './flow.js';

/** The export protocol family a record came from (a subset of the store's SourceKind). */
export type FlowExportKind = 'netflow' | 'ipfix' | 'sflow';

export interface ExportedFlowRecord extends FlowRecord {
  sourceKind: FlowExportKind;
  /** Address of the exporter as the collector saw it (the UDP source address). */
  exporter: string;
  /**
   * NetFlow v9 source id, IPFIX observation domain id, sFlow sub-agent id, or for NetFlow v5
   * `engine_type << 8 | engine_id`.
   */
  observationDomain: number;
  /** sFlow only: the agent address from the datagram header (may differ from `exporter`). */
  agent?: string;
  /** 1-in-N packet sampling applied by the exporter; 1 when unsampled or unknown. */
  samplingRate: number;
  /** Packet and byte counts as the exporter reported them, before scaling by `samplingRate`. */
  rawPackets: number;
  rawBytes: number;
  /** SNMP ifIndex of the input and output interfaces; 0 when not exported. */
  inputIf: number;
  outputIf: number;
}

/** sFlow v5 generic interface counters (sFlow v5 spec, counter record format 1). */
export interface InterfaceCounterRecord {
  exporter: string;
  agent: string;
  subAgentId: number;
  /** When the collector received the datagram, seconds since the Unix epoch. */
  ts: number;
  /** Counter sample sequence number. */
  sequence: number;
  ifIndex: number;
  ifType: number;
  /** Bits per second. */
  ifSpeed: number;
  /** 0 unknown, 1 full duplex, 2 half duplex, 3 in, 4 out. */
  ifDirection: number;
  /** Bit 0 admin up, bit 1 operationally up. */
  ifStatus: number;
  ifInOctets: number;
  ifInUcastPkts: number;
  ifInMulticastPkts: number;
  ifInBroadcastPkts: number;
  ifInDiscards: number;
  ifInErrors: number;
  ifInUnknownProtos: number;
  ifOutOctets: number;
  ifOutUcastPkts: number;
  ifOutMulticastPkts: number;
  ifOutBroadcastPkts: number;
  ifOutDiscards: number;
  ifOutErrors: number;
  ifPromiscuousMode: number;
}

/** Everything that moves, per exporter (Prometheus: flowlens_collector_<name>_total). */
export interface ExporterCounters {
  exporter: string;
  /** Export datagrams handed to the decoder. */
  packets: number;
  /** Flow records emitted. */
  records: number;
  /** sFlow interface counter records emitted. */
  counterRecords: number;
  /** Datagrams (or parts of them) rejected as malformed: truncated, bad lengths, bad templates, unknown version. */
  decodeErrors: number;
  /** Data sets that arrived for a template this exporter had not (yet) defined. */
  templateMisses: number;
  /** Discontinuities in the export sequence numbers (lost or reordered export packets). */
  sequenceGaps: number;
  /** Data sets buffered now, waiting for their template (a gauge). */
  pendingRecords: number;
  /** Buffered data sets dropped because their template never came in time, or the buffer was full. */
  expiredPending: number;
  /** Templates and options templates currently defined. */
  templates: number;
  /** Times the exporter was seen restarting (sequence or uptime went back); its templates were dropped. */
  restarts: number;
  /** Its observation domains (IPFIX), source ids (NetFlow v9), engines (v5) or sub-agents (sFlow), in first-seen order. */
  domains?: ExporterDomainCounters[];
}

/** The export protocol a domain's datagrams use. */
export type ExportProtocol = 'netflow-v5' | 'netflow-v9' | 'ipfix' | 'sflow-v5';

/** One domain of an exporter; sequence numbers and templates are per domain, so gaps are too. */
export interface ExporterDomainCounters {
  protocol: ExportProtocol;
  /** IPFIX observation domain id, NetFlow v9 source id, v5 engine type/id (type × 256 + id), sFlow sub-agent id. */
  id: number;
  packets: number;
  records: number;
  templateMisses: number;
  sequenceGaps: number;
  /** Templates defined now in this domain. */
  templates: number;
}
