/**
 * Hooks for enrichment-driven alerts, active only when the composition root passes lookups
 * (enrich/ fills them): threat-intel matches on either side of a flow or, failing those, on the
 * names it carries (DNS query name, TLS SNI, HTTP Host; 'threat-intel'), and an
 * internal host reaching a country or ASN it has never reached before, once its history is
 * longer than `newPeer.learningSeconds` ('new-country', 'new-asn'). Without lookups this detector
 * takes no flows at all.
 */
import type { FlowRecord } from '../model/index.js';
import type { DetectionContext, Detector } from './detector.js';
import { HOME_SIDES, SRC_HOME } from './detector.js';
import { techniqueForFeedCategory } from './mitre.js';
import { createTrackedTable } from './tracked-table.js';

interface PeerHistory {
  windowStart: number;
  countries: Set<string>;
  asns: Set<number>;
}

export function createEnrichmentMatchDetector(ctx: DetectionContext): Detector {
  const lookups = ctx.lookups;
  const cfg = ctx.config.newPeer;
  const history = createTrackedTable<PeerHistory>(ctx.config.maxTrackedPerDetector, () => {});
  const base = {
    name: 'enrichment-match',
    expire() {},
    finish() {},
    stats: () => ({ tracked: history.size, evictions: history.evictions }),
  };
  if (!lookups?.threatIntel && !lookups?.threatIntelDomain && !lookups?.geo) return base;

  function raise(
    f: FlowRecord,
    type: string,
    mitre: string[],
    score: number,
    explanation: string,
    key: string,
    domain?: string,
  ) {
    ctx.raise({
      type,
      mitre,
      score,
      source: f.srcIp,
      targets: [f.dstIp],
      targetKey: key,
      firstSeen: f.firstTs,
      lastSeen: f.lastTs,
      explanation,
      evidence: [f.communityId],
      metrics: domain
        ? { port: f.dstPort, protocol: f.protocol, domain }
        : { port: f.dstPort, protocol: f.protocol },
    });
  }

  return {
    ...base,
    onFlow(f, sides) {
      let listed = false;
      if (lookups.threatIntel) {
        for (const ip of [f.dstIp, f.srcIp]) {
          const hit = lookups.threatIntel(ip);
          if (hit) {
            raise(
              f,
              'threat-intel',
              [techniqueForFeedCategory(hit.tag)],
              75,
              `${f.srcIp} → ${f.dstIp}:${f.dstPort}: ${ip} is listed by ${hit.feed} (${hit.tag}).`,
              ip,
            );
            listed = true;
            break;
          }
        }
      }
      if (!listed && lookups.threatIntelDomain) {
        for (const [name, seenAs] of [
          [f.dnsName, 'looked up'],
          [f.sni, 'named in TLS'],
          [f.httpHost, 'requested over HTTP'],
        ] as const) {
          const hit = name ? lookups.threatIntelDomain(name) : undefined;
          if (name && hit) {
            raise(
              f,
              'threat-intel',
              [techniqueForFeedCategory(hit.tag)],
              75,
              `${f.srcIp} → ${f.dstIp}:${f.dstPort}: ${name} (${seenAs}) ${
                hit.listed === name ? 'is' : `is under ${hit.listed}, which is`
              } listed by ${hit.feed} (${hit.tag}).`,
              hit.listed,
              name,
            );
            break;
          }
        }
      }
      if (!lookups.geo || (sides & HOME_SIDES) !== SRC_HOME) return;
      const geo = lookups.geo(f.dstIp);
      if (!geo) return;
      let h = history.get(f.srcIp);
      if (!h) {
        h = { windowStart: f.firstTs, countries: new Set(), asns: new Set() };
        history.add(f.srcIp, h);
      }
      const learned = f.firstTs - h.windowStart >= cfg.learningSeconds;
      if (geo.country && !h.countries.has(geo.country) && h.countries.size < cfg.maxPerHost) {
        h.countries.add(geo.country);
        if (learned)
          raise(
            f,
            'new-country',
            ['T1071'],
            25,
            `${f.srcIp} reached ${f.dstIp} in ${geo.country}, a country it had not reached before.`,
            geo.country,
          );
      }
      if (geo.asn !== undefined && !h.asns.has(geo.asn) && h.asns.size < cfg.maxPerHost) {
        h.asns.add(geo.asn);
        if (learned)
          raise(
            f,
            'new-asn',
            ['T1071'],
            15,
            `${f.srcIp} reached ${f.dstIp} in AS${geo.asn}, a network it had not reached before.`,
            `AS${geo.asn}`,
          );
      }
    },
  };
}
