/**
 * The flow-export decoder: one stateful object per collector that takes export datagrams from
 * any number of exporters, tells NetFlow v5, v9, IPFIX and sFlow v5 apart by their version
 * field, and hands flow records and interface counters to a sink. It owns each exporter's
 * templates, samplers, sequence numbers, pending data and counters.
 *
 * Contract: `decode` never throws on any datagram (only a throwing sink can make it throw); a
 * malformed datagram returns a `FlowExportError` and counts one decode error, and the records
 * decoded before the problem stay emitted. `decode` keeps no reference to the datagram after it
 * returns (pending data is copied). Not thread-safe: one decoder per thread.
 */
import {
  createDecodedPacket,
  createFrame,
  type ExporterCounters,
  type ExporterDomainCounters,
  type ExportProtocol,
} from '../../model/index.js';
import { ERR } from '../../shared/index.js';
import { decodeIpfix } from '../ipfix/index.js';
import { decodeNetflowV5, decodeNetflowV9 } from '../netflow/index.js';
import { decodeSflowV5, type SflowScratch } from '../sflow/index.js';
import {
  createDomainState,
  createExporterState,
  createFieldList,
  createRecordScratch,
  DEFAULT_FLOW_EXPORT_DECODER_CONFIG,
  type ExportContext,
  type ExporterState,
  expirePending,
  exportError,
  type FlowExportDecoderConfig,
  type FlowExportError,
  type FlowExportSink,
} from './core/index.js';

/** Export protocols told apart by `sniffFlowExport`. */
export type FlowExportProtocol = 'netflow-v5' | 'netflow-v9' | 'ipfix' | 'sflow-v5';

/** The protocol a datagram claims by its version field (not validated further), or undefined. */
export function sniffFlowExport(d: Uint8Array): FlowExportProtocol | undefined {
  if (d.length < 4) return undefined;
  const version = (d[0] << 8) | d[1];
  if (version === 5) return 'netflow-v5';
  if (version === 9) return 'netflow-v9';
  if (version === 10) return 'ipfix';
  if (version === 0 && d[2] === 0 && d[3] === 5) return 'sflow-v5';
  return undefined;
}

export interface FlowExportDecoder {
  /**
   * Decodes one UDP payload from `exporter` (its address as text), received at `receivedAtSec`
   * (Unix seconds; used for sFlow timestamps and the pending-data timeout). Returns undefined
   * when the whole datagram decoded, else the first problem found.
   */
  decode(
    datagram: Uint8Array,
    exporter: string,
    receivedAtSec: number,
    sink: FlowExportSink,
  ): FlowExportError | undefined;
  /** Drops (and counts) data still waiting for templates after the configured timeout at `nowSec`. */
  expirePending(nowSec: number): void;
  /** End of input: everything still waiting for a template is dropped and counted as expired. */
  flushPending(): void;
  /** A snapshot of every exporter's counters, in first-seen order. */
  counters(): ExporterCounters[];
  /** A snapshot of one exporter's counters, or undefined before its first datagram. */
  exporterCounters(exporter: string): ExporterCounters | undefined;
}

/** Domain keys are `version * 2^32 + id` (core/types.ts); sFlow uses 0x5f as its version. */
const PROTOCOL_OF_VERSION: Record<number, ExportProtocol> = {
  5: 'netflow-v5',
  9: 'netflow-v9',
  10: 'ipfix',
  95: 'sflow-v5',
};

function countersOf(state: ExporterState): ExporterCounters {
  const domains: ExporterDomainCounters[] = [];
  for (const d of state.domains.values()) {
    domains.push({
      protocol: PROTOCOL_OF_VERSION[Math.floor(d.key / 4294967296)] ?? 'ipfix',
      id: d.domainId,
      packets: d.packets,
      records: d.records,
      templateMisses: d.templateMisses,
      sequenceGaps: d.sequenceGaps,
      templates: d.templates.size,
    });
  }
  return { ...state.counters, domains };
}

export function createFlowExportDecoder(config: Partial<FlowExportDecoderConfig> = {}): FlowExportDecoder {
  const cfg: FlowExportDecoderConfig = { ...DEFAULT_FLOW_EXPORT_DECODER_CONFIG, ...config };
  const exporters = new Map<string, ExporterState>();
  const scratch = createRecordScratch();
  const fields = createFieldList();
  const sflow: SflowScratch = { frame: createFrame(), packet: createDecodedPacket() };
  const placeholder = createExporterState('');
  const ctx: ExportContext = {
    state: placeholder,
    domain: createDomainState(0, 0),
    sourceKind: 'netflow',
    exportTimeSec: 0,
    sysUptimeMs: -1,
    receivedAtSec: 0,
    headerSamplingRate: 0,
    agent: '',
    config: cfg,
    sink: { onFlow() {} },
  };

  function stateOf(exporter: string): ExporterState {
    let state = exporters.get(exporter);
    if (state === undefined) {
      state = createExporterState(exporter);
      exporters.set(exporter, state);
    }
    return state;
  }

  function decode(
    datagram: Uint8Array,
    exporter: string,
    receivedAtSec: number,
    sink: FlowExportSink,
  ): FlowExportError | undefined {
    const state = stateOf(exporter);
    state.counters.packets++;
    if (state.pending.length > 0) expirePending(state, receivedAtSec, cfg.pendingTimeoutSec);
    ctx.state = state;
    ctx.receivedAtSec = receivedAtSec;
    ctx.sink = sink;
    ctx.agent = '';
    ctx.headerSamplingRate = 0;
    let error: FlowExportError | undefined;
    switch (sniffFlowExport(datagram)) {
      case 'netflow-v5':
        error = decodeNetflowV5(datagram, ctx, scratch);
        break;
      case 'netflow-v9':
        error = decodeNetflowV9(datagram, ctx, scratch, fields);
        break;
      case 'ipfix':
        error = decodeIpfix(datagram, ctx, scratch, fields);
        break;
      case 'sflow-v5':
        error = decodeSflowV5(datagram, ctx, scratch, sflow);
        break;
      default:
        error = exportError(
          ERR.FLOW_EXPORT_BAD_VERSION,
          datagram.length < 4
            ? 'datagram too short for a version field'
            : `unknown version ${(datagram[0] << 8) | datagram[1]}`,
          0,
        );
    }
    if (error !== undefined) state.counters.decodeErrors++;
    ctx.state = placeholder;
    return error;
  }

  return {
    decode,
    expirePending(nowSec) {
      for (const state of exporters.values()) expirePending(state, nowSec, cfg.pendingTimeoutSec);
    },
    flushPending() {
      for (const state of exporters.values()) expirePending(state, Number.POSITIVE_INFINITY, 0);
    },
    counters() {
      return [...exporters.values()].map(countersOf);
    },
    exporterCounters(exporter) {
      const state = exporters.get(exporter);
      return state === undefined ? undefined : countersOf(state);
    },
  };
}
