/**
 * Per-flow TCP state in typed arrays, one row per flow and one per direction (slot
 * `d = flowId × 2 + direction`, direction 0 = originator → responder), so that a packet touches
 * a few adjacent cache lines rather than one line per field. Rows grow as flow ids grow; `start`
 * resets a flow's rows, so an id reused by a later flow starts clean.
 *
 * Contract: no allocation per packet; `ensure(id)` before touching a flow's rows. Field offsets
 * below are fixed: `u32[d * DU + U.NEXT_SEQ]`, `f64[d * DF + DF_.PAYLOAD]`, …
 */

/** Wireshark's tcp_acked flags (packet-tcp.c TCP_A_*), the same bits. */
export const A = {
  RETRANSMISSION: 0x0001,
  LOST_PACKET: 0x0002,
  ACK_LOST_PACKET: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUPLICATE_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

/** 32-bit fields of a direction row (`u32`, or `i32` for the signed ones). */
export const U = {
  BITS: 0,
  BASE_SEQ: 1,
  NEXT_SEQ: 2,
  MAX_SEQ_TO_BE_ACKED: 3,
  LAST_ACK: 4,
  WINDOW: 5,
  RTT_END: 6,
  LAST_SEG_FLAGS: 7,
  /** Signed: -1 unknown, -2 no scaling, else the shift (Wireshark's win_scale). */
  WIN_SCALE: 8,
  DUP_ACK_NUM: 9,
  /** First of the event counters (`C`). */
  COUNTS: 10,
} as const;

/** Event counters, at `U.COUNTS + C.x` in a direction row. */
export const C = {
  RTO: 0,
  FAST: 1,
  SPURIOUS: 2,
  OUT_OF_ORDER: 3,
  DUP_ACK: 4,
  LOST: 5,
  ACKED_UNSEEN: 6,
  KEEP_ALIVE: 7,
  ZERO_WINDOW: 8,
  ZERO_WINDOW_PROBE: 9,
  LOW_WINDOW: 10,
  WINDOW_FULL: 11,
  RESET: 12,
} as const;
export const C_COUNT = 13;
/** 32-bit words per direction row. */
export const DU = 24;

/** Float64 fields of a direction row. */
export const G = {
  NEXT_SEQ_TIME: 0,
  LAST_ACK_TIME: 1,
  RTT_START: 2,
  ZERO_START: 3,
  LOW_START: 4,
  ZERO_SECONDS: 5,
  LOW_SECONDS: 6,
  PAYLOAD_BYTES: 7,
  RETRANSMITTED_BYTES: 8,
} as const;
export const DF = 9;

/** 32-bit fields of a flow row. */
export const FU_ = {
  BITS: 0,
  /** 0 none, 1 originator, 2 responder: the side of the first RST. */
  FIRST_RST: 1,
  STREAM: 2,
  SYN_COUNT: 3,
  RTT_COUNT: 4,
} as const;
export const FU = 8;

/** Float64 fields of a flow row. */
export const FF_ = {
  MRU_SYN: 0,
  FIRST_RTT: 1,
  SYN_ACK_TIME: 2,
  SYN_AT_SYN_ACK: 3,
  ACK_TIME: 4,
  RTT_MIN: 5,
  RTT_MAX: 6,
  RTT_SUM: 7,
} as const;
export const FF = 8;

/** Bits of a direction row's `U.BITS`. */
export const D = {
  BASE_SET: 1,
  FIRST_ACK: 2,
  RTT_ACTIVE: 4,
  IN_ZERO: 8,
  IN_LOW: 16,
} as const;

/** Bits of a flow row's `FU_.BITS`. */
export const F = {
  ACTIVE: 1,
  SYN: 2,
  SYN_ACK: 4,
  ACK: 8,
  /** The responder sent a RST before any SYN-ACK. */
  REFUSED: 16,
  /** A RST after the SYN-ACK, before the final ACK. */
  HANDSHAKE_RESET: 32,
  /** The handshake was already reported in an interim record. */
  HANDSHAKE_REPORTED: 64,
  /** The side of the first RST was already reported. */
  RESET_REPORTED: 128,
} as const;

export class TcpFlowState {
  capacity = 0;
  /** Direction rows: 32-bit words, unsigned and signed views of one buffer. */
  u32 = new Uint32Array(0);
  i32 = new Int32Array(0);
  f64 = new Float64Array(0);
  /** Flow rows. */
  fu32 = new Uint32Array(0);
  ff64 = new Float64Array(0);

  ensure(id: number): void {
    if (id < this.capacity) return;
    let n = Math.max(16_384, this.capacity * 2);
    while (n <= id) n *= 2;
    this.capacity = n;
    const u32 = new Uint32Array(n * 2 * DU);
    u32.set(this.u32);
    this.u32 = u32;
    this.i32 = new Int32Array(u32.buffer);
    const f64 = new Float64Array(n * 2 * DF);
    f64.set(this.f64);
    this.f64 = f64;
    const fu32 = new Uint32Array(n * FU);
    fu32.set(this.fu32);
    this.fu32 = fu32;
    const ff64 = new Float64Array(n * FF);
    ff64.set(this.ff64);
    this.ff64 = ff64;
  }

  /** Starts flow `id` (Wireshark's init_tcp_conversation_data). */
  start(id: number, stream: number): void {
    // Plain loops: TypedArray#fill costs more than these few stores for rows this short.
    const fu = this.fu32;
    for (let i = id * FU, end = i + FU; i < end; i++) fu[i] = 0;
    fu[id * FU + FU_.BITS] = F.ACTIVE;
    fu[id * FU + FU_.STREAM] = stream;
    const ff = this.ff64;
    for (let i = id * FF, end = i + FF; i < end; i++) ff[i] = 0;
    const u = this.u32;
    for (let i = id * 2 * DU, end = i + 2 * DU; i < end; i++) u[i] = 0;
    const f = this.f64;
    for (let i = id * 2 * DF, end = i + 2 * DF; i < end; i++) f[i] = 0;
    for (let d = id * 2; d < id * 2 + 2; d++) {
      this.i32[d * DU + U.WIN_SCALE] = -1;
      u[d * DU + U.WINDOW] = 0xffffffff;
    }
  }

  /** Clears what a record reports (after an interim record, the next one starts from zero). */
  clearCounters(id: number): void {
    const f = id * FF;
    this.fu32[id * FU + FU_.RTT_COUNT] = 0;
    this.ff64[f + FF_.RTT_MIN] = 0;
    this.ff64[f + FF_.RTT_MAX] = 0;
    this.ff64[f + FF_.RTT_SUM] = 0;
    for (let d = id * 2; d < id * 2 + 2; d++) {
      this.f64[d * DF + G.ZERO_SECONDS] = 0;
      this.f64[d * DF + G.LOW_SECONDS] = 0;
      this.f64[d * DF + G.PAYLOAD_BYTES] = 0;
      this.f64[d * DF + G.RETRANSMITTED_BYTES] = 0;
      this.u32.fill(0, d * DU + U.COUNTS, d * DU + U.COUNTS + C_COUNT);
    }
  }
}
