/**
 * The capture path: files → frames → decoded packets → flow records, in one streaming pass.
 *
 * Contract: flows reach `onFlow` as they end (then the rest at the end of input); warnings reach
 * `onWarning` as they are found, at most `maxWarnings` of them, all of them counted in the
 * summary. Several files form one run: one flow table, frames numbered per file. If any file is
 * not a capture (or cannot be opened), the run rejects with its FlowlensError before reading any.
 */
import type { FrameSink } from '../sources/index.js';
import { checkCaptureFile, readCapture } from '../sources/index.js';
import { type CaptureEngineOptions, createCaptureEngine } from './capture-engine.js';
import type { CaptureSummary } from './capture-summary.js';
import type { FlowEnrichment } from './enrich-flows.js';

export interface AnalyzeProgress {
  /** Index of the file being read, from 0. */
  fileIndex: number;
  /** Raw bytes read from all files so far. */
  bytesRead: number;
  packets: number;
}

export interface AnalyzeOptions extends CaptureEngineOptions {
  files: string[];
  /** Enrichment (createFlowEnrichment): runs on each record before `onFlow`; its analyzers join the pass. */
  enrichment?: FlowEnrichment;
  onProgress?(progress: AnalyzeProgress): void;
  /** Returns a promise when the consumer needs the pass to pause (see FrameSink.backpressure). */
  backpressure?(): Promise<void> | undefined;
  signal?: AbortSignal;
}

export interface AnalyzeResult {
  summary: CaptureSummary;
  /** Each analyzer's `finish()` result, under its name. */
  analysis: Record<string, unknown>;
}

export async function analyzeCaptures(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const enrichment = options.enrichment;
  const engine = createCaptureEngine(
    enrichment
      ? {
          ...options,
          analyzers: [...(options.analyzers ?? []), ...enrichment.analyzers],
          onFlow: (record) => {
            enrichment.enrich(record);
            options.onFlow(record);
          },
        }
      : options,
  );
  let bytesBefore = 0;
  let fileIndex = 0;
  const sink: FrameSink = {
    ...engine.sink,
    onProgress(bytesRead) {
      options.onProgress?.({ fileIndex, bytesRead: bytesBefore + bytesRead, packets: engine.packets });
    },
    backpressure: options.backpressure,
  };

  // A non-capture among several files fails the run before anything is read or written.
  for (const file of options.files) await checkCaptureFile(file);
  for (const file of options.files) {
    engine.setInput(file);
    const info = await readCapture(file, sink, { signal: options.signal });
    engine.addInputInfo(info);
    bytesBefore += info.sizeBytes ?? 0;
    fileIndex++;
  }
  return engine.finish();
}
