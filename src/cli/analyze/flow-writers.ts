/**
 * The machine-readable views of `flowlens analyze`: one streamed JSON document, or NDJSON.
 *
 * Contract (stable field names, read by other tools): the JSON document is
 * `{"flows":[…],"warnings":[…],"summary":{…},"analysis":{…}}`; flows are written as they end, so memory stays
 * flat however many flows there are. NDJSON is one flow per line and nothing else on stdout.
 */
import type { FlowRecord, InputWarning } from '../../model/index.js';
import type { CaptureSummary } from '../../pipeline/index.js';
import type { OutputStream } from '../output-stream.js';
import { flowJson } from './flow-json-encoder.js';

export interface AnalyzeView {
  begin(): void;
  flow(record: FlowRecord): void;
  warning(warning: InputWarning): void;
  /** `analysis`: each analyzer's results under its name (see AnalyzeResult). */
  finish(summary: CaptureSummary, analysis: Record<string, unknown>): void;
}

export function createJsonView(out: OutputStream): AnalyzeView {
  // The opening is written with the first flow (or at the end), so that a run that fails
  // before any flow, e.g. on a file that is not a capture, writes nothing to stdout.
  let opened = false;
  const warnings: InputWarning[] = [];
  return {
    begin() {},
    flow(record) {
      out.write(opened ? `,\n${flowJson(record)}` : `{"flows":[\n${flowJson(record)}`);
      opened = true;
    },
    warning(warning) {
      warnings.push(warning);
    },
    finish(summary, analysis) {
      if (!opened) out.write('{"flows":[');
      out.write(
        `\n],\n"warnings":${JSON.stringify(warnings)},\n"summary":${JSON.stringify(summary)},\n"analysis":${JSON.stringify(analysis)}}\n`,
      );
    },
  };
}

export function createNdjsonView(out: OutputStream): AnalyzeView {
  return {
    begin() {},
    flow(record) {
      out.write(`${flowJson(record)}\n`);
    },
    warning() {},
    finish() {},
  };
}
