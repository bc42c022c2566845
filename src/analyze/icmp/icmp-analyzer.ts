/**
 * The ICMP analyzer: ICMPv4 (RFC 792, RFC 1191) and ICMPv6 (RFC 4443) errors by type and code,
 * path-MTU messages with their MTU, and echo requests matched with replies by flow, identifier
 * and sequence number, as Wireshark does for `icmp.resptime`.
 *
 * Contract: see analyzer.ts. The flow table puts an echo request and its reply in one flow, so
 * a reply matches a request of its own flow travelling the other way. Open requests are at most
 * `maxPendingEchoes`, the oldest counted unanswered beyond that; those of a flow are dropped at
 * its final record; error samples are capped and the rest counted.
 */
import type {
  DecodedPacket,
  FlowRecord,
  IcmpEchoSample,
  IcmpErrorSample,
  IcmpSummary,
} from '../../model/index.js';
import { formatIp, IP_PROTO } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import { createLogHistogram, responseTimes } from '../dns/index.js';

export interface IcmpAnalyzerConfig {
  /** Seconds after which an echo request without a reply counts as unanswered. */
  echoTimeout: number;
  maxPendingEchoes: number;
  /** Error messages listed in `errors`. */
  maxSamples: number;
  /** Called for every matched echo reply, for consumers such as tunnel detection. */
  onEcho?: (sample: IcmpEchoSample) => void;
}

export const DEFAULT_ICMP_ANALYZER_CONFIG: Readonly<IcmpAnalyzerConfig> = {
  echoTimeout: 5,
  maxPendingEchoes: 65_536,
  maxSamples: 100,
};

const V4_UNREACHABLE = [
  'net-unreachable',
  'host-unreachable',
  'protocol-unreachable',
  'port-unreachable',
  'fragmentation-needed',
  'source-route-failed',
  'net-unknown',
  'host-unknown',
  'source-host-isolated',
  'net-prohibited',
  'host-prohibited',
  'net-tos-unreachable',
  'host-tos-unreachable',
  'admin-prohibited',
  'host-precedence-violation',
  'precedence-cutoff',
];
const V6_UNREACHABLE = [
  'no-route',
  'admin-prohibited',
  'beyond-scope',
  'address-unreachable',
  'port-unreachable',
  'source-policy-failed',
  'reject-route',
  'source-routing-header-error',
];

/** What an ICMP (RFC 792) or ICMPv6 (RFC 4443) type means here, indexed by type; 0 = not analysed. */
const ECHO_REQUEST = 1;
const ECHO_REPLY = 2;
const UNREACHABLE = 3;
const PACKET_TOO_BIG = 4;
const TIME_EXCEEDED = 5;
const REDIRECT = 6;
const PARAMETER_PROBLEM = 7;
const V4_KIND = new Uint8Array(256);
V4_KIND[8] = ECHO_REQUEST;
V4_KIND[0] = ECHO_REPLY;
V4_KIND[3] = UNREACHABLE;
V4_KIND[11] = TIME_EXCEEDED;
V4_KIND[5] = REDIRECT;
V4_KIND[12] = PARAMETER_PROBLEM;
const V6_KIND = new Uint8Array(256);
V6_KIND[128] = ECHO_REQUEST;
V6_KIND[129] = ECHO_REPLY;
V6_KIND[1] = UNREACHABLE;
V6_KIND[2] = PACKET_TOO_BIG;
V6_KIND[3] = TIME_EXCEEDED;
V6_KIND[137] = REDIRECT;
V6_KIND[4] = PARAMETER_PROBLEM;

/** Key of an echo in the pending map: flow id, identifier and sequence number. */
const FLOW_SCALE = 2 ** 32;
const SWEEP_INTERVAL = 1;

function u16(data: Uint8Array, o: number): number {
  return (data[o] << 8) | data[o + 1];
}

