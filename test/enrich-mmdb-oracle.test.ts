/**
 * The MMDB reader against libmaxminddb's `mmdblookup` (Debian mmdb-bin) on the same files: the
 * bundled country database, and City/ASN-shaped databases written by the test writer with every
 * data type, each record size, IPv4 and IPv6 trees, and pointers of every size. For random and
 * edge addresses (network boundaries and their neighbours, both ends of the address space), the
 * decoded record and the prefix length must equal mmdblookup's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledCountryDatabase } from '../src/enrich/geoip/index.js';
import { createMmdbReader, type MmdbReader, type MmdbValue } from '../src/enrich/mmdb/index.js';
import { type WriterValue, writeMmdb } from '../src/enrich/mmdb/testing/mmdb-writer.js';
import { formatIpv4, formatIpv6, parseIpAddress } from '../src/model/index.js';
import { run, toolsAvailable } from './support/run.js';

const HAVE_TOOL = toolsAvailable(['mmdblookup']);
const SEED = Number(process.env.FLOWLENS_TEST_SEED ?? 20260617);

/** xorshift32: reproducible addresses (FLOWLENS_TEST_SEED picks another sample). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

type Plain = null | string | number | boolean | Plain[] | { [key: string]: Plain };

/** Our decoded value in mmdblookup's terms: big integers as decimal text, bytes as upper-case hex. */
function plain(value: MmdbValue): Plain {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex').toUpperCase();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Parses mmdblookup's annotated output (`"GB" <utf8_string>`, `{ "key": value … }`). */
function parseMmdblookup(text: string): { value: Plain; prefix?: number } {
  const prefixMatch = /Record prefix length: (\d+)/.exec(text);
  const body = text.slice(text.indexOf('\n  {') >= 0 ? text.indexOf('\n  {') : 0);
  const tokens = [...body.matchAll(/(\{|\}|\[|\])|"([^"]*)":|("[^"]*"|\S+) <(\w+)>/g)];
  let i = 0;
  const value = (): Plain => {
    const t = tokens[i++];
    if (t[1] === '{') {
      const map: { [key: string]: Plain } = {};
      while (tokens[i][1] !== '}') {
        const key = tokens[i++][2];
        map[key] = value();
      }
      i++;
      return map;
    }
    if (t[1] === '[') {
      const list: Plain[] = [];
      while (tokens[i][1] !== ']') list.push(value());
      i++;
      return list;
    }
    const [raw, type] = [t[3], t[4]];
    switch (type) {
      case 'utf8_string':
        return raw.slice(1, -1);
      case 'boolean':
        return raw === 'true';
      case 'bytes':
        return raw.toUpperCase();
      case 'uint128':
      case 'uint64': {
        const big = BigInt(raw);
        return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
      }
      default:
        return Number(raw);
    }
  };
  return { value: value(), prefix: prefixMatch ? Number(prefixMatch[1]) : undefined };
}

/** Equal, with doubles and floats compared to mmdblookup's 6 printed decimals. */
function expectSame(ours: Plain, theirs: Plain, where: string): void {
  if (typeof ours === 'number' && typeof theirs === 'number' && !Number.isInteger(ours)) {
    expect(Math.abs(ours - theirs), where).toBeLessThanOrEqual(5e-7 * Math.max(1, Math.abs(ours)));
    return;
  }
  if (ours && theirs && typeof ours === 'object' && typeof theirs === 'object') {
    expect(Object.keys(ours), where).toEqual(Object.keys(theirs));
    for (const key of Object.keys(ours)) {
      expectSame(
        (ours as Record<string, Plain>)[key],
        (theirs as Record<string, Plain>)[key],
        `${where}.${key}`,
      );
    }
    return;
  }
  expect(ours, where).toEqual(theirs);
}

function ourLookup(reader: MmdbReader, ip: string): { value: Plain; prefix?: number } {
  const bytes = parseIpAddress(ip) as Uint8Array;
  const offset =
    bytes.length === 4
      ? reader.lookupIpv4(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0)
      : reader.lookupIpv6(bytes);
  return offset < 0 ? { value: null } : { value: plain(reader.decode(offset)), prefix: reader.prefixLength };
}

async function theirLookup(file: string, ip: string): Promise<{ value: Plain; prefix?: number }> {
  const result = await run('mmdblookup', ['--file', file, '--ip', ip, '--verbose']);
  if (/Could not find an entry/.test(result.stdout + result.stderr)) return { value: null };
  if (result.code !== 0) throw new Error(`mmdblookup ${ip}: ${result.stderr}`);
  return parseMmdblookup(result.stdout);
}

/** Random addresses plus, for each one found, the first/last address of its network and both neighbours. */
function addresses(reader: MmdbReader, count: number, family: 4 | 6, next: () => number): string[] {
  const out = new Set<string>(
    family === 4
      ? ['0.0.0.0', '255.255.255.255', '1.0.0.0', '223.255.255.255']
      : ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2000::', '2001:218::1', '2a00::'],
  );
  for (let k = 0; k < count; k++) {
    const bytes = new Uint8Array(family === 4 ? 4 : 16);
    for (let i = 0; i < bytes.length; i += 4) new DataView(bytes.buffer).setUint32(i, next());
    // Most IPv6 data sits in 2000::/3.
    if (family === 6 && k % 4 !== 0) bytes[0] = 0x20 | (bytes[0] & 0x1f);
    const text = family === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0);
    out.add(text);
    const found = ourLookup(reader, text);
    if (found.value === null || found.prefix === undefined) continue;
    const bits = family === 4 ? 32 : 128;
    const hostBits = BigInt(
      bits - (family === 4 ? found.prefix - (reader.metadata.ipVersion === 6 ? 96 : 0) : found.prefix),
    );
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    const first = (n >> hostBits) << hostBits;
    const last = first | ((1n << hostBits) - 1n);
    const max = (1n << BigInt(bits)) - 1n;
    for (const v of [first, last, first - 1n, last + 1n]) {
      if (v < 0n || v > max) continue;
      const b = new Uint8Array(bits / 8);
      for (let i = b.length - 1, x = v; i >= 0; i--, x >>= 8n) b[i] = Number(x & 0xffn);
      out.add(family === 4 ? formatIpv4(b, 0) : formatIpv6(b, 0));
    }
  }
  return [...out];
}

