/**
 * `flowlens lookup IP|DOMAIN|MAC…`: everything Flowlens knows about a value, from the
 * enrichment databases: country, city, AS, special-range labels, MAC vendors, and threat tags
 * from the feeds given with --threat-feeds and those of the data directory (`flowlens feeds`,
 * with the watchlist and allowlist). Names seen in traffic are learnt per analyze run
 * and not stored yet, so a domain says so. Exit codes: 0 done (also for domains); 2 a value
 * that is neither an IP address, a MAC address nor a domain name, a bad feeds config, or bad
 * options.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { createEnricher, type Enricher, normalizeMac, type ThreatMatcher } from '../../enrich/index.js';
import type { IpEnrichment, MacEnrichment } from '../../model/index.js';
import { parseIpAddress } from '../../model/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import { loadThreatIntel } from '../enrich-options.js';
import { renderTable } from '../format.js';
import { createOutputStream } from '../output-stream.js';

const EXAMPLES = `
Examples:
  $ flowlens lookup 8.8.8.8 2606:4700::1111 192.168.1.10
  $ flowlens lookup 00:0c:29:40:0e:ef --format json
  $ flowlens lookup 1.1.1.1 --geoip-db GeoLite2-City.mmdb --asn-db GeoLite2-ASN.mmdb
  $ flowlens lookup 185.220.101.1 evil.example --threat-feeds feeds.json

Databases: the bundled country and ASN data (npm packages, see docs/enrichment.md), or your own
.mmdb files through --geoip-db/--asn-db or $FLOWLENS_GEOIP_DB/$FLOWLENS_ASN_DB.
`;

export const NAMES_NOT_AVAILABLE =
  'names seen in traffic are not available yet: analyze learns them per run (analysis.enrichment.names), the store does not keep them';

const DOMAIN =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/** `threatTags` is present when threat feeds were given (empty: no feed lists the value). */
export type LookupResult =
  | ({ kind: 'ip'; threatTags?: string[] } & IpEnrichment)
  | ({ kind: 'mac' } & MacEnrichment)
  | { kind: 'domain'; domain: string; note: string; threatTags?: string[] };

type Kind = LookupResult['kind'];

function kindOf(value: string): Kind {
  const zone = value.indexOf('%');
  if (parseIpAddress(zone < 0 ? value : value.slice(0, zone))) return 'ip';
  if (normalizeMac(value)) return 'mac';
  if (DOMAIN.test(value) && /[a-z]/i.test(value)) return 'domain';
  throw new FlowlensError(ERR.USAGE, `not an IP address, MAC address or domain name: ${value}`, 2);
}

export async function lookupValues(
  values: string[],
  enricher: Enricher,
  threat?: ThreatMatcher,
): Promise<LookupResult[]> {
  const kinds = values.map(kindOf);
  if (kinds.includes('ip')) await enricher.start();
  const tags = (found: readonly string[] | undefined) => (found ? { threatTags: [...found] } : {});
  return values.map((value, i): LookupResult => {
    switch (kinds[i]) {
      case 'ip':
        return { kind: 'ip', ...enricher.lookupIp(value), ...tags(threat?.matchIp(value)) };
      case 'mac':
        return { kind: 'mac', ...(enricher.lookupMac(value) as MacEnrichment) };
      default:
        return {
          kind: 'domain',
          domain: value.toLowerCase(),
          note: NAMES_NOT_AVAILABLE,
          ...tags(threat?.matchDomain(value)),
        };
    }
  });
}

function macKind(mac: MacEnrichment): string {
  if (mac.label) return mac.label;
  const scope = mac.locallyAdministered ? 'locally administered' : 'universal';
  return `${scope} ${mac.multicast ? 'multicast' : 'unicast'}${mac.randomized ? ' (randomized)' : ''}`;
}

function threatText(tags: string[] | undefined): string {
  if (tags === undefined) return '-';
  return tags.length === 0 ? 'none' : tags.join(', ');
}

function tableRow(result: LookupResult): string[] {
  const dash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));
  switch (result.kind) {
    case 'ip': {
      const place = [result.city, result.region].filter(Boolean).join(', ');
      const where =
        result.latitude !== undefined
          ? `${place}${place ? ' ' : ''}(${result.latitude}, ${result.longitude})`
          : place;
      const label = result.range ? `${result.range.label}: ${result.range.description}` : '';
      return [
        result.ip,
        'ip',
        dash(result.country),
        dash(where),
        result.asn === undefined ? '-' : `AS${result.asn}`,
        dash(result.asName),
        '-',
        threatText(result.threatTags),
        dash(label),
      ];
    }
    case 'mac':
      return [result.mac, 'mac', '-', '-', '-', '-', dash(result.vendor), '-', macKind(result)];
    default:
      return [
        result.domain,
        'domain',
        '-',
        '-',
        '-',
        '-',
        '-',
        threatText(result.threatTags),
        'names: not stored yet',
      ];
  }
}

export function lookupTable(results: LookupResult[], attribution: string[]): string {
  const header = ['VALUE', 'TYPE', 'COUNTRY', 'CITY', 'ASN', 'AS NAME', 'VENDOR', 'THREAT', 'NOTE'];
  const lines = [renderTable(header, results.map(tableRow))];
  if (results.some((r) => r.kind === 'domain')) lines.push('', `Domains: ${NAMES_NOT_AVAILABLE}.`);
  if (attribution.length > 0) lines.push('', ...attribution.map((line) => `Data: ${line}`));
  return `${lines.join('\n')}\n`;
}

export function registerLookupCommand(program: Command): void {
  program
    .command('lookup')
    .description('what Flowlens knows about IP addresses, MAC addresses and domains')
    .argument('<values...>', 'IP addresses, MAC addresses or domain names')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--geoip-db <file>', 'country or city .mmdb (default: $FLOWLENS_GEOIP_DB, else the bundled data)')
    .option('--asn-db <file>', 'ASN .mmdb (default: $FLOWLENS_ASN_DB, else the bundled data)')
    .option('--threat-feeds <file>', 'threat feeds config, JSON (default: $FLOWLENS_THREAT_FEEDS, else none)')
    .option(
      '--data <dir>',
      'data directory whose threat feeds and lists to use (default: $FLOWLENS_DATA, else ./data)',
    )
    .option('--no-feeds', 'leave out the feeds, watchlist and allowlist of the data directory')
    .addHelpText('after', EXAMPLES)
    .action(
      async (
        values: string[],
        flags: {
          format: 'table' | 'json';
          geoipDb?: string;
          asnDb?: string;
          threatFeeds?: string;
          data?: string;
          feeds: boolean;
        },
      ) => {
        const enricher = createEnricher({
          geoipDb: flags.geoipDb ?? (process.env.FLOWLENS_GEOIP_DB || undefined),
          asnDb: flags.asnDb ?? (process.env.FLOWLENS_ASN_DB || undefined),
        });
        try {
          const intel = await loadThreatIntel(flags);
          for (const warning of intel.warnings()) process.stderr.write(`flowlens: warning: ${warning}\n`);
          const results = await lookupValues(values, enricher, intel.active ? intel.matcher : undefined);
          const attribution = results.some((r) => r.kind !== 'domain') ? enricher.attribution() : [];
          const text =
            flags.format === 'json'
              ? `${JSON.stringify({ results, attribution }, null, 2)}\n`
              : lookupTable(results, attribution);
          const out = createOutputStream();
          out.write(text);
          await out.end();
        } finally {
          await enricher.stop();
        }
      },
    );
}