export function createIcmpAnalyzer(options: Partial<IcmpAnalyzerConfig> = {}): PacketAnalyzer {
  const config: IcmpAnalyzerConfig = { ...DEFAULT_ICMP_ANALYZER_CONFIG, ...options };
  /** Open echo requests → request time; insertion order is capture order. */
  const pending = new Map<number, number>();
  let pendingByFlow = new Int32Array(1024);
  let nextSweep = Number.NEGATIVE_INFINITY;
  const rtt = createLogHistogram();
  const unreachable: Record<string, number> = {};
  const mtus: Record<string, number> = {};
  const errors: IcmpErrorSample[] = [];
  const s = {
    messages: 0,
    icmpv4: 0,
    icmpv6: 0,
    unreachable: 0,
    ttl: 0,
    reassembly: 0,
    pmtu: 0,
    minMtu: Number.POSITIVE_INFINITY,
    redirects: 0,
    parameterProblems: 0,
    requests: 0,
    replies: 0,
    answered: 0,
    unanswered: 0,
    unmatchedReplies: 0,
    errorsDropped: 0,
  };

  function forget(key: number): void {
    pending.delete(key);
    const flowId = Math.floor(key / FLOW_SCALE);
    if (flowId < pendingByFlow.length) pendingByFlow[flowId]--;
  }

  function sweep(now: number): void {
    for (const [key, ts] of pending) {
      if (ts + config.echoTimeout >= now) break;
      s.unanswered++;
      forget(key);
    }
  }

  function addRequest(flowId: number, key: number, ts: number): void {
    s.requests++;
    // A repeated id and sequence number: the reply will answer the latest request (as Wireshark).
    if (pending.has(key)) {
      s.unanswered++;
      forget(key);
    }
    if (pending.size >= config.maxPendingEchoes) {
      const oldest = pending.keys().next().value as number;
      s.unanswered++;
      forget(oldest);
    }
    if (flowId >= pendingByFlow.length) {
      const grown = new Int32Array(Math.max(flowId + 1, pendingByFlow.length * 2));
      grown.set(pendingByFlow);
      pendingByFlow = grown;
    }
    pendingByFlow[flowId]++;
    pending.set(key, ts);
  }

  function addReply(packet: DecodedPacket, key: number, ts: number, id: number, seq: number): void {
    s.replies++;
    const requestTs = pending.get(key);
    if (requestTs === undefined) {
      s.unmatchedReplies++;
      return;
    }
    forget(key);
    const time = ts - requestTs;
    if (time > config.echoTimeout) {
      s.unanswered++;
      s.unmatchedReplies++;
      return;
    }
    s.answered++;
    rtt.add(time);
    config.onEcho?.({
      ts,
      rtt: time,
      requester: formatIp(packet.data, packet.dstAddrOffset, packet.ipVersion),
      responder: formatIp(packet.data, packet.srcAddrOffset, packet.ipVersion),
      id,
      seq,
    });
  }

  /** Lists an error message; `quoted` is the offset of the packet it quotes. */
  function addError(
    packet: DecodedPacket,
    ts: number,
    kind: string,
    code: string,
    quoted: number,
    mtu: number,
  ) {
    if (errors.length >= config.maxSamples) {
      s.errorsDropped++;
      return;
    }
    const d = packet.data;
    const sample: IcmpErrorSample = {
      ts,
      kind,
      code,
      from: formatIp(d, packet.srcAddrOffset, packet.ipVersion),
      to: formatIp(d, packet.dstAddrOffset, packet.ipVersion),
    };
    const end = packet.payloadOffset + packet.payloadLength;
    const version = quoted < end ? d[quoted] >> 4 : 0;
    if (version === 4 && quoted + 20 <= end) {
      const headerLength = (d[quoted] & 0x0f) * 4;
      sample.originalDst = formatIp(d, quoted + 16, 4);
      sample.originalProtocol = d[quoted + 9];
      const ports = quoted + headerLength;
      if (ports + 4 <= end && (d[quoted + 9] === IP_PROTO.TCP || d[quoted + 9] === IP_PROTO.UDP))
        sample.originalDstPort = u16(d, ports + 2);
    } else if (version === 6 && quoted + 40 <= end) {
      sample.originalDst = formatIp(d, quoted + 24, 6);
      sample.originalProtocol = d[quoted + 6];
      if (quoted + 44 <= end && (d[quoted + 6] === IP_PROTO.TCP || d[quoted + 6] === IP_PROTO.UDP))
        sample.originalDstPort = u16(d, quoted + 42);
    }
    if (mtu >= 0) sample.mtu = mtu;
    errors.push(sample);
  }

  function addPmtu(mtu: number): void {
    s.pmtu++;
    if (mtu < s.minMtu) s.minMtu = mtu;
    mtus[mtu] = (mtus[mtu] ?? 0) + 1;
  }

  function addUnreachable(name: string): void {
    s.unreachable++;
    unreachable[name] = (unreachable[name] ?? 0) + 1;
  }

  return {
    name: 'icmp',
    onPacket(packet, timestamp, _frameLength, flowId) {
      const protocol = packet.protocol;
      if (protocol !== IP_PROTO.ICMP && protocol !== IP_PROTO.ICMPV6) return;
      if (!packet.hasPorts || packet.isFragment) return;
      if (timestamp >= nextSweep) {
        if (pending.size > 0) sweep(timestamp);
        nextSweep = timestamp + SWEEP_INTERVAL;
      }
      s.messages++;
      const d = packet.data;
      const type = packet.srcPort;
      const code = packet.dstPort;
      const v4 = protocol === IP_PROTO.ICMP;
      if (v4) s.icmpv4++;
      else s.icmpv6++;
      // Every type read here has an 8-byte header; the decoder put the payload after 8 (v4) or 4
      // (v6) bytes, or flagged the header as cut short.
      if (packet.errorCode !== '' || (!v4 && packet.payloadLength < 4)) return;
      const header = packet.payloadOffset - (v4 ? 8 : 4);
      const quoted = header + 8;
      const kind = v4 ? V4_KIND[type] : V6_KIND[type];
      if (kind === ECHO_REQUEST || kind === ECHO_REPLY) {
        const id = u16(d, header + 4);
        const seq = u16(d, header + 6);
        const key = flowId * FLOW_SCALE + id * 65536 + seq;
        if (kind === ECHO_REQUEST) addRequest(flowId, key, timestamp);
        else addReply(packet, key, timestamp, id, seq);
      } else if (kind === UNREACHABLE) {
        const name = (v4 ? V4_UNREACHABLE : V6_UNREACHABLE)[code] ?? `code-${code}`;
        addUnreachable(name);
        // RFC 1191 §4: fragmentation needed carries the next-hop MTU in the low 16 bits of the unused word.
        const mtu = v4 && code === 4 ? u16(d, header + 6) : -1;
        if (mtu >= 0) addPmtu(mtu);
        addError(packet, timestamp, 'unreachable', name, quoted, mtu);
      } else if (kind === PACKET_TOO_BIG) {
        // RFC 4443 §3.2: the MTU is the 32-bit word after the type, code and checksum.
        const mtu = u16(d, header + 4) * 65536 + u16(d, header + 6);
        addPmtu(mtu);
        addError(packet, timestamp, 'packet-too-big', 'packet-too-big', quoted, mtu);
      } else if (kind === TIME_EXCEEDED) {
        if (code === 1) s.reassembly++;
        else s.ttl++;
        const name = code === 1 ? 'reassembly-exceeded' : 'ttl-exceeded';
        addError(packet, timestamp, 'time-exceeded', name, quoted, -1);
      } else if (kind === REDIRECT) {
        s.redirects++;
        addError(packet, timestamp, 'redirect', `code-${code}`, quoted, -1);
      } else if (kind === PARAMETER_PROBLEM) {
        s.parameterProblems++;
        addError(packet, timestamp, 'parameter-problem', `code-${code}`, quoted, -1);
      }
    },
    onFlowEnd(flowId, record: FlowRecord) {
      if (record.endReason === 'active-timeout') return;
      if (flowId >= pendingByFlow.length || pendingByFlow[flowId] <= 0) return;
      for (const key of pending.keys()) {
        if (Math.floor(key / FLOW_SCALE) === flowId) {
          s.unanswered++;
          forget(key);
        }
      }
    },
    finish(): IcmpSummary {
      s.unanswered += pending.size;
      pending.clear();
      return {
        messages: s.messages,
        icmpv4: s.icmpv4,
        icmpv6: s.icmpv6,
        unreachable: { total: s.unreachable, byCode: unreachable },
        timeExceeded: { ttl: s.ttl, reassembly: s.reassembly },
        pmtu: { messages: s.pmtu, minMtu: s.pmtu > 0 ? s.minMtu : null, mtus },
        redirects: s.redirects,
        parameterProblems: s.parameterProblems,
        echo: {
          requests: s.requests,
          replies: s.replies,
          answered: s.answered,
          unanswered: s.unanswered,
          unmatchedReplies: s.unmatchedReplies,
          rtt: responseTimes(rtt),
        },
        errors,
        errorsDropped: s.errorsDropped,
      };
    },
  };
}
