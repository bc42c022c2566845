/**
 * DNS tunnelling (T1071.004, T1048): a client sending data out in query names under one
 * registered domain (iodine, dnscat2, DNSExfiltrator). Per client and registered domain, within
 * `dnsTunnel.windowSeconds`, six indicators, 20 points each (capped at 100):
 *
 *   unique subdomains ≥ minUniqueSubdomains        (every query carries new data)
 *   mean query name length ≥ minMeanQueryLength    (data packed into labels)
 *   Shannon entropy of the subdomain part, weighted by length, ≥ minLabelEntropy (bits/char; hex ≈ 3.7–4, base32 ≈ 4.5+)
 *   TXT/NULL/MX/CNAME/ANY queries ≥ 50 %           (record types that carry data back)
 *   fewer than half the queries answered with records (NXDOMAIN, empty answers, no response)
 *   ≥ 5 % of the name characters outside the hostname alphabet (binary labels: iodine's raw/base128)
 *
 * Names whose last label cannot be a TLD (dnscat2's "dnscat.<hex>") are grouped per server.
 * It fires when the pair sent ≥ `minQueries`, the unique-subdomain indicator holds, and the
 * score reaches `minScore`. Reverse lookups (in-addr.arpa, ip6.arpa) are ignored.
 */
import type { DetectionContext, Detector, DnsEvent } from './detector.js';
import { keepDistinctEvidence } from './detector.js';
import { count, percent, scoreOver } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_NAMES = 4096;
const DATA_TYPES = new Set<number | string>([16, 10, 15, 5, 255, 'TXT', 'NULL', 'MX', 'CNAME', 'ANY']);
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'ne', 'or', 'go']);

interface TunnelState extends Windowed {
  firstTs: number;
  lastTs: number;
  server: string;
  queries: number;
  responses: number;
  answered: number;
  dataTypes: number;
  lengthSum: number;
  entropySum: number;
  entropyCount: number;
  binaryChars: number;
  names: Set<string>;
  evidence: string[];
}

/**
 * Registered domain by a short public-suffix rule: the last two labels, three under co.uk-style
 * suffixes; '' when the last label cannot be a top-level domain (digits or longer than 24
 * characters), as in dnscat2's domain-less "dnscat.<hex>" names sent straight to its server.
 */
export function registeredDomain(qname: string): string {
  const labels = qname.toLowerCase().replace(/\.$/, '').split('.');
  const tld = labels[labels.length - 1];
  if (!/^[a-z][a-z-]{0,23}$/.test(tld) && !/^xn--[a-z0-9-]+$/.test(tld)) return '';
  if (labels.length <= 2) return labels.join('.');
  const sld = labels[labels.length - 2];
  const keep = tld.length === 2 && SECOND_LEVEL.has(sld) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Characters other than letters, digits, '-' and '_'. */
function outsideHostnameAlphabet(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 127)) n++;
  }
  return n;
}

export function createDnsTunnelDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.dnsTunnel;

  function evaluate(key: string, s: TunnelState): void {
    const queries = Math.max(s.queries, s.responses);
    if (queries < cfg.minQueries || s.names.size < cfg.minUniqueSubdomains) return;
    const samples = Math.max(1, s.queries > 0 ? s.queries : s.responses);
    const meanLength = s.lengthSum / samples;
    const entropy = s.entropyCount > 0 ? s.entropySum / s.entropyCount : 0;
    const dataShare = s.dataTypes / samples;
    const answeredShare = s.answered / queries;
    const binaryShare = s.binaryChars / Math.max(1, s.entropyCount);
    const indicators = [
      true,
      meanLength >= cfg.minMeanQueryLength,
      entropy >= cfg.minLabelEntropy,
      dataShare >= 0.5,
      answeredShare < 0.5,
      binaryShare >= 0.05,
    ];
    const met = indicators.filter(Boolean).length;
    const score = Math.min(100, 20 * met);
    if (score < cfg.minScore) return;
    const [client, group] = key.split('|');
    const domain = group.startsWith('@') ? '(no registered domain)' : group;
    ctx.raise({
      type: 'dns-tunnel',
      mitre: ['T1071.004', 'T1048'],
      score: Math.min(95, score - 10 + scoreOver(s.names.size, cfg.minUniqueSubdomains, 0, 3, 15)),
      source: client,
      targets: [s.server],
      targetKey: domain,
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${client} sent ${count(queries)} DNS queries for ${count(s.names.size)} unique names under ${domain} via ${s.server}; mean name length ${Math.round(meanLength)}, label entropy ${entropy.toFixed(2)} bits/char, ${percent(s.dataTypes, samples)} TXT/NULL/MX/CNAME, ${percent(s.answered, queries)} answered with records, ${percent(s.binaryChars, s.entropyCount)} of name characters outside the hostname alphabet (${met} of 6 tunnelling indicators).`,
      evidence: s.evidence,
      metrics: {
        domain,
        queries,
        uniqueNames: s.names.size,
        meanQueryLength: Number(meanLength.toFixed(1)),
        labelEntropy: Number(entropy.toFixed(2)),
        dataTypeShare: Number(dataShare.toFixed(3)),
        answeredShare: Number(answeredShare.toFixed(3)),
        binaryShare: Number(binaryShare.toFixed(3)),
        indicators: met,
      },
    });
  }

  const table = createWindowedTable<TunnelState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      server: '',
      queries: 0,
      responses: 0,
      answered: 0,
      dataTypes: 0,
      lengthSum: 0,
      entropySum: 0,
      entropyCount: 0,
      binaryChars: 0,
      names: new Set(),
      evidence: [],
    }),
    evaluate,
  );

  return {
    name: 'dns-tunnel',
    onDns(e: DnsEvent) {
      const qname = e.qname.toLowerCase().replace(/\.$/, '');
      if (qname === '' || qname.endsWith('.arpa')) return;
      const domain = registeredDomain(qname);
      // Names with no registered domain are grouped per server.
      const s = table.touch(`${e.client}|${domain === '' ? `@${e.server}` : domain}`, e.ts);
      if (e.ts > s.lastTs) s.lastTs = e.ts;
      s.server = e.server;
      if (e.communityId) keepDistinctEvidence(s.evidence, e.communityId, ctx.config.maxEvidence);
      const countsAsQuery = !e.isResponse || s.queries === 0;
      if (e.isResponse) {
        s.responses++;
        if (e.rcode === 0 && e.answerCount > 0) s.answered++;
      } else s.queries++;
      if (!countsAsQuery) return;
      s.lengthSum += qname.length;
      if (DATA_TYPES.has(typeof e.qtype === 'string' ? e.qtype.toUpperCase() : e.qtype)) s.dataTypes++;
      const sub =
        domain === ''
          ? qname
          : qname.length > domain.length
            ? qname.slice(0, qname.length - domain.length - 1)
            : '';
      if (sub !== '') {
        if (s.names.size < MAX_NAMES) s.names.add(sub);
        // Weighted by length: short names cannot show their alphabet's entropy.
        const letters = sub.replaceAll('.', '');
        s.entropySum += shannonEntropy(letters) * letters.length;
        s.entropyCount += letters.length;
        s.binaryChars += outsideHostnameAlphabet(letters);
      }
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
