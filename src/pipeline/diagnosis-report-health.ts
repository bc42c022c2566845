/**
 * The health score's inputs from a run's results: which analyzer measures each HealthInputs
 * field (docs/report.md, "Health inputs", lists the same mapping).
 *
 * Contract: pure. A field is left `undefined` ("not measured") when its analyzer did not run or
 * saw nothing to measure (no TCP segments, no DNS queries, no media flows), never 0 for "unknown".
 */
import type {
  DnsSummary,
  HealthInputs,
  IcmpSummary,
  TcpAnalysisSummary,
  TimingSummary,
} from '../model/index.js';

/** What the health inputs are read from: a run summary and the analyzers' results by name. */
export interface HealthSources {
  packets: number;
  /** Frames that stopped decoding before an IP header (CaptureSummary.undecodable). */
  undecodable: number;
  warnings: number;
  tcp?: TcpAnalysisSummary;
  dns?: DnsSummary;
  icmp?: IcmpSummary;
  timing?: TimingSummary;
}

/** rcodes that are not failures of the resolver: NXDOMAIN answers a question about a name that does not exist. */
const NOT_FAILURES = new Set(['NOERROR', 'NXDOMAIN']);

const ms = (seconds: number | null): number | undefined => (seconds === null ? undefined : seconds * 1000);
const ratio = (part: number, whole: number): number | undefined => (whole > 0 ? part / whole : undefined);

function tcpInputs(tcp: TcpAnalysisSummary | undefined): HealthInputs {
  if (tcp === undefined || tcp.packets === 0) return {};
  const segments = tcp.packets;
  return {
    retransmissionRate: ratio(tcp.issues.retransmission.count, segments),
    retransmissions: tcp.issues.retransmission.count,
    tcpSegments: segments,
    lostSegmentRate: ratio(tcp.issues.lostSegment.count, segments),
    lostSegments: tcp.issues.lostSegment.count,
    dupAckRate: ratio(tcp.issues.duplicateAck.count, segments),
    dupAcks: tcp.issues.duplicateAck.count,
    resetRatio: ratio(tcp.issues.reset.flows, tcp.tcpFlows),
    tcpFlows: tcp.tcpFlows,
    resetFlows: tcp.issues.reset.flows,
  };
}

/**
 * RTT percentiles: TCP data-segment RTT samples when there are any, else TCP initial RTTs (the
 * handshake), else ICMP echo round trips.
 */
function rttInputs(tcp: TcpAnalysisSummary | undefined, icmp: IcmpSummary | undefined): HealthInputs {
  for (const times of [tcp?.rtt, tcp?.initialRtt]) {
    if (times !== undefined && times.count > 0 && times.median !== null) {
      return { rttP50Ms: ms(times.median), rttP95Ms: ms(times.p95), rttSamples: times.count };
    }
  }
  const echo = icmp?.echo.rtt;
  if (echo !== undefined && echo !== null && echo.count > 0) {
    return { rttP50Ms: echo.p50Ms, rttP95Ms: echo.p95Ms, rttSamples: echo.count };
  }
  return {};
}

function dnsInputs(dns: DnsSummary | undefined): HealthInputs {
  if (dns === undefined || dns.queries + dns.responses === 0) return {};
  let failures = 0;
  for (const [rcode, n] of Object.entries(dns.rcodes)) if (!NOT_FAILURES.has(rcode)) failures += n;
  return {
    // Error responses over responses: a response whose query was not captured still says how
    // the resolver fared, and the ratio stays within 0–1.
    dnsFailureRate: ratio(failures, dns.responses),
    // Over the transactions the analyzer opened (multicast queries and retransmissions open none).
    dnsUnansweredRate: ratio(dns.unanswered, dns.answered + dns.unanswered),
    dnsResponseTimeP95Ms: dns.responseTime?.p95Ms,
    dnsQueries: dns.queries,
  };
}

function jitterInputs(timing: TimingSummary | undefined): HealthInputs {
  const jitter = timing?.jitter;
  if (jitter === undefined || jitter.samples === 0) return {};
  return {
    jitterMeanMs: jitter.meanMs ?? undefined,
    jitterP95Ms: jitter.p95Ms ?? undefined,
    jitterSamples: jitter.samples,
  };
}

export function healthInputsOf(sources: HealthSources): HealthInputs {
  const inputs: HealthInputs = {
    ...tcpInputs(sources.tcp),
    ...rttInputs(sources.tcp, sources.icmp),
    ...dnsInputs(sources.dns),
    ...jitterInputs(sources.timing),
    malformedRate: ratio(sources.undecodable, sources.packets),
    malformedPackets: sources.undecodable,
    warningRate: ratio(sources.warnings, sources.packets),
    warnings: sources.warnings,
  };
  // Drop the keys left undefined, so the JSON shows only what was measured.
  for (const key of Object.keys(inputs) as (keyof HealthInputs)[]) {
    if (inputs[key] === undefined) delete inputs[key];
  }
  return inputs;
}
