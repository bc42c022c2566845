/**
 * Continuous detection for the collector in a thread of its own (detection-worker.ts): the
 * collector hands each export datagram to `onDatagram`, which copies it into a 256 KiB chunk
 * whose used part is posted to the thread every 10 ms or when full; the thread decodes and judges the records and
 * sends the alert events back at each `tick`, where they are queued and written to the store
 * exactly as createContinuousDetection does (createAlertWrites). The collector's own thread
 * never runs a detector.
 *
 * Back-pressure: at most 16 MiB of datagrams wait for the thread (posted, not yet taken); past
 * that the chunk keeps filling, and once it is full datagrams are not copied and are counted in
 * `datagramsSkipped` (their records are stored, not judged).
 *
 * Contract: `onDatagram` and `tick` are synchronous and never throw; `finish` sends what is
 * left, waits for the thread to evaluate every open window, writes the queued alerts, stops the
 * thread and resolves with all alerts. If the thread fails, detection stops (counted in
 * `detectionFailed`) and the collector goes on.
 */
import { Worker } from 'node:worker_threads';
import type { DetectionStats } from '../detect/index.js';
import type { Alert } from '../model/index.js';
import {
  type ContinuousDetectionOptions,
  type ContinuousDetectionStats,
  createAlertWrites,
} from './continuous-detection.js';
import { DetectionFrameWriter } from './detection-frames.js';
import type { AlertEvent } from './detection-worker.js';

const CHUNK_BYTES = 256 * 1024;
/** Bytes posted to the thread and not yet taken by it, at most. */
const MAX_UNACKED_BYTES = 16 << 20;
const POST_INTERVAL_MS = 10;

export interface DatagramDetection {
  onDatagram(payload: Uint8Array, exporter: string, receivedAtSec: number): void;
  /** Wall clock, seconds since the epoch: the thread closes windows; queued alerts are written. */
  tick(now: number): void;
  finish(): Promise<Alert[]>;
  stats(): ContinuousDetectionStats;
}

/**
 * Where the thread finds its threat intelligence (functions do not cross threads): the feeds
 * and lists of a data directory and a `--threat-feeds` config file, read there at start
 * (cached copies, no network), for threat-intel alerts as createCaptureDetection's `lookups`.
 */
export interface DetectionThreatSources {
  dataDir?: string;
  feedsFile?: string;
}

export type DetectionThreadOptions = Omit<ContinuousDetectionOptions, 'history' | 'lookups'> & {
  threat?: DetectionThreatSources;
};

const NO_STATS: DetectionStats = {
  flows: 0,
  arpEvents: 0,
  dnsEvents: 0,
  allowlisted: 0,
  alertsNew: 0,
  alertsUpdated: 0,
  alertsDropped: 0,
  detectors: {},
};

export function createDetectionThread(options: DetectionThreadOptions = {}): DatagramDetection {
  const alerts = createAlertWrites(options);
  const worker = new Worker(new URL('./detection-worker.js', import.meta.url), {
    workerData: { config: options.config, threat: options.threat },
  });
  const frames = new DetectionFrameWriter(CHUNK_BYTES);
  // Sizes of the chunks posted and not yet acknowledged, oldest first (the thread takes them in order).
  const unacked: number[] = [];
  let unackedBytes = 0;
  let skipped = 0;
  let failed = false;
  let engineStats = NO_STATS;
  let finished: ((alerts: Alert[]) => void) | undefined;

  const replay = (events: AlertEvent[]) => {
    for (const { alert, change } of events) alerts.onAlert(alert, change);
  };
  worker.on(
    'message',
    (message: { type: string; events?: AlertEvent[]; stats?: DetectionStats; alerts?: Alert[] }) => {
      if (message.type === 'ack') unackedBytes -= unacked.shift() ?? 0;
      else if (message.type === 'alerts' || message.type === 'finished') {
        replay(message.events ?? []);
        engineStats = message.stats ?? engineStats;
        if (message.type === 'finished') finished?.(message.alerts ?? []);
        else void alerts.flush();
      }
    },
  );
  worker.on('error', () => {
    failed = true;
    finished?.([]);
  });
  /** Posts the chunk unless the thread is too far behind (then it keeps filling, or skips). */
  const post = (): boolean => {
    if (frames.count === 0 || failed) return true;
    if (unackedBytes + frames.used > MAX_UNACKED_BYTES) return false;
    const { buffer, used } = frames.take();
    worker.postMessage({ type: 'datagrams', buffer, used }, [buffer]);
    unacked.push(used);
    unackedBytes += used;
    return true;
  };
  const poster = setInterval(post, POST_INTERVAL_MS);
  // Neither keeps the process alive on its own (a collector that failed to start exits);
  // `finish` holds the thread until it answers.
  poster.unref();
  worker.unref();

  return {
    onDatagram(payload, exporter, receivedAtSec) {
      if (failed || exporter.length > 255) return;
      if (!frames.fits(payload.length, exporter) && !(post() && frames.fits(payload.length, exporter))) {
        skipped++;
        return;
      }
      frames.write(payload, exporter, receivedAtSec);
    },
    tick(now) {
      if (failed) return;
      post();
      worker.postMessage({ type: 'tick', now });
    },
    async finish() {
      clearInterval(poster);
      let all: Alert[] = [];
      if (!failed) {
        worker.ref();
        // The thread takes everything at the end: the last chunk goes whatever the bound.
        unackedBytes = 0;
        post();
        all = await new Promise<Alert[]>((resolve) => {
          finished = resolve;
          worker.postMessage({ type: 'finish' });
        });
      }
      await alerts.drain();
      await worker.terminate();
      return all;
    },
    stats: () => ({
      ...engineStats,
      ...alerts.stats(),
      datagramsSkipped: skipped,
      ...(failed ? { detectionFailed: true } : {}),
    }),
  };
}
