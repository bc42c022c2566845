/**
 * Wireshark's TCP sequence analysis (epan/dissectors/packet-tcp.c, `tcp_analyze_sequence_number`
 * and the SYN/ACK bookkeeping of `dissect_tcp`), rule for rule, on the typed-array state of
 * flow-state.ts. It decides the `tcp.analysis.*` flags of one segment: retransmission (generic,
 * fast, spurious), out-of-order, duplicate ACK, lost and ACKed-unseen segments, keep-alive,
 * zero window and its probes, window update and window full.
 *
 * As in Wireshark, sequence numbers are the raw 32-bit values (0 means "not seen yet"), windows
 * are the raw header values, and times the packets' own. Comparisons wrap modulo 2^32.
 *
 * Contract: `analyzeSegment` is called once per analysed segment, in capture order, with `d` the
 * direction slot of the sender and `d ^ 1` the peer's; it returns the flags it set.
 */
import { A, D, DF, DU, FF, FF_, G, type TcpFlowState, U } from './flow-state.js';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** Wireshark's GT_SEQ/LT_SEQ/LE_SEQ: signed 32-bit difference. */
function gtSeq(x: number, y: number): boolean {
  return ((y - x) | 0) < 0;
}
function ltSeq(x: number, y: number): boolean {
  return ((x - y) | 0) < 0;
}
function leSeq(x: number, y: number): boolean {
  return ((x - y) | 0) <= 0;
}

/** Wireshark keeps these deltas in an unsigned 64-bit count of ns: a negative one is never "within". */
function within(delta: number, threshold: number): boolean {
  return delta >= 0 && delta < threshold;
}

export interface SequenceThresholds {
  fastRetransmissionWindow: number;
  outOfOrderDefaultThreshold: number;
}

export function analyzeSegment(
  s: TcpFlowState,
  id: number,
  d: number,
  ts: number,
  seq: number,
  ack: number,
  seglen: number,
  flags: number,
  window: number,
  thresholds: SequenceThresholds,
): number {
  const u = s.u32;
  const f = s.f64;
  const o = d * DU; // this direction's row ("fwd" in Wireshark)
  const p = (d ^ 1) * DU; // the peer's row ("rev")
  const of = d * DF;
  const pf = (d ^ 1) * DF;
  let a = 0;

  // A SYN repeating the base sequence number restores nextseq (issue 17616); a SYN with another
  // sequence number started a new connection, which the flow table split off already.
  if ((flags & (SYN | ACK)) === SYN && (u[o + U.BITS] & D.BASE_SET) !== 0 && seq === u[o + U.BASE_SEQ]) {
    u[o + U.NEXT_SEQ] = u[o + U.MAX_SEQ_TO_BE_ACKED];
  }
  if ((u[o + U.BITS] & D.BASE_SET) === 0) {
    u[o + U.BASE_SEQ] = (flags & SYN) !== 0 ? seq : seq - 1;
    u[o + U.BITS] |= D.BASE_SET;
  }
  if ((u[p + U.BITS] & D.BASE_SET) === 0 && (flags & ACK) !== 0) {
    u[p + U.BASE_SEQ] = ack - 1;
    u[p + U.BITS] |= D.BASE_SET;
  }

  const nextSeq = u[o + U.NEXT_SEQ];
  const lastAck = u[o + U.LAST_ACK];
  const noSfr = (flags & (SYN | FIN | RST)) === 0;
  if (seglen === 1 && seq === nextSeq && u[p + U.WINDOW] === 0) {
    a |= A.ZERO_WINDOW_PROBE;
  } else {
    if (window === 0 && noSfr) a |= A.ZERO_WINDOW;
    if (nextSeq !== 0 && gtSeq(seq, nextSeq) && (flags & RST) === 0) a |= A.LOST_PACKET;
    if ((seglen === 0 || seglen === 1) && seq === (nextSeq - 1) >>> 0 && noSfr) a |= A.KEEP_ALIVE;
    const repeats = seglen === 0 && seq === nextSeq && ack === lastAck && noSfr;
    const ownWindow = u[o + U.WINDOW];
    if (repeats && window !== 0 && window !== ownWindow) a |= A.WINDOW_UPDATE;
    const peerScale = s.i32[p + U.WIN_SCALE];
    if (seglen > 0 && peerScale !== -1 && noSfr) {
      const shift = (u[p + U.BITS] & D.FIRST_ACK) !== 0 || peerScale === -2 ? 0 : peerScale;
      // C shifts a 32-bit window: keep the product modulo 2^32 as it does.
      const edge = (u[p + U.LAST_ACK] + ((u[p + U.WINDOW] * 2 ** shift) % 4294967296)) >>> 0;
      if ((seq + seglen) >>> 0 === edge) a |= A.WINDOW_FULL;
    }
    if (repeats && window === ownWindow) {
      if (window !== 0 && (u[p + U.LAST_SEG_FLAGS] & A.KEEP_ALIVE) !== 0) a |= A.KEEP_ALIVE_ACK;
      else if (window === 0 && (u[p + U.LAST_SEG_FLAGS] & A.ZERO_WINDOW_PROBE) !== 0)
        a |= A.ZERO_WINDOW_PROBE_ACK;
      else if (window !== 0) {
        u[o + U.DUP_ACK_NUM]++;
        a |= A.DUPLICATE_ACK;
      }
    }
  }

  // A new ACK number resets the duplicate-ACK count (tshark 4.0: not any segment that is not a
  // duplicate ACK; checked on a synthetic capture in the oracle test).
  if (ack !== lastAck) u[o + U.DUP_ACK_NUM] = 0;

  // ACKed unseen segment, as tshark 4.0 flags it: every ACK beyond the peer's highest
  // contiguous sequence number (later versions flag only the first such ACK).
  const peerMax = u[p + U.MAX_SEQ_TO_BE_ACKED];
  if (peerMax !== 0 && gtSeq(ack, peerMax) && (flags & ACK) !== 0) {
    a |= A.ACK_LOST_PACKET;
    u[p + U.MAX_SEQ_TO_BE_ACKED] = u[p + U.NEXT_SEQ];
  }

  if ((seglen > 0 || (flags & (SYN | FIN)) !== 0) && (a & A.KEEP_ALIVE) === 0) {
    const current = u[o + U.NEXT_SEQ];
    let notAdvanced = current !== 0 && ltSeq(seq, current);
    // More than one byte right after a possible zero-window probe is new data.
    if (seglen > 1 && (current - 1) >>> 0 === seq) notAdvanced = false;
    const synFin = (flags & (SYN | FIN)) !== 0 ? 1 : 0;
    const peerAck = u[p + U.LAST_ACK];
    if (seglen > 0 && peerAck !== 0 && leSeq((seq + seglen) >>> 0, peerAck)) {
      a |= A.SPURIOUS_RETRANSMISSION;
    } else if (
      notAdvanced &&
      u[p + U.DUP_ACK_NUM] >= 2 &&
      peerAck === seq &&
      within(ts - f[pf + G.LAST_ACK_TIME], thresholds.fastRetransmissionWindow)
    ) {
      a |= A.FAST_RETRANSMISSION;
    } else if (
      notAdvanced &&
      within(ts - f[of + G.NEXT_SEQ_TIME], outOfOrderThreshold(s, id, thresholds)) &&
      current !== (seq + seglen + synFin) >>> 0
    ) {
      a |= A.OUT_OF_ORDER;
    } else if (notAdvanced) {
      a |= A.RETRANSMISSION;
    }
  }

  // finished_checking_retransmission_type
  let next = (seq + seglen) >>> 0;
  if ((flags & (SYN | FIN)) !== 0) next = (next + 1) >>> 0;
  if ((a & A.ZERO_WINDOW_PROBE) === 0) {
    const current = u[o + U.NEXT_SEQ];
    if (gtSeq(next, current) || current === 0) {
      u[o + U.NEXT_SEQ] = next;
      f[of + G.NEXT_SEQ_TIME] = ts;
    }
    const max = u[o + U.MAX_SEQ_TO_BE_ACKED];
    if (seq === max || max === 0) u[o + U.MAX_SEQ_TO_BE_ACKED] = u[o + U.NEXT_SEQ];
  }
  u[o + U.WINDOW] = window;
  u[o + U.LAST_ACK] = ack;
  f[of + G.LAST_ACK_TIME] = ts;
  u[o + U.LAST_SEG_FLAGS] = a;
  return a;
}

