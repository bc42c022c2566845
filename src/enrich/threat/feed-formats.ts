/**
 * Threat feed parsers: text in one of the supported formats → the addresses, networks and
 * domains it lists. Lines that are not entries are counted in `skipped`, never fatal; a body
 * with no entry at all where the format expects some is the caller's call (see loadFeed).
 *
 * Formats:
 * - `ip-list`: one IP or CIDR per line, `#` and `;` comments (plain lists, FireHOL netsets).
 * - `spamhaus-drop`: DROP/EDROP text (`CIDR ; SBL…`) or its JSON-lines form (`{"cidr":…}`).
 * - `abusech-csv`: abuse.ch CSV exports (Feodo Tracker, SSLBL, URLhaus, ThreatFox): the
 *   commented header names the columns; IPs come from IP, `ip:port` and URL columns, domains
 *   from URL, `ioc_value` (ThreatFox domain IOCs) and `domain`/`host` columns.
 * - `domain-list`: one domain per line, or hosts-file lines (`0.0.0.0 evil.example`).
 * - `stix`: a STIX 2.1 bundle; indicators whose pattern compares `ipv4-addr:value`,
 *   `ipv6-addr:value` or `domain-name:value` with `=`.
 */
import { parseIpAddress } from '../../model/index.js';
import { normalizeHostName } from '../names/index.js';

export const FEED_FORMATS = ['ip-list', 'spamhaus-drop', 'abusech-csv', 'domain-list', 'stix'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** A network: the address bytes (4 or 16) and the prefix length. */
export interface FeedNetwork {
  bytes: Uint8Array;
  prefix: number;
}

export interface FeedEntries {
  networks: FeedNetwork[];
  domains: string[];
  /** Lines or objects that were not entries (comments and blank lines are not counted). */
  skipped: number;
}

/** `a.b.c.d`, `a.b.c.d/n`, IPv6 and IPv6/n → a network; undefined otherwise. Host bits are cleared. */
export function parseNetwork(text: string): FeedNetwork | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIpAddress(address);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const bits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits)) return undefined;
    prefix = Number(bits);
    if (prefix > max) return undefined;
  }
  for (let bit = prefix; bit < max; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return { bytes, prefix };
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function parseIpList(text: string): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  for (const raw of lines(text)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const network = parseNetwork(line.split(/\s+/)[0]);
    if (network) out.networks.push(network);
    else out.skipped++;
  }
  return out;
}

function parseSpamhausDrop(text: string): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line.startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        out.skipped++;
        continue;
      }
      const cidr = (value as { cidr?: unknown }).cidr;
      if (typeof cidr !== 'string') {
        // The metadata line ({"type":"metadata",…}) lists nothing.
        if ((value as { type?: unknown }).type !== 'metadata') out.skipped++;
        continue;
      }
      const network = parseNetwork(cidr);
      if (network) out.networks.push(network);
      else out.skipped++;
      continue;
    }
    const entry = line.replace(/;.*$/, '').trim();
    if (entry === '') continue;
    const network = parseNetwork(entry);
    if (network) out.networks.push(network);
    else out.skipped++;
  }
  return out;
}

/** One CSV line (RFC 4180 quoting) into fields. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    // ThreatFox writes `", "` between fields: blanks before a field are not part of it.
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
  return fields;
}

function hostOfUrl(text: string): string | undefined {
  try {
    const host = new URL(text).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

const DOMAIN_COLUMNS = new Set(['domain', 'host', 'hostname']);
const URL_COLUMNS = new Set(['url']);

function parseAbuseChCsv(text: string): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  let header: string[] = [];
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const body = line.slice(1).trim();
      // The last commented line with commas before the data is the header.
      if (body.includes(',')) header = csvFields(body).map((h) => h.trim().toLowerCase());
      continue;
    }
    const fields = csvFields(line);
    let found = false;
    const iocType = fields[header.indexOf('ioc_type')]?.toLowerCase();
    for (let c = 0; c < fields.length; c++) {
      const value = fields[c].trim();
      if (value === '') continue;
      const column = header[c] ?? '';
      if (URL_COLUMNS.has(column) || (column === 'ioc_value' && iocType === 'url')) {
        const host = hostOfUrl(value);
        if (!host) continue;
        const network = parseNetwork(host);
        if (network) out.networks.push(network);
        else {
          const domain = normalizeHostName(host);
          if (domain) out.domains.push(domain);
          else continue;
        }
        found = true;
        continue;
      }
      if (DOMAIN_COLUMNS.has(column) || (column === 'ioc_value' && iocType === 'domain')) {
        const domain = normalizeHostName(value);
        if (domain) {
          out.domains.push(domain);
          found = true;
        }
        continue;
      }
      // IP columns (dst_ip, dstip, ip, ioc_value of ip:port): an address, possibly with a port.
      const withoutPort = /^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)
        ? value.slice(0, value.lastIndexOf(':'))
        : value;
      const bracketed = /^\[[0-9a-f:.]+\]:\d+$/i.test(value)
        ? value.slice(1, value.indexOf(']'))
        : withoutPort;
      if (/ip|ioc_value|^$/.test(column)) {
        const network = parseNetwork(bracketed);
        if (network && !bracketed.includes('/')) {
          out.networks.push(network);
          found = true;
        }
      }
    }
    if (!found) out.skipped++;
  }
  return out;
}

function parseDomainList(text: string): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  for (const raw of lines(text)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const tokens = line.split(/\s+/);
    // hosts-file form: an address, then the name(s).
    const names = tokens.length > 1 && parseIpAddress(tokens[0]) ? tokens.slice(1) : [tokens[0]];
    for (const name of names) {
      const domain = normalizeHostName(name);
      if (domain && domain !== 'localhost' && !domain.endsWith('.localhost')) out.domains.push(domain);
      else out.skipped++;
    }
  }
  return out;
}

const STIX_COMPARISON = /\[\s*(ipv4-addr|ipv6-addr|domain-name):value\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]/g;

function parseStix(text: string): FeedEntries {
  const out: FeedEntries = { networks: [], domains: [], skipped: 0 };
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch {
    out.skipped++;
    return out;
  }
  const objects = (bundle as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) {
    out.skipped++;
    return out;
  }
  for (const object of objects) {
    if (!object || typeof object !== 'object' || (object as { type?: unknown }).type !== 'indicator')
      continue;
    const pattern = (object as { pattern?: unknown }).pattern;
    const patternType = (object as { pattern_type?: unknown }).pattern_type;
    if (typeof pattern !== 'string' || (patternType !== undefined && patternType !== 'stix')) {
      out.skipped++;
      continue;
    }
    let found = false;
    for (const match of pattern.matchAll(STIX_COMPARISON)) {
      const value = match[2].replace(/\\(.)/g, '$1');
      if (match[1] === 'domain-name') {
        const domain = normalizeHostName(value);
        if (domain) {
          out.domains.push(domain);
          found = true;
        }
      } else {
        const network = parseNetwork(value);
        if (network && (network.bytes.length === 4) === (match[1] === 'ipv4-addr')) {
          out.networks.push(network);
          found = true;
        }
      }
    }
    if (!found) out.skipped++;
  }
  return out;
}

export function parseFeed(text: string, format: FeedFormat): FeedEntries {
  switch (format) {
    case 'ip-list':
      return parseIpList(text);
    case 'spamhaus-drop':
      return parseSpamhausDrop(text);
    case 'abusech-csv':
      return parseAbuseChCsv(text);
    case 'domain-list':
      return parseDomainList(text);
    case 'stix':
      return parseStix(text);
  }
}
