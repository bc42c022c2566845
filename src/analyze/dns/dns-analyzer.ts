/**
 * The DNS analyzer: DNS over UDP (ports 53, 5353, 5355 by default) and TCP (53, length-framed),
 * queries matched with responses per flow and transaction id, as Wireshark does for `dns.time`.
 *
 * Matching (Wireshark's rules, see docs/dns-icmp-timing.md): a query opens a transaction for its
 * id in its flow; the same id again, unanswered, within `retransmissionWindow` seconds of the
 * first is a retransmission, otherwise a new transaction (the open one stays unanswered). The
 * first response with that id answers it: its response time runs from the first query to the
 * frame that completed the response (the last IP fragment, the last TCP segment). Queries to a
 * multicast address (mDNS, LLMNR) open no transaction. A query with no response within
 * `queryTimeout` seconds, or before its flow ends, is unanswered; a response after that is late.
 *
 * Contract: see analyzer.ts. Per-flow state exists only for flows that carried DNS and goes at
 * their final record; pending queries are at most `maxPendingPerFlow` per flow; every
 * capture-level list is capped and what was left out is counted.
 */
import type {
  DecodedPacket,
  DnsMessageInfo,
  DnsSummary,
  DnsTransactionSample,
  FlowDns,
  FlowRecord,
} from '../../model/index.js';
import { dnsRcodeName, dnsTypeName, formatIp, IP_PROTO } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import { createDnsMessage, type DnsMessage, parseDnsMessage, readDnsAnswers } from './dns-message.js';
import { createCappedCounts, createLogHistogram, keepSlowest, responseTimes, toMs } from './dns-stats.js';
import { createDnsTcpStream, type DnsTcpStream, pushDnsTcpSegment } from './dns-tcp-stream.js';

export interface DnsAnalyzerConfig {
  udpPorts: number[];
  tcpPorts: number[];
  /** Seconds after which a query without a response counts as unanswered. */
  queryTimeout: number;
  /** Seconds within which a repeated query id in a flow is a retransmission (Wireshark's dns.retransmission_timer). */
  retransmissionWindow: number;
  maxPendingPerFlow: number;
  /** Distinct names counted for `topNames`. */
  maxNames: number;
  /** Entries in `topNames` and `topQueryTypes`. */
  topN: number;
  /** Entries in `slowest` and in `unansweredSamples`. */
  maxSamples: number;
  /** Answer values per message handed to `onMessage`. */
  maxAnswers: number;
  /** Called for every DNS message parsed, for consumers such as detections and passive DNS. */
  onMessage?: (message: DnsMessageInfo) => void;
  /**
   * Set `record.dns` and `record.dnsName` on the flows that carried DNS (default true). False for
   * an instance that only feeds `onMessage` beside the main DNS analyzer, so records stay as they are.
   */
  annotateFlows?: boolean;
}

/**
 * A consumer of the DNS analyzer's messages, called during `onPacket` with the packet being
 * handled (for a datagram completed by a later IP fragment, that fragment) and its flow id.
 */
export type DnsMessageListener = (message: DnsMessageInfo, packet: DecodedPacket, flowId: number) => void;

/**
 * A DNS analyzer whose messages several consumers share (detections, passive names), so that
 * each DNS packet of a pass is parsed and matched once.
 */
export interface DnsAnalyzer extends PacketAnalyzer {
  /** Hands every message to `listener` too, after `onMessage`; add listeners before the pass. */
  addMessageListener(listener: DnsMessageListener): void;
}

export const DEFAULT_DNS_ANALYZER_CONFIG: Readonly<DnsAnalyzerConfig> = {
  udpPorts: [53, 5353, 5355],
  tcpPorts: [53],
  queryTimeout: 5,
  retransmissionWindow: 5,
  maxPendingPerFlow: 256,
  maxNames: 10_000,
  topN: 20,
  maxSamples: 20,
  maxAnswers: 16,
};

const PENDING = 0;
const ANSWERED = 1;
const EXPIRED = 2;
const CLOSED = 3;

interface Query {
  flowId: number;
  id: number;
  ts: number;
  qname: string;
  qtype: number;
  state: number;
  tcp: boolean;
  forward: boolean;
}

