/**
 * One capture into an open store ingest with everything `flowlens ingest` keeps beside the flows:
 * the flow analyzers and the detections run in the pass, then the ingest is committed, the
 * device inventory merged (recordInventory, with MAC vendors when enrichment is on) and the
 * alerts recorded against the ingest.
 * Shared by `flowlens ingest` and `serve --demo`.
 *
 * Contract: on success the ingest is committed; on failure nothing is committed and the caller
 * aborts the writer.
 */
import type { DeviceInventory } from '../../analyze/index.js';
import {
  type AnalyzeProgress,
  createCaptureDetection,
  type FlowEnrichment,
  type IngestCaptureResult,
  ingestCapture,
  recordInventory,
  storedAlerts,
} from '../../pipeline/index.js';
import type { FlowStore, IngestRecord, IngestWriter } from '../../store/index.js';
import { createAnalyzers, FLOW_ANALYZER_NAMES } from '../analyze/analyzer-set.js';

export interface IngestWithFindingsOptions {
  store: FlowStore;
  writer: IngestWriter;
  file: string;
  signal?: AbortSignal;
  enrichment?: FlowEnrichment;
  onProgress?(progress: AnalyzeProgress): void;
}

export interface IngestFindings {
  record: IngestRecord;
  result: IngestCaptureResult;
  /** Alerts recorded: detections plus device inventory events. */
  alerts: number;
}

export async function ingestWithFindings(options: IngestWithFindingsOptions): Promise<IngestFindings> {
  const { store, writer, enrichment } = options;
  const detection = createCaptureDetection({}, { lookups: enrichment?.lookups });
  const result = await ingestCapture({
    file: options.file,
    writer,
    signal: options.signal,
    analyzers: [...createAnalyzers(FLOW_ANALYZER_NAMES), ...detection.analyzers],
    enrichment,
    onFlow: (record) => detection.onFlow(record),
    onProgress: options.onProgress,
  });
  const record = await writer.commit({ packets: result.summary.packets, bytes: result.summary.bytes });
  const devices = result.analysis.devices as DeviceInventory | undefined;
  const inventory = devices
    ? await recordInventory(store, devices, record.id, enrichment?.vendorOf)
    : { alerts: 0 };
  const alerts = storedAlerts(detection.finish(), record.id);
  if (alerts.length > 0) await store.recordAlerts(alerts);
  return { record, result, alerts: alerts.length + inventory.alerts };
}
