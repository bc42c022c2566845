/**
 * The TCP analyzer: per flow, Wireshark's sequence analysis (sequence-analysis.ts), the
 * handshake and its times, resets and who sent them, zero and low windows with their durations,
 * RTT samples (Karn: never over retransmitted data) and payload throughput; per capture, the
 * summary of capture-summary.ts. Results: `FlowRecord.tcp` and `analysis.tcp`
 * (docs/tcp-analysis.md).
 *
 * Analysed packets: TCP with at least the fixed 20-byte header captured, not IP fragments
 * (Wireshark analyses the reassembled segment; we do not reassemble).
 */
import type {
  DecodedPacket,
  FlowRecord,
  TcpAnalysisSummary,
  TcpDirectionDiagnostics,
  TcpFlowDiagnostics,
  TcpHandshake,
} from '../../model/index.js';
import { IP_PROTO, TCP_FLAG } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import { TcpCaptureSummary } from './capture-summary.js';
import { DEFAULT_TCP_ANALYZER_CONFIG, type TcpAnalyzerConfig } from './config.js';
import { A, C, C_COUNT, D, DF, DU, F, FF, FF_, FU, FU_, G, TcpFlowState, U } from './flow-state.js';
import { afterSegment, analyzeSegment } from './sequence-analysis.js';

const SYN = TCP_FLAG.SYN;
const ACK = TCP_FLAG.ACK;
const RST = TCP_FLAG.RST;
const FIN = TCP_FLAG.FIN;
const RETRANSMITTED = A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION;
/** Events after which an RTT timing in progress is no longer trustworthy (Karn). */
const SPOILS_RTT = RETRANSMITTED | A.OUT_OF_ORDER | A.LOST_PACKET;
/** Segments that are not new data, and so never start an RTT timing. */
const NOT_NEW_DATA = SPOILS_RTT | A.KEEP_ALIVE | A.ZERO_WINDOW_PROBE;

export interface TcpAnalyzer extends PacketAnalyzer {
  finish(): TcpAnalysisSummary;
}

