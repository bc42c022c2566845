/**
 * The detection engine: feeds each flow record (and ARP/DNS event) once to every detector, keeps
 * stream time from the data, closes windows as it advances, and turns detectors' candidates into
 * deduplicated, scored, escalated Alerts.
 *
 * Contract: `createDetectionEngine` is inert and cheap; `onFlow`/`onArp`/`onDns` are synchronous
 * and never throw on data; `finish` evaluates every open window (end of input) and returns all
 * alerts by firstSeen. `onAlert` sees each alert when it is new and each time it is updated (same
 * object, mutated: copy it if you keep a snapshot). Memory is bounded by the config's caps.
 */
import type { Alert, AlertSeverity, ArpEvent, FlowRecord } from '../model/index.js';
import { ALERT_SEVERITIES } from '../model/index.js';
import { type DetectionConfig, type DetectionConfigInput, resolveDetectionConfig } from './config.js';
import type {
  AlertCandidate,
  DetectionContext,
  Detector,
  DetectorFactory,
  DetectorStats,
  DnsEvent,
  EnrichmentLookups,
  HostHistory,
} from './detector.js';
import { DST_GROUP, DST_HOME, SRC_HOME } from './detector.js';
import { ALL_DETECTORS } from './detectors.js';
import { createAddressMatcher, ipv4Value, isGroupAddress, isGroupV4 } from './networks.js';

export interface DetectionEngineOptions {
  onAlert?(alert: Alert, change: 'new' | 'updated'): void;
  history?: HostHistory;
  lookups?: EnrichmentLookups;
  /** Detectors to run (default: all of them, ALL_DETECTORS). */
  detectors?: readonly DetectorFactory[];
}

export interface DetectionStats {
  flows: number;
  arpEvents: number;
  dnsEvents: number;
  /** Flows and events skipped by the allowlist. */
  allowlisted: number;
  alertsNew: number;
  alertsUpdated: number;
  /** Alerts dropped from memory because more than maxAlerts were open. */
  alertsDropped: number;
  detectors: Record<string, DetectorStats>;
}

export interface DetectionEngine {
  readonly config: DetectionConfig;
  onFlow(flow: FlowRecord): void;
  onArp(event: ArpEvent): void;
  onDns(event: DnsEvent): void;
  /**
   * Stream time reached `now` (seconds since the epoch) without data: a wall-clock timer in live
   * capture and the collector calls this so windows close, and their alerts fire, when traffic
   * stops. Time never moves back: an earlier `now` does nothing.
   */
  tick(now: number): void;
  finish(): Alert[];
  alerts(): Alert[];
  stats(): DetectionStats;
}

/** Score bands: ≥ 90 critical, ≥ 70 high, ≥ 40 medium, ≥ 20 low, else info. */
export function severityForScore(score: number): AlertSeverity {
  return score >= 90
    ? 'critical'
    : score >= 70
      ? 'high'
      : score >= 40
        ? 'medium'
        : score >= 20
          ? 'low'
          : 'info';
}

