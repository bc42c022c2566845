/**
 * Threat matching: the feeds' networks and domains compiled into lookup structures.
 * - IPv4: every network of every feed merged into sorted, disjoint segments (typed arrays), each
 *   with the set of tags of all networks covering it; one binary search within the address's /16.
 * - IPv6: per prefix length present, a Map from the masked prefix to its tags.
 * - Domains: exact match or any parent domain listed ("evil.example" matches "a.evil.example").
 *
 * A feed contributes its category and its name as tags. Tag lists returned are shared and
 * read-only. Compiled once; a refresh builds a new matcher and swaps it in whole.
 *
 * Allowlist (optional): an address or name the allowlist covers (same matching rules) matches
 * nothing, whatever the feeds list; so it gets no tags and raises no threat-intel alert.
 */
import { parseIpv4Number, parseIpv6 } from '../../model/index.js';
import type { FeedEntries } from './feed-formats.js';

export interface CompiledFeed {
  name: string;
  category: string;
  entries: FeedEntries;
}

export interface ThreatMatcher {
  /** Tags for an address (IPv4 or IPv6 text); an empty shared list when none. */
  matchIp(ip: string): readonly string[];
  /** Tags for a domain name, by exact or parent-domain match. */
  matchDomain(name: string): readonly string[];
  /** The listed domain a name matches (itself or its nearest listed parent), or undefined. */
  listedDomainOf(name: string): string | undefined;
  /** The feeds behind a tag list returned by a match: each feed contributes its name and category. */
  feedsOf(tags: readonly string[]): { feed: string; category: string }[];
  readonly networks: number;
  readonly domains: number;
  /** Networks and domains of the allowlist. */
  readonly allowed: number;
}

const NONE: readonly string[] = Object.freeze([]);

/** Interns tag lists so equal sets share one frozen array. */
function tagInterner() {
  const lists = new Map<string, readonly string[]>();
  return (tags: Iterable<string>): readonly string[] => {
    const sorted = [...new Set(tags)].sort();
    if (sorted.length === 0) return NONE;
    const key = sorted.join('\u0000');
    let list = lists.get(key);
    if (!list) {
      list = Object.freeze(sorted);
      lists.set(key, list);
    }
    return list;
  };
}

export function compileThreatMatcher(feeds: CompiledFeed[], allow?: FeedEntries): ThreatMatcher {
  const matcher = compileFeeds(feeds);
  if (!allow || allow.networks.length + allow.domains.length === 0) return matcher;
  const allowed = compileFeeds([{ name: 'allowlist', category: 'allowlist', entries: allow }]);
  return {
    networks: matcher.networks,
    domains: matcher.domains,
    allowed: allowed.networks + allowed.domains,
    feedsOf: (tags) => matcher.feedsOf(tags),
    matchIp(ip) {
      const tags = matcher.matchIp(ip);
      return tags.length === 0 || allowed.matchIp(ip).length > 0 ? NONE : tags;
    },
    matchDomain(name) {
      const tags = matcher.matchDomain(name);
      return tags.length === 0 || allowed.matchDomain(name).length > 0 ? NONE : tags;
    },
    listedDomainOf(name) {
      return allowed.matchDomain(name).length > 0 ? undefined : matcher.listedDomainOf(name);
    },
  };
}

