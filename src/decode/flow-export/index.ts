/**
 * Flow-export decoding (NetFlow v5/v9, IPFIX, sFlow v5) into `ExportedFlowRecord`s: the public
 * API the collector (sources/flow-export) and `--from-pcap` pipeline use.
 */
export {
  DEFAULT_FLOW_EXPORT_DECODER_CONFIG,
  type FlowExportDecoderConfig,
  type FlowExportError,
  type FlowExportSink,
} from './core/index.js';
export {
  createFlowExportDecoder,
  type FlowExportDecoder,
  type FlowExportProtocol,
  sniffFlowExport,
} from './decoder.js';
