/**
 * The per-frame engine shared by capture files and live capture: decode → flow table →
 * analyzers, plus the capture summary and the warning budget. Sources push frames into `sink`.
 *
 * Contract: synchronous, one frame at a time, in capture order. Records reach `onFlow` after
 * every analyzer's `onFlowEnd`. `expire(now)` ends flows idle at `now` (seconds since the epoch;
 * live capture calls it on a wall-clock timer). `finish` flushes every flow once; the engine is
 * done after it.
 */
import type { PacketAnalyzer } from '../analyze/index.js';
import { decodeFrame } from '../decode/index.js';
import type { ActiveFlow, FlowTableConfig, FlowTableStats } from '../flows/index.js';
import { createFlowTable, DEFAULT_FLOW_TABLE_CONFIG } from '../flows/index.js';
import type { DecodedPacket, FlowRecord, Frame, InputWarning } from '../model/index.js';
import { createDecodedPacket, declareAnalyzerFields, PACKET_KIND } from '../model/index.js';
import { describeError } from '../shared/index.js';
import type { CaptureFileInfo, FrameSink } from '../sources/index.js';
import type { CaptureSummary } from './capture-summary.js';
import { createSummaryAccumulator } from './capture-summary.js';

export interface CaptureEngineOptions {
  flowTable?: Partial<FlowTableConfig>;
  analyzers?: PacketAnalyzer[];
  onFlow(record: FlowRecord): void;
  onWarning?(warning: InputWarning): void;
  /** Warnings handed to `onWarning`; all of them are counted in the summary. Default 1000. */
  maxWarnings?: number;
}

export interface CaptureEngine {
  /** Receives frames; `onProgress` and `backpressure` are left to the caller to add. */
  readonly sink: FrameSink;
  /** Names the input that the next frames come from (used in warnings). */
  setInput(name: string): void;
  addInputInfo(info: CaptureFileInfo): void;
  readonly packets: number;
  /** Sum of the frames' original (wire) lengths so far. */
  readonly bytes: number;
  expire(now: number): void;
  flowStats(): FlowTableStats;
  /** The active flows with the most bytes per second (see FlowTable.busiest). */
  busiest(limit: number, now: number): ActiveFlow[];
  /** Ends every flow and returns the summary and each analyzer's results. */
  finish(): { summary: CaptureSummary; analysis: Record<string, unknown> };
}

export function createCaptureEngine(options: CaptureEngineOptions): CaptureEngine {
  const config: FlowTableConfig = { ...DEFAULT_FLOW_TABLE_CONFIG, ...options.flowTable };
  const analyzers = options.analyzers ?? [];
  const onFlow = options.onFlow;
  const table = createFlowTable(
    config,
    analyzers.length === 0
      ? onFlow
      : (record, flowId) => {
          declareAnalyzerFields(record);
          for (let i = 0; i < analyzers.length; i++) analyzers[i].onFlowEnd(flowId, record);
          onFlow(record);
        },
  );
  const summary = createSummaryAccumulator();
  const packet: DecodedPacket = createDecodedPacket();
  const maxWarnings = options.maxWarnings ?? 1000;
  let warningsSent = 0;
  let packets = 0;
  let bytes = 0;
  let input = '';

  const warn = (warning: InputWarning) => {
    summary.addWarning(warning.code);
    if (warningsSent < maxWarnings) {
      warningsSent++;
      options.onWarning?.(warning);
    }
  };

  const sink: FrameSink = {
    onFrame(frame: Frame) {
      const timestamp = frame.timestamp;
      const length = frame.originalLength;
      packets++;
      bytes += length;
      decodeFrame(frame, packet);
      summary.addFrame(packet, timestamp, length, frame.capturedLength);
      // Indexed loops: until the JIT has compiled this function, for-of makes an iterator per frame.
      if (packet.kind === PACKET_KIND.IP) {
        const handle = table.addPacket(packet, timestamp, length);
        if (handle >= 0) {
          const flowId = handle >>> 1;
          const forward = (handle & 1) === 0;
          for (let i = 0; i < analyzers.length; i++) {
            analyzers[i].onPacket(packet, timestamp, length, flowId, forward);
          }
        }
      } else if (packet.kind === PACKET_KIND.NON_IP) {
        for (let i = 0; i < analyzers.length; i++) analyzers[i].onNonIpFrame?.(packet, timestamp, length);
      }
      if (packet.errorCode !== '') {
        warn({
          packetIndex: frame.index,
          file: input,
          code: packet.errorCode,
          message: `frame ${frame.index}: ${describeError(packet.errorCode)} at byte ${packet.errorOffset - frame.offset} of the frame`,
        });
      }
    },
    onWarning(warning) {
      warn({ ...warning, file: warning.file ?? input });
    },
  };

  return {
    sink,
    setInput(name) {
      input = name;
    },
    addInputInfo(info) {
      summary.addFile(info);
    },
    get packets() {
      return packets;
    },
    get bytes() {
      return bytes;
    },
    expire(now) {
      table.expire(now);
    },
    flowStats: () => table.stats(),
    busiest: (limit, now) => table.busiest(limit, now),
    finish() {
      table.flush('end-of-input');
      summary.setFlows(table.stats().recordsEmitted);
      const analysis: Record<string, unknown> = {};
      for (const analyzer of analyzers) analysis[analyzer.name] = analyzer.finish();
      return { summary: summary.result(), analysis };
    },
  };
}