function compileFeeds(feeds: CompiledFeed[]): ThreatMatcher {
  const intern = tagInterner();
  // IPv4: boundary events (+tag at start, -tag after end), swept into segments.
  const events: { at: number; tags: readonly string[]; delta: 1 | -1 }[] = [];
  const v6 = new Map<number, Map<string, Set<string>>>();
  const domainTags = new Map<string, Set<string>>();
  let networks = 0;
  for (const feed of feeds) {
    const tags = intern([feed.category, feed.name]);
    for (const { bytes, prefix } of feed.entries.networks) {
      networks++;
      if (bytes.length === 4) {
        const start = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
        const size = 2 ** (32 - prefix);
        events.push({ at: start, tags, delta: 1 });
        events.push({ at: start + size, tags, delta: -1 });
      } else {
        let byKey = v6.get(prefix);
        if (!byKey) {
          byKey = new Map();
          v6.set(prefix, byKey);
        }
        const key = Buffer.from(bytes).toString('hex');
        const set = byKey.get(key) ?? new Set<string>();
        for (const t of tags) set.add(t);
        byKey.set(key, set);
      }
    }
    for (const domain of feed.entries.domains) {
      const set = domainTags.get(domain) ?? new Set<string>();
      for (const t of tags) set.add(t);
      domainTags.set(domain, set);
    }
  }
  events.sort((a, b) => a.at - b.at);
  const starts: number[] = [0];
  const segmentTags: (readonly string[])[] = [NONE];
  const active = new Map<string, number>();
  for (let i = 0; i < events.length; ) {
    const at = events[i].at;
    for (; i < events.length && events[i].at === at; i++) {
      for (const tag of events[i].tags) active.set(tag, (active.get(tag) ?? 0) + events[i].delta);
    }
    if (at >= 2 ** 32) break;
    const tags = intern([...active].filter(([, n]) => n > 0).map(([t]) => t));
    if (tags === segmentTags[segmentTags.length - 1]) continue;
    if (starts[starts.length - 1] === at) segmentTags[segmentTags.length - 1] = tags;
    else {
      starts.push(at);
      segmentTags.push(tags);
    }
  }
  const v4Starts = Uint32Array.from(starts);
  // first[k]: the segment holding address k·65536, so a search covers one /16's segments.
  const first = new Uint32Array(65537);
  for (let k = 0, seg = 0; k < 65536; k++) {
    while (seg + 1 < v4Starts.length && v4Starts[seg + 1] <= k * 65536) seg++;
    first[k] = seg;
  }
  first[65536] = v4Starts.length - 1;
  const v6Lengths = [...v6.keys()].sort((a, b) => b - a);
  const v6Tags = new Map<number, Map<string, readonly string[]>>();
  for (const [prefix, byKey] of v6) {
    v6Tags.set(prefix, new Map([...byKey].map(([k, set]) => [k, intern(set)])));
  }
  const frozenDomains = new Map([...domainTags].map(([d, set]) => [d, intern(set)]));
  const listedDomainOf = (name: string): string | undefined => {
    if (frozenDomains.size === 0 || name === '') return undefined;
    let n = name.toLowerCase();
    if (n.endsWith('.')) n = n.slice(0, -1);
    for (;;) {
      if (frozenDomains.has(n)) return n;
      const dot = n.indexOf('.');
      if (dot < 0) return undefined;
      n = n.slice(dot + 1);
    }
  };

  const matchIpv4 = (ip: number): readonly string[] => {
    const k = ip >>> 16;
    let lo = first[k];
    let hi = first[k + 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (v4Starts[mid] <= ip) lo = mid;
      else hi = mid - 1;
    }
    return segmentTags[lo];
  };

  const matchIpv6 = (bytes: Uint8Array): readonly string[] => {
    if (v6Lengths.length === 0) return NONE;
    const all: string[] = [];
    const masked = new Uint8Array(16);
    for (const prefix of v6Lengths) {
      masked.set(bytes);
      for (let bit = prefix; bit < 128; bit++) masked[bit >> 3] &= ~(0x80 >> (bit & 7));
      const tags = v6Tags.get(prefix)?.get(Buffer.from(masked).toString('hex'));
      if (tags) all.push(...tags);
    }
    return all.length === 0 ? NONE : intern(all);
  };

  const categoryOf = new Map(feeds.map((f) => [f.name, f.category]));
  return {
    networks,
    domains: frozenDomains.size,
    allowed: 0,
    feedsOf(tags) {
      const out: { feed: string; category: string }[] = [];
      for (const t of tags) {
        const category = categoryOf.get(t);
        if (category !== undefined) out.push({ feed: t, category });
      }
      return out;
    },
    matchIp(ip) {
      const v4 = parseIpv4Number(ip);
      if (v4 >= 0) return matchIpv4(v4);
      if (!ip.includes(':')) return NONE;
      const bytes = parseIpv6(ip);
      if (!bytes) return NONE;
      if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
        return matchIpv4(((bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15]) >>> 0);
      }
      return matchIpv6(bytes);
    },
    matchDomain(name) {
      const listed = listedDomainOf(name);
      return listed === undefined ? NONE : (frozenDomains.get(listed) ?? NONE);
    },
    listedDomainOf,
  };
}