async function compareAll(file: string, ips: string[]): Promise<void> {
  const reader = createMmdbReader(readFileSync(file), file);
  for (let i = 0; i < ips.length; i += 8) {
    const batch = ips.slice(i, i + 8);
    const theirs = await Promise.all(batch.map((ip) => theirLookup(file, ip)));
    batch.forEach((ip, k) => {
      const ours = ourLookup(reader, ip);
      expectSame(ours.value, theirs[k].value, ip);
      if (theirs[k].value !== null) expect(ours.prefix, `${ip} prefix`).toBe(theirs[k].prefix);
    });
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-mmdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CITY_RECORD = (city: string, country: string, lat: number, lon: number): WriterValue => ({
  city: { geoname_id: 2643743, names: { en: city, de: city, 'zh-CN': '城市' } },
  country: { geoname_id: 2635167, iso_code: country, names: { en: country } },
  location: {
    accuracy_radius: { $type: 'uint16', value: 50 },
    latitude: { $type: 'double', value: lat },
    longitude: { $type: 'double', value: lon },
    time_zone: 'Europe/London',
  },
  subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
  traits: {
    is_anycast: false,
    big: { $type: 'uint64', value: 1n << 60n },
    huge: { $type: 'uint128', value: (1n << 100n) + 7n },
  },
  extra: {
    i: { $type: 'int32', value: -123456 },
    f: { $type: 'float', value: 1.5 },
    raw: { $type: 'bytes', value: new Uint8Array([0, 1, 254, 255]) },
  },
});

function testDatabase(ipVersion: 4 | 6, recordSize: 24 | 28 | 32, padding: number): string {
  const entries: { cidr: string; value: WriterValue }[] = [
    { cidr: '81.2.69.0/24', value: CITY_RECORD('London', 'GB', 51.5142, -0.0931) },
    { cidr: '89.160.20.112/28', value: CITY_RECORD('Linköping', 'SE', 58.4167, 15.6167) },
    {
      cidr: '1.0.0.0/8',
      value: { autonomous_system_number: 13335, autonomous_system_organization: 'Cloudflare, Inc.' },
    },
    { cidr: '216.160.83.56/29', value: CITY_RECORD('Milton', 'US', 47.2513, -122.3149) },
    { cidr: '0.0.0.0/32', value: { edge: 'first' } },
    { cidr: '255.255.255.255/32', value: { edge: 'last' } },
  ];
  if (ipVersion === 6) {
    entries.push(
      { cidr: '2001:218::/32', value: CITY_RECORD('Tokyo', 'JP', 35.69, 139.69) },
      {
        cidr: '2a02:cf40::/29',
        value: { autonomous_system_number: 62336, autonomous_system_organization: 'PURtel.com GmbH' },
      },
      { cidr: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', value: { edge: 'v6 last' } },
    );
  }
  const file = path.join(dir, `test-v${ipVersion}-${recordSize}-${padding}.mmdb`);
  writeFileSync(file, writeMmdb({ ipVersion, recordSize, databaseType: 'GeoIP2-City', entries, padding }));
  return file;
}

describe.skipIf(!HAVE_TOOL)('MMDB reader = mmdblookup', () => {
  it('bundled country database: random and edge IPv4 addresses', { timeout: 120_000 }, async () => {
    const file = bundledCountryDatabase();
    const reader = createMmdbReader(readFileSync(file), file);
    await compareAll(file, addresses(reader, 120, 4, random(SEED)));
  });

  it('bundled country database: random and edge IPv6 addresses', { timeout: 120_000 }, async () => {
    const file = bundledCountryDatabase();
    const reader = createMmdbReader(readFileSync(file), file);
    await compareAll(file, addresses(reader, 120, 6, random(SEED + 1)));
  });

  for (const [ipVersion, recordSize, padding] of [
    [6, 24, 0],
    [6, 28, 3000],
    [6, 32, 600_000],
    [4, 24, 0],
    [4, 28, 0],
    [4, 32, 3000],
  ] as const) {
    it(`City/ASN-shaped test database: IPv${ipVersion} tree, ${recordSize}-bit records, ${padding} bytes padding`, {
      timeout: 60_000,
    }, async () => {
      const file = testDatabase(ipVersion, recordSize, padding);
      const reader = createMmdbReader(readFileSync(file), file);
      const ips = [
        '81.2.69.160',
        '81.2.69.0',
        '81.2.68.255',
        '89.160.20.112',
        '89.160.20.127',
        '89.160.20.128',
        '1.1.1.1',
        '216.160.83.60',
        '0.0.0.0',
        '255.255.255.255',
        ...addresses(reader, 20, 4, random(SEED + recordSize)),
      ];
      if (ipVersion === 6)
        ips.push(
          '2001:218::1',
          '2001:219::',
          '2a02:cf47:ffff::1',
          'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
          '::ffff:81.2.69.1',
        );
      await compareAll(file, ips);
      const london = ourLookup(reader, '81.2.69.160').value as Record<string, Plain>;
      expect((london.city as Record<string, Plain>).names).toEqual({
        en: 'London',
        de: 'London',
        'zh-CN': '城市',
      });
    });
  }
});
