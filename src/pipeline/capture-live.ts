/**
 * Live traffic through the same engine as capture files: interface → tool's pcap stream →
 * decode → flows → analyzers → `onFlow`, with idle and active timeouts in wall-clock time (a
 * timer expires flows even when no packet arrives). Optionally keeps the packets in rotating
 * pcap files for later analysis.
 *
 * Detections (optional `detection`, see continuous-detection.ts): its analyzers join the pass,
 * every ended flow reaches it, and the expiry timer ticks it with the wall clock, so windows
 * close and alerts are written while the capture runs.
 *
 * Contract: resolves when `signal` aborts (or the capture tool exits): the tool is stopped,
 * every active flow is flushed to `onFlow` (nothing finished is lost), every open detection
 * window is evaluated and its alerts written, the saved file is closed, and the result carries
 * the tool's drop counters. Start-up failures reject with the source's
 * FlowlensError (see sources/live).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ActiveFlow } from '../flows/index.js';
import type { Alert, Frame } from '../model/index.js';
import type { FrameSink, LiveCaptureOptions, LiveCaptureStats, PcapStreamWriter } from '../sources/index.js';
import { captureLive, createPcapStreamWriter } from '../sources/index.js';
import { type CaptureEngineOptions, createCaptureEngine } from './capture-engine.js';
import type { CaptureSummary } from './capture-summary.js';
import type { ContinuousDetection } from './continuous-detection.js';

export interface SaveOptions {
  dir: string;
  /** Start a new file after this many bytes (0: never). */
  rotateBytes?: number;
  /** Start a new file after this many seconds (0: never). */
  rotateSeconds?: number;
}

export interface LiveStatus {
  /** When this status was taken, milliseconds since the epoch. */
  at: number;
  packets: number;
  /** Frame bytes on the wire (original lengths) since the capture started. */
  bytes: number;
  activeFlows: number;
  flowsEnded: number;
  /** Flows created per second since the previous status. */
  newFlowsPerSecond: number;
  /** The busiest active flows right now (computed on call: O(active flows)). */
  busiest(limit: number): ActiveFlow[];
  /** Files written so far by `save`. */
  savedFiles: string[];
}

export interface CaptureLiveOptions extends CaptureEngineOptions {
  capture: Omit<LiveCaptureOptions, 'signal'>;
  signal: AbortSignal;
  save?: SaveOptions;
  /** Milliseconds between wall-clock expiry sweeps; default 1000. */
  expireIntervalMs?: number;
  /** Called after every expiry sweep. */
  onStatus?(status: LiveStatus): void;
  backpressure?(): Promise<void> | undefined;
  /** Runs detections on the flows as they end (createContinuousDetection). */
  detection?: ContinuousDetection;
}

export interface CaptureLiveResult {
  summary: CaptureSummary;
  analysis: Record<string, unknown>;
  stats: LiveCaptureStats;
  ended: 'stopped' | 'tool-exited';
  savedFiles: string[];
  /** With `detection`: every alert raised during the capture. */
  alerts?: Alert[];
}

export async function runLiveCapture(options: CaptureLiveOptions): Promise<CaptureLiveResult> {
  const detection = options.detection;
  const engine = createCaptureEngine(
    detection === undefined
      ? options
      : {
          ...options,
          analyzers: [...(options.analyzers ?? []), ...detection.analyzers],
          onFlow(record) {
            options.onFlow(record);
            detection.onFlow(record);
          },
        },
  );
  const saver = options.save ? createRotatingSaver(options.save, options.capture.interface) : undefined;
  const sink: FrameSink = {
    onFrame(frame) {
      engine.sink.onFrame(frame);
      saver?.write(frame);
    },
    onWarning: engine.sink.onWarning,
    backpressure: () => saver?.backpressure() ?? options.backpressure?.(),
  };
  if (options.save) await mkdir(options.save.dir, { recursive: true });
  let previous = { at: Date.now(), created: 0 };
  const status = (): LiveStatus => {
    const flows = engine.flowStats();
    const now = Date.now();
    const newFlowsPerSecond =
      (flows.flowsCreated - previous.created) / Math.max((now - previous.at) / 1000, 0.001);
    previous = { at: now, created: flows.flowsCreated };
    return {
      at: now,
      packets: engine.packets,
      bytes: engine.bytes,
      activeFlows: flows.activeFlows,
      flowsEnded: flows.recordsEmitted,
      newFlowsPerSecond,
      busiest: (limit) => engine.busiest(limit, now / 1000),
      savedFiles: saver?.files ?? [],
    };
  };
  const timer = setInterval(() => {
    engine.expire(Date.now() / 1000);
    detection?.tick(Date.now() / 1000);
    options.onStatus?.(status());
  }, options.expireIntervalMs ?? 1000);
  try {
    const result = await captureLive({ ...options.capture, signal: options.signal }, sink);
    engine.setInput(result.info.file);
    engine.addInputInfo(result.info);
    const { summary, analysis } = engine.finish();
    const alerts = await detection?.finish();
    await saver?.close();
    return {
      summary,
      analysis,
      stats: result.stats,
      ended: result.ended,
      savedFiles: saver?.files ?? [],
      ...(alerts ? { alerts } : {}),
    };
  } finally {
    clearInterval(timer);
    await saver?.close();
  }
}

interface RotatingSaver {
  write(frame: Frame): void;
  backpressure(): Promise<void> | undefined;
  close(): Promise<void>;
  readonly files: string[];
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Pcap files under `dir` named after the interface and start time; a new one per rotation. */
function createRotatingSaver(options: SaveOptions, interfaceName: string): RotatingSaver {
  const safeName = interfaceName.replace(/[^A-Za-z0-9_.-]/g, '_');
  const files: string[] = [];
  let writer: PcapStreamWriter | undefined;
  let linkType = -1;
  let bytes = 0;
  let openedAt = 0;
  let pending: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const open = (frame: Frame) => {
    let name = path.join(options.dir, `flowlens-${safeName}-${stamp(new Date())}.pcap`);
    for (let n = 1; files.includes(name); n++) {
      name = path.join(options.dir, `flowlens-${safeName}-${stamp(new Date())}-${n}.pcap`);
    }
    files.push(name);
    writer = createPcapStreamWriter(createWriteStream(name, { flags: 'wx' }), { linkType: frame.linkType });
    linkType = frame.linkType;
    bytes = 24;
    openedAt = frame.timestamp;
  };
  const rotate = () => {
    const previous = writer;
    writer = undefined;
    if (previous) pending = Promise.all([pending, previous.end()]).then(() => undefined);
  };

  return {
    write(frame) {
      if (writer !== undefined) {
        const tooBig = (options.rotateBytes ?? 0) > 0 && bytes >= (options.rotateBytes ?? 0);
        const tooOld =
          (options.rotateSeconds ?? 0) > 0 && frame.timestamp - openedAt >= (options.rotateSeconds ?? 0);
        if (tooBig || tooOld || frame.linkType !== linkType) rotate();
      }
      if (writer === undefined) open(frame);
      const data = frame.data.subarray(frame.offset, frame.offset + frame.capturedLength);
      const wait = writer?.writePacket(data, frame.timestamp, frame.originalLength);
      bytes += 16 + frame.capturedLength;
      if (wait) pending = Promise.all([pending, wait]).then(() => undefined);
    },
    backpressure() {
      const wait = pending;
      pending = undefined;
      return wait;
    },
    close() {
      closing ??= (async () => {
        rotate();
        await pending;
      })();
      return closing;
    },
    get files() {
      return files;
    },
  };
}