/** 64-bit FNV-1a-style hash of `text` as 16 hex digits (two 32-bit lanes). */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function createDetectionEngine(
  input: DetectionConfigInput | DetectionConfig = {},
  options: DetectionEngineOptions = {},
): DetectionEngine {
  const config = resolveDetectionConfig(input);
  const home = createAddressMatcher(config.homeNetworks);
  const allowSources = createAddressMatcher(config.allowlist.sources);
  const allowDestinations = createAddressMatcher(config.allowlist.destinations);
  const allowPairs = config.allowlist.pairs.map(
    ([s, d]) => [createAddressMatcher([s]), createAddressMatcher([d])] as const,
  );
  const hasAllowlist = !allowSources.empty || !allowDestinations.empty || allowPairs.length > 0;
  const allowed = (src: string, dst: string): boolean => {
    if (allowSources.matches(src) || allowDestinations.matches(dst)) return true;
    for (const [s, d] of allowPairs) if (s.matches(src) && d.matches(dst)) return true;
    return false;
  };

  const open = new Map<string, Alert>();
  /** Weak: an alert that left `open` (replaced, or dropped past maxAlerts) takes its entry with it. */
  const baseSeverity = new WeakMap<Alert, AlertSeverity>();
  const all: Alert[] = [];
  const stats = {
    flows: 0,
    arpEvents: 0,
    dnsEvents: 0,
    allowlisted: 0,
    alertsNew: 0,
    alertsUpdated: 0,
    alertsDropped: 0,
  };
  const maxLevel = ALERT_SEVERITIES.indexOf(config.escalation.maxSeverity);

  function escalate(alert: Alert, base: AlertSeverity): void {
    const level = ALERT_SEVERITIES.indexOf(base);
    const repeats = config.escalation.repeats;
    if (level > 1 || repeats <= 0 || alert.count < repeats) {
      alert.severity = base;
      return;
    }
    const raised = Math.min(maxLevel, level + (alert.count >= 4 * repeats ? 2 : 1));
    alert.severity = ALERT_SEVERITIES[Math.max(level, raised)];
    if (alert.severity !== base) {
      alert.explanation += ` Seen ${alert.count} times: raised from ${base} to ${alert.severity} by the escalation rule.`;
    }
  }

  function raise(c: AlertCandidate): void {
    const fingerprint = `${c.type}|${c.source ?? '*'}|${c.targetKey ?? c.targets[0] ?? ''}`;
    const existing = open.get(fingerprint);
    if (existing && c.firstSeen <= existing.lastSeen + config.dedupSeconds) {
      existing.count++;
      existing.firstSeen = Math.min(existing.firstSeen, c.firstSeen);
      existing.lastSeen = Math.max(existing.lastSeen, c.lastSeen);
      for (const t of c.targets) {
        if (existing.targets.length >= config.maxTargets) break;
        if (!existing.targets.includes(t)) existing.targets.push(t);
      }
      for (const id of c.evidence) {
        if (existing.evidence.length >= config.maxEvidence) break;
        if (!existing.evidence.includes(id)) existing.evidence.push(id);
      }
      if (c.score >= existing.score) {
        existing.score = c.score;
        existing.metrics = { ...c.metrics };
        existing.explanation = c.explanation;
        baseSeverity.set(existing, severityForScore(c.score));
      } else {
        existing.explanation = existing.explanation.replace(/ Seen \d+ times: raised .*$/, '');
      }
      escalate(existing, baseSeverity.get(existing) ?? severityForScore(existing.score));
      stats.alertsUpdated++;
      options.onAlert?.(existing, 'updated');
      return;
    }
    const alert: Alert = {
      id: `a${hash64(`${fingerprint}@${c.firstSeen}`)}`,
      fingerprint,
      type: c.type,
      severity: severityForScore(c.score),
      score: Math.max(0, Math.min(100, Math.round(c.score))),
      mitre: [...c.mitre],
      ...(c.source !== undefined ? { source: c.source } : {}),
      targets: c.targets.slice(0, config.maxTargets),
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      count: 1,
      explanation: c.explanation,
      evidence: [...new Set(c.evidence)].slice(0, config.maxEvidence),
      metrics: { ...c.metrics },
    };
    baseSeverity.set(alert, alert.severity);
    if (existing) open.delete(fingerprint);
    if (open.size >= config.maxAlerts) {
      const oldest = open.keys().next().value as string;
      open.delete(oldest);
      stats.alertsDropped++;
    }
    open.set(fingerprint, alert);
    if (all.length < config.maxAlerts) all.push(alert);
    stats.alertsNew++;
    options.onAlert?.(alert, 'new');
  }

  const context: DetectionContext = {
    config,
    isHome: (ip) => home.matches(ip),
    raise,
    history: options.history,
    lookups: options.lookups,
  };
  const detectors: Detector[] = (options.detectors ?? ALL_DETECTORS).map((make) => make(context));
  const flowDetectors = detectors.filter((d) => d.onFlow !== undefined);
  const arpDetectors = detectors.filter((d) => d.onArp !== undefined);
  const dnsDetectors = detectors.filter((d) => d.onDns !== undefined);
  let now = Number.NEGATIVE_INFINITY;
  let nextExpire = Number.NEGATIVE_INFINITY;

  /** Stream time only moves forward; windows are checked at most once per second of it. */
  function advance(ts: number): void {
    if (ts <= now) return;
    now = ts;
    if (now < nextExpire) return;
    nextExpire = now + 1;
    for (const d of detectors) d.expire(now);
  }

  return {
    config,
    onFlow(flow) {
      stats.flows++;
      if (hasAllowlist && allowed(flow.srcIp, flow.dstIp)) {
        stats.allowlisted++;
        return;
      }
      advance(flow.lastTs);
      // Each address parsed once here for every detector.
      const src = ipv4Value(flow.srcIp);
      const dst = ipv4Value(flow.dstIp);
      const srcHome = src >= 0 ? home.matchesV4(src) : home.matches(flow.srcIp);
      const dstHome = dst >= 0 ? home.matchesV4(dst) : home.matches(flow.dstIp);
      const dstGroup = dst >= 0 ? isGroupV4(dst) : isGroupAddress(flow.dstIp);
      const sides = (srcHome ? SRC_HOME : 0) | (dstHome ? DST_HOME : 0) | (dstGroup ? DST_GROUP : 0);
      for (let i = 0; i < flowDetectors.length; i++) flowDetectors[i].onFlow?.(flow, sides);
    },
    onArp(event) {
      stats.arpEvents++;
      if (hasAllowlist && allowed(event.senderIp, event.targetIp)) {
        stats.allowlisted++;
        return;
      }
      advance(event.ts);
      for (const d of arpDetectors) d.onArp?.(event);
    },
    onDns(event) {
      stats.dnsEvents++;
      if (hasAllowlist && allowed(event.client, event.server)) {
        stats.allowlisted++;
        return;
      }
      advance(event.ts);
      for (const d of dnsDetectors) d.onDns?.(event);
    },
    tick(ts) {
      advance(ts);
    },
    finish() {
      for (const d of detectors) d.finish();
      return this.alerts();
    },
    alerts() {
      return [...all].sort((x, y) => x.firstSeen - y.firstSeen || x.fingerprint.localeCompare(y.fingerprint));
    },
    stats() {
      const perDetector: Record<string, DetectorStats> = {};
      for (const d of detectors) perDetector[d.name] = d.stats();
      return { ...stats, detectors: perDetector };
    },
  };
}
