/**
 * The timing analyzer: capture gaps (consecutive frames more than `gapThreshold` apart), jitter
 * of UDP media flows as RFC 3393 IP packet delay variation, and bursts (frames per fixed currentWindow).
 *
 * Media rule (one direction of a UDP flow): both ports ≥ `mediaMinPort`, at least
 * `mediaMinPackets` packets, mean UDP payload ≤ `mediaMaxMeanPayload` bytes and mean spacing
 * ≤ `mediaMaxMeanInterval` seconds: small packets sent steadily, as RTP voice and video are.
 * IPDV (RFC 3393 §2.4, consecutive packets as the selection function) is
 * (R_i − R_{i−1}) − (S_i − S_{i−1}) with R the arrival time. The sender's spacing S_i − S_{i−1}
 * comes from the RTP timestamps when both packets look like RTP v2 of one SSRC with a static
 * payload type of known clock rate (RFC 3551 §6); otherwise it is taken to be the previous
 * arrival interval (a sender with a steady pace).
 *
 * Bursts: the capture is cut into windows of `burstWindow` seconds aligned on the epoch; a
 * currentWindow's count is the frames whose time falls in it.
 *
 * Contract: see analyzer.ts. Per-direction state lives in typed arrays indexed by flow id (grown
 * as ids grow) and is cleared at the flow's final record; the gap and burst lists are capped.
 */
import type {
  BurstWindow,
  CaptureGap,
  DecodedPacket,
  FlowJitter,
  FlowRecord,
  JitterDirection,
  MediaFlowJitter,
  TimingSummary,
} from '../../model/index.js';
import { IP_PROTO } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import { createLogHistogram, toMs } from '../dns/index.js';

export interface TimingAnalyzerConfig {
  /** Seconds between consecutive frames that make a capture gap. */
  gapThreshold: number;
  maxGaps: number;
  /** Width of a burst currentWindow, in seconds. */
  burstWindow: number;
  /** Busiest windows listed. */
  maxBurstWindows: number;
  mediaMinPort: number;
  mediaMinPackets: number;
  mediaMaxMeanPayload: number;
  mediaMaxMeanInterval: number;
  /** Media directions listed in `jitter.worst`. */
  maxMediaFlows: number;
}

export const DEFAULT_TIMING_ANALYZER_CONFIG: Readonly<TimingAnalyzerConfig> = {
  gapThreshold: 1,
  maxGaps: 100,
  burstWindow: 0.1,
  maxBurstWindows: 10,
  mediaMinPort: 1024,
  mediaMinPackets: 50,
  mediaMaxMeanPayload: 400,
  mediaMaxMeanInterval: 0.1,
  maxMediaFlows: 20,
};

/** RTP clock rates of the static payload types (RFC 3551 §6, Table 4 and 5); 0 = unknown. */
const RTP_CLOCK = new Float64Array(128);
for (const pt of [0, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18]) RTP_CLOCK[pt] = 8000;
RTP_CLOCK[6] = 16000;
RTP_CLOCK[16] = 11025;
RTP_CLOCK[17] = 22050;
for (const pt of [10, 11, 14, 25, 26, 28, 31, 32, 33, 34])
  RTP_CLOCK[pt] = pt === 10 || pt === 11 ? 44100 : 90000;

const NO_SSRC = -1;

