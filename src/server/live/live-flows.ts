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
  activeFlows: number;
  /** Flows created per second over the last sweep (about one second). */
  newFlowsPerSecond: number;
  /** Flow records ended since the capture started. */
  flowsEnded: number;
  /** The busiest active flows by bytes per second, at most `limit`. */
  flows: LiveFlow[];
}

/** Undefined when no capture runs (not started yet, or stopped). */
export type LiveFlowsSource = (limit: number) => LiveFlowsSnapshot | undefined;
