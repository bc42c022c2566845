/**
 * The enricher end to end on real databases: the bundled data (answers equal to the databases
 * read directly), special ranges never looked up, the cache and its counters, flow records from
 * a real capture, and users' own City/ASN .mmdb files (written by the test writer) with city,
 * region and coordinates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundledAsn } from '../src/enrich/asn/index.js';
import { bundledCountryDatabase, openGeoDatabase } from '../src/enrich/geoip/index.js';
import { ATTRIBUTION, createEnricher, type Enricher } from '../src/enrich/index.js';
import { writeMmdb } from '../src/enrich/mmdb/testing/mmdb-writer.js';
import type { FlowRecord } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import { FlowlensError } from '../src/shared/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-enrich-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GLOBAL = [
  '8.8.8.8',
  '1.1.1.1',
  '9.9.9.9',
  '2606:4700::1111',
  '2001:4860:4860::8888',
  '81.2.69.160',
  '2a00:1450:4001::1',
];

describe('bundled data', () => {
  let enricher: Enricher;
  beforeAll(async () => {
    enricher = createEnricher();
    await enricher.start();
  });
  afterAll(() => enricher.stop());

  it('answers what the country and ASN databases hold', async () => {
    const geo = await openGeoDatabase(bundledCountryDatabase());
    const asn = await openBundledAsn();
    const { parseIpAddress } = await import('../src/model/index.js');
    for (const ip of GLOBAL) {
      const bytes = parseIpAddress(ip) as Uint8Array;
      const n = bytes.length === 4 ? Buffer.from(bytes).readUInt32BE(0) : 0;
      const g = bytes.length === 4 ? geo.lookupIpv4(n) : geo.lookupIpv6(bytes);
      const a = bytes.length === 4 ? asn.lookupIpv4(n) : asn.lookupIpv6(bytes);
      const result = enricher.lookupIp(ip);
      expect(result.country, ip).toBeDefined();
      expect(result.asn, ip).toBeDefined();
      expect(result).toEqual({ ip, country: g?.country, asn: a?.asn, asName: a?.asName });
    }
    // IPv4-mapped IPv6 is looked up as IPv4.
    expect({ ...enricher.lookupIp('::ffff:8.8.8.8'), ip: '8.8.8.8' }).toEqual(enricher.lookupIp('8.8.8.8'));
  });

  it('labels special ranges and never looks them up', () => {
    const before = enricher.counters();
    for (const ip of [
      '10.0.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '127.0.0.1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '2001:db8::1',
      '::ffff:192.168.0.1',
    ]) {
      const result = enricher.lookupIp(ip);
      expect(result.range, ip).toBeDefined();
      expect(Object.keys(result).sort(), ip).toEqual(['ip', 'range']);
    }
    const after = enricher.counters();
    expect(after.flowlens_enrich_special_range_total - before.flowlens_enrich_special_range_total).toBe(9);
    expect(after.flowlens_enrich_geoip_not_found_total).toBe(before.flowlens_enrich_geoip_not_found_total);
  });

  it('returns just the text for what is not an address', () => {
    expect(enricher.lookupIp('not-an-ip')).toEqual({ ip: 'not-an-ip' });
    expect(enricher.lookupIp('1.2.3')).toEqual({ ip: '1.2.3' });
  });

  it('prints the bundled attribution', () => {
    expect(enricher.attribution()).toEqual([...ATTRIBUTION]);
    expect(ATTRIBUTION.join(' ')).toMatch(/DB-IP/);
    expect(ATTRIBUTION.join(' ')).toMatch(/RouteViews/);
    expect(enricher.databases().map((d) => d.kind)).toEqual(['geoip', 'asn', 'oui']);
  });

  it('enriches flow records from a real capture, as lookupIp answers', async () => {
    if (!corpusAvailable) {
      if (process.env.CI === 'true') throw new Error('corpus missing under CI');
      console.warn('[flowlens tests] corpus not found: capture enrichment skipped');
      return;
    }
    const records: FlowRecord[] = [];
    // A capture of mixed Internet applications: public and private addresses, IPv4.
    const file = corpusPath(corpusFiles((name) => name === 'bulk_mixed_apps_1kxun.pcap')[0]);
    await analyzeCaptures({ files: [file], onFlow: (r: FlowRecord) => void records.push(r) });
    expect(records.length).toBeGreaterThan(0);
    let countries = 0;
    for (const record of records) {
      enricher.enrichFlow(record);
      for (const side of ['src', 'dst'] as const) {
        const info = enricher.lookupIp(side === 'src' ? record.srcIp : record.dstIp);
        expect(record[`${side}Country`]).toBe(info.country);
        expect(record[`${side}Asn`]).toBe(info.asn);
        expect(record[`${side}AsName`]).toBe(info.asName);
        if (info.range) expect(record[`${side}Country`]).toBeUndefined();
        if (record[`${side}Country`]) countries++;
      }
    }
    expect(countries).toBeGreaterThan(0);
  });
});

describe('cache and counters', () => {
  it('counts lookups, hits and misses; evicts the older generation', async () => {
    const enricher = createEnricher({ cacheSize: 4, asn: false });
    await enricher.start();
    enricher.lookupIp('8.8.8.8');
    enricher.lookupIp('8.8.8.8');
    expect(enricher.counters()).toMatchObject({
      flowlens_enrich_lookups_total: 2,
      flowlens_enrich_cache_hits_total: 1,
      flowlens_enrich_cache_misses_total: 1,
    });
    expect(enricher.cacheHitRatio()).toBe(0.5);
    for (const ip of ['1.1.1.1', '9.9.9.9', '4.4.4.4', '5.5.5.5']) enricher.lookupIp(ip);
    enricher.lookupIp('8.8.8.8'); // two generations of 2 later: gone
    expect(enricher.counters().flowlens_enrich_cache_misses_total).toBe(6);
    expect(enricher.lookupIp('8.8.8.8').asn).toBeUndefined();
    await enricher.stop();
  });

  it('keeps values a flow exporter already set', async () => {
    const enricher = createEnricher();
    await enricher.start();
    const record = { srcIp: '8.8.8.8', dstIp: '10.0.0.1', srcAsn: 64512 } as FlowRecord;
    enricher.enrichFlow(record);
    expect(record.srcAsn).toBe(64512);
    expect(record.srcCountry).toBe(enricher.lookupIp('8.8.8.8').country);
    expect(record.dstCountry).toBeUndefined();
    expect(enricher.counters().flowlens_enrich_flows_total).toBe(1);
    await enricher.stop();
  });

  it('refuses lookups before start()', () => {
    expect(() => createEnricher().lookupIp('8.8.8.8')).toThrow(/before start/);
  });
});

describe("users' own databases", () => {
  const city = path.join(dir, 'GeoLite2-City.mmdb');
  const asn = path.join(dir, 'GeoLite2-ASN.mmdb');
  beforeAll(() => {
    const place = (name: string, iso: string, region: string, lat: number, lon: number) => ({
      city: { names: { en: name, fr: `${name}-fr` } },
      country: { iso_code: iso, names: { en: iso } },
      subdivisions: [{ names: { de: 'x', en: region } }],
      location: {
        latitude: { $type: 'double' as const, value: lat },
        longitude: { $type: 'double' as const, value: lon },
      },
    });
    writeFileSync(
      city,
      writeMmdb({
        ipVersion: 6,
        recordSize: 28,
        databaseType: 'GeoLite2-City',
        entries: [
          { cidr: '81.2.69.0/24', value: place('London', 'GB', 'England', 51.5142, -0.0931) },
          { cidr: '2001:218::/32', value: place('Tokyo', 'JP', 'Tokyo', 35.69, 139.69) },
          { cidr: '5.6.7.0/24', value: { registered_country: { iso_code: 'de' } } },
        ],
      }),
    );
    writeFileSync(
      asn,
      writeMmdb({
        ipVersion: 6,
        recordSize: 24,
        databaseType: 'GeoLite2-ASN',
        entries: [
          {
            cidr: '81.2.64.0/19',
            value: {
              autonomous_system_number: 20712,
              autonomous_system_organization: 'Andrews & Arnold Ltd',
            },
          },
        ],
      }),
    );
  });

  it('gives city, region and coordinates, and the AS from an ASN .mmdb', async () => {
    const enricher = createEnricher({ geoipDb: city, asnDb: asn });
    await enricher.start();
    expect(enricher.lookupIp('81.2.69.160')).toEqual({
      ip: '81.2.69.160',
      country: 'GB',
      city: 'London',
      region: 'England',
      latitude: 51.5142,
      longitude: -0.0931,
      asn: 20712,
      asName: 'Andrews & Arnold Ltd',
    });
    expect(enricher.lookupIp('2001:218::1')).toMatchObject({ country: 'JP', city: 'Tokyo' });
    expect(enricher.lookupIp('5.6.7.8')).toEqual({ ip: '5.6.7.8', country: 'DE' });
    expect(enricher.lookupIp('8.8.8.8')).toEqual({ ip: '8.8.8.8' });
    expect(enricher.attribution()[0]).toMatch(/GeoLite2 data created by MaxMind/);
    await enricher.stop();
  });

  it('reports a missing or invalid file as a user error', async () => {
    await expect(createEnricher({ geoipDb: path.join(dir, 'missing.mmdb') }).start()).rejects.toMatchObject({
      code: 'FLOWLENS_ERR_ENRICH_DB_OPEN',
    });
    const junk = path.join(dir, 'junk.mmdb');
    writeFileSync(junk, 'not a database');
    await expect(createEnricher({ asnDb: junk }).start()).rejects.toBeInstanceOf(FlowlensError);
    await expect(createEnricher({ asnDb: junk }).start()).rejects.toMatchObject({
      code: 'FLOWLENS_ERR_ENRICH_DB_INVALID',
    });
  });
});
