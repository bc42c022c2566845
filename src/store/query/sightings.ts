/**
 * What the stored flows say about one address or one domain name, over the whole store, for
 * `lookup`. An address: its flows (either side), the names it served under (TLS SNI and HTTP Host
 * of flows it answered) and the threat tags its flows carry. A domain: the addresses that served
 * it (SNI, HTTP Host), the clients that asked a resolver for it (DNS query name) and the threat
 * tags of those flows. Names compare without letter case and without a final dot.
 */
import { parseIpAddress } from '../../model/index.js';
import type { FlowStore, StoreRow } from '../store.js';
import { usage } from './errors.js';
import { addressConditions } from './host.js';
import { ident, type Sql, sql } from './sql.js';
import { checkLimit } from './top.js';
import { num } from './values.js';

interface Seen {
  flows: number;
  /** First and last packet of those flows, seconds. */
  firstSeen: number;
  lastSeen: number;
}

/** A name an address served under. */
export interface NameSeen extends Seen {
  name: string;
  source: 'sni' | 'http';
}

/** An address seen with a domain: a server it was the SNI/Host of, or a client that queried it. */
export interface AddressSeen extends Seen {
  ip: string;
  role: 'server' | 'client';
  source: 'sni' | 'http' | 'dns';
}

export interface Sightings {
  /** Flows involving the value; 0 when the store never saw it. */
  flows: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** For an address: names, most flows first. Empty for a domain. */
  names: NameSeen[];
  /** For a domain: servers and clients, most flows first. Empty for an address. */
  addresses: AddressSeen[];
  /** Distinct threat tags on those flows, sorted. */
  threatTags: string[];
}

export interface SightingOptions {
  /** Rows of `names` / `addresses`, 1–10000; default 20. */
  limit?: number;
  signal?: AbortSignal;
}

const SEEN = 'count(*) AS flows, min(first_ts) AS first_seen, max(last_ts) AS last_seen';
const TAG_LIMIT = 100;

const seenOf = (row: StoreRow): Seen => ({
  flows: num(row.flows),
  firstSeen: num(row.first_seen),
  lastSeen: num(row.last_seen),
});

async function totalsAndTags(
  store: FlowStore,
  where: Sql,
  signal: AbortSignal | undefined,
): Promise<Pick<Sightings, 'flows' | 'firstSeen' | 'lastSeen' | 'threatTags'>> {
  const [totals] = await store.query(...args(sql`SELECT ${ident(SEEN)} FROM flows WHERE ${where}`), {
    signal,
  });
  const tags = await store.query(
    ...args(sql`SELECT DISTINCT tag FROM (SELECT unnest(threat_tags) AS tag FROM flows
WHERE (${where}) AND threat_tags IS NOT NULL AND len(threat_tags) > 0) ORDER BY tag LIMIT ${TAG_LIMIT}`),
    { signal },
  );
  const flows = num(totals?.flows);
  return {
    flows,
    firstSeen: flows === 0 ? null : num(totals?.first_seen),
    lastSeen: flows === 0 ? null : num(totals?.last_seen),
    threatTags: tags.map((row) => String(row.tag)),
  };
}

function args(statement: Sql): [string, Sql['params']] {
  return [statement.text, statement.params];
}

/** Throws FlowlensError (usage) for text that is not an IP address. */
export async function ipSightings(
  store: FlowStore,
  ip: string,
  options: SightingOptions = {},
): Promise<Sightings> {
  const bytes = parseIpAddress(ip.trim());
  if (bytes === undefined) throw usage(`expected an IPv4 or IPv6 address, got "${ip}"`);
  const limit = checkLimit(options.limit, 20);
  const { isSrc, isDst } = addressConditions(bytes);
  const known = await totalsAndTags(store, sql`${isSrc} OR ${isDst}`, options.signal);
  if (known.flows === 0) return { ...known, names: [], addresses: [] };
  const names = await store.query(
    ...args(sql`SELECT name, source, ${ident(SEEN)} FROM (
  SELECT sni AS name, 'sni' AS source, first_ts, last_ts FROM flows WHERE ${isDst} AND sni IS NOT NULL
  UNION ALL
  SELECT http_host AS name, 'http' AS source, first_ts, last_ts FROM flows WHERE ${isDst} AND http_host IS NOT NULL
) GROUP BY name, source ORDER BY flows DESC, name, source LIMIT ${limit}`),
    { signal: options.signal },
  );
  return {
    ...known,
    names: names.map((row) => ({
      name: String(row.name),
      source: row.source === 'http' ? 'http' : 'sni',
      ...seenOf(row),
    })),
    addresses: [],
  };
}

/** The domain as stored names are compared: lower case, no final dot. */
function canonicalDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

export async function domainSightings(
  store: FlowStore,
  domain: string,
  options: SightingOptions = {},
): Promise<Sightings> {
  const name = canonicalDomain(domain);
  const limit = checkLimit(options.limit, 20);
  const bySni = sql`lower(sni) = ${name}`;
  const byHost = sql`lower(http_host) = ${name}`;
  const byDns = sql`rtrim(lower(dns_name), '.') = ${name}`;
  const known = await totalsAndTags(store, sql`${bySni} OR ${byHost} OR ${byDns}`, options.signal);
  if (known.flows === 0) return { ...known, names: [], addresses: [] };
  const addresses = await store.query(
    ...args(sql`SELECT ip, role, source, ${ident(SEEN)} FROM (
  SELECT dst_ip AS ip, 'server' AS role, 'sni' AS source, first_ts, last_ts FROM flows WHERE ${bySni}
  UNION ALL
  SELECT dst_ip AS ip, 'server' AS role, 'http' AS source, first_ts, last_ts FROM flows WHERE ${byHost}
  UNION ALL
  SELECT src_ip AS ip, 'client' AS role, 'dns' AS source, first_ts, last_ts FROM flows WHERE ${byDns}
) GROUP BY ip, role, source ORDER BY flows DESC, ip, source LIMIT ${limit}`),
    { signal: options.signal },
  );
  return {
    ...known,
    names: [],
    addresses: addresses.map((row) => ({
      ip: String(row.ip),
      role: row.role === 'client' ? 'client' : 'server',
      source: row.source === 'http' ? 'http' : row.source === 'dns' ? 'dns' : 'sni',
      ...seenOf(row),
    })),
  };
}
