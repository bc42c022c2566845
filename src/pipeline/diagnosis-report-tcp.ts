/**
 * The report's TCP issues section from the TCP analyzer's capture summary: one group per issue
 * type that occurred, each listing its most affected flows with a Wireshark display filter, plus
 * headline facts and a table of handshake and round-trip times.
 *
 * Contract: pure. Group `type` ids are the analyzer's issue names in kebab-case
 * ('retransmission', 'fast-retransmission', 'zero-window', 'reset', …) and are stable.
 */
import type {
  ReportFact,
  ReportTable,
  TcpAnalysisSummary,
  TcpIssue,
  TcpIssueGroup,
  TcpIssuesSection,
  TcpTimeSummary,
} from '../model/index.js';
import { TCP_ISSUES, wiresharkTcpFilter } from '../model/index.js';

const ISSUE_TEXT: Record<TcpIssue, [label: string, description: string]> = {
  retransmission: [
    'Retransmissions',
    'Segments sent again: RTO, fast and spurious together (tcp.analysis.retransmission).',
  ],
  rtoRetransmission: [
    'RTO retransmissions',
    'Retransmissions that are neither fast nor spurious: timer-driven.',
  ],
  fastRetransmission: [
    'Fast retransmissions',
    'Retransmissions after duplicate ACKs from the peer (tcp.analysis.fast_retransmission).',
  ],
  spuriousRetransmission: [
    'Spurious retransmissions',
    'Data the peer had already acknowledged (tcp.analysis.spurious_retransmission).',
  ],
  outOfOrder: ['Out of order', 'Segments that arrived before earlier data (tcp.analysis.out_of_order).'],
  duplicateAck: [
    'Duplicate ACKs',
    'The receiver repeating its ACK: loss or reordering (tcp.analysis.duplicate_ack).',
  ],
  lostSegment: [
    'Previous segment not captured',
    'A gap in the sequence numbers: lost on the path or by the capture (tcp.analysis.lost_segment).',
  ],
  ackedUnseen: [
    'ACKed unseen segment',
    'ACKs for data the capture never saw, usually capture loss (tcp.analysis.ack_lost_segment).',
  ],
  zeroWindow: [
    'Zero window',
    'The receiver advertised no buffer space: it could not keep up (tcp.analysis.zero_window).',
  ],
  lowWindow: ['Low window', 'The receiver advertised a window below the low-window threshold.'],
  windowFull: [
    'Window full',
    "Segments that filled the peer's advertised window (tcp.analysis.window_full).",
  ],
  reset: ['Resets', 'Connections ended by a RST.'],
  synRetransmission: [
    'SYN retransmissions',
    'Connection attempts repeated because no SYN-ACK came back in time.',
  ],
  unansweredHandshake: ['Unanswered handshakes', 'SYNs that got no answer at all.'],
  refusedHandshake: ['Refused connections', 'SYNs answered with a RST: nothing listening, or a firewall.'],
  resetHandshake: ['Reset handshakes', 'A SYN-ACK, then a RST before the handshake completed.'],
};

/** camelCase → kebab-case: 'fastRetransmission' → 'fast-retransmission'. */
export function issueId(issue: TcpIssue): string {
  return issue.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const msOf = (seconds: number | null): number | null => (seconds === null ? null : seconds * 1000);

function timeRow(what: string, t: TcpTimeSummary): Record<string, number | string | null> {
  return {
    what,
    count: t.count,
    min: msOf(t.min),
    median: msOf(t.median),
    p95: msOf(t.p95),
    max: msOf(t.max),
  };
}

function timesTable(tcp: TcpAnalysisSummary): ReportTable {
  const h = tcp.handshakes;
  return {
    title: 'Handshake and round-trip times',
    columns: [
      { key: 'what', label: 'Measure' },
      { key: 'count', label: 'Samples', kind: 'number' },
      { key: 'min', label: 'Min', kind: 'ms' },
      { key: 'median', label: 'Median', kind: 'ms' },
      { key: 'p95', label: 'p95', kind: 'ms' },
      { key: 'max', label: 'Max', kind: 'ms' },
    ],
    rows: [
      timeRow('SYN → SYN-ACK', h.synToSynAck),
      timeRow('SYN-ACK → ACK', h.synAckToAck),
      timeRow('Handshake total', h.total),
      timeRow('Initial RTT (tcp.analysis.initial_rtt)', tcp.initialRtt),
      timeRow('RTT samples (data → ACK)', tcp.rtt),
    ],
    note: 'Times as seen at the capture point: captured at a receiver, data → ACK times are mostly its ACK delay.',
  };
}

function facts(tcp: TcpAnalysisSummary): ReportFact[] {
  const h = tcp.handshakes;
  const retransmissions = tcp.issues.retransmission.count;
  return [
    { label: 'TCP connections', value: tcp.tcpFlows, kind: 'number' },
    { label: 'TCP segments', value: tcp.packets, kind: 'number' },
    { label: 'Payload', value: tcp.payloadBytes, kind: 'bytes' },
    {
      label: 'Retransmission rate',
      value: tcp.packets > 0 ? retransmissions / tcp.packets : null,
      kind: 'percent',
    },
    { label: 'Handshakes complete', value: h.complete, kind: 'number' },
    { label: 'Unanswered', value: h.unanswered, kind: 'number' },
    { label: 'Refused', value: h.refused, kind: 'number' },
    { label: 'Started before the capture', value: h.midstream, kind: 'number' },
    { label: 'Initial RTT median', value: msOf(tcp.initialRtt.median), kind: 'ms' },
    { label: 'Resets by client / server', value: `${tcp.resets.byOriginator} / ${tcp.resets.byResponder}` },
  ];
}

function group(issue: TcpIssue, tcp: TcpAnalysisSummary): TcpIssueGroup {
  const summary = tcp.issues[issue];
  const [label, description] = ISSUE_TEXT[issue];
  return {
    type: issueId(issue),
    label,
    description,
    count: summary.count,
    flows: summary.topFlows.map((f) => ({
      srcIp: f.srcIp,
      srcPort: f.srcPort,
      dstIp: f.dstIp,
      dstPort: f.dstPort,
      count: f.count,
      detail: `tcp.stream ${f.stream}`,
      filter: wiresharkTcpFilter(f.srcIp, f.srcPort, f.dstIp, f.dstPort),
    })),
    omittedFlows: summary.droppedFlows,
  };
}

export function tcpIssuesSection(tcp: TcpAnalysisSummary): TcpIssuesSection {
  return {
    facts: facts(tcp),
    groups: TCP_ISSUES.filter((issue) => tcp.issues[issue].count > 0).map((issue) => group(issue, tcp)),
    tables: tcp.tcpFlows > 0 ? [timesTable(tcp)] : [],
  };
}
