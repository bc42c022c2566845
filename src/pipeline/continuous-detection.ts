/**
 * Detections on traffic that does not end: live capture and the flow-export collector. The same
 * engine as for capture files (createCaptureDetection) sees flows as they end; a wall-clock
 * `tick` closes windows when traffic stops; alerts go to the store as they fire.
 *
 * Store writes: each new or updated alert is queued under its fingerprint (an update of a queued
 * alert adds to its pending count, so a busy alert costs one queue entry); `tick` starts a write
 * of the queue when none is running, one write at a time. The queue holds at most
 * `maxQueuedAlerts` fingerprints: past that, new fingerprints are dropped and counted
 * (`alertsNotStored`), never buffered without limit. A failed write counts its alerts as dropped.
 * Rows carry the count to add (`recordAlerts` merges by fingerprint), so the stored count stays
 * equal to the engine's.
 *
 * Contract: `onFlow` and `tick` are synchronous and never throw; `finish` evaluates every open
 * window, writes what is queued, and resolves with all alerts.
 */
import type { PacketAnalyzer } from '../analyze/index.js';
import type { DetectionConfigInput, DetectionStats } from '../detect/index.js';
import type { Alert, FlowRecord } from '../model/index.js';
import type { StoredAlert } from '../store/index.js';
import { type CaptureDetectionOptions, createCaptureDetection, storedAlert } from './capture-detection.js';

export interface ContinuousDetectionOptions extends CaptureDetectionOptions {
  config?: DetectionConfigInput;
  /** Writes alert rows (the store's `recordAlerts`); absent: alerts are only counted and published. */
  writeAlerts?(batch: StoredAlert[]): Promise<unknown>;
  /** Fingerprints waiting for the store at most; default 10,000. */
  maxQueuedAlerts?: number;
}

export interface ContinuousDetectionStats extends DetectionStats {
  /** Alert rows written to the store (new rows and merges). */
  alertsStored: number;
  /** Alert rows not written: queue full, or a failed write. */
  alertsNotStored: number;
  alertWriteErrors: number;
  /** Fingerprints waiting for the store now. */
  alertsQueued: number;
  /** In a detection thread (detection-thread.ts): datagrams not judged, the thread was 16 MiB behind. */
  datagramsSkipped?: number;
  /** In a detection thread: the thread failed and detection stopped. */
  detectionFailed?: boolean;
}

export interface ContinuousDetection {
  /** Add these to a packet pass's analyzers (live capture); the collector has no packets. */
  readonly analyzers: PacketAnalyzer[];
  onFlow(record: FlowRecord): void;
  /** Wall clock, seconds since the epoch: closes windows that ended, starts a store write. */
  tick(now: number): void;
  /** End of input: every window evaluated, every queued alert written. */
  finish(): Promise<Alert[]>;
  stats(): ContinuousDetectionStats;
}

interface Pending {
  alert: Alert;
  /** Occurrences not yet written. */
  count: number;
}

export function createContinuousDetection(options: ContinuousDetectionOptions = {}): ContinuousDetection {
  const alerts = createAlertWrites(options);
  const detection = createCaptureDetection(options.config ?? {}, { ...options, onAlert: alerts.onAlert });
  return {
    analyzers: detection.analyzers,
    onFlow: (record) => detection.onFlow(record),
    tick(now) {
      detection.tick(now);
      void alerts.flush();
    },
    async finish() {
      const all = detection.finish();
      await alerts.drain();
      return all;
    },
    stats: () => ({ ...detection.stats(), ...alerts.stats() }),
  };
}

/** The store side of continuous detection: alerts queued by fingerprint, written one write at a time. */
export interface AlertWrites {
  /** The engine's `onAlert`: queues the alert (when there is a store) and passes it on. */
  onAlert(alert: Alert, change: 'new' | 'updated'): void;
  /** Starts a write of the queue unless one is running. */
  flush(): Promise<void>;
  /** Waits for the running write, then writes what is still queued. */
  drain(): Promise<void>;
  stats(): Pick<
    ContinuousDetectionStats,
    'alertsStored' | 'alertsNotStored' | 'alertWriteErrors' | 'alertsQueued'
  >;
}

export function createAlertWrites(
  options: Pick<ContinuousDetectionOptions, 'writeAlerts' | 'maxQueuedAlerts' | 'onAlert'>,
): AlertWrites {
  const maxQueued = options.maxQueuedAlerts ?? 10_000;
  const write = options.writeAlerts;
  let queue = new Map<string, Pending>();
  let writing: Promise<void> | undefined;
  const counts = { alertsStored: 0, alertsNotStored: 0, alertWriteErrors: 0 };

  const flush = (): Promise<void> => {
    if (write === undefined || queue.size === 0) return writing ?? Promise.resolve();
    if (writing !== undefined) return writing;
    const batch = queue;
    queue = new Map();
    const rows = [...batch.values()].map((p) => storedAlert(p.alert, undefined, p.count));
    writing = write(rows)
      .then(
        () => {
          counts.alertsStored += rows.length;
        },
        () => {
          counts.alertWriteErrors++;
          counts.alertsNotStored += rows.length;
        },
      )
      .finally(() => {
        writing = undefined;
      });
    return writing;
  };

  return {
    onAlert(alert, change) {
      if (write !== undefined) {
        const pending = queue.get(alert.fingerprint);
        if (pending !== undefined) {
          pending.alert = alert;
          pending.count++;
        } else if (queue.size >= maxQueued) counts.alertsNotStored++;
        // A new alert's count is 1; an update of an alert already written adds one occurrence.
        else queue.set(alert.fingerprint, { alert, count: 1 });
      }
      options.onAlert?.(alert, change);
    },
    flush,
    async drain() {
      await writing;
      await flush();
    },
    stats: () => ({ ...counts, alertsQueued: queue.size }),
  };
}
