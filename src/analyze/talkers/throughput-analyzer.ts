/**
 * Throughput over time: frames and frame bytes per time bucket, every frame counted (IP and
 * non-IP), with a bucket width chosen so that the whole capture spans about 200 buckets.
 *
 * Contract: the capture's length is unknown while it streams, so buckets start at 1 ms and widen
 * through BUCKET_WIDTHS (each a whole multiple of the one before, so merging is exact) whenever
 * more than MAX_LIVE_BUCKETS would be needed; `finish` widens further until at most
 * `targetBuckets × 1.25` remain. Bucket i covers [startTs + i·w, startTs + (i+1)·w), with startTs
 * a multiple of w. Frames earlier than the first bucket (out of order) count in bucket 0.
 */
import type { ThroughputSeries } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';

/** Seconds; each divides the next. Past the end, widths double. */
export const BUCKET_WIDTHS = [
  0.001, 0.002, 0.01, 0.02, 0.1, 0.2, 1, 2, 10, 20, 60, 120, 600, 1200, 3600, 7200, 21600, 43200, 86400,
];

const MAX_LIVE_BUCKETS = 4096;

export interface ThroughputAnalyzerConfig {
  targetBuckets: number;
}

function nextWidth(width: number): number {
  const i = BUCKET_WIDTHS.indexOf(width);
  return i >= 0 && i + 1 < BUCKET_WIDTHS.length ? BUCKET_WIDTHS[i + 1] : width * 2;
}

export function createThroughputAnalyzer(config: Partial<ThroughputAnalyzerConfig> = {}): PacketAnalyzer {
  const target = config.targetBuckets ?? 200;
  let width = BUCKET_WIDTHS[0];
  /** Index (timestamp / width, floored) of bucket 0; NaN before the first frame. */
  let base = Number.NaN;
  let used = 0;
  let outOfOrder = 0;
  const packets = new Float64Array(MAX_LIVE_BUCKETS);
  const bytes = new Float64Array(MAX_LIVE_BUCKETS);

  /** Widens the buckets to the next width, merging in place. */
  function widen(): void {
    const next = nextWidth(width);
    const ratio = Math.round(next / width);
    const newBase = Math.floor(base / ratio);
    const shift = base - newBase * ratio;
    let last = -1;
    for (let i = 0; i < used; i++) {
      const j = Math.floor((i + shift) / ratio);
      if (j !== i) {
        packets[j] += packets[i];
        bytes[j] += bytes[i];
        packets[i] = 0;
        bytes[i] = 0;
      }
      last = j;
    }
    used = last + 1;
    base = newBase;
    width = next;
  }

  function add(timestamp: number, frameLength: number): void {
    if (Number.isNaN(base)) base = Math.floor(timestamp / width);
    let i = Math.floor(timestamp / width) - base;
    if (i < 0) {
      outOfOrder++;
      i = 0;
    }
    while (i >= MAX_LIVE_BUCKETS) {
      widen();
      i = Math.max(0, Math.floor(timestamp / width) - base);
    }
    packets[i]++;
    bytes[i] += frameLength;
    if (i >= used) used = i + 1;
  }

  return {
    name: 'throughput',
    onPacket(_packet, timestamp, frameLength) {
      add(timestamp, frameLength);
    },
    onNonIpFrame(_packet, timestamp, frameLength) {
      add(timestamp, frameLength);
    },
    onFlowEnd() {},
    finish(): ThroughputSeries {
      if (Number.isNaN(base)) return { startTs: 0, bucketSeconds: width, packets: [], bytes: [], outOfOrder };
      while (used > target * 1.25) widen();
      return {
        startTs: Math.round(base * width * 1e6) / 1e6,
        bucketSeconds: width,
        packets: Array.from(packets.subarray(0, used)),
        bytes: Array.from(bytes.subarray(0, used)),
        outOfOrder,
      };
    },
  };
}
