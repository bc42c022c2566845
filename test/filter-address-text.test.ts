/**
 * `host` and `net` filters compare the canonical text columns (src_ip, dst_ip) where the text can
 * say it exactly (one address, an IPv4 network of /8, /16, /24 or /32) and the 128-bit address
 * columns otherwise. On a real store filled from corpus captures (IPv4, IPv6, IPv4-mapped
 * addresses through Teredo), every such filter must count exactly the flows that the address
 * columns' own range test counts, written here independently of the compiler.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToBigInt, cidrRange, parseIpAddress } from '../src/model/index.js';
import { compileFilter, parseFilter } from '../src/store/filter/index.js';
import { createDuckDbStore, type FlowStore } from '../src/store/index.js';
import { corpusAvailable } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';

const FILES = ['bulk_mixed_apps_1kxun.pcap', 'encap_teredo_mixed.pcap', 'lt_null_loopback_quic.pcap'];

let built: QueryStore;
let store: FlowStore;

beforeAll(async () => {
  if (!corpusAvailable) return;
  built = await buildQueryStore(FILES);
  store = createDuckDbStore({ dataDir: built.dataDir });
  await store.start();
}, 120_000);

afterAll(async () => {
  await store?.stop();
  if (built) rmSync(built.dataDir, { recursive: true, force: true });
});

async function count(where: string, params: unknown[]): Promise<number> {
  const [row] = await store.query<{ n: bigint | number }>(
    `SELECT count(*) AS n FROM flows WHERE ${where}`,
    params as string[],
  );
  return Number(row.n);
}

/** The address columns' test, built from the value alone (no filter compiler). */
function reference(dir: 'src' | 'dst' | 'any', value: string): { where: string; params: string[] } {
  const [address, prefix] = value.split('/');
  const bytes = parseIpAddress(address) as Uint8Array;
  const { lo, hi } =
    prefix === undefined
      ? { lo: addressToBigInt(bytes), hi: addressToBigInt(bytes) }
      : cidrRange({ bytes, prefix: Number(prefix) });
  const test = (column: string) => `${column} BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT)`;
  const columns = dir === 'src' ? ['src_addr'] : dir === 'dst' ? ['dst_addr'] : ['src_addr', 'dst_addr'];
  return {
    where: `(${columns.map(test).join(' OR ')})`,
    params: columns.flatMap(() => [lo.toString(), hi.toString()]),
  };
}

describe.skipIf(!corpusAvailable)('host and net filters on the text columns', () => {
  it('count exactly what the address columns count, for addresses, networks and mapped forms', async () => {
    const addresses = [...new Set(built.flows.flatMap((f) => [f.srcIp, f.dstIp]))].sort();
    const ipv4 = addresses.filter((a) => !a.includes(':'));
    const ipv6 = addresses.filter((a) => a.includes(':'));
    expect(ipv4.length).toBeGreaterThan(20);
    expect(ipv6.length).toBeGreaterThan(2);
    const values = new Set<string>();
    for (const a of [...ipv4.slice(0, 40), ...ipv4.slice(-10)]) {
      const octets = a.split('.');
      values.add(a);
      values.add(`::ffff:${a}`);
      values.add(`${octets.slice(0, 3).join('.')}.0/24`);
      values.add(`${octets.slice(0, 2).join('.')}.0.0/16`);
      values.add(`${octets[0]}.0.0.0/8`);
      values.add(`${a}/32`);
      values.add(`${octets.slice(0, 2).join('.')}.0.0/20`); // not octet-aligned: address columns
      values.add(`::ffff:${octets.slice(0, 3).join('.')}.0/120`);
    }
    for (const a of ipv6) {
      values.add(a);
      values.add(`${a}/128`);
    }
    let matched = 0;
    for (const value of values) {
      const field = value.includes('/') ? 'net' : 'host';
      for (const dir of ['src', 'dst', 'any'] as const) {
        const text = `${dir === 'any' ? '' : `${dir} `}${field} ${value}`;
        const compiled = compileFilter(parseFilter(text));
        const expected = reference(dir, value);
        const got = await count(compiled.sql, compiled.params);
        expect(got, text).toBe(await count(expected.where, expected.params));
        const negated = compileFilter(parseFilter(`not ${text}`));
        expect(await count(negated.sql, negated.params), `not ${text}`).toBe(built.flows.length - got);
        if (got > 0) matched++;
      }
    }
    // The values were taken from the store: most of them match something.
    expect(matched).toBeGreaterThan(values.size);
  }, 120_000);

  it('uses the text columns for addresses and octet-aligned IPv4 networks only', () => {
    const sql = (text: string) => compileFilter(parseFilter(text)).sql;
    expect(sql('src host 10.0.0.1')).toBe('src_ip IN (?, ?)');
    expect(sql('host 2001:db8::1')).toBe('(src_ip = ? OR dst_ip = ?)');
    expect(sql('dst net 10.1.0.0/16')).toBe('(starts_with(dst_ip, ?) OR starts_with(dst_ip, ?))');
    expect(compileFilter(parseFilter('dst net 10.1.0.0/16')).params).toEqual(['10.1.', '::ffff:10.1.']);
    expect(sql('dst net 10.1.0.0/20')).toBe('dst_addr BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT)');
    expect(sql('src net 2001:db8::/32')).toBe('src_addr BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT)');
  });
});
