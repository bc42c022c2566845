/**
 * AS numbers from ip-location-db's ASN CSV files (`start,end,asn,name`, inclusive ranges, one
 * file per family): IPv4 with numeric bounds (`asn-ipv4-num.csv`), IPv6 with address text
 * (`asn-ipv6.csv`). Names may be quoted with `""` escapes (RFC 4180).
 */
import { parseIpv4Number, parseIpv6 } from '../../model/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { AsInfo, IpDatabase } from '../enricher.js';
import { readDatabaseFile } from '../mmdb/index.js';
import { type RangeTable, RangeTableBuilder } from './range-table.js';

/** Splits one CSV line into fields; quotes only matter at a field's start. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      i = line.indexOf(',', i) < 0 ? line.length + 1 : line.indexOf(',', i) + 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

function fail(source: string, lineNo: number): never {
  throw new FlowlensError(ERR.ENRICH_DB_INVALID, `${source}:${lineNo}: not an ASN range line`);
}

/** A run of decimal digits as a number, or -1. */
function digitsAt(text: string, from: number, to: number): number {
  if (from >= to || to - from > 10) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** One bound into `out` (1 word for IPv4, 4 for IPv6); false when it is not an address. */
function boundAt(text: string, from: number, to: number, family: 4 | 6, out: Uint32Array): boolean {
  if (family === 4) {
    // Numeric bounds (…-num.csv) or dotted quads.
    let value = digitsAt(text, from, to);
    if (value < 0) value = parseIpv4Number(text.slice(from, to));
    if (value < 0 || value > 0xffffffff) return false;
    out[0] = value;
    return true;
  }
  if (ipv6WordsAt(text, from, to, out)) return true;
  // Dotted tails and anything unusual: the general parser.
  const bytes = parseIpv6(text.slice(from, to));
  if (!bytes) return false;
  for (let w = 0; w < 4; w++) {
    const o = w * 4;
    out[w] = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  }
  return true;
}

const GROUPS = new Array<number>(8).fill(0);

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Plain hexadecimal IPv6 text (RFC 4291 §2.2 forms 1 and 2) → 4 words, without allocating; false otherwise. */
function ipv6WordsAt(text: string, from: number, to: number, out: Uint32Array): boolean {
  let n = 0;
  let gap = -1;
  let value = 0;
  let digits = 0;
  let i = from;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    const h = hexDigit(c);
    if (h >= 0) {
      value = value * 16 + h;
      if (++digits > 4) return false;
      continue;
    }
    if (c !== 58 || digits === 0 || n === 8) return false;
    GROUPS[n++] = value;
    value = 0;
    digits = 0;
    if (text.charCodeAt(i + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    }
  }
  if (digits > 0) {
    if (n === 8) return false;
    GROUPS[n++] = value;
  } else if (gap !== n) {
    return false;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  if (gap >= 0) {
    const move = n - gap;
    for (let k = 0; k < move; k++) GROUPS[7 - k] = GROUPS[n - 1 - k];
    for (let k = gap; k < 8 - move; k++) GROUPS[k] = 0;
  }
  for (let w = 0; w < 4; w++) out[w] = GROUPS[2 * w] * 0x10000 + GROUPS[2 * w + 1];
  return true;
}

/** Parses one family's CSV into a range table; a malformed line is a FLOWLENS_ERR_ENRICH_DB_INVALID. */
export function parseAsnCsv(content: string, family: 4 | 6, source: string): RangeTable {
  const width = family === 4 ? 1 : 4;
  const builder = new RangeTableBuilder(width, 1 << 16);
  const lo = new Uint32Array(width);
  const hi = new Uint32Array(width);
  let lineNo = 0;
  let pos = 0;
  while (pos < content.length) {
    lineNo++;
    let eol = content.indexOf('\n', pos);
    if (eol < 0) eol = content.length;
    const end = content.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const start = pos;
    pos = eol + 1;
    if (end <= start) continue;
    const c1 = content.indexOf(',', start);
    const c2 = c1 < 0 ? -1 : content.indexOf(',', c1 + 1);
    if (c2 < 0 || c2 >= end) fail(source, lineNo);
    let c3 = content.indexOf(',', c2 + 1);
    if (c3 < 0 || c3 > end) c3 = end;
    const asn = digitsAt(content, c2 + 1, c3);
    if (asn < 0 || asn > 0xffffffff) fail(source, lineNo);
    if (!boundAt(content, start, c1, family, lo) || !boundAt(content, c1 + 1, c2, family, hi))
      fail(source, lineNo);
    let name = c3 < end ? content.slice(c3 + 1, end) : '';
    if (name.charCodeAt(0) === 34) name = splitCsvLine(name)[0] ?? '';
    builder.add(lo, hi, asn, name);
  }
  return builder.build();
}

/** An IpDatabase over IPv4 and IPv6 ASN CSV files (either may be absent). */
export async function openAsnCsv(
  ipv4File: string | undefined,
  ipv6File: string | undefined,
): Promise<IpDatabase<AsInfo>> {
  const [v4, v6] = await loadAsnCsvTables(ipv4File, ipv6File);
  return asnRangeDatabase(v4, v6, [ipv4File, ipv6File].filter(Boolean).join(', '), 'CSV');
}

/** The range tables of IPv4 and IPv6 ASN CSV files (undefined for an absent file). */
export async function loadAsnCsvTables(
  ipv4File: string | undefined,
  ipv6File: string | undefined,
): Promise<[RangeTable | undefined, RangeTable | undefined]> {
  const load = async (file: string | undefined, family: 4 | 6) =>
    file ? parseAsnCsv((await readDatabaseFile(file, 'ASN CSV')).toString('utf8'), family, file) : undefined;
  return Promise.all([load(ipv4File, 4), load(ipv6File, 6)]);
}

/** An IpDatabase over ASN range tables; `form` says where they came from (shown in the description). */
export function asnRangeDatabase(
  v4: RangeTable | undefined,
  v6: RangeTable | undefined,
  path: string,
  form: string,
): IpDatabase<AsInfo> {
  return {
    path,
    description: `ASN ranges (${form}, ${v4?.size ?? 0} IPv4 and ${v6?.size ?? 0} IPv6)`,
    lookupIpv4: (ip) => v4?.lookupIpv4(ip),
    lookupIpv6: (bytes) => v6?.lookupIpv6(bytes),
    ipv4Value: (id) => v4?.info(id),
    ipv4Ranges: () =>
      v4?.ipv4Ranges() ?? {
        count: 0,
        starts: new Uint32Array(0),
        ends: new Uint32Array(0),
        ids: new Uint32Array(0),
        value: () => undefined,
      },
  };
}
