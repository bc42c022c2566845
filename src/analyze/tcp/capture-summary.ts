/**
 * Capture-level accumulation of the TCP analyzer: per issue type the event and flow counts and
 * the flows with the most events (capped), handshake outcomes, and time distributions kept in
 * fixed-size reservoirs. Fed once per flow record, plus one call per RTT sample.
 *
 * Contract: memory is bounded by `maxFlowsPerIssue` and `maxTimeSamples`; what did not fit is
 * counted (`droppedFlows`, `sampled`).
 */
import type {
  FlowRecord,
  TcpAffectedFlow,
  TcpFlowDiagnostics,
  TcpIssue,
  TcpIssueSummary,
  TcpTimeSummary,
} from '../../model/index.js';
import { TCP_ISSUES } from '../../model/index.js';

/** A distribution: exact count/min/max, percentiles from a reservoir sample (Vitter's R). */
export class TimeReservoir {
  private readonly values: Float64Array;
  private stored = 0;
  count = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private seed = 0x9e3779b9;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(1, capacity));
  }

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.stored < this.values.length) {
      this.values[this.stored++] = value;
      return;
    }
    // xorshift32: deterministic, so a capture always gives the same summary.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    const slot = this.seed % this.count;
    if (slot < this.values.length) this.values[slot] = value;
  }

  summary(): TcpTimeSummary {
    if (this.count === 0) return { count: 0, min: null, median: null, p95: null, max: null, sampled: 0 };
    const sorted = this.values.slice(0, this.stored).sort();
    return {
      count: this.count,
      min: this.min,
      median: nearestRank(sorted, 0.5),
      p95: nearestRank(sorted, 0.95),
      max: this.max,
      sampled: this.count - this.stored,
    };
  }
}