interface FlowState {
  /** Formatted once: the originator and responder addresses. */
  fwdSrc: string;
  fwdDst: string;
  fwdSrcPort: number;
  fwdDstPort: number;
  queries: Map<number, Query>;
  dns: FlowDns;
  responseTimeSum: number;
  firstName: string;
  /** A UDP DNS message whose datagram is IP-fragmented: processed at its last fragment. */
  held: DnsMessage | null;
  heldForward: boolean;
  heldFragmentId: number;
  heldTs: number;
  /** Bytes of the held datagram seen so far, and its full length once the last fragment came. */
  heldReceived: number;
  heldNeeded: number;
  heldAnswers: string[] | null;
  tcp: [DnsTcpStream, DnsTcpStream] | null;
}

function newFlowDns(): FlowDns {
  return { queries: 0, responses: 0, answered: 0, unanswered: 0 };
}

function isMulticast(data: Uint8Array, offset: number, ipVersion: number): boolean {
  return ipVersion === 4 ? (data[offset] & 0xf0) === 0xe0 : data[offset] === 0xff;
}

export function createDnsAnalyzer(options: Partial<DnsAnalyzerConfig> = {}): DnsAnalyzer {
  const config: DnsAnalyzerConfig = { ...DEFAULT_DNS_ANALYZER_CONFIG, ...options };
  const udpPort = new Uint8Array(65536);
  const tcpPort = new Uint8Array(65536);
  for (const port of config.udpPorts) udpPort[port] = 1;
  for (const port of config.tcpPorts) tcpPort[port] = 1;
  const listeners: DnsMessageListener[] = [];
  let onMessage = config.onMessage;

  const flows: (FlowState | undefined)[] = [];
  /** Open queries in the order they came, for the timeout; `head` is the first still queued. */
  let deadlines: Query[] = [];
  let head = 0;
  let nextDeadline = Number.POSITIVE_INFINITY;

  const message = createDnsMessage();
  const histogram = createLogHistogram();
  const names = createCappedCounts<string>(config.maxNames);
  const types = createCappedCounts<number>(65536);
  const rcodes = new Float64Array(16);
  const slowest: DnsTransactionSample[] = [];
  const unansweredSamples: DnsTransactionSample[] = [];
  const totals = {
    queries: 0,
    responses: 0,
    udpMessages: 0,
    tcpMessages: 0,
    answered: 0,
    unanswered: 0,
    retransmissions: 0,
    unmatchedResponses: 0,
    lateResponses: 0,
    malformed: 0,
    fragmentedIncomplete: 0,
    tcpGaps: 0,
    unansweredSamplesDropped: 0,
  };

  // Context of the packet being handled, for the TCP message callback.
  let current: FlowState | null = null;
  let currentPacket: DecodedPacket | null = null;
  let currentTs = 0;
  let currentFlowId = 0;
  let currentForward = true;
  /** The packet `onPacket` is handling, for listeners. */
  let handledPacket: DecodedPacket | null = null;

  function flowState(flowId: number, packet: DecodedPacket, forward: boolean): FlowState {
    let state = flows[flowId];
    if (state === undefined) {
      const src = formatIp(packet.data, packet.srcAddrOffset, packet.ipVersion);
      const dst = formatIp(packet.data, packet.dstAddrOffset, packet.ipVersion);
      state = {
        fwdSrc: forward ? src : dst,
        fwdDst: forward ? dst : src,
        fwdSrcPort: forward ? packet.srcPort : packet.dstPort,
        fwdDstPort: forward ? packet.dstPort : packet.srcPort,
        queries: new Map(),
        dns: newFlowDns(),
        responseTimeSum: 0,
        firstName: '',
        held: null,
        heldForward: true,
        heldFragmentId: 0,
        heldTs: 0,
        heldReceived: 0,
        heldNeeded: -1,
        heldAnswers: null,
        tcp: null,
      };
      flows[flowId] = state;
    }
    return state;
  }

  function sample(state: FlowState, query: Query): DnsTransactionSample {
    return {
      ts: query.ts,
      client: query.forward ? state.fwdSrc : state.fwdDst,
      server: query.forward ? state.fwdDst : state.fwdSrc,
      transport: query.tcp ? 'tcp' : 'udp',
      id: query.id,
      qname: query.qname,
      qtype: dnsTypeName(query.qtype),
    };
  }

  function markUnanswered(state: FlowState | undefined, query: Query, next: number): void {
    query.state = next;
    totals.unanswered++;
    if (state === undefined) return;
    state.dns.unanswered++;
    if (unansweredSamples.length < config.maxSamples) unansweredSamples.push(sample(state, query));
    else totals.unansweredSamplesDropped++;
  }

  function expire(now: number): void {
    while (head < deadlines.length) {
      const query = deadlines[head];
      if (query.ts + config.queryTimeout >= now) break;
      head++;
      if (query.state === PENDING) markUnanswered(flows[query.flowId], query, EXPIRED);
    }
    if (head > 1024 && head * 2 > deadlines.length) {
      deadlines = deadlines.slice(head);
      head = 0;
    }
    nextDeadline =
      head < deadlines.length ? deadlines[head].ts + config.queryTimeout : Number.POSITIVE_INFINITY;
  }

  function openQuery(
    state: FlowState,
    m: DnsMessage,
    ts: number,
    flowId: number,
    forward: boolean,
    tcp: boolean,
  ) {
    const existing = state.queries.get(m.id);
    if (existing !== undefined) {
      if (existing.state === PENDING && ts - existing.ts <= config.retransmissionWindow) {
        totals.retransmissions++;
        return;
      }
      if (existing.state === PENDING) markUnanswered(state, existing, CLOSED);
      else existing.state = CLOSED;
      state.queries.delete(m.id);
    } else if (state.queries.size >= config.maxPendingPerFlow) {
      const [oldestId, oldest] = state.queries.entries().next().value as [number, Query];
      if (oldest.state === PENDING) markUnanswered(state, oldest, CLOSED);
      else oldest.state = CLOSED;
      state.queries.delete(oldestId);
    }
    const query: Query = {
      flowId,
      id: m.id,
      ts,
      qname: m.qname,
      qtype: m.qtype,
      state: PENDING,
      tcp,
      forward,
    };
    state.queries.set(m.id, query);
    deadlines.push(query);
    if (nextDeadline === Number.POSITIVE_INFINITY) nextDeadline = ts + config.queryTimeout;
  }

  /** Handles one parsed message; returns its response time in seconds, or -1. */
  function handle(
    state: FlowState,
    m: DnsMessage,
    ts: number,
    flowId: number,
    forward: boolean,
    tcp: boolean,
    toMulticast: boolean,
  ): number {
    if (tcp) totals.tcpMessages++;
    else totals.udpMessages++;
    if (!m.response) {
      totals.queries++;
      state.dns.queries++;
      if (state.firstName === '' && m.qname !== '') state.firstName = m.qname;
      names.add(m.qname);
      types.add(m.qtype);
      if (!toMulticast) openQuery(state, m, ts, flowId, forward, tcp);
      return -1;
    }
    totals.responses++;
    state.dns.responses++;
    rcodes[m.rcode]++;
    if (m.rcode !== 0) {
      const errors = state.dns.errors ?? {};
      const name = dnsRcodeName(m.rcode);
      errors[name] = (errors[name] ?? 0) + 1;
      state.dns.errors = errors;
    }
    const query = state.queries.get(m.id);
    if (query === undefined || query.state === ANSWERED || query.state === CLOSED) {
      totals.unmatchedResponses++;
      return -1;
    }
    if (query.state === EXPIRED || ts - query.ts > config.queryTimeout) {
      if (query.state === PENDING) markUnanswered(state, query, EXPIRED);
      query.state = CLOSED;
      totals.lateResponses++;
      return -1;
    }
    query.state = ANSWERED;
    const time = ts - query.ts;
    totals.answered++;
    state.dns.answered++;
    state.responseTimeSum += time;
    const maxMs = state.dns.responseTimeMaxMs ?? 0;
    if (time * 1000 > maxMs) state.dns.responseTimeMaxMs = time * 1000;
    histogram.add(time);
    const timeMs = toMs(time);
    if (slowest.length < config.maxSamples || timeMs > (slowest[slowest.length - 1].responseTimeMs ?? 0)) {
      const s = sample(state, query);
      s.rcode = dnsRcodeName(m.rcode);
      s.responseTimeMs = timeMs;
      keepSlowest(slowest, s, config.maxSamples);
    }
    return time;
  }

  function publish(
    state: FlowState,
    m: DnsMessage,
    answers: string[],
    ts: number,
    forward: boolean,
    tcp: boolean,
    time: number,
    error: string | null,
  ): void {
    if (onMessage === undefined) return;
    const clientIsFwdSrc = m.response !== forward;
    const info: DnsMessageInfo = {
      ts,
      client: clientIsFwdSrc ? state.fwdSrc : state.fwdDst,
      clientPort: clientIsFwdSrc ? state.fwdSrcPort : state.fwdDstPort,
      server: clientIsFwdSrc ? state.fwdDst : state.fwdSrc,
      serverPort: clientIsFwdSrc ? state.fwdDstPort : state.fwdSrcPort,
      transport: tcp ? 'tcp' : 'udp',
      id: m.id,
      isResponse: m.response,
      qname: m.qname,
      qtype: m.qtype,
      rcode: m.response ? m.rcode : 0,
      answerCount: m.ancount,
      answers,
    };
    if (time >= 0) info.responseTime = time;
    if (error !== null) info.error = error;
    onMessage(info);
  }

  function answersOf(data: Uint8Array, offset: number, length: number, m: DnsMessage, error: string | null) {
    const answers: string[] = [];
    const answerError =
      error === null ? readDnsAnswers(data, offset, length, m, config.maxAnswers, answers) : null;
    return { answers, error: error ?? answerError };
  }

  /** One DNS message at data[offset, offset + length), in the current packet's context. */
  function onDnsBytes(data: Uint8Array, offset: number, length: number, tcp: boolean, held: boolean): void {
    const state = current as FlowState;
    const packet = currentPacket as DecodedPacket;
    const error = parseDnsMessage(data, offset, length, message);
    // Without a header there is nothing to count; a bad question still has an id to match.
    if (error === 'dns-truncated-header') {
      totals.malformed++;
      return;
    }
    if (message.answersOffset < 0) totals.malformed++;
    if (held) {
      // Keep a copy until the datagram's last fragment; answers are read now, while the bytes exist.
      state.held = { ...message };
      state.heldForward = currentForward;
      state.heldFragmentId = packet.fragmentId;
      state.heldTs = currentTs;
      // The UDP header and payload: what this first fragment carries of the datagram.
      state.heldReceived = length + 8;
      state.heldNeeded = -1;
      state.heldAnswers =
        onMessage === undefined ? null : answersOf(data, offset, length, message, null).answers;
      return;
    }
    const toMulticast = isMulticast(packet.data, packet.dstAddrOffset, packet.ipVersion);
    const time = handle(state, message, currentTs, currentFlowId, currentForward, tcp, toMulticast);
    if (onMessage !== undefined) {
      const result = answersOf(data, offset, length, message, error);
      publish(state, message, result.answers, currentTs, currentForward, tcp, time, result.error);
    }
  }

  /** Handles the held message at `ts`, the time of the fragment that completed its datagram. */
  function releaseHeld(state: FlowState, ts: number, flowId: number): void {
    const m = state.held as DnsMessage;
    state.held = null;
    const time = handle(state, m, ts, flowId, state.heldForward, false, false);
    if (onMessage !== undefined)
      publish(state, m, state.heldAnswers ?? [], ts, state.heldForward, false, time, null);
    state.heldAnswers = null;
  }

  /** A fragmented message whose datagram never completed: not read, as tshark cannot either. */
  function dropHeld(state: FlowState): void {
    state.held = null;
    state.heldAnswers = null;
    totals.fragmentedIncomplete++;
  }

  const onTcpMessage = (data: Uint8Array, offset: number, length: number) =>
    onDnsBytes(data, offset, length, true, false);

  function notifyListeners(info: DnsMessageInfo): void {
    const packet = handledPacket as DecodedPacket;
    const flowId = currentFlowId;
    for (const listener of listeners) listener(info, packet, flowId);
  }

  return {
    name: 'dns',
    addMessageListener(listener) {
      if (listeners.length === 0) {
        const first = onMessage;
        onMessage =
          first === undefined
            ? notifyListeners
            : (info) => {
                first(info);
                notifyListeners(info);
              };
      }
      listeners.push(listener);
    },
    onPacket(packet, timestamp, _frameLength, flowId, forward) {
      handledPacket = packet;
      currentFlowId = flowId;
      if (timestamp > nextDeadline) expire(timestamp);
      const protocol = packet.protocol;
      if (packet.isFragment && !packet.hasPorts) {
        // A later fragment: may complete a held DNS datagram of this flow.
        const state = flows[flowId];
        if (state?.held != null && packet.fragmentId === state.heldFragmentId) {
          state.heldReceived += packet.payloadLength;
          if (!packet.moreFragments) state.heldNeeded = packet.fragmentOffset + packet.payloadLength;
          if (state.heldNeeded >= 0 && state.heldReceived >= state.heldNeeded)
            releaseHeld(state, timestamp, flowId);
        }
        return;
      }
      if (protocol === IP_PROTO.UDP) {
        if (udpPort[packet.srcPort] === 0 && udpPort[packet.dstPort] === 0) return;
        if (!packet.hasPorts) return;
        current = flowState(flowId, packet, forward);
        if (current.held !== null) dropHeld(current);
        currentPacket = packet;
        currentTs = timestamp;
        currentFlowId = flowId;
        currentForward = forward;
        onDnsBytes(packet.data, packet.payloadOffset, packet.payloadLength, false, packet.moreFragments);
      } else if (protocol === IP_PROTO.TCP) {
        if (tcpPort[packet.srcPort] === 0 && tcpPort[packet.dstPort] === 0) return;
        if (!packet.hasPorts) return;
        const state = flowState(flowId, packet, forward);
        state.tcp ??= [createDnsTcpStream(), createDnsTcpStream()];
        current = state;
        currentPacket = packet;
        currentTs = timestamp;
        currentFlowId = flowId;
        currentForward = forward;
        const ok = pushDnsTcpSegment(
          state.tcp[forward ? 0 : 1],
          packet.tcpFlags,
          packet.tcpSeq,
          packet.data,
          packet.payloadOffset,
          packet.payloadLength,
          onTcpMessage,
        );
        if (!ok) totals.tcpGaps++;
      }
    },
    onFlowEnd(flowId, record: FlowRecord) {
      const state = flows[flowId];
      if (state === undefined) return;
      const final = record.endReason !== 'active-timeout';
      if (final && state.held !== null) dropHeld(state);
      if (final) {
        for (const query of state.queries.values()) {
          if (query.state === PENDING) markUnanswered(state, query, CLOSED);
          else query.state = CLOSED;
        }
      }
      const dns = state.dns;
      if (config.annotateFlows !== false && dns.queries + dns.responses > 0) {
        if (dns.answered > 0) {
          dns.responseTimeMeanMs = Math.round((state.responseTimeSum / dns.answered) * 1e6) / 1e3;
          dns.responseTimeMaxMs = Math.round((dns.responseTimeMaxMs ?? 0) * 1e3) / 1e3;
        }
        record.dns = dns;
        if (record.dnsName === undefined && state.firstName !== '') record.dnsName = state.firstName;
      }
      if (final) flows[flowId] = undefined;
      else {
        state.dns = newFlowDns();
        state.responseTimeSum = 0;
      }
    },
    finish(): DnsSummary {
      const rcodeCounts: Record<string, number> = {};
      for (let i = 0; i < 16; i++) if (rcodes[i] > 0) rcodeCounts[dnsRcodeName(i)] = rcodes[i];
      return {
        queries: totals.queries,
        responses: totals.responses,
        udpMessages: totals.udpMessages,
        tcpMessages: totals.tcpMessages,
        answered: totals.answered,
        unanswered: totals.unanswered,
        retransmissions: totals.retransmissions,
        unmatchedResponses: totals.unmatchedResponses,
        lateResponses: totals.lateResponses,
        malformed: totals.malformed,
        fragmentedIncomplete: totals.fragmentedIncomplete,
        tcpGaps: totals.tcpGaps,
        rcodes: rcodeCounts,
        responseTime: responseTimes(histogram),
        topNames: names.top(config.topN, (name) => name),
        topQueryTypes: types.top(config.topN, dnsTypeName),
        distinctNames: names.distinct(),
        namesNotCounted: names.dropped(),
        slowest,
        unansweredSamples,
        unansweredSamplesDropped: totals.unansweredSamplesDropped,
      };
    },
  };
}
