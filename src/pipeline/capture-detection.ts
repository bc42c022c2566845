/**
 * Detections in the capture pass: the ARP analyzer feeds the detection engine's ARP input, a DNS
 * analyzer's messages feed its DNS input, ended flows feed its flow input, and `finish` returns
 * the deduplicated alerts. `storedAlerts` maps them onto the store's alert rows (fingerprint,
 * count, first/last seen, score, targets).
 *
 * The DNS input comes from the pass's DNS analyzer when the caller names one (`dns`: its
 * messages are shared, each DNS packet is parsed once), otherwise from an instance of its own
 * (`annotateFlows: false`), so the flow records and the analysis are the same with detections on
 * or off. Either way an analyzer named 'detection-dns' joins the pass (it publishes no result).
 * Each DNS event carries the Community ID of the flow that carried it, computed once per flow
 * from the packet.
 */
import { randomUUID } from 'node:crypto';
import {
  createArpAnalyzer,
  createDnsAnalyzer,
  type DnsAnalyzer,
  type DnsMessageListener,
  type PacketAnalyzer,
} from '../analyze/index.js';
import {
  createDetectionEngine,
  type DetectionConfigInput,
  type DetectionEngineOptions,
  type DetectionStats,
} from '../detect/index.js';
import type { Alert, DnsMessageInfo, FlowRecord } from '../model/index.js';
import { communityIdAt } from '../model/index.js';
import type { StoredAlert } from '../store/index.js';

export interface CaptureDetection {
  /** Add these to the pass's analyzers. */
  readonly analyzers: PacketAnalyzer[];
  onFlow(record: FlowRecord): void;
  /** Stream time reached `now` without data (a wall-clock timer): see DetectionEngine.tick. */
  tick(now: number): void;
  finish(): Alert[];
  stats(): DetectionStats;
}

export interface CaptureDetectionOptions
  extends Pick<DetectionEngineOptions, 'onAlert' | 'history' | 'lookups'> {
  /** The pass's DNS analyzer (default configuration), whose messages then feed the detections. */
  dns?: DnsAnalyzer;
}

/** The analyzer's name in the pass; its `finish` publishes nothing. */
const DNS_EVENTS_NAME = 'detection-dns';

/**
 * Hands the DNS messages of `shared` (or, without it, of a DNS analyzer of its own) to `onDns`
 * with the Community ID of their flow. The ID is computed at the flow's first DNS message whose
 * packet has ports (SHA-1 once per DNS flow, not per packet) and forgotten at the flow's final
 * record.
 */
function createDnsEventAnalyzer(
  onDns: (message: DnsMessageInfo, communityId: string) => void,
  shared: DnsAnalyzer | undefined,
): PacketAnalyzer {
  const flowIds: (string | undefined)[] = [];
  const listener: DnsMessageListener = (message, packet, flowId) => {
    let id = flowIds[flowId];
    if (id === undefined && packet.hasPorts) {
      const length = packet.ipVersion === 4 ? 4 : 16;
      id = communityIdAt(
        packet.protocol,
        packet.data,
        packet.srcAddrOffset,
        packet.dstAddrOffset,
        length,
        packet.srcPort,
        packet.dstPort,
      );
      flowIds[flowId] = id;
    }
    onDns(message, id ?? '');
  };
  const forget = (id: number, record: FlowRecord) => {
    if (record.endReason !== 'active-timeout') flowIds[id] = undefined;
  };
  if (shared !== undefined) {
    shared.addMessageListener(listener);
    return { name: DNS_EVENTS_NAME, onPacket() {}, onFlowEnd: forget, finish: () => undefined };
  }
  const inner = createDnsAnalyzer({ annotateFlows: false });
  inner.addMessageListener(listener);
  return {
    name: DNS_EVENTS_NAME,
    onPacket: (p, timestamp, frameLength, id, forward) =>
      inner.onPacket(p, timestamp, frameLength, id, forward),
    onFlowEnd(id, record) {
      inner.onFlowEnd(id, record);
      forget(id, record);
    },
    finish() {
      inner.finish();
      return undefined;
    },
  };
}

export function createCaptureDetection(
  config: DetectionConfigInput = {},
  options: CaptureDetectionOptions = {},
): CaptureDetection {
  const engine = createDetectionEngine(config, options);
  return {
    analyzers: [
      createArpAnalyzer((event) => engine.onArp(event)),
      createDnsEventAnalyzer(
        (message, communityId) =>
          engine.onDns({
            ts: message.ts,
            client: message.client,
            server: message.server,
            qname: message.qname,
            qtype: message.qtype,
            rcode: message.rcode,
            isResponse: message.isResponse,
            answerCount: message.answerCount,
            communityId,
          }),
        options.dns,
      ),
    ],
    onFlow: (record) => engine.onFlow(record),
    tick: (now) => engine.tick(now),
    finish: () => engine.finish(),
    stats: () => engine.stats(),
  };
}

/** One store row for `alert`; `count` is what the row adds to a stored alert with its fingerprint. */
export function storedAlert(alert: Alert, ingestId?: string, count = alert.count): StoredAlert {
  return {
    // The detector's id is deterministic (fingerprint and first seen); a stored row needs a
    // fresh one, since the same capture may be stored again after a dismissal.
    id: randomUUID(),
    ts: alert.firstSeen,
    type: alert.type,
    severity: alert.severity,
    state: 'new',
    srcIp: alert.source,
    dstIp: alert.targets[0],
    summary: alert.explanation,
    evidence: alert.metrics,
    mitre: alert.mitre,
    communityIds: alert.evidence,
    ingestId,
    fingerprint: alert.fingerprint,
    score: alert.score,
    firstSeen: alert.firstSeen,
    lastSeen: alert.lastSeen,
    count,
    targets: alert.targets,
  };
}

export function storedAlerts(alerts: readonly Alert[], ingestId?: string): StoredAlert[] {
  return alerts.map((alert) => storedAlert(alert, ingestId));
}