/** Nearest-rank percentile: the smallest value with at least `p` of the values at or below it. */
function nearestRank(sorted: Float64Array, p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Wireshark's conversation filter for a TCP 5-tuple. */
export function wiresharkFilter(record: FlowRecord): string {
  const ip = record.ipVersion === 6 ? 'ipv6.addr' : 'ip.addr';
  return `${ip}==${record.srcIp} && tcp.port==${record.srcPort} && ${ip}==${record.dstIp} && tcp.port==${record.dstPort}`;
}

class IssueList {
  count = 0;
  flows = 0;
  dropped = 0;
  /** Index in `top` of its entry with the fewest events, once `top` is full. */
  private floor = 0;
  readonly top: TcpAffectedFlow[] = [];

  constructor(private readonly cap: number) {}

  add(record: FlowRecord, stream: number, events: number): void {
    this.count += events;
    this.flows++;
    if (this.top.length < this.cap) {
      this.top.push(affected(record, stream, events));
      if (this.top.length === this.cap) this.floor = this.lowest();
      return;
    }
    this.dropped++;
    if (this.cap === 0) return;
    // Most affected flows have as few events as the list's lowest: skip them without a scan.
    if (events <= this.top[this.floor]!.count) return;
    this.top[this.floor] = affected(record, stream, events);
    this.floor = this.lowest();
  }

  /** Index of the entry with the fewest events. */
  private lowest(): number {
    let low = 0;
    for (let i = 1; i < this.top.length; i++) if (this.top[i]!.count < this.top[low]!.count) low = i;
    return low;
  }

  summary(): TcpIssueSummary {
    const topFlows = [...this.top].sort((a, b) => b.count - a.count || a.firstTs - b.firstTs);
    return { count: this.count, flows: this.flows, topFlows, droppedFlows: this.dropped };
  }
}

function affected(record: FlowRecord, stream: number, count: number): TcpAffectedFlow {
  return {
    communityId: record.communityId,
    stream,
    ipVersion: record.ipVersion,
    srcIp: record.srcIp,
    srcPort: record.srcPort,
    dstIp: record.dstIp,
    dstPort: record.dstPort,
    firstTs: record.firstTs,
    count,
    filter: wiresharkFilter(record),
  };
}

type Counted = Exclude<
  TcpIssue,
  'reset' | 'synRetransmission' | 'unansweredHandshake' | 'refusedHandshake' | 'resetHandshake'
>;
/** Issue → the per-direction field that counts its events. */
const DIRECTION_FIELDS: Record<Counted, keyof TcpFlowDiagnostics['fwd']> = {
  retransmission: 'retransmissions',
  rtoRetransmission: 'rtoRetransmissions',
  fastRetransmission: 'fastRetransmissions',
  spuriousRetransmission: 'spuriousRetransmissions',
  outOfOrder: 'outOfOrder',
  duplicateAck: 'duplicateAcks',
  lostSegment: 'lostSegments',
  ackedUnseen: 'ackedUnseen',
  zeroWindow: 'zeroWindows',
  lowWindow: 'lowWindows',
  windowFull: 'windowFull',
};

const DIRECTION_ENTRIES = Object.entries(DIRECTION_FIELDS) as [Counted, keyof TcpFlowDiagnostics['fwd']][];

export class TcpCaptureSummary {
  readonly issues = new Map<TcpIssue, IssueList>();
  readonly handshakes = { complete: 0, unanswered: 0, refused: 0, reset: 0, incomplete: 0, midstream: 0 };
  readonly resets = { byOriginator: 0, byResponder: 0 };
  readonly synToSynAck: TimeReservoir;
  readonly synAckToAck: TimeReservoir;
  readonly handshakeTotal: TimeReservoir;
  readonly initialRtt: TimeReservoir;
  readonly rtt: TimeReservoir;
  tcpFlows = 0;
  payloadBytes = 0;

  constructor(maxFlowsPerIssue: number, maxTimeSamples: number) {
    for (const issue of TCP_ISSUES) this.issues.set(issue, new IssueList(maxFlowsPerIssue));
    this.synToSynAck = new TimeReservoir(maxTimeSamples);
    this.synAckToAck = new TimeReservoir(maxTimeSamples);
    this.handshakeTotal = new TimeReservoir(maxTimeSamples);
    this.initialRtt = new TimeReservoir(maxTimeSamples);
    this.rtt = new TimeReservoir(maxTimeSamples);
  }

  private bump(issue: TcpIssue, record: FlowRecord, stream: number, events: number): void {
    if (events > 0) this.issues.get(issue)?.add(record, stream, events);
  }

  /**
   * One flow record's diagnostics. `first` is false for the records after an interim one;
   * `events` false says no per-direction counter is set (the common, clean flow: skipped fast).
   */
  addFlow(record: FlowRecord, diag: TcpFlowDiagnostics, first: boolean, events: boolean): void {
    if (first) this.tcpFlows++;
    this.payloadBytes += diag.fwd.payloadBytes + diag.rev.payloadBytes;
    if (events) {
      for (const [issue, field] of DIRECTION_ENTRIES) {
        this.bump(
          issue,
          record,
          diag.stream,
          ((diag.fwd[field] as number) ?? 0) + ((diag.rev[field] as number) ?? 0),
        );
      }
      const resets = (diag.fwd.resets ?? 0) + (diag.rev.resets ?? 0);
      this.bump('reset', record, diag.stream, resets > 0 ? 1 : 0);
    }
    if (diag.resetBy === 'originator') this.resets.byOriginator++;
    if (diag.resetBy === 'responder') this.resets.byResponder++;
    if (diag.initialRtt !== undefined) this.initialRtt.add(diag.initialRtt);
    const hs = diag.handshake;
    if (hs === undefined) {
      if (first) this.handshakes.midstream++;
      return;
    }
    this.handshakes[hs.state]++;
    this.bump('synRetransmission', record, diag.stream, hs.synRetransmissions);
    if (hs.state === 'unanswered') this.bump('unansweredHandshake', record, diag.stream, 1);
    if (hs.state === 'refused') this.bump('refusedHandshake', record, diag.stream, 1);
    if (hs.state === 'reset') this.bump('resetHandshake', record, diag.stream, 1);
    if (hs.synToSynAck !== undefined) this.synToSynAck.add(hs.synToSynAck);
    if (hs.synAckToAck !== undefined) this.synAckToAck.add(hs.synAckToAck);
    if (hs.total !== undefined) this.handshakeTotal.add(hs.total);
  }

  issueSummaries(): Record<TcpIssue, TcpIssueSummary> {
    const out = {} as Record<TcpIssue, TcpIssueSummary>;
    for (const [issue, list] of this.issues) out[issue] = list.summary();
    return out;
  }
}
