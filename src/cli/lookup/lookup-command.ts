/**
 * `flowlens lookup IP|DOMAIN|MAC…`: everything Flowlens knows about a value (pipeline/lookup.ts):
 * country, city, AS, special-range labels, MAC vendors, threat tags from the feeds given with
 * --threat-feeds and those of the data directory (with its watchlist and allowlist), and with
 * --data DIR holding a store what the stored flows say: names an address served under, the
 * servers and clients of a domain, threat tags on those flows, the device of a MAC (a DIR
 * without flows leaves that part out, with a note). `GET /api/v1/lookup/:value` answers the
 * same JSON. --reverse-dns [servers] adds each address's PTR name (`reverseName`), waiting at most
 * 3 s for it. Exit codes: 0 done; 2 a value that is neither an IP address, a MAC address nor a
 * domain name, a bad feeds config, or bad options.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { createEnricher } from '../../enrich/index.js';
import type { MacEnrichment } from '../../model/index.js';
import {
  createLookup,
  type LookupAnswer,
  type LookupResult,
  lookupKind,
  NAMES_NEED_STORE,
  notLookupValue,
} from '../../pipeline/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { FlowStore } from '../../store/index.js';
import type { Sightings } from '../../store/query/index.js';
import { loadThreatIntel, reverseDnsFor } from '../enrich-options.js';
import { formatCount, formatTimestamp, renderTable } from '../format.js';
import { createOutputStream } from '../output-stream.js';
import { hasStore, withStore } from '../query/open-store.js';

const EXAMPLES = `
Examples:
  $ flowlens lookup 8.8.8.8 2606:4700::1111 192.168.1.10
  $ flowlens lookup 00:0c:29:40:0e:ef --format json
  $ flowlens lookup 1.1.1.1 --geoip-db GeoLite2-City.mmdb --asn-db GeoLite2-ASN.mmdb
  $ flowlens lookup 185.220.101.1 evil.example --threat-feeds feeds.json
  $ flowlens lookup 93.184.215.14 example.com --data ./data      names and tags from stored flows
  $ flowlens lookup 1.1.1.1 --reverse-dns                         also its PTR name (system resolver)

Databases: the bundled country and ASN data (npm packages, see docs/enrichment.md), or your own
.mmdb files through --geoip-db/--asn-db or $FLOWLENS_GEOIP_DB/$FLOWLENS_ASN_DB.
While flowlens serve holds the store, ask it instead: GET /api/v1/lookup/VALUE.
`;

function macKind(mac: MacEnrichment): string {
  if (mac.label) return mac.label;
  const scope = mac.locallyAdministered ? 'locally administered' : 'universal';
  return `${scope} ${mac.multicast ? 'multicast' : 'unicast'}${mac.randomized ? ' (randomized)' : ''}`;
}

/** Feed tags (none: feeds given, no match), then the tags stored flows carry. */
function threatText(tags: string[] | undefined, seen: Sightings | undefined): string {
  const parts: string[] = [];
  if (tags !== undefined) parts.push(tags.length === 0 ? 'none' : tags.join(', '));
  if (seen && seen.threatTags.length > 0) parts.push(`flows: ${seen.threatTags.join(', ')}`);
  return parts.length === 0 ? '-' : parts.join('; ');
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
        threatText(result.threatTags, result.seen),
        dash(label),
      ];
    }
    case 'mac':
      return [
        result.mac,
        'mac',
        '-',
        '-',
        '-',
        '-',
        dash(result.vendor),
        '-',
        [macKind(result), result.device?.name && `device "${result.device.name}"`].filter(Boolean).join(', '),
      ];
    default:
      return [
        result.domain,
        'domain',
        '-',
        '-',
        '-',
        '-',
        '-',
        threatText(result.threatTags, result.seen),
        result.seen ? '-' : 'names: give --data',
      ];
  }
}

