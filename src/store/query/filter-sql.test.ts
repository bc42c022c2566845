import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterExpr, Predicate } from '../filter/ast.js';
import { FIELDS } from '../filter/fields.js';
import { compileFilter, parseFilter } from '../filter/index.js';
import { filterExpr, NASTY_STRINGS, stringValue } from '../filter/test-arbitraries.js';

const MAPPED = 0xffffn << 32n;
const ip4 = (a: number, b: number, c: number, d: number) =>
  (MAPPED | BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d)).toString();
const ADDR = 'CAST(? AS UHUGEINT)';

const sqlOf = (text: string) => compileFilter(parseFilter(text));

describe('compileFilter', () => {
  it.each<[string, string, unknown[]]>([
    // One address and octet-aligned IPv4 networks compare the canonical text columns (an IPv4
    // address is also stored IPv4-mapped); test/filter-address-text.test.ts shows on a real store
    // that they count exactly what the address columns count.
    [
      'src host 10.0.0.1 and dst port 443',
      '(src_ip IN (?, ?) AND dst_port = ?)',
      ['10.0.0.1', '::ffff:10.0.0.1', 443],
    ],
    [
      'host 10.0.0.1',
      '(src_ip IN (?, ?) OR dst_ip IN (?, ?))',
      ['10.0.0.1', '::ffff:10.0.0.1', '10.0.0.1', '::ffff:10.0.0.1'],
    ],
    ['dst host ::1', 'dst_ip = ?', ['::1']],
    [
      'net 192.168.0.0/16',
      '((starts_with(src_ip, ?) OR starts_with(src_ip, ?)) OR (starts_with(dst_ip, ?) OR starts_with(dst_ip, ?)))',
      ['192.168.', '::ffff:192.168.', '192.168.', '::ffff:192.168.'],
    ],
    [
      'net 192.168.0.0/20',
      `(src_addr BETWEEN ${ADDR} AND ${ADDR} OR dst_addr BETWEEN ${ADDR} AND ${ADDR})`,
      [ip4(192, 168, 0, 0), ip4(192, 168, 15, 255), ip4(192, 168, 0, 0), ip4(192, 168, 15, 255)],
    ],
    [
      'dst net fe80::/10',
      `dst_addr BETWEEN ${ADDR} AND ${ADDR}`,
      [(0xfe80n << 112n).toString(), ((0xfe80n << 112n) | ((1n << 118n) - 1n)).toString()],
    ],
    ['proto udp and not port 53', '(protocol = ? AND NOT (src_port = ? OR dst_port = ?))', [17, 53, 53]],
    ['port != 80', 'NOT (src_port = ? OR dst_port = ?)', [80, 80]],
    ['vlan != 10', 'NOT (vlan = ?)', [10]],
    ['bytes > 1M', 'bytes > ?', [1_000_000]],
    ['packets >= 10', 'packets >= ?', [10]],
    ['src port 1024-65535', 'src_port BETWEEN ? AND ?', [1024, 65535]],
    ['duration > 5s', "date_diff('microsecond', first_ts, last_ts) > ?", [5_000_000]],
    ['sni ~ "Example"', 'coalesce(position(lower(?) IN lower(sni)) > 0, false)', ['Example']],
    ['sni = "a.example.com"', 'coalesce(sni = ?, false)', ['a.example.com']],
    ['app tls', 'coalesce(application = ?, false)', ['tls']],
    ['state SF', 'state = ?', ['SF']],
    ['source netflow', 'source_kind = ?', ['netflow']],
    ['country RU', '(coalesce(src_country = ?, false) OR coalesce(dst_country = ?, false))', ['RU', 'RU']],
    ['not dst country RU', 'NOT (coalesce(dst_country = ?, false))', ['RU']],
    ['asn 15169', '(coalesce(src_asn = ?, false) OR coalesce(dst_asn = ?, false))', [15169, 15169]],
    ['tag botnet', 'coalesce(list_contains(threat_tags, ?), false)', ['botnet']],
    ['threat', 'coalesce(len(threat_tags) > 0, false)', []],
    ['dns ~ "x"', 'coalesce(position(lower(?) IN lower(dns_name)) > 0, false)', ['x']],
    ['http_host "x.com"', 'coalesce(http_host = ?, false)', ['x.com']],
    ['exporter 10.1.1.1', 'coalesce(exporter IN (?, ?), false)', ['10.1.1.1', '::ffff:10.1.1.1']],
    ['exporter 2001:DB8::1', 'coalesce(exporter = ?, false)', ['2001:db8::1']],
    ['flags SA', '(tcp_flags & ?) = ?', [0x12, 0x12]],
    ['ip6', 'ip_version = ?', [6]],
    [
      'tcp and (port 80 or port 443)',
      '(protocol = ? AND ((src_port = ? OR dst_port = ?) OR (src_port = ? OR dst_port = ?)))',
      [6, 80, 80, 443, 443],
    ],
    ['not (tcp or udp)', 'NOT (protocol = ? OR protocol = ?)', [6, 17]],
  ])('%s', (text, sql, params) => {
    expect(sqlOf(text)).toEqual({ sql, params });
  });
});