/** The initial RTT when the flow has one, else the configured default (Wireshark: 3 ms). */
function outOfOrderThreshold(s: TcpFlowState, id: number, thresholds: SequenceThresholds): number {
  const rtt = s.ff64[id * FF + FF_.FIRST_RTT];
  return rtt !== 0 ? rtt : thresholds.outOfOrderDefaultThreshold;
}

/**
 * The bookkeeping `dissect_tcp` does after the analysis: the most recent SYN's time, the initial
 * RTT (most recent SYN → first segment with ACK and without SYN, either direction), the first-ACK
 * marker of window scaling, the window scale option and its check on SYNs
 * (`verify_tcp_window_scaling`).
 */
export function afterSegment(
  s: TcpFlowState,
  id: number,
  d: number,
  ts: number,
  flags: number,
  windowScale: number,
): void {
  const u = s.u32;
  const o = d * DU;
  const ff = id * FF;
  if ((flags & SYN) !== 0) {
    if ((flags & ACK) === 0) s.ff64[ff + FF_.MRU_SYN] = ts;
    u[o + U.BITS] |= D.FIRST_ACK;
  } else if ((flags & ACK) !== 0) {
    const syn = s.ff64[ff + FF_.MRU_SYN];
    if (syn !== 0 && s.ff64[ff + FF_.FIRST_RTT] === 0) s.ff64[ff + FF_.FIRST_RTT] = ts - syn;
    u[o + U.BITS] &= ~D.FIRST_ACK;
  }
  const i = s.i32;
  if (windowScale >= 0) i[o + U.WIN_SCALE] = windowScale;
  if ((flags & SYN) !== 0) {
    const p = (d ^ 1) * DU;
    if (i[o + U.WIN_SCALE] === -1) {
      i[o + U.WIN_SCALE] = -2;
      i[p + U.WIN_SCALE] = -2;
    } else if ((flags & ACK) !== 0 && i[p + U.WIN_SCALE] === -2) {
      i[o + U.WIN_SCALE] = -2;
    }
  }
}
