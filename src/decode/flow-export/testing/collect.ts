/** Runs datagrams through a decoder and keeps what came out (test-only). */
import type { ExportedFlowRecord, InterfaceCounterRecord } from '../../../model/index.js';
import type { FlowExportDecoder, FlowExportError } from '../index.js';

export interface Collected {
  flows: ExportedFlowRecord[];
  counters: InterfaceCounterRecord[];
  errors: (FlowExportError | undefined)[];
}

export function collect(
  decoder: FlowExportDecoder,
  datagrams: Uint8Array[],
  exporter = '192.0.2.10',
  receivedAtSec = 1_700_000_000,
): Collected {
  const out: Collected = { flows: [], counters: [], errors: [] };
  const sink = {
    onFlow: (f: ExportedFlowRecord) => out.flows.push(f),
    onCounters: (c: InterfaceCounterRecord) => out.counters.push(c),
  };
  for (const d of datagrams) out.errors.push(decoder.decode(d, exporter, receivedAtSec, sink));
  return out;
}
