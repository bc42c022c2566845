/**
 * Enrichment in the flow path: country and AS (enrich's Enricher), passive names and threat tags
 * on each flow record, between the flow table (and its analyzers) and the consumers (detections,
 * views, the store).
 *
 * Passive DNS: a DNS analyzer's messages feed DNS answers to the names store (address →
 * question name); `analyzers` holds such an analyzer for callers whose pass has none, a caller
 * whose pass has the diagnosis DNS analyzer shares it (`shareDnsAnalyzer`), and a caller with a
 * DNS analyzer of its own making may pass `onDnsMessage` as its onMessage. A record's SNI or
 * HTTP Host names its server (responder) address.
 *
 * Contract: `enrich(record)` is synchronous, in place, allocation-free on the common path (no
 * threat match, no names); values already on a record (set by a flow exporter) win. `summary`
 * returns the run's top countries and ASNs (when `summarize` is on), names and threat matches.
 */
import { createDnsAnalyzer, type DnsAnalyzer, type PacketAnalyzer } from '../analyze/index.js';
import type { EnrichmentLookups } from '../detect/index.js';
import type {
  Enricher,
  PassiveNames,
  PassiveNamesSummary,
  ReverseDns,
  ReverseDnsStats,
  ThreatMatcher,
} from '../enrich/index.js';
import type { DnsMessageInfo, FlowRecord } from '../model/index.js';

export interface FlowEnrichmentOptions {
  /** Country and AS; absent: none. Must be started. */
  enricher?: Enricher;
  /** Passive names (DNS answers, SNI, HTTP Host); absent: not learnt. */
  names?: PassiveNames;
  /** Threat tags; absent: no matching. Read on each record, so a refreshed matcher applies at once. */
  threat?: () => ThreatMatcher;
  /**
   * Reverse DNS: the server address of every flow with a public address is queued (never
   * awaited; the resolver's queue, rate and concurrency bound the work). Names found go to
   * `names` (source 'ptr') and the summary. Off unless given.
   */
  reverseDns?: ReverseDns;
  /** Count flows and bytes per country and per AS for `summary` (analyze's report). */
  summarize?: boolean;
  /** Entries in each top list; default 10. */
  topN?: number;
  /** Distinct threat matches kept for `summary`; default 1000 (all are counted). */
  maxThreatMatches?: number;
}

export interface TopCountry {
  country: string;
  flows: number;
  bytes: number;
}

export interface TopAs {
  asn: number;
  asName?: string;
  flows: number;
  bytes: number;
}

export interface ThreatMatch {
  /** The address or name that matched. */
  value: string;
  kind: 'ip' | 'domain';
  tags: readonly string[];
  flows: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
}

export interface EnrichmentSummary {
  flows: number;
  /** Flows with at least one address located / in a known AS. */
  flowsWithCountry: number;
  flowsWithAsn: number;
  topCountries: TopCountry[];
  topAsns: TopAs[];
  threat: { flowsTagged: number; matches: ThreatMatch[]; matchesDropped: number };
  names?: PassiveNamesSummary;
  /** With reverse DNS: its counters and the names found (at most 100). */
  reverseDns?: { stats: ReverseDnsStats; names: { ip: string; name: string }[] };
  /** Enricher counters (flowlens_enrich_*) and cache hit ratio. */
  counters?: Record<string, number>;
  cacheHitRatio?: number;
  attribution: string[];
}

export interface FlowEnrichment {
  /** A DNS analyzer feeding passive names, when names are on (add it to the pass), else none. */
  readonly analyzers: PacketAnalyzer[];
  /**
   * Learn names from `dns`, the pass's DNS analyzer (default configuration, annotating flows),
   * rather than parse the same packets again: `analyzers` then only publishes the names summary.
   * Call before the pass.
   */
  shareDnsAnalyzer(dns: DnsAnalyzer): void;
  /** Give to a DNS analyzer's `onMessage` to learn names from its answers. */
  onDnsMessage(message: DnsMessageInfo): void;
  enrich(record: FlowRecord): void;
  summary(): EnrichmentSummary;
  /**
   * For the detection engine (createCaptureDetection's `lookups`): threat-intel matches of an
   * address or a domain name (its first feed), when feeds are loaded. The `geo` lookup (new-country/new-ASN
   * detections) is not turned on yet.
   */
  readonly lookups: EnrichmentLookups;
}

