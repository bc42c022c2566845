/**
 * `--from-pcap`: flow exports captured in a pcap/pcapng file, decoded as the collector would
 * decode them live. Each frame is decoded with the engine's `decodeFrame`; UDP payloads on the
 * flow-export ports, or on other ports when their header looks like an export, go to one
 * flow-export decoder with the packet's source address as the exporter and the frame time as
 * the receive time. At the end of the file, data still waiting for templates is counted as
 * expired.
 *
 * Limits: IP fragments of export datagrams are not reassembled (only whole datagrams decode).
 */

import {
  createFlowExportDecoder,
  type FlowExportDecoderConfig,
  type FlowExportError,
  type FlowExportSink,
  sniffFlowExport,
} from '../decode/flow-export/index.js';
import { decodeFrame } from '../decode/index.js';
import {
  createDecodedPacket,
  type ExporterCounters,
  type Frame,
  formatIp,
  IP_PROTO,
  PACKET_KIND,
} from '../model/index.js';
import { type CaptureFileInfo, type FrameSink, readCapture } from '../sources/index.js';

/** Well-known collector ports: NetFlow 2055/2056/9995/9996, IPFIX 4739, sFlow 6343. */
export const FLOW_EXPORT_PORTS: readonly number[] = [2055, 2056, 4739, 6343, 9995, 9996];

export interface DecodeExportCaptureOptions {
  file: string;
  sink: FlowExportSink;
  /** Destination ports always handed to the decoder (default FLOW_EXPORT_PORTS). */
  ports?: readonly number[];
  /** Also decode UDP datagrams on other ports whose header looks like an export (default true). */
  sniff?: boolean;
  decoder?: Partial<FlowExportDecoderConfig>;
  /** Each rejected datagram, with the frame it came in (1-based, as Wireshark numbers frames). */
  onError?(error: FlowExportError, frameIndex: number): void;
  signal?: AbortSignal;
}

export interface DecodeExportCaptureResult {
  capture: CaptureFileInfo;
  /** UDP datagrams handed to the decoder. */
  datagrams: number;
  /** Datagrams the decoder rejected (in whole or in part). */
  errors: number;
  /** Per-exporter counters after the end-of-input flush. */
  counters: ExporterCounters[];
}

/**
 * True when a payload's header is consistent with its length, so a datagram on an unexpected
 * port (DNS with id 5, say) is not taken for an export.
 */
export function looksLikeFlowExport(d: Uint8Array): boolean {
  switch (sniffFlowExport(d)) {
    case 'netflow-v5': {
      const count = (d[2] << 8) | d[3];
      return count > 0 && d.length === 24 + count * 48;
    }
    case 'netflow-v9': {
      if (d.length < 24) return false;
      const id = (d[20] << 8) | d[21];
      const length = (d[22] << 8) | d[23];
      return (id <= 1 || id >= 256) && length >= 4 && 20 + length <= d.length;
    }
    case 'ipfix':
      return ((d[2] << 8) | d[3]) === d.length;
    case 'sflow-v5':
      return d.length >= 28 && d[4] === 0 && d[5] === 0 && d[6] === 0 && (d[7] === 1 || d[7] === 2);
    default:
      return false;
  }
}

export async function decodeExportCapture(
  options: DecodeExportCaptureOptions,
): Promise<DecodeExportCaptureResult> {
  const decoder = createFlowExportDecoder(options.decoder);
  const ports = new Set(options.ports ?? FLOW_EXPORT_PORTS);
  const sniff = options.sniff ?? true;
  const packet = createDecodedPacket();
  let datagrams = 0;
  let errors = 0;
  const sink: FrameSink = {
    onFrame(frame: Frame) {
      decodeFrame(frame, packet);
      if (packet.kind !== PACKET_KIND.IP || packet.protocol !== IP_PROTO.UDP || !packet.hasPorts) return;
      if (packet.isFragment) return;
      const d = packet.data;
      const payload = d.subarray(packet.payloadOffset, packet.payloadOffset + packet.payloadLength);
      if (!ports.has(packet.dstPort) && !(sniff && looksLikeFlowExport(payload))) return;
      datagrams++;
      const exporter = formatIp(d, packet.srcAddrOffset, packet.ipVersion);
      const error = decoder.decode(payload, exporter, frame.timestamp, options.sink);
      if (error !== undefined) {
        errors++;
        options.onError?.(error, frame.index);
      }
    },
    onWarning() {},
  };
  const capture = await readCapture(options.file, sink, { signal: options.signal });
  decoder.flushPending();
  return { capture, datagrams, errors, counters: decoder.counters() };
}
