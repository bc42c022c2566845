/**
 * The enrichment stage's contracts: the IP databases it reads (geography, AS) and the enricher
 * the pipeline calls on every flow record. Implementations sit in geoip/, asn/ and oui/ and
 * import only this file (and mmdb/, ranges/).
 *
 * Ownership: results returned by a database or the enricher are shared through caches and must
 * be treated as read-only. Database loading errors are FlowlensError with code
 * FLOWLENS_ERR_ENRICH_DB_OPEN (file missing or unreadable) or FLOWLENS_ERR_ENRICH_DB_INVALID
 * (not in the expected format); lookups themselves never throw for a valid database.
 */
import type { FlowRecord, IpEnrichment, MacEnrichment } from '../model/index.js';

export interface GeoInfo {
  country?: string;
  city?: string;
  region?: string;
  latitude?: number;
  longitude?: number;
}

export interface AsInfo {
  asn: number;
  asName?: string;
}

/**
 * A database's whole IPv4 content as sorted, disjoint, inclusive ranges: `starts[i]`–`ends[i]`
 * (unsigned 32-bit) hold `value(ids[i])`. The enricher merges these into one table.
 */
export interface Ipv4Ranges<T> {
  readonly count: number;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly ids: Uint32Array;
  /** The value behind an id; the same id gives the same (shared, read-only) value. */
  value(id: number): T | undefined;
}

/** A database keyed by IP address; lookups are synchronous and allocation-free on a cache hit. */
export interface IpDatabase<T> {
  /** The file it was read from. */
  readonly path: string;
  /** e.g. 'mmdb GeoLite2-City (2026-06-17)' or 'ip-location-db asn CSV'. */
  readonly description: string;
  /** An IPv4 address as an unsigned 32-bit number. */
  lookupIpv4(ip: number): T | undefined;
  /** 16 bytes; IPv4-mapped addresses are looked up as IPv4 by the caller, not here. */
  lookupIpv6(bytes: Uint8Array): T | undefined;
  /** Everything the database holds for IPv4 (built on each call; the caller keeps it). */
  ipv4Ranges(): Ipv4Ranges<T>;
  /**
   * The value behind an id of `ipv4Ranges()`, without listing the ranges: for a merged table
   * read back from the build's cache of the same file.
   */
  ipv4Value(id: number): T | undefined;
}

export interface EnrichConfig {
  /** A country or city .mmdb (MaxMind GeoIP2/GeoLite2, DB-IP, ip-location-db). Default: the bundled country database. */
  geoipDb?: string;
  /** An ASN .mmdb (GeoLite2-ASN, DB-IP ASN, ip-location-db asn-mmdb). Default: the bundled ASN CSV. */
  asnDb?: string;
  /** Off: no country/city lookups. Default true. */
  geoip?: boolean;
  /** Off: no AS lookups. Default true. */
  asn?: boolean;
  /** Addresses kept in the lookup cache (approximate LRU, two generations of half this size). Default 65536. */
  cacheSize?: number;
  /**
   * IPv4 flow addresses resolved (address-cache misses) before enrichFlow builds the
   * merged IPv4 table, so small inputs never pay for it. Default 4,000 with the bundled databases
   * (the build made their table: reading it costs ≈40 ms), else 20,000 (merging costs ≈0.3 s).
   */
  ipv4TableAfter?: number;
}

/** Counters, Prometheus-named (`flowlens_enrich_*_total`). */
export interface EnrichCounters {
  flowlens_enrich_lookups_total: number;
  flowlens_enrich_cache_hits_total: number;
  flowlens_enrich_cache_misses_total: number;
  /** Addresses in special-purpose ranges (never looked up). */
  flowlens_enrich_special_range_total: number;
  /** Database lookups that found no country, or no AS. */
  flowlens_enrich_geoip_not_found_total: number;
  flowlens_enrich_asn_not_found_total: number;
  flowlens_enrich_flows_total: number;
  /** IPv4 addresses of flow records that missed the numeric address cache and searched the merged IPv4 table. */
  flowlens_enrich_ipv4_table_lookups_total: number;
  flowlens_enrich_mac_lookups_total: number;
}

export interface EnrichDatabaseInfo {
  kind: 'geoip' | 'asn' | 'oui';
  path: string;
  description: string;
}

/**
 * Created inert by createEnricher(config); `start()` reads the databases (a few hundred ms for
 * the bundled ASN data), after which the lookups are synchronous. `stop()` drops them.
 * Calling a lookup before `start()` resolves is a bug and throws.
 */
export interface Enricher {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sets src/dst country, ASN and AS name on the record (in place) and returns it. */
  enrichFlow<T extends FlowRecord>(record: T): T;
  /** Everything known about one address; the special range if it is in one. Unparseable text gives `{ ip }`. */
  lookupIp(ip: string): IpEnrichment;
  /** Vendor and address kind of a MAC (any of aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff, aabbccddeeff); the registry is read on first use. */
  lookupMac(mac: string): MacEnrichment | undefined;
  counters(): EnrichCounters;
  /** Cache hits over lookups, 0 when there were none. */
  cacheHitRatio(): number;
  databases(): EnrichDatabaseInfo[];
  /** Attribution lines the data's licences require, for the databases in use. */
  attribution(): string[];
}
