/**
 * The enricher: special-range labels, then country/city and AS from the configured databases
 * (bundled ip-location-db data by default), behind an address cache; and MAC vendors. This is
 * what the pipeline calls on every flow record and what `flowlens lookup` prints.
 *
 * The cache is an approximate LRU in two generations (the Map of recent addresses and the one
 * before it): a hit costs one Map lookup, and when the recent generation is full the older one
 * is dropped whole, which evicts the least recently used half.
 */
import type { AddressRange, FlowRecord, IpEnrichment, MacEnrichment } from '../model/index.js';
import { parseIpv4Number, parseIpv6 } from '../model/index.js';
import { openAsnMmdb, openBundledAsn } from './asn/index.js';
import { ATTRIBUTION, attributionFor } from './attribution.js';
import { bundledIpv4TableStamp, readBundledIpv4Table } from './bundled-ipv4-table.js';
import type {
  AsInfo,
  EnrichConfig,
  EnrichCounters,
  EnrichDatabaseInfo,
  Enricher,
  GeoInfo,
  IpDatabase,
} from './enricher.js';
import { bundledCountryDatabase, openGeoDatabase } from './geoip/index.js';
import { buildIpv4Table, type Ipv4Info, Ipv4InfoCache } from './ipv4-table.js';
import { bundledFile } from './mmdb/index.js';
import { bundledOuiTable, lookupMacIn, OUI_PACKAGE, type OuiTable } from './oui/index.js';
import { classifyIpv4, classifyIpv6, ipv4MappedNumber } from './ranges/index.js';

const DEFAULT_CACHE_SIZE = 65_536;
/**
 * IPv4 flow addresses resolved from the databases (string-cache misses) before the merged table
 * is built (≈0.3 s). An input with few distinct addresses never builds it.
 */
const TABLE_AFTER = 20_000;
/**
 * The same when the build made the table for the bundled databases: reading it and compiling its
 * lookups costs ≈40 ms, as much as resolving ~5,000 addresses one by one.
 */
const BUNDLED_TABLE_AFTER = 4_000;
/** The numeric IPv4 cache stays small enough for the CPU caches (measured: larger is slower). */
const MAX_NUMERIC_CACHE = 8192;

function emptyCounters(): EnrichCounters {
  return {
    flowlens_enrich_lookups_total: 0,
    flowlens_enrich_cache_hits_total: 0,
    flowlens_enrich_cache_misses_total: 0,
    flowlens_enrich_special_range_total: 0,
    flowlens_enrich_geoip_not_found_total: 0,
    flowlens_enrich_asn_not_found_total: 0,
    flowlens_enrich_flows_total: 0,
    flowlens_enrich_ipv4_table_lookups_total: 0,
    flowlens_enrich_mac_lookups_total: 0,
  };
}

