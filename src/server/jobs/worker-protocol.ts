/**
 * Messages between the job manager (main thread) and an analysis worker thread. The worker owns
 * the capture pass; the main thread owns the store, so flows to ingest travel back in batches and
 * the worker waits for an `ack` before reading on (backpressure: at most one batch in flight).
 */
import type { DeviceInventory } from '../../analyze/index.js';
import type { Alert, FlowRecord } from '../../model/index.js';

export interface WorkerInput {
  file: string;
  /** Send flows back in batches of this many for ingest; 0 sends none. */
  ingestBatch: number;
  /** Minimum time between progress messages, ms. */
  progressMs: number;
  /** Enrich the flows (ServerConfig.enrich): the databases, or false for none. */
  enrich: { geoipDb?: string; asnDb?: string } | false;
  /** Data directory whose threat feeds and lists (cached copies) the detections match. */
  threatDataDir?: string;
}

/** What the run has found so far, shown while it is still going. */
export interface PartialResults {
  /** Flows that have ended so far (long flows end at the end of input). */
  flows: number;
  /** IP bytes of those flows, by transport protocol name, top 8. */
  protocols: Record<string, number>;
}

export type WorkerMessage =
  | { type: 'progress'; bytesRead: number; packets: number; partial: PartialResults }
  | { type: 'flows'; batch: FlowRecord[] }
  /** `result` is the JSON text of `{ summary, analysis, warnings }` (see analysis-worker.ts). */
  | {
      type: 'done';
      result: string;
      flows: number;
      packets: number;
      bytes: number;
      /** With ingest: what the store keeps beside the flows (alerts, the device inventory). */
      findings?: { alerts: Alert[]; devices?: DeviceInventory };
    }
  | { type: 'error'; code?: string; message: string };

export type MainMessage = { type: 'ack' };
