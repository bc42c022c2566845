/**
 * Detections in the capture pass: the ARP analyzer feeds the detection engine's ARP input,
 * ended flows feed its flow input, and `finish` returns the deduplicated alerts. `storedAlerts`
 * maps them onto the store's alert rows (fingerprint, count, first/last seen, score, targets).
 */
import { randomUUID } from 'node:crypto';
import { createArpAnalyzer, type PacketAnalyzer } from '../analyze/index.js';
import { createDetectionEngine, type DetectionConfigInput, type EnrichmentLookups } from '../detect/index.js';
import type { Alert, FlowRecord } from '../model/index.js';
import type { StoredAlert } from '../store/index.js';

export interface CaptureDetection {
  /** Add these to the pass's analyzers. */
  readonly analyzers: PacketAnalyzer[];
  onFlow(record: FlowRecord): void;
  finish(): Alert[];
}

/** `lookups` (FlowEnrichment.lookups) turn on the enrichment-driven detections (threat intel, new country/ASN). */
export function createCaptureDetection(
  config: DetectionConfigInput = {},
  lookups?: EnrichmentLookups,
): CaptureDetection {
  const engine = createDetectionEngine(config, lookups ? { lookups } : {});
  return {
    analyzers: [createArpAnalyzer((event) => engine.onArp(event))],
    onFlow: (record) => engine.onFlow(record),
    finish: () => engine.finish(),
  };
}

export function storedAlerts(alerts: readonly Alert[], ingestId?: string): StoredAlert[] {
  return alerts.map((alert) => ({
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
    count: alert.count,
    targets: alert.targets,
  }));
}