export function createTimingAnalyzer(options: Partial<TimingAnalyzerConfig> = {}): PacketAnalyzer {
  const config: TimingAnalyzerConfig = { ...DEFAULT_TIMING_ANALYZER_CONFIG, ...options };
  // Per direction (flowId * 2 + (forward ? 0 : 1)).
  let size = 0;
  let lastArrival = new Float64Array(0);
  let lastInterval = new Float64Array(0);
  let lastRtpTs = new Float64Array(0);
  let lastSsrc = new Float64Array(0);
  let packets = new Uint32Array(0);
  let payloadSum = new Float64Array(0);
  let firstArrival = new Float64Array(0);
  let ipdvSum = new Float64Array(0);
  let ipdvMax = new Float64Array(0);
  let ipdvCount = new Uint32Array(0);
  let rtpCount = new Uint32Array(0);

  function grow(needed: number): void {
    const next = Math.max(needed, size * 2, 2048);
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(next);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(next);
      b.set(a);
      return b;
    };
    lastArrival = f64(lastArrival);
    lastInterval = f64(lastInterval);
    lastRtpTs = f64(lastRtpTs);
    lastSsrc = f64(lastSsrc);
    lastSsrc.fill(NO_SSRC, size);
    packets = u32(packets);
    payloadSum = f64(payloadSum);
    firstArrival = f64(firstArrival);
    ipdvSum = f64(ipdvSum);
    ipdvMax = f64(ipdvMax);
    ipdvCount = u32(ipdvCount);
    rtpCount = u32(rtpCount);
    size = next;
  }

  function clear(i: number): void {
    packets[i] = 0;
    payloadSum[i] = 0;
    ipdvSum[i] = 0;
    ipdvMax[i] = 0;
    ipdvCount[i] = 0;
    rtpCount[i] = 0;
    lastSsrc[i] = NO_SSRC;
  }

  const histogram = createLogHistogram();
  const worst: MediaFlowJitter[] = [];
  let directions = 0;
  let samples = 0;
  let sampleSum = 0;

  // Gaps and bursts.
  let frames = 0;
  let firstTs = Number.NaN;
  let previousTs = Number.NaN;
  const gaps: CaptureGap[] = [];
  let gapCount = 0;
  let gapTotal = 0;
  let gapLongest = 0;
  let backwardSteps = 0;
  let currentWindow = Number.NaN;
  let windowPackets = 0;
  let windowBytes = 0;
  let activeWindows = 0;
  let maxPackets = 0;
  const top: BurstWindow[] = [];

  function closeWindow(): void {
    activeWindows++;
    if (windowPackets > maxPackets) maxPackets = windowPackets;
    if (top.length < config.maxBurstWindows || windowPackets > top[top.length - 1].packets) {
      let i = top.length;
      while (i > 0 && top[i - 1].packets < windowPackets) i--;
      const ts = Math.round(currentWindow * config.burstWindow * 1e6) / 1e6;
      top.splice(i, 0, { ts, packets: windowPackets, bytes: windowBytes });
      if (top.length > config.maxBurstWindows) top.pop();
    }
  }

  function onFrame(ts: number, frameLength: number): void {
    frames++;
    if (frames === 1) firstTs = ts;
    else {
      const delta = ts - previousTs;
      if (delta > config.gapThreshold) {
        gapCount++;
        gapTotal += delta;
        if (delta > gapLongest) gapLongest = delta;
        if (gaps.length < config.maxGaps) gaps.push({ fromTs: previousTs, toTs: ts, seconds: delta });
      } else if (delta < 0) backwardSteps++;
    }
    previousTs = ts;
    const w = Math.floor(ts / config.burstWindow);
    if (w !== currentWindow) {
      if (windowPackets > 0) closeWindow();
      currentWindow = w;
      windowPackets = 0;
      windowBytes = 0;
    }
    windowPackets++;
    windowBytes += frameLength;
  }

  function onUdp(packet: DecodedPacket, ts: number, i: number): void {
    if (i >= size) grow(i + 1);
    const n = ++packets[i];
    const length = packet.payloadLength;
    payloadSum[i] += length;
    const d = packet.data;
    const o = packet.payloadOffset;
    // RTP v2 with a static payload type of known clock (RFC 3550 §5.1).
    let rtpTs = -1;
    let ssrc = NO_SSRC;
    let clock = 0;
    if (length >= 12 && d[o] >> 6 === 2) {
      clock = RTP_CLOCK[d[o + 1] & 0x7f];
      if (clock > 0) {
        rtpTs = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
        ssrc = ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0;
      }
    }
    if (n === 1) {
      firstArrival[i] = ts;
      lastInterval[i] = Number.NaN;
    } else {
      const interval = ts - lastArrival[i];
      let ipdv = Number.NaN;
      if (ssrc !== NO_SSRC && ssrc === lastSsrc[i]) {
        // Signed 32-bit difference of RTP timestamps, in seconds.
        ipdv = interval - ((rtpTs - lastRtpTs[i]) | 0) / clock;
        rtpCount[i]++;
      } else if (!Number.isNaN(lastInterval[i])) ipdv = interval - lastInterval[i];
      if (!Number.isNaN(ipdv)) {
        const v = ipdv < 0 ? -ipdv : ipdv;
        ipdvSum[i] += v;
        ipdvCount[i]++;
        if (v > ipdvMax[i]) ipdvMax[i] = v;
        if (n >= config.mediaMinPackets && qualifies(i)) {
          histogram.add(v);
          samples++;
          sampleSum += v;
        }
      }
      lastInterval[i] = interval;
    }
    lastArrival[i] = ts;
    lastRtpTs[i] = rtpTs;
    lastSsrc[i] = ssrc;
  }

  function qualifies(i: number): boolean {
    const n = packets[i];
    if (n < config.mediaMinPackets) return false;
    if (payloadSum[i] / n > config.mediaMaxMeanPayload) return false;
    return (lastArrival[i] - firstArrival[i]) / (n - 1) <= config.mediaMaxMeanInterval;
  }

  function direction(i: number): JitterDirection | undefined {
    if (i >= size || !qualifies(i) || ipdvCount[i] === 0) return undefined;
    return {
      packets: packets[i],
      samples: ipdvCount[i],
      ipdvMeanMs: toMs(ipdvSum[i] / ipdvCount[i]),
      ipdvMaxMs: toMs(ipdvMax[i]),
      method: rtpCount[i] * 2 > ipdvCount[i] ? 'rtp' : 'interarrival',
    };
  }

  function rank(entry: MediaFlowJitter): void {
    if (worst.length >= config.maxMediaFlows && entry.ipdvMeanMs <= worst[worst.length - 1].ipdvMeanMs)
      return;
    let i = worst.length;
    while (i > 0 && worst[i - 1].ipdvMeanMs < entry.ipdvMeanMs) i--;
    worst.splice(i, 0, entry);
    if (worst.length > config.maxMediaFlows) worst.pop();
  }

  return {
    name: 'timing',
    onPacket(packet, timestamp, frameLength, flowId, forward) {
      onFrame(timestamp, frameLength);
      if (
        packet.protocol === IP_PROTO.UDP &&
        packet.hasPorts &&
        packet.srcPort >= config.mediaMinPort &&
        packet.dstPort >= config.mediaMinPort
      ) {
        onUdp(packet, timestamp, flowId * 2 + (forward ? 0 : 1));
      }
    },
    onNonIpFrame(_packet, timestamp, frameLength) {
      onFrame(timestamp, frameLength);
    },
    onFlowEnd(flowId, record: FlowRecord) {
      const i = flowId * 2;
      if (i >= size || packets[i] + packets[i + 1] === 0) return;
      if (record.endReason === 'active-timeout') return;
      const fwd = direction(i);
      const rev = direction(i + 1);
      if (fwd !== undefined || rev !== undefined) {
        const jitter: FlowJitter = {};
        if (fwd !== undefined) jitter.fwd = fwd;
        if (rev !== undefined) jitter.rev = rev;
        record.jitter = jitter;
        for (const [d, forward] of [
          [fwd, true],
          [rev, false],
        ] as const) {
          if (d === undefined) continue;
          directions++;
          rank({
            src: forward ? record.srcIp : record.dstIp,
            srcPort: forward ? record.srcPort : record.dstPort,
            dst: forward ? record.dstIp : record.srcIp,
            dstPort: forward ? record.dstPort : record.srcPort,
            ...d,
          });
        }
      }
      clear(i);
      clear(i + 1);
    },
    finish(): TimingSummary {
      if (windowPackets > 0) {
        closeWindow();
        windowPackets = 0;
      }
      // The span's windows, without those inside gaps (merged captures years apart stay meaningful).
      const span = frames === 0 ? 0 : previousTs - firstTs - gapTotal;
      const windows = frames === 0 ? 0 : Math.max(activeWindows, Math.ceil(span / config.burstWindow));
      const meanActive = activeWindows === 0 ? 0 : frames / activeWindows;
      return {
        frames,
        firstTs: frames === 0 ? null : firstTs,
        lastTs: frames === 0 ? null : previousTs,
        gaps: {
          thresholdSeconds: config.gapThreshold,
          count: gapCount,
          totalSeconds: gapTotal,
          longestSeconds: gapLongest,
          list: gaps,
          backwardSteps,
        },
        jitter: {
          directions,
          samples,
          meanMs: samples === 0 ? null : toMs(sampleSum / samples),
          p95Ms: samples === 0 ? null : toMs(histogram.quantile(0.95)),
          maxMs: samples === 0 ? null : toMs(histogram.max()),
          worst,
        },
        bursts: {
          windowSeconds: config.burstWindow,
          windows,
          activeWindows,
          meanPacketsPerWindow: windows > 0 ? frames / windows : 0,
          meanPacketsPerActiveWindow: meanActive,
          maxPackets,
          peakToMean: meanActive > 0 ? maxPackets / meanActive : 0,
          top,
        },
      };
    },
  };
}
