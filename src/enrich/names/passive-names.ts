/**
 * Passive names: which names an address was seen under, learnt from traffic. DNS answers map
 * each answered address to the question's name; a TLS SNI or HTTP Host names the server address
 * of its flow. Each (address, name) keeps its sources, first and last seen, and a count.
 *
 * Bounds: at most `maxAddresses` addresses (the least recently added address goes first) and
 * `maxNamesPerAddress` names each (the oldest name goes). Names from the wire are checked: only
 * host-name characters, at most 253, lower-cased, without the trailing dot; anything else is
 * counted in `rejected` and dropped.
 */
import { parseIpAddress } from '../../model/index.js';

export type NameSource = 'dns' | 'sni' | 'http' | 'ptr';

export interface NameSighting {
  name: string;
  sources: NameSource[];
  /** Seconds since the Unix epoch. */
  firstSeen: number;
  lastSeen: number;
  count: number;
}

export interface PassiveNamesConfig {
  maxAddresses: number;
  maxNamesPerAddress: number;
}

export interface PassiveNamesSummary {
  addresses: number;
  sightings: number;
  rejected: number;
  evicted: number;
  /** The addresses with the most sightings, at most `limit`. */
  top: { ip: string; names: NameSighting[] }[];
}

export interface PassiveNames {
  /** Records one sighting; returns false when the address or name was not acceptable. */
  add(ip: string, name: string, source: NameSource, ts: number): boolean;
  /** Names seen for an address, most recently seen first (shared, read-only). */
  namesOf(ip: string): NameSighting[];
  /** Addresses seen under a name (exact match, case-insensitive). */
  addressesOf(name: string): string[];
  readonly size: number;
  summary(limit?: number): PassiveNamesSummary;
}

export const DEFAULT_PASSIVE_NAMES_CONFIG: Readonly<PassiveNamesConfig> = {
  maxAddresses: 200_000,
  maxNamesPerAddress: 16,
};

const HOST_NAME =
  /^(?:[a-z0-9_*](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A host name as kept: lower case, no trailing dot; undefined when it is not one. */
export function normalizeHostName(name: string): string | undefined {
  if (name.length === 0 || name.length > 254) return undefined;
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n.length === 0 || n.length > 253 || !HOST_NAME.test(n)) return undefined;
  // An address written as a name (Host: 10.0.0.1) names nothing.
  if (parseIpAddress(n)) return undefined;
  return n;
}

export function createPassiveNames(config: Partial<PassiveNamesConfig> = {}): PassiveNames {
  const { maxAddresses, maxNamesPerAddress } = { ...DEFAULT_PASSIVE_NAMES_CONFIG, ...config };
  const byAddress = new Map<string, NameSighting[]>();
  let sightings = 0;
  let rejected = 0;
  let evicted = 0;

  return {
    add(ip, name, source, ts) {
      const host = normalizeHostName(name);
      if (!host || !parseIpAddress(ip)) {
        rejected++;
        return false;
      }
      sightings++;
      let list = byAddress.get(ip);
      if (!list) {
        if (byAddress.size >= maxAddresses) {
          const oldest = byAddress.keys().next().value as string;
          byAddress.delete(oldest);
          evicted++;
        }
        list = [];
        byAddress.set(ip, list);
      }
      const at = list.findIndex((s) => s.name === host);
      if (at >= 0) {
        const seen = list[at];
        seen.count++;
        if (ts < seen.firstSeen) seen.firstSeen = ts;
        if (ts > seen.lastSeen) seen.lastSeen = ts;
        if (!seen.sources.includes(source)) seen.sources.push(source);
        return true;
      }
      if (list.length >= maxNamesPerAddress) {
        let oldest = 0;
        for (let i = 1; i < list.length; i++) if (list[i].lastSeen < list[oldest].lastSeen) oldest = i;
        list.splice(oldest, 1);
      }
      list.push({ name: host, sources: [source], firstSeen: ts, lastSeen: ts, count: 1 });
      return true;
    },
    namesOf(ip) {
      const list = byAddress.get(ip);
      return list ? [...list].sort((a, b) => b.lastSeen - a.lastSeen) : [];
    },
    addressesOf(name) {
      const host = normalizeHostName(name);
      if (!host) return [];
      const out: string[] = [];
      for (const [ip, list] of byAddress) if (list.some((s) => s.name === host)) out.push(ip);
      return out;
    },
    get size() {
      return byAddress.size;
    },
    summary(limit = 20) {
      const ranked = [...byAddress]
        .map(([ip, list]) => ({ ip, list, total: list.reduce((n, s) => n + s.count, 0) }))
        .sort((a, b) => b.total - a.total || (a.ip < b.ip ? -1 : 1))
        .slice(0, limit)
        .map(({ ip, list }) => ({ ip, names: [...list].sort((a, b) => b.count - a.count) }));
      return { addresses: byAddress.size, sightings, rejected, evicted, top: ranked };
    },
  };
}