/** Identifiers the compiler may emit: catalogue columns and a fixed SQL vocabulary. */
const ALLOWED_WORDS = new Set([
  ...FIELDS.flatMap((f): readonly string[] => [...f.columns, ...('textColumns' in f ? f.textColumns : [])]),
  ...[
    'AND',
    'OR',
    'NOT',
    'IN',
    'BETWEEN',
    'CAST',
    'AS',
    'UHUGEINT',
    'coalesce',
    'false',
    'lower',
    'position',
    'starts_with',
  ],
  ...['list_contains', 'len', 'date_diff', 'microsecond'],
]);

function withStrings(expr: FilterExpr, replace: (value: string) => string): FilterExpr {
  switch (expr.kind) {
    case 'predicate': {
      if (expr.value?.type !== 'string') return expr;
      return { ...expr, value: { type: 'string', value: replace(expr.value.value) } } satisfies Predicate;
    }
    case 'not':
      return { kind: 'not', arg: withStrings(expr.arg, replace) };
    default:
      return { kind: expr.kind, args: expr.args.map((a) => withStrings(a, replace)) };
  }
}

describe('compileFilter properties', () => {
  it('emits only catalogue columns and fixed SQL words, one ? per parameter', () => {
    fc.assert(
      fc.property(filterExpr, (tree) => {
        const { sql, params } = compileFilter(tree);
        for (const word of sql.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) expect(ALLOWED_WORDS).toContain(word);
        expect(sql.replace(/'microsecond'/g, '')).not.toMatch(/['"`;\\]|--/);
        expect(sql.split('?').length - 1).toBe(params.length);
        for (const p of params) expect(['string', 'number']).toContain(typeof p);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps string values out of the SQL text: the SQL does not depend on them', () => {
    fc.assert(
      fc.property(filterExpr, stringValue, (tree, value) => {
        const withValue = compileFilter(withStrings(tree, () => value));
        const placeholder = compileFilter(withStrings(tree, () => 'x'));
        expect(withValue.sql).toBe(placeholder.sql);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(NASTY_STRINGS)('passes %j through parse and print as a parameter only', (value) => {
    for (const field of ['sni', 'app', 'dns', 'tag', 'as_name']) {
      const tree: FilterExpr = {
        kind: 'predicate',
        field: field as 'sni',
        dir: 'any',
        op: '=',
        value: { type: 'string', value },
      };
      const { sql, params } = compileFilter(tree);
      expect(params).toContain(value);
      if (value.length > 2) expect(sql).not.toContain(value);
    }
    const { sql, params } = sqlOf(`sni ~ "${value.replace(/[\\"]/g, '\\$&')}"`);
    expect(params).toEqual([value]);
    expect(sql).toBe('coalesce(position(lower(?) IN lower(sni)) > 0, false)');
  });
});