export function createFlowEnrichment(options: FlowEnrichmentOptions): FlowEnrichment {
  const { enricher, names, threat, reverseDns } = options;
  const ptrRequested: string[] = [];
  const summarize = options.summarize === true;
  const topN = options.topN ?? 10;
  const maxMatches = options.maxThreatMatches ?? 1000;
  const countries = new Map<string, TopCountry>();
  const asns = new Map<number, TopAs>();
  const matches = new Map<string, ThreatMatch>();
  let matchesDropped = 0;
  let flows = 0;
  let flowsWithCountry = 0;
  let flowsWithAsn = 0;
  let flowsTagged = 0;

  const onDnsMessage = (message: DnsMessageInfo) => {
    if (!names || !message.isResponse || message.rcode !== 0 || message.qname === '') return;
    for (const answer of message.answers) {
      // Addresses among the answers (CNAME targets and other names are skipped).
      const c = answer.charCodeAt(0);
      if ((c >= 48 && c <= 57) || answer.includes(':')) names.add(answer, message.qname, 'dns', message.ts);
    }
  };

  const countCountry = (country: string | undefined, bytes: number) => {
    if (country === undefined) return;
    const entry = countries.get(country);
    if (entry) {
      entry.flows++;
      entry.bytes += bytes;
    } else countries.set(country, { country, flows: 1, bytes });
  };
  const countAs = (asn: number | undefined, asName: string | undefined, bytes: number) => {
    if (asn === undefined) return;
    const entry = asns.get(asn);
    if (entry) {
      entry.flows++;
      entry.bytes += bytes;
    } else asns.set(asn, asName ? { asn, asName, flows: 1, bytes } : { asn, flows: 1, bytes });
  };

  const noteMatch = (value: string, kind: 'ip' | 'domain', tags: readonly string[], r: FlowRecord) => {
    const entry = matches.get(value);
    if (entry) {
      entry.flows++;
      entry.bytes += r.bytes;
      entry.lastTs = Math.max(entry.lastTs, r.lastTs);
      entry.firstTs = Math.min(entry.firstTs, r.firstTs);
    } else if (matches.size < maxMatches) {
      matches.set(value, {
        value,
        kind,
        tags,
        flows: 1,
        bytes: r.bytes,
        firstTs: r.firstTs,
        lastTs: r.lastTs,
      });
    } else matchesDropped++;
  };

  const tagFlow = (record: FlowRecord, matcher: ThreatMatcher) => {
    let tags: Set<string> | undefined;
    const add = (value: string | undefined, kind: 'ip' | 'domain') => {
      if (!value) return;
      const found = kind === 'ip' ? matcher.matchIp(value) : matcher.matchDomain(value);
      if (found.length === 0) return;
      tags ??= new Set(record.threatTags);
      for (const t of found) tags.add(t);
      noteMatch(value, kind, found, record);
    };
    add(record.srcIp, 'ip');
    add(record.dstIp, 'ip');
    add(record.sni, 'domain');
    add(record.httpHost, 'domain');
    add(record.dnsName, 'domain');
    if (tags) {
      record.threatTags = [...tags].sort();
      flowsTagged++;
    }
  };

  const dnsAnalyzer = names ? createDnsAnalyzer({ onMessage: onDnsMessage }) : undefined;
  let analyzers: PacketAnalyzer[] = dnsAnalyzer
    ? [
        {
          // Its own key: the DNS statistics stay with an analyze-level 'dns' analyzer if there is one.
          name: 'passiveDns',
          onPacket: (p, ts, len, id, fwd) => dnsAnalyzer.onPacket(p, ts, len, id, fwd),
          // Sets the record's per-flow `dns` fields, as the 'dns' analyzer would (same values).
          onFlowEnd: (id, record) => dnsAnalyzer.onFlowEnd(id, record),
          finish: () => {
            dnsAnalyzer.finish();
            return names?.summary(0);
          },
        },
      ]
    : [];

  const lookups: EnrichmentLookups = {};
  if (threat) {
    lookups.threatIntel = (ip) => {
      const matcher = threat();
      const [first] = matcher.feedsOf(matcher.matchIp(ip));
      return first ? { feed: first.feed, tag: first.category } : undefined;
    };
    lookups.threatIntelDomain = (name) => {
      const matcher = threat();
      const listed = matcher.listedDomainOf(name);
      if (listed === undefined) return undefined;
      const [first] = matcher.feedsOf(matcher.matchDomain(name));
      return first ? { listed, feed: first.feed, tag: first.category } : undefined;
    };
  }

  return {
    get analyzers() {
      return analyzers;
    },
    shareDnsAnalyzer(dns) {
      if (!names) return;
      dns.addMessageListener((message) => onDnsMessage(message));
      // Same key and summary; the records' `dns` fields are the shared analyzer's.
      analyzers = [{ name: 'passiveDns', onPacket() {}, onFlowEnd() {}, finish: () => names.summary(0) }];
    },
    lookups,
    onDnsMessage,
    enrich(record) {
      flows++;
      enricher?.enrichFlow(record);
      if (names) {
        if (record.sni) names.add(record.dstIp, record.sni, 'sni', record.firstTs);
        if (record.httpHost) names.add(record.dstIp, record.httpHost, 'http', record.firstTs);
      }
      if (threat) tagFlow(record, threat());
      if (reverseDns && record.dstCountry !== undefined) {
        if (ptrRequested.length < 100_000 && reverseDns.request(record.dstIp))
          ptrRequested.push(record.dstIp);
      }
      if (summarize) {
        const bytes = record.bytes;
        const src = record.srcCountry;
        const dst = record.dstCountry;
        if (src !== undefined || dst !== undefined) flowsWithCountry++;
        countCountry(src, bytes);
        if (dst !== src) countCountry(dst, bytes);
        const srcAs = record.srcAsn;
        const dstAs = record.dstAsn;
        if (srcAs !== undefined || dstAs !== undefined) flowsWithAsn++;
        countAs(srcAs, record.srcAsName, bytes);
        if (dstAs !== srcAs) countAs(dstAs, record.dstAsName, bytes);
      }
    },
    summary() {
      const byBytes = <T extends { bytes: number }>(list: Iterable<T>) =>
        [...list].sort((a, b) => b.bytes - a.bytes).slice(0, topN);
      const counters = enricher ? { ...enricher.counters() } : undefined;
      let ptr: EnrichmentSummary['reverseDns'];
      if (reverseDns) {
        const found: { ip: string; name: string }[] = [];
        for (const ip of ptrRequested) {
          const name = reverseDns.nameOf(ip);
          if (!name) continue;
          names?.add(ip, name, 'ptr', Date.now() / 1000);
          if (found.length < 100) found.push({ ip, name });
        }
        ptr = { stats: reverseDns.stats(), names: found };
      }
      return {
        flows,
        flowsWithCountry,
        flowsWithAsn,
        topCountries: byBytes(countries.values()),
        topAsns: byBytes(asns.values()),
        threat: {
          flowsTagged,
          matches: [...matches.values()].sort((a, b) => b.flows - a.flows),
          matchesDropped,
        },
        ...(names ? { names: names.summary(topN) } : {}),
        ...(ptr ? { reverseDns: ptr } : {}),
        ...(counters ? { counters: counters as unknown as Record<string, number> } : {}),
        ...(enricher ? { cacheHitRatio: Number(enricher.cacheHitRatio().toFixed(4)) } : {}),
        attribution: enricher?.attribution() ?? [],
      };
    },
  };
}
