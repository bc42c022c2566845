/**
 * The merged IPv4 table (special ranges + country + AS in one sorted segment list) answers
 * exactly what the separate lookups answer: on the bundled databases for random addresses and
 * for every range boundary, on IPv4-only and IPv6 MMDB trees of each record size written by the
 * test writer, and through enrichFlow against lookupIp.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAsnMmdb, openBundledAsn } from '../src/enrich/asn/index.js';
import {
  bundledIpv4TableStamp,
  readBundledIpv4Table,
  writeBundledIpv4Table,
} from '../src/enrich/bundled-ipv4-table.js';
import type { AsInfo, GeoInfo, IpDatabase } from '../src/enrich/enricher.js';
import { bundledCountryDatabase, openGeoDatabase } from '../src/enrich/geoip/index.js';
import { createEnricher } from '../src/enrich/index.js';
import {
  buildIpv4Table,
  decodeIpv4Table,
  Ipv4InfoCache,
  type Ipv4Table,
  specialIpv4Ranges,
} from '../src/enrich/ipv4-table.js';
import { type WriterValue, writeMmdb } from '../src/enrich/mmdb/testing/mmdb-writer.js';
import { classifyIpv4 } from '../src/enrich/ranges/index.js';
import type { FlowRecord } from '../src/model/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-ipv4-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seed = 99;
function random32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

function expectSameAsSeparate(
  table: Ipv4Table,
  geo: IpDatabase<GeoInfo>,
  asn: IpDatabase<AsInfo>,
  ip: number,
): void {
  const info = table.info(ip);
  const range = classifyIpv4(ip);
  if (range) {
    expect(info, String(ip)).toEqual({ range: expect.objectContaining(range) });
    return;
  }
  const g = geo.lookupIpv4(ip);
  const a = asn.lookupIpv4(ip);
  const expected: Record<string, unknown> = {};
  if (g?.country) expected.country = g.country;
  if (a) expected.asn = a.asn;
  if (a?.asName) expected.asName = a.asName;
  expect(info, String(ip)).toEqual(expected);
}

describe('bundled databases', () => {
  let geo: IpDatabase<GeoInfo>;
  let asn: IpDatabase<AsInfo>;
  let table: Ipv4Table;
  beforeAll(async () => {
    [geo, asn] = await Promise.all([openGeoDatabase(bundledCountryDatabase()), openBundledAsn()]);
    table = buildIpv4Table(geo.ipv4Ranges(), asn.ipv4Ranges());
  });

  it('equals the separate lookups on 50,000 random addresses', () => {
    expect(table.segments).toBeGreaterThan(100_000);
    for (let i = 0; i < 50_000; i++) expectSameAsSeparate(table, geo, asn, random32());
  });

  it('equals the separate lookups at every range boundary and either side of it', () => {
    const bounds = new Set<number>();
    for (const ranges of [geo.ipv4Ranges(), asn.ipv4Ranges(), specialIpv4Ranges()]) {
      // Every boundary of the special ranges; a sample of thousands of the databases'.
      const step = ranges.count > 5000 ? Math.floor(ranges.count / 5000) : 1;
      for (let i = 0; i < ranges.count; i += step) {
        bounds.add(ranges.starts[i]);
        bounds.add(ranges.ends[i]);
      }
    }
    for (const b of bounds) {
      for (const ip of [b - 1, b, b + 1]) {
        if (ip >= 0 && ip <= 0xffffffff) expectSameAsSeparate(table, geo, asn, ip);
      }
    }
    expect(bounds.size).toBeGreaterThan(10_000);
  });

  it('lists the database ranges sorted and disjoint', () => {
    for (const ranges of [geo.ipv4Ranges(), asn.ipv4Ranges(), specialIpv4Ranges()]) {
      let bad = 0;
      for (let i = 0; i < ranges.count; i++) {
        if (ranges.starts[i] > ranges.ends[i]) bad++;
        if (i > 0 && ranges.starts[i] <= ranges.ends[i - 1]) bad++;
      }
      expect(bad).toBe(0);
    }
  });

  it('answers 0.0.0.0 and 255.255.255.255 with the most specific special block', () => {
    expect(table.info(0).range?.cidr).toBe('0.0.0.0/32');
    expect(table.info(1).range?.cidr).toBe('0.0.0.0/8');
    expect(table.info(0xffffffff).range?.cidr).toBe('255.255.255.255/32');
    expect(table.info(0xfffffffe).range?.cidr).toBe('240.0.0.0/4');
  });

  it('the numeric cache gives the table answer and counts hits', () => {
    const cache = new Ipv4InfoCache(table, 64);
    const ips = Array.from({ length: 1000 }, random32);
    for (const ip of ips) expect(cache.info(ip)).toBe(table.info(ip));
    for (const ip of ips.slice(-10)) expect(cache.info(ip)).toBe(table.info(ip));
    expect(cache.hits + cache.misses).toBe(1010);
    expect(cache.misses).toBeGreaterThanOrEqual(1000);
  });

  it('reads back from its bytes the same table, and only with its stamp', () => {
    const bytes = table.encode('stamp-1');
    const again = decodeIpv4Table(bytes, 'stamp-1', geo, asn);
    expect(again?.segments).toBe(table.segments);
    const ips = [0, 1, 0xffffffff, 0x08080808, ...Array.from({ length: 20_000 }, random32)];
    for (const ip of ips) expect(again?.info(ip), String(ip)).toEqual(table.info(ip));
    for (const ip of ips.slice(0, 2000)) expectSameAsSeparate(again as Ipv4Table, geo, asn, ip);
    expect(decodeIpv4Table(bytes, 'stamp-2', geo, asn)).toBeUndefined();
    expect(decodeIpv4Table(bytes.subarray(0, bytes.length - 1), 'stamp-1', geo, asn)).toBeUndefined();
    expect(decodeIpv4Table(bytes.subarray(0, 10), 'stamp-1', geo, asn)).toBeUndefined();
    const damaged = bytes.slice();
    damaged[3] ^= 0xff;
    expect(decodeIpv4Table(damaged, 'stamp-1', geo, asn)).toBeUndefined();
  });

  it('the build writes it for the bundled databases; it reads back only with their stamp', async () => {
    const file = path.join(dir, 'bundled-ipv4-table.bin');
    await writeBundledIpv4Table(file);
    const stamp = await bundledIpv4TableStamp();
    expect(stamp).toContain('@ip-location-db/asn@');
    // The merging code goes in by its text's hash, not its file time: a rebuild keeps the table.
    expect(stamp).toMatch(/ipv4-table\.(js|ts):[0-9a-f]{64}\|/);
    const read = readBundledIpv4Table(stamp, geo, asn, file);
    expect(read?.segments).toBe(table.segments);
    for (let i = 0; i < 20_000; i++) {
      const ip = random32();
      expect(read?.info(ip), String(ip)).toEqual(table.info(ip));
    }
    expect(readBundledIpv4Table(`${stamp}x`, geo, asn, file)).toBeUndefined();
    expect(readBundledIpv4Table(stamp, geo, asn, path.join(dir, 'missing.bin'))).toBeUndefined();
  });
});

describe('MMDB trees of every shape', () => {
  const entries: { cidr: string; value: WriterValue }[] = [
    { cidr: '1.0.0.0/15', value: { country: { iso_code: 'AU' } } },
    { cidr: '1.2.3.0/24', value: { country: { iso_code: 'CN' } } },
    { cidr: '81.2.69.0/24', value: { country_code: 'GB' } },
    { cidr: '81.2.70.0/23', value: { country_code: 'GB' } },
    { cidr: '200.0.0.0/5', value: { country_code: 'BR' } },
    { cidr: '8.8.8.8/32', value: { country_code: 'US' } },
  ];
  for (const ipVersion of [4, 6] as const) {
    for (const recordSize of [24, 28, 32] as const) {
      it(`IPv${ipVersion} tree, ${recordSize}-bit records`, async () => {
        const geoFile = path.join(dir, `geo-${ipVersion}-${recordSize}.mmdb`);
        const asnFile = path.join(dir, `asn-${ipVersion}-${recordSize}.mmdb`);
        writeFileSync(geoFile, writeMmdb({ ipVersion, recordSize, databaseType: 'Test-Country', entries }));
        writeFileSync(
          asnFile,
          writeMmdb({
            ipVersion,
            recordSize,
            databaseType: 'Test-ASN',
            entries: [
              {
                cidr: '1.2.0.0/16',
                value: { autonomous_system_number: 4134, autonomous_system_organization: 'X' },
              },
              { cidr: '81.2.64.0/19', value: { autonomous_system_number: 20712 } },
              {
                cidr: '8.8.8.0/24',
                value: { autonomous_system_number: 15169, autonomous_system_organization: 'G' },
              },
            ],
          }),
        );
        const geo = await openGeoDatabase(geoFile);
        const asn = await openAsnMmdb(asnFile);
        const table = buildIpv4Table(geo.ipv4Ranges(), asn.ipv4Ranges());
        const probes = [0x01000000, 0x01020300, 0x010203ff, 0x01020400, 0x08080808, 0x08080809, 0x510245a0];
        for (let i = 0; i < 5000; i++) probes.push(random32());
        for (const entry of entries) {
          const [a, bits] = entry.cidr.split('/');
          const start = a.split('.').reduce((v, o) => v * 256 + Number(o), 0);
          const end = start + 2 ** (32 - Number(bits)) - 1;
          probes.push(start, end, start - 1, end + 1);
        }
        for (const ip of probes) if (ip >= 0 && ip <= 0xffffffff) expectSameAsSeparate(table, geo, asn, ip);
        expect(table.info(0x08080808)).toEqual({ country: 'US', asn: 15169, asName: 'G' });
      });
    }
  }
});

describe('enrichFlow uses the table', () => {
  it('builds the table only after ipv4TableAfter addresses were resolved one by one', async () => {
    const enricher = createEnricher({ ipv4TableAfter: 3 });
    await enricher.start();
    const record = (srcIp: string, dstIp: string) => ({ srcIp, dstIp }) as FlowRecord;
    // Addresses answered from the address cache do not count: a few busy hosts never build it.
    for (let i = 0; i < 10; i++) enricher.enrichFlow(record('8.8.8.8', '1.1.1.1'));
    expect(enricher.counters().flowlens_enrich_ipv4_table_lookups_total).toBe(0);
    // 9.9.9.9 is the third address resolved; 8.8.8.8 after it is looked up in the table.
    const early = enricher.enrichFlow(record('9.9.9.9', '8.8.8.8'));
    expect(enricher.counters().flowlens_enrich_ipv4_table_lookups_total).toBe(1);
    const late = enricher.enrichFlow(record('9.9.9.9', '8.8.8.8'));
    expect(enricher.counters().flowlens_enrich_ipv4_table_lookups_total).toBe(2);
    expect(late).toEqual(early);
    await enricher.stop();
  });

  it('starts from the table sooner with the bundled databases, whose table the build made', async () => {
    const enricher = createEnricher();
    await enricher.start();
    let n = 0x01020304;
    for (let i = 0; i < 4_000; i++) {
      n = (Math.imul(n, 1103515245) + 12345) >>> 0;
      enricher.enrichFlow({
        srcIp: `100.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
        dstIp: '8.8.8.8',
      } as FlowRecord);
    }
    expect(enricher.counters().flowlens_enrich_ipv4_table_lookups_total).toBeGreaterThan(0);
    await enricher.stop();
  });

  it('sets what lookupIp answers, and keeps one property order', async () => {
    const enricher = createEnricher({ ipv4TableAfter: 0 });
    await enricher.start();
    const addresses = ['8.8.8.8', '10.1.2.3', '2606:4700::1111', '81.2.69.160', '224.0.0.251', '1.1.1.1'];
    for (let i = 0; i < 2000; i++) {
      const n = random32();
      addresses.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
    }
    for (let i = 0; i + 1 < addresses.length; i++) {
      const record = { srcIp: addresses[i], dstIp: addresses[i + 1] } as FlowRecord;
      enricher.enrichFlow(record);
      const src = enricher.lookupIp(addresses[i]);
      const dst = enricher.lookupIp(addresses[i + 1]);
      expect(record.srcCountry).toBe(src.country);
      expect(record.dstCountry).toBe(dst.country);
      expect(record.srcAsn).toBe(src.asn);
      expect(record.dstAsn).toBe(dst.asn);
      expect(record.srcAsName).toBe(src.asName);
      expect(record.dstAsName).toBe(dst.asName);
      expect(Object.keys(record)).toEqual([
        'srcIp',
        'dstIp',
        'srcCountry',
        'dstCountry',
        'srcAsn',
        'dstAsn',
        'srcAsName',
        'dstAsName',
      ]);
    }
    const counters = enricher.counters();
    expect(counters.flowlens_enrich_ipv4_table_lookups_total).toBeGreaterThan(1000);
    expect(counters.flowlens_enrich_cache_hits_total).toBeGreaterThan(0);
    await enricher.stop();
  });
});
