/**
 * Timing diagnostics as values: the per-flow jitter field (`FlowRecord.jitter`) and the timing
 * analyzer's capture-level summary (`analysis.timing`): capture gaps, RFC 3393 IPDV jitter of
 * UDP media flows, and packet bursts. Field names are a JSON contract (docs/dns-icmp-timing.md).
 * `*Ms` fields are milliseconds, timestamps seconds since the Unix epoch.
 */

/** IPDV of one direction of a media flow (RFC 3393, consecutive packets as the selection function). */
export interface JitterDirection {
  packets: number;
  /** IPDV samples (packet pairs) measured. */
  samples: number;
  /** Mean and maximum |IPDV|. */
  ipdvMeanMs: number;
  ipdvMaxMs: number;
  /** 'rtp': sender spacing from RTP timestamps; 'interarrival': the previous arrival interval. */
  method: 'rtp' | 'interarrival';
}

/** Per-flow jitter, present only on UDP flows that met the media rule in at least one direction. */
export interface FlowJitter {
  fwd?: JitterDirection;
  rev?: JitterDirection;
}

export interface CaptureGap {
  /** Time of the frame before the gap and of the frame after it. */
  fromTs: number;
  toTs: number;
  seconds: number;
}

export interface MediaFlowJitter extends JitterDirection {
  /** Sender and receiver of this direction. */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

export interface BurstWindow {
  /** Start of the window, seconds since the Unix epoch. */
  ts: number;
  packets: number;
  bytes: number;
}

/** The timing analyzer's capture-level results (`analysis.timing`). */
export interface TimingSummary {
  frames: number;
  firstTs: number | null;
  lastTs: number | null;
  gaps: {
    thresholdSeconds: number;
    count: number;
    totalSeconds: number;
    longestSeconds: number;
    /** The first `maxGaps` gaps, in capture order. */
    list: CaptureGap[];
    /** Consecutive frames whose time went backwards. */
    backwardSteps: number;
  };
  jitter: {
    /** Media flow directions measured, and their IPDV samples. */
    directions: number;
    samples: number;
    meanMs: number | null;
    p95Ms: number | null;
    maxMs: number | null;
    /** Directions with the highest mean |IPDV|, highest first. */
    worst: MediaFlowJitter[];
  };
  bursts: {
    windowSeconds: number;
    /** Windows of the capture span, and those that held at least one frame. */
    windows: number;
    activeWindows: number;
    meanPacketsPerWindow: number;
    meanPacketsPerActiveWindow: number;
    maxPackets: number;
    /** maxPackets / meanPacketsPerActiveWindow. */
    peakToMean: number;
    /** The busiest windows, busiest first. */
    top: BurstWindow[];
  };
}
