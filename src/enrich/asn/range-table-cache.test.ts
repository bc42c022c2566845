import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpv6 } from '../../model/index.js';
import { loadAsnCsvTables, parseAsnCsv } from './asn-csv.js';
import { writeBundledAsnCache } from './bundled-asn.js';
import { RangeTable, RangeTableBuilder } from './range-table.js';

const V4_CSV = '20,30,9,\n16777216,16777471,13335,"Cloudflare, Inc."\n16777472,16777727,7,"A ""B"" ü"\n';
const V6_CSV = '2001:db8::,2001:db8::ffff,64500,Doc\n2606:4700::,2606:4700:ffff::,13335,"Cloudflare, Inc."\n';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-asn-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ASN range tables in binary form', () => {
  it('decode(encode()) answers every IPv4 and IPv6 lookup as the parsed table does', () => {
    const v4 = parseAsnCsv(V4_CSV, 4, 't');
    const v6 = parseAsnCsv(V6_CSV, 6, 't');
    const v4Copy = RangeTable.decode(v4.encode('s'), 's') as RangeTable;
    const v6Copy = RangeTable.decode(v6.encode('s'), 's') as RangeTable;
    expect(v4Copy.size).toBe(v4.size);
    for (const ip of [0, 20, 25, 31, 16777216, 16777471, 16777472, 16777727, 16777728])
      expect(v4Copy.lookupIpv4(ip)).toEqual(v4.lookupIpv4(ip));
    for (const ip of ['2001:db8::1', '2001:db8::1:0', '2606:4700::1111', '2606:4701::', '::1']) {
      const bytes = parseIpv6(ip) as Uint8Array;
      expect(v6Copy.lookupIpv6(bytes)).toEqual(v6.lookupIpv6(bytes));
    }
    expect(v4Copy.lookupIpv4(16777472)).toEqual({ asn: 7, asName: 'A "B" ü' });
  });

  it('keeps every AS name as it was, whatever its characters (newlines, quotes, non-ASCII, empty)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 30 }),
        (names) => {
          const builder = new RangeTableBuilder(1);
          names.forEach((name, i) => {
            builder.add([i * 256], [i * 256 + 255], 64_512 + i, name);
          });
          const table = builder.build();
          const copy = RangeTable.decode(table.encode('s'), 's') as RangeTable;
          expect(copy).toBeDefined();
          names.forEach((name, i) => {
            expect(copy.lookupIpv4(i * 256 + 7)).toEqual(table.lookupIpv4(i * 256 + 7));
            expect(copy.lookupIpv4(i * 256 + 7)?.asName ?? '').toBe(name);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads an unaligned copy the slow way, with the same answers', () => {
    const encoded = parseAsnCsv(V4_CSV, 4, 't').encode('stamp');
    const shifted = Buffer.alloc(encoded.length + 1);
    encoded.copy(shifted, 1);
    const copy = RangeTable.decode(shifted.subarray(1), 'stamp') as RangeTable;
    expect(copy.lookupIpv4(16777300)).toEqual({ asn: 13335, asName: 'Cloudflare, Inc.' });
  });

  it('refuses another stamp, a truncated or padded file, and garbage (the caller parses the CSV instead)', () => {
    const encoded = parseAsnCsv(V4_CSV, 4, 't').encode('pkg@1:100');
    expect(RangeTable.decode(encoded, 'pkg@2:100')).toBeUndefined();
    expect(RangeTable.decode(encoded.subarray(0, encoded.length - 1), 'pkg@1:100')).toBeUndefined();
    expect(RangeTable.decode(Buffer.concat([encoded, Buffer.from([0])]), 'pkg@1:100')).toBeUndefined();
    expect(RangeTable.decode(Buffer.from('FLASNTB2 not really'), 'pkg@1:100')).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => RangeTable.decode(bytes, 'pkg@1:100')).not.toThrow();
      }),
    );
  });

  it('the build cache of the bundled data equals the CSVs it was made from', {
    timeout: 60_000,
  }, async () => {
    const targets = [path.join(dir, 'v4.bin'), path.join(dir, 'v6.bin')];
    await writeBundledAsnCache(targets);
    const { bundledFile } = await import('../mmdb/index.js');
    const [v4, v6] = await loadAsnCsvTables(
      bundledFile('@ip-location-db/asn', 'asn-ipv4-num.csv'),
      bundledFile('@ip-location-db/asn', 'asn-ipv6.csv'),
    );
    const { readFileSync } = await import('node:fs');
    const stampOf = (file: string) => {
      const bytes = readFileSync(file);
      return bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8));
    };
    const v4Copy = RangeTable.decode(readFileSync(targets[0]), stampOf(targets[0])) as RangeTable;
    const v6Copy = RangeTable.decode(readFileSync(targets[1]), stampOf(targets[1])) as RangeTable;
    expect(stampOf(targets[0])).toMatch(/^@ip-location-db\/asn@[\d.]+:\d+:\d+$/);
    expect(v4Copy.size).toBe(v4?.size);
    expect(v6Copy.size).toBe(v6?.size);
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      expect(v4Copy.lookupIpv4(seed)).toEqual(v4?.lookupIpv4(seed));
    }
    for (const ip of ['2001:4860:4860::8888', '2606:4700::1111', '2a00:1450:4001::1', '2c0f:fb50::1']) {
      const bytes = parseIpv6(ip) as Uint8Array;
      expect(v6Copy.lookupIpv6(bytes)).toEqual(v6?.lookupIpv6(bytes));
    }
  });
});