export function createTcpAnalyzer(config: Partial<TcpAnalyzerConfig> = {}): TcpAnalyzer {
  const cfg: TcpAnalyzerConfig = { ...DEFAULT_TCP_ANALYZER_CONFIG, ...config };
  const s = new TcpFlowState();
  const summary = new TcpCaptureSummary(cfg.maxFlowsPerIssue, cfg.maxTimeSamples);
  const lowWindowBytes = cfg.lowWindowBytes;
  let streams = 0;
  let packets = 0;
  let skipped = 0;

  function countEvents(d: number, a: number): void {
    const base = d * DU + U.COUNTS;
    const u = s.u32;
    if ((a & A.RETRANSMISSION) !== 0) u[base + C.RTO]++;
    if ((a & A.FAST_RETRANSMISSION) !== 0) u[base + C.FAST]++;
    if ((a & A.SPURIOUS_RETRANSMISSION) !== 0) u[base + C.SPURIOUS]++;
    if ((a & A.OUT_OF_ORDER) !== 0) u[base + C.OUT_OF_ORDER]++;
    if ((a & A.DUPLICATE_ACK) !== 0) u[base + C.DUP_ACK]++;
    if ((a & A.LOST_PACKET) !== 0) u[base + C.LOST]++;
    if ((a & A.ACK_LOST_PACKET) !== 0) u[base + C.ACKED_UNSEEN]++;
    if ((a & A.KEEP_ALIVE) !== 0) u[base + C.KEEP_ALIVE]++;
    if ((a & A.ZERO_WINDOW) !== 0) u[base + C.ZERO_WINDOW]++;
    if ((a & A.ZERO_WINDOW_PROBE) !== 0) u[base + C.ZERO_WINDOW_PROBE]++;
    if ((a & A.WINDOW_FULL) !== 0) u[base + C.WINDOW_FULL]++;
  }

  /** Zero- and low-window episodes of the sender's receive window. */
  function trackWindow(d: number, ts: number, flags: number, window: number): void {
    if ((flags & RST) !== 0) return;
    const u = s.u32;
    const f = s.f64;
    const o = d * DU;
    const g = d * DF;
    const bits = u[o + U.BITS];
    if (window === 0) {
      // A zero window is its own episode: it ends a low one.
      if ((bits & D.IN_LOW) !== 0) {
        f[g + G.LOW_SECONDS] += ts - f[g + G.LOW_START];
        u[o + U.BITS] &= ~D.IN_LOW;
      }
      if ((flags & (SYN | FIN)) === 0 && (bits & D.IN_ZERO) === 0) {
        u[o + U.BITS] |= D.IN_ZERO;
        f[g + G.ZERO_START] = ts;
      }
      return;
    }
    if ((bits & D.IN_ZERO) !== 0) {
      f[g + G.ZERO_SECONDS] += ts - f[g + G.ZERO_START];
      u[o + U.BITS] &= ~D.IN_ZERO;
    }
    const scale = s.i32[o + U.WIN_SCALE];
    if ((flags & SYN) !== 0 || scale === -1) return;
    // window < 2^16 and scale <= 14: the shift stays below 2^31.
    const scaled = scale > 0 ? window << scale : window;
    if (scaled < lowWindowBytes) {
      u[o + U.COUNTS + C.LOW_WINDOW]++;
      if ((u[o + U.BITS] & D.IN_LOW) === 0) {
        u[o + U.BITS] |= D.IN_LOW;
        f[g + G.LOW_START] = ts;
      }
    } else if ((u[o + U.BITS] & D.IN_LOW) !== 0) {
      f[g + G.LOW_SECONDS] += ts - f[g + G.LOW_START];
      u[o + U.BITS] &= ~D.IN_LOW;
    }
  }

  function trackRtt(
    id: number,
    d: number,
    ts: number,
    seq: number,
    seglen: number,
    ack: number,
    flags: number,
    a: number,
  ): void {
    const u = s.u32;
    const f = s.f64;
    const o = d * DU;
    const p = (d ^ 1) * DU;
    if ((flags & ACK) !== 0 && (u[p + U.BITS] & D.RTT_ACTIVE) !== 0 && ((ack - u[p + U.RTT_END]) | 0) >= 0) {
      const sample = ts - f[(d ^ 1) * DF + G.RTT_START];
      u[p + U.BITS] &= ~D.RTT_ACTIVE;
      if (sample >= 0) {
        const ff = s.ff64;
        const r = id * FF;
        const n = s.fu32[id * FU + FU_.RTT_COUNT]++;
        if (n === 0 || sample < ff[r + FF_.RTT_MIN]) ff[r + FF_.RTT_MIN] = sample;
        if (n === 0 || sample > ff[r + FF_.RTT_MAX]) ff[r + FF_.RTT_MAX] = sample;
        ff[r + FF_.RTT_SUM] += sample;
        summary.rtt.add(sample);
      }
    }
    if ((a & SPOILS_RTT) !== 0) u[o + U.BITS] &= ~D.RTT_ACTIVE;
    else if (seglen > 0 && (a & NOT_NEW_DATA) === 0 && (u[o + U.BITS] & D.RTT_ACTIVE) === 0) {
      u[o + U.BITS] |= D.RTT_ACTIVE;
      u[o + U.RTT_END] = seq + seglen;
      f[d * DF + G.RTT_START] = ts;
    }
  }

  function trackHandshake(id: number, forward: boolean, ts: number, flags: number): void {
    const fu = s.fu32;
    const r = id * FU;
    const bits = fu[r + FU_.BITS];
    if ((flags & RST) !== 0) {
      if (fu[r + FU_.FIRST_RST] === 0) fu[r + FU_.FIRST_RST] = forward ? 1 : 2;
      if ((bits & F.SYN_ACK) !== 0) {
        if ((bits & F.ACK) === 0) fu[r + FU_.BITS] = bits | F.HANDSHAKE_RESET;
      } else if ((bits & F.SYN) !== 0 && !forward) fu[r + FU_.BITS] = bits | F.REFUSED;
      return;
    }
    if ((flags & (SYN | ACK)) === SYN) {
      if (forward) {
        fu[r + FU_.BITS] = bits | F.SYN;
        fu[r + FU_.SYN_COUNT]++;
      }
    } else if ((flags & (SYN | ACK)) === (SYN | ACK)) {
      if (!forward && (bits & F.SYN_ACK) === 0) {
        fu[r + FU_.BITS] = bits | F.SYN_ACK;
        s.ff64[id * FF + FF_.SYN_ACK_TIME] = ts;
        s.ff64[id * FF + FF_.SYN_AT_SYN_ACK] = s.ff64[id * FF + FF_.MRU_SYN];
      }
    } else if ((flags & ACK) !== 0 && forward && (bits & (F.SYN_ACK | F.ACK)) === F.SYN_ACK) {
      fu[r + FU_.BITS] = bits | F.ACK;
      s.ff64[id * FF + FF_.ACK_TIME] = ts;
    }
  }

  function onPacket(
    packet: DecodedPacket,
    timestamp: number,
    _frameLength: number,
    flowId: number,
    forward: boolean,
  ): void {
    if (packet.protocol !== IP_PROTO.TCP) return;
    if (packet.tcpHeaderLength === 0 || packet.isFragment) {
      skipped++;
      return;
    }
    packets++;
    const id = flowId;
    if (id >= s.capacity) s.ensure(id);
    if ((s.fu32[id * FU + FU_.BITS] & F.ACTIVE) === 0) s.start(id, streams++);
    const d = id * 2 + (forward ? 0 : 1);
    const flags = packet.tcpFlags;
    const seq = packet.tcpSeq;
    const ack = packet.tcpAck;
    const seglen = packet.tcpSegmentLength;
    const a = analyzeSegment(s, id, d, timestamp, seq, ack, seglen, flags, packet.tcpWindow, cfg);
    afterSegment(s, id, d, timestamp, flags, packet.tcpWindowScale);
    if (a !== 0) countEvents(d, a);
    if (seglen > 0) {
      s.f64[d * DF + G.PAYLOAD_BYTES] += seglen;
      if ((a & RETRANSMITTED) !== 0) s.f64[d * DF + G.RETRANSMITTED_BYTES] += seglen;
    }
    if ((flags & RST) !== 0) s.u32[d * DU + U.COUNTS + C.RESET]++;
    trackWindow(d, timestamp, flags, packet.tcpWindow);
    trackRtt(id, d, timestamp, seq, seglen, ack, flags, a);
    trackHandshake(id, forward, timestamp, flags);
  }

  /** True when any event counter of direction `d` is set. */
  function hasEvents(d: number): boolean {
    const u = s.u32;
    for (let i = d * DU + U.COUNTS, end = i + C_COUNT; i < end; i++) if (u[i] !== 0) return true;
    return false;
  }

  function direction(d: number, duration: number, end: number, events: boolean): TcpDirectionDiagnostics {
    const base = d * DU + U.COUNTS;
    const c = s.u32;
    const f = s.f64;
    const g = d * DF;
    const out: TcpDirectionDiagnostics = { payloadBytes: f[g + G.PAYLOAD_BYTES] };
    if (duration > 0) out.throughput = f[g + G.PAYLOAD_BYTES] / duration;
    // Window episodes and retransmitted bytes always come with a counter.
    if (!events) return out;
    const rto = c[base + C.RTO];
    const fast = c[base + C.FAST];
    const spurious = c[base + C.SPURIOUS];
    const put = (key: keyof TcpDirectionDiagnostics, value: number) => {
      if (value !== 0) out[key] = value;
    };
    put('retransmissions', rto + fast + spurious);
    put('rtoRetransmissions', rto);
    put('fastRetransmissions', fast);
    put('spuriousRetransmissions', spurious);
    put('retransmittedBytes', f[g + G.RETRANSMITTED_BYTES]);
    put('outOfOrder', c[base + C.OUT_OF_ORDER]);
    put('duplicateAcks', c[base + C.DUP_ACK]);
    put('lostSegments', c[base + C.LOST]);
    put('ackedUnseen', c[base + C.ACKED_UNSEEN]);
    put('keepAlives', c[base + C.KEEP_ALIVE]);
    put('zeroWindows', c[base + C.ZERO_WINDOW]);
    // An episode still open when the record is cut lasts until the flow's last packet.
    const bits = c[d * DU + U.BITS];
    let zero = f[g + G.ZERO_SECONDS];
    if ((bits & D.IN_ZERO) !== 0) {
      zero += end - f[g + G.ZERO_START];
      f[g + G.ZERO_START] = end;
    }
    let low = f[g + G.LOW_SECONDS];
    if ((bits & D.IN_LOW) !== 0) {
      low += end - f[g + G.LOW_START];
      f[g + G.LOW_START] = end;
    }
    put('zeroWindowSeconds', zero);
    put('zeroWindowProbes', c[base + C.ZERO_WINDOW_PROBE]);
    put('lowWindows', c[base + C.LOW_WINDOW]);
    put('lowWindowSeconds', low);
    put('windowFull', c[base + C.WINDOW_FULL]);
    put('resets', c[base + C.RESET]);
    return out;
  }

  function handshake(id: number): TcpHandshake | undefined {
    const bits = s.fu32[id * FU + FU_.BITS];
    if ((bits & (F.SYN | F.SYN_ACK)) === 0) return undefined;
    let state: TcpHandshake['state'];
    if ((bits & F.ACK) !== 0) state = 'complete';
    else if ((bits & F.HANDSHAKE_RESET) !== 0) state = 'reset';
    else if ((bits & F.SYN_ACK) !== 0) state = 'incomplete';
    else if ((bits & F.REFUSED) !== 0) state = 'refused';
    else state = 'unanswered';
    const out: TcpHandshake = { state, synRetransmissions: Math.max(0, s.fu32[id * FU + FU_.SYN_COUNT] - 1) };
    const ff = s.ff64;
    const r = id * FF;
    const syn = ff[r + FF_.SYN_AT_SYN_ACK];
    if ((bits & F.SYN_ACK) !== 0 && syn !== 0) out.synToSynAck = ff[r + FF_.SYN_ACK_TIME] - syn;
    if ((bits & F.ACK) !== 0) {
      out.synAckToAck = ff[r + FF_.ACK_TIME] - ff[r + FF_.SYN_ACK_TIME];
      if (syn !== 0) out.total = ff[r + FF_.ACK_TIME] - syn;
    }
    return out;
  }

  function onFlowEnd(flowId: number, record: FlowRecord): void {
    const id = flowId;
    if (record.protocol !== IP_PROTO.TCP || id >= s.capacity) return;
    const fu = s.fu32;
    const row = id * FU;
    if ((fu[row + FU_.BITS] & F.ACTIVE) === 0) return;
    const duration = record.lastTs - record.firstTs;
    const first = (fu[row + FU_.BITS] & F.HANDSHAKE_REPORTED) === 0;
    const fwdEvents = hasEvents(id * 2);
    const revEvents = hasEvents(id * 2 + 1);
    const diag: TcpFlowDiagnostics = {
      stream: fu[row + FU_.STREAM],
      fwd: direction(id * 2, duration, record.lastTs, fwdEvents),
      rev: direction(id * 2 + 1, duration, record.lastTs, revEvents),
    };
    if (first) {
      const hs = handshake(id);
      if (hs !== undefined) diag.handshake = hs;
      const initialRtt = s.ff64[id * FF + FF_.FIRST_RTT];
      if (initialRtt !== 0) diag.initialRtt = initialRtt;
    }
    const n = fu[row + FU_.RTT_COUNT];
    if (n > 0) {
      const r = id * FF;
      diag.rtt = {
        samples: n,
        min: s.ff64[r + FF_.RTT_MIN],
        mean: s.ff64[r + FF_.RTT_SUM] / n,
        max: s.ff64[r + FF_.RTT_MAX],
      };
    }
    const firstRst = fu[row + FU_.FIRST_RST];
    if (firstRst !== 0 && (fu[row + FU_.BITS] & F.RESET_REPORTED) === 0) {
      diag.resetBy = firstRst === 1 ? 'originator' : 'responder';
      fu[row + FU_.BITS] |= F.RESET_REPORTED;
    }
    record.tcp = diag;
    summary.addFlow(record, diag, first, fwdEvents || revEvents);
    if (record.endReason === 'active-timeout') {
      fu[row + FU_.BITS] |= F.HANDSHAKE_REPORTED;
      s.clearCounters(id);
    } else {
      fu[row + FU_.BITS] = 0;
    }
  }

  function finish(): TcpAnalysisSummary {
    return {
      tcpFlows: summary.tcpFlows,
      packets,
      skippedPackets: skipped,
      payloadBytes: summary.payloadBytes,
      issues: summary.issueSummaries(),
      handshakes: {
        ...summary.handshakes,
        synToSynAck: summary.synToSynAck.summary(),
        synAckToAck: summary.synAckToAck.summary(),
        total: summary.handshakeTotal.summary(),
      },
      initialRtt: summary.initialRtt.summary(),
      rtt: summary.rtt.summary(),
      resets: { ...summary.resets },
      config: {
        lowWindowBytes: cfg.lowWindowBytes,
        maxFlowsPerIssue: cfg.maxFlowsPerIssue,
        maxTimeSamples: cfg.maxTimeSamples,
        fastRetransmissionWindow: cfg.fastRetransmissionWindow,
        outOfOrderDefaultThreshold: cfg.outOfOrderDefaultThreshold,
      },
    };
  }

  return { name: 'tcp', onPacket, onFlowEnd, finish };
}