/** "Seen in stored flows" lines: one per value the store knows, with its names or addresses. */
function seenLines(results: LookupResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    if (result.kind === 'mac') {
      const device = result.device;
      if (device) {
        const addresses = device.addresses.map((a) => a.ip).join(', ');
        lines.push(`  ${result.mac}: device last seen ${formatTimestamp(device.lastSeen)}; ${addresses}`);
      }
      continue;
    }
    const seen = result.seen;
    if (!seen) continue;
    const value = result.kind === 'ip' ? result.ip : result.domain;
    if (seen.flows === 0) {
      lines.push(`  ${value}: no stored flow`);
      continue;
    }
    const span = `${formatTimestamp(seen.firstSeen)} – ${formatTimestamp(seen.lastSeen)}`;
    lines.push(`  ${value}: ${formatCount(seen.flows)} flows, ${span}`);
    for (const n of seen.names) lines.push(`    name ${n.name} (${n.source}, ${formatCount(n.flows)} flows)`);
    for (const a of seen.addresses) {
      lines.push(`    ${a.role} ${a.ip} (${a.source}, ${formatCount(a.flows)} flows)`);
    }
  }
  return lines;
}

export function lookupTable(answer: LookupAnswer): string {
  const { results, attribution } = answer;
  const header = ['VALUE', 'TYPE', 'COUNTRY', 'CITY', 'ASN', 'AS NAME', 'VENDOR', 'THREAT', 'NOTE'];
  const lines = [renderTable(header, results.map(tableRow))];
  const seen = seenLines(results);
  if (seen.length > 0) lines.push('', 'Seen in stored flows', ...seen);
  const ptr = results.flatMap((r) =>
    r.kind === 'ip' && r.reverseName !== undefined ? [`  ${r.ip}: ${r.reverseName ?? 'no PTR name'}`] : [],
  );
  if (ptr.length > 0) lines.push('', 'Reverse DNS', ...ptr);
  if (results.some((r) => r.kind === 'domain' && !r.seen)) lines.push('', `Domains: ${NAMES_NEED_STORE}.`);
  if (attribution.length > 0) lines.push('', ...attribution.map((line) => `Data: ${line}`));
  return `${lines.join('\n')}\n`;
}

interface LookupFlags {
  format: 'table' | 'json';
  geoipDb?: string;
  asnDb?: string;
  threatFeeds?: string;
  data?: string;
  feeds: boolean;
  reverseDns?: boolean | string;
}

/** How long `lookup --reverse-dns` waits for each address's PTR answer. */
const REVERSE_DNS_WAIT_MS = 3000;

async function runLookup(values: string[], flags: LookupFlags, store: FlowStore | undefined): Promise<void> {
  const intel = await loadThreatIntel(flags);
  for (const warning of intel.warnings()) process.stderr.write(`flowlens: warning: ${warning}\n`);
  const reverseDns = reverseDnsFor(flags.reverseDns);
  const lookup = createLookup({
    enricher: createEnricher({
      geoipDb: flags.geoipDb ?? (process.env.FLOWLENS_GEOIP_DB || undefined),
      asnDb: flags.asnDb ?? (process.env.FLOWLENS_ASN_DB || undefined),
    }),
    threat: intel.active ? () => intel.matcher : undefined,
    store,
    reverseDns,
    reverseDnsWaitMs: REVERSE_DNS_WAIT_MS,
  });
  try {
    const answer = await lookup.lookup(values);
    const text = flags.format === 'json' ? `${JSON.stringify(answer, null, 2)}\n` : lookupTable(answer);
    const out = createOutputStream();
    out.write(text);
    await out.end();
  } finally {
    reverseDns?.close();
    await lookup.stop();
    await intel.stop();
  }
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
      'the flow store in DIR (what it saw) and its feeds and lists (default: $FLOWLENS_DATA; feeds also ./data)',
    )
    .option('--no-feeds', 'leave out the feeds, watchlist and allowlist of the data directory')
    .option(
      '--reverse-dns [servers]',
      'also ask for the PTR names of the addresses (off by default); servers: comma-separated resolvers',
    )
    .addHelpText('after', EXAMPLES)
    .action(async (values: string[], flags: LookupFlags) => {
      const bad = values.find((value) => lookupKind(value) === undefined);
      if (bad !== undefined) throw new FlowlensError(ERR.USAGE, notLookupValue(bad), 2);
      const dataDir = flags.data ?? (process.env.FLOWLENS_DATA || undefined);
      // A data directory may hold feeds and lists without flows: then only the store's part is left out.
      if (dataDir === undefined || !(await hasStore(dataDir))) {
        if (dataDir !== undefined && flags.data !== undefined) {
          process.stderr.write(
            `flowlens: no flows stored in ${dataDir}: what stored flows saw is left out\n`,
          );
        }
        await runLookup(values, flags, undefined);
      } else await withStore(dataDir, (store) => runLookup(values, flags, store));
    });
}
