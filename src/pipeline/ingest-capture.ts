/**
 * One capture file into the flow store: the analyze pass, with its flow records batched into an
 * open IngestWriter. Backpressure: the pass pauses while a batch is written, so memory holds at
 * most one batch plus the flow table (and, at end of input, the flows still active).
 *
 * Contract: resolves with the file's summary once every flow is written; the caller commits or
 * aborts the writer. Rejects with the signal's reason when aborted, or with the source's
 * FlowlensError; flows already written stay uncommitted in the writer.
 */
import type { PacketAnalyzer } from '../analyze/index.js';
import type { FlowTableConfig } from '../flows/index.js';
import type { FlowRecord } from '../model/index.js';
import type { IngestWriter, SourceKind, StoredFlow } from '../store/index.js';
import { type AnalyzeProgress, analyzeCaptures } from './analyze-captures.js';
import type { CaptureSummary } from './capture-summary.js';
import type { FlowEnrichment } from './enrich-flows.js';

export interface IngestCaptureOptions {
  file: string;
  writer: IngestWriter;
  sourceKind?: SourceKind;
  flowTable?: Partial<FlowTableConfig>;
  /** Analyzers of the pass; their per-flow fields (application, SNI, …) are stored with the flows. */
  analyzers?: PacketAnalyzer[];
  /** Country, AS, names and threat tags, filled before `onFlow` and the store see a record. */
  enrichment?: FlowEnrichment;
  /** Sees every flow record before it is written (e.g. detections). */
  onFlow?(record: FlowRecord): void;
  /** Flows per `writer.write`; default 10,000. */
  batchSize?: number;
  onProgress?(progress: AnalyzeProgress): void;
  signal?: AbortSignal;
}

export interface IngestCaptureResult {
  summary: CaptureSummary;
  /** Each analyzer's results under its name. */
  analysis: Record<string, unknown>;
  flows: number;
  /** Sums over the flow records written (IP-layer bytes), as `flowlens analyze` reports them. */
  packets: number;
  bytes: number;
}

export async function ingestCapture(options: IngestCaptureOptions): Promise<IngestCaptureResult> {
  const sourceKind = options.sourceKind ?? 'pcap';
  const batchSize = options.batchSize ?? 10_000;
  let batch: StoredFlow[] = [];
  let flows = 0;
  let packets = 0;
  let bytes = 0;
  const writeBatch = () => {
    const full = batch;
    batch = [];
    return options.writer.write(full);
  };
  const { summary, analysis } = await analyzeCaptures({
    files: [options.file],
    flowTable: options.flowTable,
    analyzers: options.analyzers,
    enrichment: options.enrichment,
    signal: options.signal,
    onProgress: options.onProgress,
    onFlow(record: FlowRecord) {
      options.onFlow?.(record);
      const stored = record as StoredFlow;
      stored.sourceKind = sourceKind;
      batch.push(stored);
      flows++;
      packets += record.packets;
      bytes += record.bytes;
    },
    backpressure: () => (batch.length >= batchSize ? writeBatch() : undefined),
  });
  options.signal?.throwIfAborted();
  if (batch.length > 0) await writeBatch();
  return { summary, analysis, flows, packets, bytes };
}
