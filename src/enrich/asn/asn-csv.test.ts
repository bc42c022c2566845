import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIpv6 } from '../../model/index.js';
import { FlowlensError } from '../../shared/index.js';
import { bundledFile } from '../mmdb/index.js';
import { parseAsnCsv, splitCsvLine } from './asn-csv.js';
import { BUNDLED_ASN_PACKAGE } from './bundled-asn.js';

const words = (bytes: Uint8Array) => {
  const n = Buffer.from(bytes);
  return [0, 4, 8, 12].map((o) => n.readUInt32BE(o));
};

describe('ASN CSV', () => {
  it('splits quoted fields with "" escapes', () => {
    expect(splitCsvLine('1,2,3,"LLC ""SPUTNIK"""')).toEqual(['1', '2', '3', 'LLC "SPUTNIK"']);
    expect(splitCsvLine('1,2,3,"Cloudflare, Inc."')).toEqual(['1', '2', '3', 'Cloudflare, Inc.']);
    expect(splitCsvLine('1,2,3,plain')).toEqual(['1', '2', '3', 'plain']);
  });

  it('looks up IPv4 ranges, names with commas and quotes', () => {
    const table = parseAsnCsv(
      '20,30,9,\n16777216,16777471,13335,"Cloudflare, Inc."\r\n16777472,16777727,7,"A ""B"""\n',
      4,
      't',
    );
    expect(table.lookupIpv4(16777216)).toEqual({ asn: 13335, asName: 'Cloudflare, Inc.' });
    expect(table.lookupIpv4(16777471)).toEqual({ asn: 13335, asName: 'Cloudflare, Inc.' });
    expect(table.lookupIpv4(16777472)).toEqual({ asn: 7, asName: 'A "B"' });
    expect(table.lookupIpv4(25)).toEqual({ asn: 9 });
    expect(table.lookupIpv4(16777728)).toBeUndefined();
    expect(table.lookupIpv4(0)).toBeUndefined();
  });

  it('lets a later overlapping range win and keeps the rest of the earlier one', () => {
    const table = parseAsnCsv('100,200,1,outer\n150,160,2,inner\n170,250,3,shifted\n', 4, 't');
    expect([99, 100, 149, 150, 160, 161, 169, 170, 250, 251].map((ip) => table.lookupIpv4(ip)?.asn)).toEqual([
      undefined,
      1,
      1,
      2,
      2,
      1,
      1,
      3,
      3,
      undefined,
    ]);
  });

  it('reads IPv6 text bounds the same way as model/parseIpv6', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat({ max: 128 }), (bytes, keep) => {
        // Zero the tail so that :: compression shows up often.
        for (let i = Math.ceil(keep / 8); i < 16; i++) bytes[i] = 0;
        const text = formatIpv6(bytes, 0);
        const table = parseAsnCsv(`${text},${text},64512,x\n`, 6, 't');
        expect(table.lookupIpv6(parseIpv6(text) as Uint8Array)?.asn).toBe(64512);
      }),
    );
    const table = parseAsnCsv(
      '::ffff:1.2.3.0,::ffff:1.2.3.255,5,m\n2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE\n',
      6,
      't',
    );
    expect(table.lookupIpv6(parseIpv6('2001:200:1b9::5') as Uint8Array)?.asn).toBe(2500);
    expect(table.lookupIpv6(parseIpv6('2001:200:1ba::') as Uint8Array)).toBeUndefined();
    expect(table.lookupIpv6(parseIpv6('::ffff:1.2.3.4') as Uint8Array)?.asn).toBe(5);
  });

  it('drops a range that starts before the one above it', () => {
    expect(parseAsnCsv('100,200,1,a\n50,60,2,b\n', 4, 't').lookupIpv4(55)).toBeUndefined();
  });

  it('rejects malformed lines with a typed error', () => {
    for (const text of ['1,2\n', 'a,2,3,x\n', '1,2,x,y\n', '1::g,2::,3,x\n']) {
      expect(() => parseAsnCsv(text, text.includes(':') ? 6 : 4, 'bad.csv')).toThrow(FlowlensError);
    }
  });

  it('bundled data: every range answers its own AS at both ends and in the middle', () => {
    for (const [file, family] of [
      ['asn-ipv4-num.csv', 4],
      ['asn-ipv6.csv', 6],
    ] as const) {
      const text = readFileSync(bundledFile(BUNDLED_ASN_PACKAGE, file), 'utf8');
      const table = parseAsnCsv(text, family, file);
      const lines = text.trim().split('\n');
      expect(table.size).toBeGreaterThanOrEqual(lines.length - 5);
      // Every 97th line, skipping those a neighbour overlaps (the later range wins there).
      for (let i = 1; i < lines.length - 1; i += 97) {
        const [prev, row, next] = [lines[i - 1], lines[i], lines[i + 1]].map(splitCsvLine);
        const value = (t: string) =>
          family === 4
            ? BigInt(t)
            : words(parseIpv6(t) as Uint8Array).reduce((a, w) => (a << 32n) | BigInt(w), 0n);
        const [lo, hi] = [value(row[0]), value(row[1])];
        if (value(prev[1]) >= lo || value(next[0]) <= hi) continue;
        for (const v of [lo, hi, (lo + hi) / 2n]) {
          const found =
            family === 4
              ? table.lookupIpv4(Number(v))
              : table.lookupIpv6(
                  Uint8Array.from({ length: 16 }, (_, k) => Number((v >> BigInt(8 * (15 - k))) & 0xffn)),
                );
          expect(found?.asn, `${file} line ${i + 1}`).toBe(Number(row[2]));
          expect(found?.asName ?? '', `${file} line ${i + 1}`).toBe(row[3] ?? '');
        }
      }
    }
  });
});
