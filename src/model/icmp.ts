/**
 * ICMP and ICMPv6 diagnostics as values: the ICMP analyzer's capture-level summary
 * (`analysis.icmp`) and the echo samples it can hand to consumers. Field names are a JSON
 * contract (docs/dns-icmp-timing.md): keep them stable. Times in *Ms fields are milliseconds;
 * `ts` and `rtt` are seconds.
 */
import type { DurationStats } from './dns.js';

/** One echo reply matched with its request (see IcmpAnalyzerConfig.onEcho). */
export interface IcmpEchoSample {
  /** Time of the reply, seconds since the Unix epoch. */
  ts: number;
  /** Reply time minus request time, in seconds (Wireshark's icmp.resptime / icmpv6.resptime). */
  rtt: number;
  requester: string;
  responder: string;
  id: number;
  seq: number;
}

/** An ICMP error message: who sent it, to whom, and what it says about which packet. */
export interface IcmpErrorSample {
  ts: number;
  /** 'unreachable' | 'time-exceeded' | 'packet-too-big' | 'parameter-problem' | 'redirect' */
  kind: string;
  /** Code name, e.g. 'port-unreachable', 'ttl-exceeded', 'fragmentation-needed'. */
  code: string;
  /** The router or host that sent the error, and the host it went to. */
  from: string;
  to: string;
  /** Destination, protocol and destination port of the packet quoted in the error, when readable. */
  originalDst?: string;
  originalProtocol?: number;
  originalDstPort?: number;
  /** Next-hop MTU of fragmentation-needed / packet-too-big. */
  mtu?: number;
}

/** The ICMP analyzer's capture-level results (`analysis.icmp`). */
export interface IcmpSummary {
  /** ICMP and ICMPv6 messages seen. */
  messages: number;
  icmpv4: number;
  icmpv6: number;
  /** Destination unreachable messages, total and per code name (both families together). */
  unreachable: { total: number; byCode: Record<string, number> };
  /** Time exceeded: hop limit in transit (traceroute, loops) and fragment reassembly. */
  timeExceeded: { ttl: number; reassembly: number };
  /** Fragmentation needed (ICMPv4 type 3 code 4) and packet too big (ICMPv6 type 2), with MTUs. */
  pmtu: { messages: number; minMtu: number | null; mtus: Record<string, number> };
  /** Redirects and parameter problems. */
  redirects: number;
  parameterProblems: number;
  echo: {
    requests: number;
    replies: number;
    /** Requests matched with a reply of the same flow, id and sequence number. */
    answered: number;
    /** Requests without a reply within `echoTimeout` or before their flow ended. */
    unanswered: number;
    /** Replies with no open request (request not captured, duplicate, or after the timeout). */
    unmatchedReplies: number;
    rtt: DurationStats | null;
  };
  /** The first `maxSamples` error messages, in capture order; the rest are counted. */
  errors: IcmpErrorSample[];
  errorsDropped: number;
}
