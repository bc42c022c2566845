/**
 * What `GET /api/v1/live/flows` shows: the flow table of a live capture running in this process
 * (`flowlens serve --capture IFACE`). The capture side provides a `LiveFlowsSource`; the server
 * only reads it, once per request, so a snapshot costs O(active flows) per call.
 */
import type { FlowRecord } from '../../model/index.js';

/** One active flow, as its record so far, with its current rate. */
export interface LiveFlow extends FlowRecord {
  bytesPerSecond: number;
}

/** Counts are as of the capture's last expiry sweep (at most a second old); `flows` as of the call. */
export interface LiveFlowsSnapshot {
  /** Interface the capture reads. */
  interface: string;
  /** Packets seen since the capture started. */
  packets: number;
  /** Frame bytes on the wire (original lengths) since the capture started. */
  bytes: number;
  activeFlows: number;
  /** Flows created per second over the last sweep (about one second). */
  newFlowsPerSecond: number;
  /** Flow records ended since the capture started. */
  flowsEnded: number;
  /** The busiest active flows by bytes per second, at most `limit`. */
  flows: LiveFlow[];
}

/**
 * The `capture` field of the live feed's `stats` topic while `flowlens serve --capture` runs.
 * Totals and rates are as of the capture's last expiry sweep (each second); the rates are over
 * the interval between the last two sweeps.
 */
export interface LiveCaptureStats {
  interface: string;
  packets: number;
  /** Frame bytes on the wire since the capture started. */
  bytes: number;
  packetsPerSecond: number;
  bytesPerSecond: number;
  activeFlows: number;
  newFlowsPerSecond: number;
  flowsEnded: number;
  /** Flow batches the store refused (each logged). */
  writeFailures: number;
}

/** The `collector` field of the `stats` topic while `flowlens serve --collect` runs. */
export interface LiveCollectorStats {
  exporters: number;
  recordsPerSecond: number;
  flowsWrittenPerSecond: number;
  flowsDropped: number;
  templateMisses: number;
  sequenceGaps: number;
}

/** Undefined when no capture runs (not started yet, or stopped). */
export type LiveFlowsSource = (limit: number) => LiveFlowsSnapshot | undefined;