export function createEnricher(config: EnrichConfig = {}): Enricher {
  const cacheSize = config.cacheSize ?? DEFAULT_CACHE_SIZE;
  let tableAfter = config.ipv4TableAfter ?? TABLE_AFTER;
  const half = Math.max(1, Math.floor(cacheSize / 2));
  let recent = new Map<string, IpEnrichment>();
  let older = new Map<string, IpEnrichment>();
  const counters = emptyCounters();
  let started = false;
  let geo: IpDatabase<GeoInfo> | undefined;
  let asn: IpDatabase<AsInfo> | undefined;
  let oui: OuiTable | undefined;
  /** Built on the first enrichFlow: `flowlens lookup` never needs it. */
  let v4Cache: Ipv4InfoCache | undefined;
  let directV4 = 0;
  let geoBundled = false;
  let asnBundled = false;
  /** With both bundled databases: the stamp of the merged table the build made for them. */
  let bundledTableStamp = '';

  const remember = (ip: string, value: IpEnrichment) => {
    if (recent.size >= half) {
      older = recent;
      recent = new Map();
    }
    recent.set(ip, value);
  };

  const fromDatabases = (ip: string, v4: number, bytes: Uint8Array | undefined): IpEnrichment => {
    const g = geo ? (bytes ? geo.lookupIpv6(bytes) : geo.lookupIpv4(v4)) : undefined;
    const a = asn ? (bytes ? asn.lookupIpv6(bytes) : asn.lookupIpv4(v4)) : undefined;
    if (geo && !g?.country) counters.flowlens_enrich_geoip_not_found_total++;
    if (asn && !a) counters.flowlens_enrich_asn_not_found_total++;
    const result: IpEnrichment = { ip };
    if (g?.country) result.country = g.country;
    if (g?.city) result.city = g.city;
    if (g?.region) result.region = g.region;
    if (g?.latitude !== undefined && g.longitude !== undefined) {
      result.latitude = g.latitude;
      result.longitude = g.longitude;
    }
    if (a) {
      result.asn = a.asn;
      if (a.asName) result.asName = a.asName;
    }
    return result;
  };

  const special = (ip: string, range: AddressRange): IpEnrichment => {
    counters.flowlens_enrich_special_range_total++;
    return { ip, range };
  };

  const resolve = (ip: string): IpEnrichment => {
    const v4 = parseIpv4Number(ip);
    if (v4 >= 0) {
      const range = classifyIpv4(v4);
      return range ? special(ip, range) : fromDatabases(ip, v4, undefined);
    }
    const zone = ip.indexOf('%');
    const bytes = ip.includes(':') ? parseIpv6(zone < 0 ? ip : ip.slice(0, zone)) : undefined;
    if (!bytes) return { ip };
    const range = classifyIpv6(bytes);
    if (range) return special(ip, range);
    const mapped = ipv4MappedNumber(bytes);
    return mapped >= 0 ? fromDatabases(ip, mapped, undefined) : fromDatabases(ip, 0, bytes);
  };

  const lookupIp = (ip: string): IpEnrichment => {
    if (!started) throw new Error('enricher used before start()');
    counters.flowlens_enrich_lookups_total++;
    let value = recent.get(ip);
    if (value !== undefined) {
      counters.flowlens_enrich_cache_hits_total++;
      return value;
    }
    value = older.get(ip);
    if (value !== undefined) {
      counters.flowlens_enrich_cache_hits_total++;
    } else {
      counters.flowlens_enrich_cache_misses_total++;
      value = resolve(ip);
    }
    remember(ip, value);
    return value;
  };

  const ipv4Cache = (): Ipv4InfoCache => {
    if (!started) throw new Error('enricher used before start()');
    if (v4Cache === undefined) {
      const made = geo && asn ? readBundledIpv4Table(bundledTableStamp, geo, asn) : undefined;
      v4Cache = new Ipv4InfoCache(
        made ?? buildIpv4Table(geo?.ipv4Ranges(), asn?.ipv4Ranges()),
        Math.min(cacheSize, MAX_NUMERIC_CACHE),
      );
    }
    return v4Cache;
  };

  /**
   * Flow fields of one address: IPv4 through the numeric cache and the merged table (no string
   * keys, nothing allocated), anything else through lookupIp.
   */
  const flowInfo = (ip: string): Ipv4Info => {
    const v4 = parseIpv4Number(ip);
    if (v4 < 0) return lookupIp(ip);
    // Small inputs never pay for the table: their first `tableAfter` addresses that miss the
    // string cache (lookupIp counts each miss) go the string way; repeated addresses do not count.
    if (v4Cache === undefined && directV4 < tableAfter) {
      const misses = counters.flowlens_enrich_cache_misses_total;
      const found = lookupIp(ip);
      if (counters.flowlens_enrich_cache_misses_total !== misses) directV4++;
      return found;
    }
    const info = (v4Cache ?? ipv4Cache()).info(v4);
    if (info.range) counters.flowlens_enrich_special_range_total++;
    return info;
  };

  const allCounters = (): EnrichCounters => {
    const all = { ...counters };
    if (v4Cache) {
      all.flowlens_enrich_lookups_total += v4Cache.hits + v4Cache.misses;
      all.flowlens_enrich_cache_hits_total += v4Cache.hits;
      all.flowlens_enrich_cache_misses_total += v4Cache.misses;
      all.flowlens_enrich_ipv4_table_lookups_total = v4Cache.misses;
    }
    return all;
  };

  return {
    async start() {
      if (started) return;
      const geoFile = config.geoipDb;
      const asnFile = config.asnDb;
      geoBundled = config.geoip !== false && !geoFile;
      asnBundled = config.asn !== false && !asnFile;
      const [g, a] = await Promise.all([
        config.geoip === false ? undefined : openGeoDatabase(geoFile ?? bundledCountryDatabase()),
        config.asn === false ? undefined : asnFile ? openAsnMmdb(asnFile) : openBundledAsn(),
      ]);
      geo = g;
      asn = a;
      bundledTableStamp = geoBundled && asnBundled ? await bundledIpv4TableStamp() : '';
      tableAfter = config.ipv4TableAfter ?? (bundledTableStamp === '' ? TABLE_AFTER : BUNDLED_TABLE_AFTER);
      started = true;
    },
    async stop() {
      started = false;
      geo = undefined;
      asn = undefined;
      oui = undefined;
      v4Cache = undefined;
      directV4 = 0;
      recent = new Map();
      older = new Map();
    },
    enrichFlow<T extends FlowRecord>(record: T): T {
      const src = flowInfo(record.srcIp);
      const dst = flowInfo(record.dstIp);
      counters.flowlens_enrich_flows_total++;
      // Values already on the record (e.g. AS numbers from a flow exporter) win. All six are
      // written, in one order, so records keep one hidden class (absent stays undefined).
      record.srcCountry = record.srcCountry ?? src.country;
      record.dstCountry = record.dstCountry ?? dst.country;
      record.srcAsn = record.srcAsn ?? src.asn;
      record.dstAsn = record.dstAsn ?? dst.asn;
      record.srcAsName = record.srcAsName ?? src.asName;
      record.dstAsName = record.dstAsName ?? dst.asName;
      return record;
    },
    lookupIp,
    lookupMac(mac: string): MacEnrichment | undefined {
      counters.flowlens_enrich_mac_lookups_total++;
      oui ??= bundledOuiTable();
      return lookupMacIn(oui, mac);
    },
    counters: allCounters,
    cacheHitRatio() {
      const all = allCounters();
      const total = all.flowlens_enrich_lookups_total;
      return total === 0 ? 0 : all.flowlens_enrich_cache_hits_total / total;
    },
    databases() {
      const list: EnrichDatabaseInfo[] = [];
      if (geo) list.push({ kind: 'geoip', path: geo.path, description: geo.description });
      if (asn) list.push({ kind: 'asn', path: asn.path, description: asn.description });
      list.push({
        kind: 'oui',
        path: bundledFile(OUI_PACKAGE, 'index.json'),
        description: 'IEEE MA-L/MA-M/MA-S',
      });
      return list;
    },
    attribution() {
      const lines: string[] = [];
      if (geoBundled) lines.push(ATTRIBUTION[0]);
      else if (geo) lines.push(...attributionFor(geo.description));
      if (asnBundled) lines.push(ATTRIBUTION[1]);
      else if (asn) lines.push(...attributionFor(asn.description));
      lines.push(ATTRIBUTION[2]);
      return [...new Set(lines)];
    },
  };
}
