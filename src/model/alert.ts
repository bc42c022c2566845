/**
 * Alerts raised by the detection engine (detect/), and the ARP events its host-sweep detector
 * reads. Field names are a public contract (`flowlens analyze --format json`, the alert store and
 * the live feed): keep them stable.
 *
 * An Alert holds everything the store's StoredAlert needs: id, lastSeen (→ ts), type, severity,
 * source (→ srcIp), targets[0] (→ dstIp), explanation (→ summary), mitre, evidence (→ communityIds)
 * and the rest (score, count, firstSeen, targets, metrics, fingerprint) as the JSON evidence.
 */

export type AlertSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface Alert {
  /** Unique and deterministic: a hash of the fingerprint and firstSeen ('a' + 16 hex digits). */
  id: string;
  /** Deduplication key: type, source and target key joined by '|'. */
  fingerprint: string;
  /** Detector-level type: 'port-scan', 'host-sweep', 'brute-force', 'flood', … (docs/detections.md). */
  type: string;
  severity: AlertSeverity;
  /** 0–100; severity follows from it (and from the escalation rule). */
  score: number;
  /** MITRE ATT&CK technique ids, the main one first (e.g. ['T1046']). */
  mitre: string[];
  /** The acting host; absent for distributed attacks (a flood from many sources). */
  source?: string;
  /** Hosts acted on, most important first (capped; `metrics` holds the full counts). */
  targets: string[];
  /** Seconds since the Unix epoch, from the flows' own timestamps. */
  firstSeen: number;
  lastSeen: number;
  /** How many times this fingerprint was detected (deduplicated into this alert). */
  count: number;
  /** Plain language with the numbers that triggered it. */
  explanation: string;
  /** Community IDs of flows involved (capped). */
  evidence: string[];
  /** The numbers behind the alert, by name (ports, hosts, rate, ratio, …). */
  metrics: Record<string, number | string>;
}

/** One ARP packet (RFC 826) as the ARP analyzer reads it. MACs are lower-case 'aa:bb:…'. */
export interface ArpEvent {
  /** Seconds since the Unix epoch. */
  ts: number;
  op: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  vlan: number;
}
