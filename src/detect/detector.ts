/**
 * The detector contract: one file per detection (Zeek's policy scripts), all fed by the engine in
 * one streaming pass over model values: flow records, ARP events and DNS events.
 *
 * Contract:
 * - Calls are synchronous. A detector never keeps the record or event object, only numbers and
 *   strings copied from it. It never throws on odd input: it ignores what it cannot use.
 * - Time is the data's own (flow and event timestamps), so a capture file, live traffic and flow
 *   exports behave the same. Flows arrive when they end, so windows stay open
 *   `latenessSeconds` past their end (see `expire`).
 * - State is bounded: keys live in a TrackedTable capped at `maxTrackedPerDetector`, evictions
 *   counted in `stats()`; per-key lists and sets are capped too.
 * - Detectors raise AlertCandidates through the context; the engine deduplicates, scores
 *   severity, escalates and assigns ids.
 */
import type { ArpEvent, FlowRecord } from '../model/index.js';
import type { DetectionConfig } from './config.js';

/**
 * A DNS query or response, as the detection engine needs it. The DNS analyzer's model value
 * (src/model/dns.ts, in progress) is expected to be structurally compatible with this shape.
 */
export interface DnsEvent {
  /** Seconds since the Unix epoch. */
  ts: number;
  client: string;
  server: string;
  /** Query name without the trailing dot. */
  qname: string;
  /** Numeric QTYPE (1 A, 5 CNAME, 10 NULL, 15 MX, 16 TXT, 28 AAAA, …) or its name. */
  qtype: number | string;
  /** RCODE of a response (0 NOERROR, 3 NXDOMAIN); ignored for queries. */
  rcode: number;
  isResponse: boolean;
  answerCount: number;
  /** Community ID of the flow that carried it, when known. */
  communityId?: string;
}

/** What a detector hands the engine; the engine adds id, fingerprint, severity and count. */
export interface AlertCandidate {
  type: string;
  mitre: string[];
  /** 0–100. */
  score: number;
  source?: string;
  targets: string[];
  /** Target part of the fingerprint when it is not targets[0] (e.g. '*:80/tcp' for a horizontal scan). */
  targetKey?: string;
  firstSeen: number;
  lastSeen: number;
  explanation: string;
  evidence: readonly string[];
  metrics: Record<string, number | string>;
}

/** A host's usual traffic, read from the store by the composition root (optional). */
export interface HostHistory {
  /** Typical outbound bytes to external hosts per `windowSeconds`, or undefined when unknown. */
  outboundBytes(host: string, windowSeconds: number): number | undefined;
}

/** Enrichment lookups, filled in by enrich/ through the composition root (optional). */
export interface EnrichmentLookups {
  /** A threat-intel match for an address (feed name and tag), or undefined. */
  threatIntel?(ip: string): { feed: string; tag: string } | undefined;
  /** A threat-intel match for a domain name: the listed domain (the name or a parent), feed and tag. */
  threatIntelDomain?(name: string): { listed: string; feed: string; tag: string } | undefined;
  /** Country (ISO 3166-1 alpha-2) and ASN of an external address, when known. */
  geo?(ip: string): { country?: string; asn?: number } | undefined;
}

export interface DetectionContext {
  readonly config: DetectionConfig;
  isHome(ip: string): boolean;
  raise(candidate: AlertCandidate): void;
  readonly history?: HostHistory;
  readonly lookups?: EnrichmentLookups;
}

export interface DetectorStats {
  tracked: number;
  evictions: number;
}

export interface Detector {
  readonly name: string;
  /**
   * `sides`: SRC_HOME, DST_HOME and DST_GROUP bits, computed once per flow by the engine (one
   * address parse per flow for every detector).
   */
  onFlow?(flow: FlowRecord, sides: number): void;
  onArp?(event: ArpEvent): void;
  onDns?(event: DnsEvent): void;
  /** Stream time reached `now`: evaluate and drop windows that ended before `now - latenessSeconds`. */
  expire(now: number): void;
  /** End of input: evaluate and drop every open window. */
  finish(): void;
  stats(): DetectorStats;
}

/** Bits of the `sides` argument of `onFlow`. */
export const SRC_HOME = 1;
export const DST_HOME = 2;
/** SRC_HOME | DST_HOME: mask `sides` with this before comparing the home bits. */
export const HOME_SIDES = 3;
/** The destination is multicast or broadcast (isGroupAddress). */
export const DST_GROUP = 4;

export type DetectorFactory = (context: DetectionContext) => Detector;

/**
 * Appends `id` unless the list is full or ends with it. O(1): on the per-flow path. A long
 * flow's interim records share its Community ID; the engine drops repeats when it raises.
 */
export function keepEvidence(list: string[], id: string, cap: number): void {
  if (list.length < cap && id !== '' && list[list.length - 1] !== id) list.push(id);
}

/** keepEvidence for events that many share a flow (DNS messages): no repeats at all. O(cap). */
export function keepDistinctEvidence(list: string[], id: string, cap: number): void {
  if (list.length < cap && id !== '' && !list.includes(id)) list.push(id);
}
