/**
 * Shared types of the flow-export decoders: configuration, the sink records go to, the typed
 * error a datagram can return, and the per-exporter state (templates, samplers, sequence
 * numbers, data waiting for its template).
 *
 * Ownership: one `ExporterState` per exporter address, created by the decoder and touched only by
 * the decoders of that exporter's datagrams, so a bad template from one exporter never reaches
 * another's state.
 */
import type {
  ExportedFlowRecord,
  ExporterCounters,
  FlowExportKind,
  InterfaceCounterRecord,
} from '../../../model/index.js';
import type { ErrorCode } from '../../../shared/index.js';

export interface FlowExportDecoderConfig {
  /** Data sets buffered per exporter while their template is unknown; oldest dropped beyond it. */
  maxPendingSets: number;
  /** Seconds a buffered data set waits for its template before it is dropped and counted. */
  pendingTimeoutSec: number;
  /** Templates (data and options) one exporter may define across its domains. */
  maxTemplatesPerExporter: number;
}

export const DEFAULT_FLOW_EXPORT_DECODER_CONFIG: FlowExportDecoderConfig = {
  maxPendingSets: 1024,
  pendingTimeoutSec: 60,
  maxTemplatesPerExporter: 4096,
};

/**
 * Where decoded records go. Contract: called synchronously during `decode`; every record is a
 * fresh object that the sink owns from then on (it may keep it, batch it, mutate it).
 */
export interface FlowExportSink {
  onFlow(record: ExportedFlowRecord): void;
  onCounters?(record: InterfaceCounterRecord): void;
}

/** Why (part of) a datagram was rejected. `offset` is the byte offset in the datagram. */
export interface FlowExportError {
  code: ErrorCode;
  message: string;
  offset: number;
}

/** A template compiled for the data-record loop (RFC 7011 §3.4.1, RFC 3954 §5.2). */
export interface Template {
  id: number;
  /** Scope fields (options templates only; 0 for data templates). */
  scopeCount: number;
  fieldCount: number;
  /** Field lengths; VARIABLE_LENGTH for IPFIX variable-length fields (RFC 7011 §7). */
  lengths: Uint16Array;
  /** Where each field's value goes (SLOT.*). */
  slots: Uint8Array;
  /** Record length when every field is fixed, else -1. */
  fixedLength: number;
  /** Smallest possible record (variable fields counted as their 1-byte length prefix). */
  minLength: number;
  /** The template record as received, to recognise an unchanged refresh without recompiling. */
  raw: Uint8Array;
}

export const VARIABLE_LENGTH = 0xffff;

/** A data set that arrived before its template, with what is needed to decode it later. */
export interface PendingSet {
  domainKey: number;
  templateId: number;
  bytes: Uint8Array;
  exportTimeSec: number;
  sysUptimeMs: number;
  receivedAtSec: number;
}

/** One NetFlow source id / IPFIX observation domain / v5 engine / sFlow sub-agent of an exporter. */
export interface DomainState {
  /** `version * 2^32 + domainId`: v9 source id 1 and IPFIX domain 1 are distinct. */
  key: number;
  domainId: number;
  templates: Map<number, Template>;
  /** Sampler/selector id → 1-in-N rate, from options data records. */
  samplers: Map<number, number>;
  /** Rate from the latest options record, used when a data record names no known sampler (0: none). */
  defaultSamplingRate: number;
  /** IPFIX systemInitTimeMilliseconds (IE 160) from options data, -1 when unknown. */
  systemInitMs: number;
  /** Next expected sequence number, -1 when unknown. */
  expectedSequence: number;
  /** Last NetFlow v9 sysUpTime (ms), -1 before the first packet. */
  lastUptimeMs: number;
  /** This domain's share of the exporter's counters of the same names. */
  packets: number;
  records: number;
  templateMisses: number;
  sequenceGaps: number;
}

export interface ExporterState {
  exporter: string;
  counters: ExporterCounters;
  domains: Map<number, DomainState>;
  /** Data sets waiting for templates, oldest first. */
  pending: PendingSet[];
}

/**
 * What every record of the datagram being decoded shares. One is reused per decoder; the
 * datagram decoders set it before decoding sets.
 */
export interface ExportContext {
  state: ExporterState;
  domain: DomainState;
  sourceKind: FlowExportKind;
  /** Export time from the header, seconds since the Unix epoch. */
  exportTimeSec: number;
  /** NetFlow sysUpTime at export, ms; -1 for IPFIX. */
  sysUptimeMs: number;
  receivedAtSec: number;
  /** Rate from the datagram header (NetFlow v5) or the sFlow sample; 0 when not given there. */
  headerSamplingRate: number;
  /** sFlow agent address ('' for NetFlow/IPFIX). */
  agent: string;
  config: FlowExportDecoderConfig;
  sink: FlowExportSink;
}

export function createDomainState(key: number, domainId: number): DomainState {
  return {
    key,
    domainId,
    templates: new Map(),
    samplers: new Map(),
    defaultSamplingRate: 0,
    systemInitMs: -1,
    expectedSequence: -1,
    lastUptimeMs: -1,
    packets: 0,
    records: 0,
    templateMisses: 0,
    sequenceGaps: 0,
  };
}

export function createExporterState(exporter: string): ExporterState {
  return {
    exporter,
    counters: {
      exporter,
      packets: 0,
      records: 0,
      counterRecords: 0,
      decodeErrors: 0,
      templateMisses: 0,
      sequenceGaps: 0,
      pendingRecords: 0,
      expiredPending: 0,
      templates: 0,
      restarts: 0,
    },
    domains: new Map(),
    pending: [],
  };
}

/**
 * The domain `domainId` of `version` for this exporter, created on first use. Called once per
 * datagram (by its header), so it counts the datagram in the domain's `packets`.
 */
export function domainOf(state: ExporterState, version: number, domainId: number): DomainState {
  const key = version * 4294967296 + domainId;
  let domain = state.domains.get(key);
  if (domain === undefined) {
    domain = createDomainState(key, domainId);
    state.domains.set(key, domain);
  }
  domain.packets++;
  return domain;
}

export function exportError(code: ErrorCode, message: string, offset: number): FlowExportError {
  return { code, message, offset };
}
