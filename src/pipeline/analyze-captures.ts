/**
 * The capture path: files → frames → decoded packets → flow records, in one streaming pass.
 *
 * Contract: flows reach `onFlow` as they end (then the rest at the end of input); warnings reach
 * `onWarning` as they are found, at most `maxWarnings` of them, all of them counted in the
 * summary. Several files form one run: one flow table, frames numbered per file. If any file is
 * not a capture (or cannot be opened), the run rejects with its FlowlensError before reading any.
 */
import type { PacketAnalyzer } from '../analyze/index.js';
import { decodeFrame } from '../decode/index.js';
import type { FlowTableConfig } from '../flows/index.js';
import { createFlowTable, DEFAULT_FLOW_TABLE_CONFIG } from '../flows/index.js';
import type { DecodedPacket, FlowRecord, Frame, InputWarning } from '../model/index.js';
import { createDecodedPacket, PACKET_KIND } from '../model/index.js';
import { describeError } from '../shared/index.js';
import type { FrameSink } from '../sources/index.js';
import { checkCaptureFile, readCapture } from '../sources/index.js';
import type { CaptureSummary } from './capture-summary.js';
import { createSummaryAccumulator } from './capture-summary.js';

export interface AnalyzeProgress {
  /** Index of the file being read, from 0. */
  fileIndex: number;
  /** Raw bytes read from all files so far. */
  bytesRead: number;
  packets: number;
}

export interface AnalyzeOptions {
  files: string[];
  flowTable?: Partial<FlowTableConfig>;
  /** Analyzers run in the same pass; each sees every record before `onFlow` does. */
  analyzers?: PacketAnalyzer[];
  onFlow(record: FlowRecord): void;
  onWarning?(warning: InputWarning): void;
  onProgress?(progress: AnalyzeProgress): void;
  /** Returns a promise when the consumer needs the pass to pause (see FrameSink.backpressure). */
  backpressure?(): Promise<void> | undefined;
  maxWarnings?: number;
  signal?: AbortSignal;
}

export interface AnalyzeResult {
  summary: CaptureSummary;
  /** Each analyzer's `finish()` result, under its name. */
  analysis: Record<string, unknown>;
}

export async function analyzeCaptures(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const config: FlowTableConfig = { ...DEFAULT_FLOW_TABLE_CONFIG, ...options.flowTable };
  const analyzers = options.analyzers ?? [];
  const onFlow = options.onFlow;
  const table = createFlowTable(
    config,
    analyzers.length === 0
      ? onFlow
      : (record, flowId) => {
          for (const analyzer of analyzers) analyzer.onFlowEnd(flowId, record);
          onFlow(record);
        },
  );
  const summary = createSummaryAccumulator();
  const packet: DecodedPacket = createDecodedPacket();
  const maxWarnings = options.maxWarnings ?? 1000;
  let warningsSent = 0;
  let bytesBefore = 0;
  let packets = 0;
  let fileIndex = 0;
  let currentFile = '';

  const warn = (warning: InputWarning) => {
    summary.addWarning(warning.code);
    if (warningsSent < maxWarnings) {
      warningsSent++;
      options.onWarning?.(warning);
    }
  };

  const sink: FrameSink = {
    onFrame(frame: Frame) {
      packets++;
      decodeFrame(frame, packet);
      summary.addFrame(packet, frame.timestamp, frame.originalLength, frame.capturedLength);
      if (packet.kind === PACKET_KIND.IP) {
        const handle = table.addPacket(packet, frame.timestamp, frame.originalLength);
        if (handle >= 0) {
          for (const analyzer of analyzers) {
            analyzer.onPacket(
              packet,
              frame.timestamp,
              frame.originalLength,
              handle >>> 1,
              (handle & 1) === 0,
            );
          }
        }
      } else if (packet.kind === PACKET_KIND.NON_IP) {
        for (const analyzer of analyzers)
          analyzer.onNonIpFrame?.(packet, frame.timestamp, frame.originalLength);
      }
      if (packet.errorCode !== '') {
        warn({
          packetIndex: frame.index,
          file: currentFile,
          code: packet.errorCode,
          message: `frame ${frame.index}: ${describeError(packet.errorCode)} at byte ${packet.errorOffset - frame.offset} of the frame`,
        });
      }
    },
    onWarning(warning) {
      warn({ ...warning, file: warning.file ?? currentFile });
    },
    onProgress(bytesRead) {
      options.onProgress?.({ fileIndex, bytesRead: bytesBefore + bytesRead, packets });
    },
    backpressure: options.backpressure,
  };

  // A non-capture among several files fails the run before anything is read or written.
  for (const file of options.files) await checkCaptureFile(file);
  for (const file of options.files) {
    currentFile = file;
    const info = await readCapture(file, sink, { signal: options.signal });
    summary.addFile(info);
    bytesBefore += info.sizeBytes ?? 0;
    fileIndex++;
  }
  table.flush('end-of-input');
  summary.setFlows(table.stats().recordsEmitted);
  const analysis: Record<string, unknown> = {};
  for (const analyzer of analyzers) analysis[analyzer.name] = analyzer.finish();
  return { summary: summary.result(), analysis };
}
