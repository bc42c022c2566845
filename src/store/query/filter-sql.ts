/**
 * Compiles a FilterExpr into a SQL boolean expression over the `flows` table, for a WHERE clause.
 * Contract: identifiers come only from the field catalogue and every value travels as a `?`
 * positional parameter, so user text never reaches the SQL string. Each predicate is two-valued
 * (NULL columns compare false), which keeps `not` meaning "everything else". Dialect: DuckDB,
 * kept to ANSI forms except `list_contains`, `len`, `date_diff` and the UHUGEINT cast.
 *
 * Addresses are bound as decimal strings and cast in SQL: the DuckDB Node client binds a JS
 * bigint as a signed HUGEINT, which cannot hold addresses at or above 2^127 (fc00::/7, fe80::/10).
 */
import { addressToBigInt, cidrRange, formatIpv4, formatIpv6 } from '../../model/index.js';
import type { FilterExpr, FilterValue, Predicate } from '../filter/ast.js';
import { type FieldSpec, fieldSpec } from '../filter/fields.js';

export interface CompiledFilter {
  /** A parenthesised-as-needed boolean expression with `?` placeholders. */
  sql: string;
  /** Values for the placeholders, in order: strings and numbers only. */
  params: unknown[];
}

const ADDRESS = 'CAST(? AS UHUGEINT)';
const DURATION = "date_diff('microsecond', first_ts, last_ts)";

export function compileFilter(expr: FilterExpr): CompiledFilter {
  const params: unknown[] = [];
  const sql = compile(expr, params);
  return { sql, params };
}

function compile(expr: FilterExpr, params: unknown[]): string {
  switch (expr.kind) {
    case 'and':
      return `(${expr.args.map((a) => compile(a, params)).join(' AND ')})`;
    case 'or':
      return `(${expr.args.map((a) => compile(a, params)).join(' OR ')})`;
    case 'not':
      return `NOT ${wrap(compile(expr.arg, params))}`;
    case 'predicate':
      return compilePredicate(expr, params);
  }
}

/**
 * The `flows` columns a predicate may read: one side of a two-sided field, or both for `any`,
 * with their text forms (which one a value compares depends on the value).
 */
function predicateColumns(p: Predicate): readonly string[] {
  const spec = fieldSpec(p.field);
  const sides = !spec.sided || p.dir === 'any' ? [0, 1] : p.dir === 'src' ? [0] : [1];
  return sides.flatMap((i) => [spec.columns[i], spec.textColumns?.[i]]).filter((c) => c !== undefined);
}

/** Every `flows` column the compiled filter reads. */
export function filterColumns(expr: FilterExpr, into = new Set<string>()): Set<string> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const arg of expr.args) filterColumns(arg, into);
      break;
    case 'not':
      filterColumns(expr.arg, into);
      break;
    case 'predicate':
      for (const column of predicateColumns(expr)) into.add(column);
  }
  return into;
}

/** `field != v` is `not field = v`: for two-sided fields, "neither side is v". */
function compilePredicate(p: Predicate, params: unknown[]): string {
  const spec = fieldSpec(p.field);
  const sides = !spec.sided || p.dir === 'src' ? [0] : p.dir === 'dst' ? [1] : [0, 1];
  const op = p.op === '!=' ? '=' : p.op;
  const parts = sides.map((side) => {
    const column = spec.columns[side];
    const textColumn = spec.textColumns?.[side];
    const test =
      (textColumn !== undefined && textAddressTest(textColumn, p.value, params)) ||
      leaf(spec, column, op, p.value, params);
    return spec.nullable ? `coalesce(${test}, false)` : test;
  });
  const sql = parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
  return p.op === '!=' ? `NOT ${wrap(sql)}` : sql;
}

/** The IPv4 address inside `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), or undefined. */
function mappedIpv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  return bytes.subarray(12);
}

/**
 * The same test as the 128-bit address column's, on its canonical text column, when the text can
 * say it exactly: one address (an IPv4 address is also stored IPv4-mapped, `::ffff:a.b.c.d`), or
 * an IPv4 network of /8, /16, /24 or /32 (a dotted prefix ending in '.'). Undefined otherwise:
 * then the address column's range test applies.
 */
function textAddressTest(column: string, value: FilterValue | null, params: unknown[]): string | undefined {
  if (value === null) return undefined;
  let bytes: Uint8Array;
  let prefix: number;
  if (value.type === 'ip') {
    bytes = value.bytes;
    prefix = bytes.length * 8;
  } else if (value.type === 'cidr') {
    bytes = value.bytes;
    prefix = value.prefix;
  } else return undefined;
  const ipv4 = bytes.length === 4 ? bytes : mappedIpv4(bytes);
  if (ipv4 === undefined) {
    if (prefix !== 128) return undefined;
    params.push(formatIpv6(bytes, 0));
    return `${column} = ?`;
  }
  const bits = bytes.length === 4 ? prefix : prefix - 96;
  if (bits === 32) {
    const text = formatIpv4(ipv4, 0);
    params.push(text, `::ffff:${text}`);
    return `${column} IN (?, ?)`;
  }
  if (bits !== 8 && bits !== 16 && bits !== 24) return undefined;
  const dotted = `${[...ipv4.subarray(0, bits / 8)].join('.')}.`;
  params.push(dotted, `::ffff:${dotted}`);
  return `(starts_with(${column}, ?) OR starts_with(${column}, ?))`;
}

/** Parenthesises `sql` unless one pair of parentheses already encloses all of it. */
function wrap(sql: string): string {
  if (sql.startsWith('(')) {
    let depth = 0;
    for (let i = 0; i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')' && --depth === 0) {
        if (i === sql.length - 1) return sql;
        break;
      }
    }
  }
  return `(${sql})`;
}

/** The test for one column; `op` is never `!=` here. */
function leaf(
  spec: FieldSpec,
  column: string,
  op: string,
  value: FilterValue | null,
  params: unknown[],
): string {
  const target = spec.kind === 'duration' ? DURATION : column;
  if (value === null) return `len(${column}) > 0`;
  switch (value.type) {
    case 'ip': {
      if (spec.textAddress) {
        if (value.bytes.length === 4) {
          const text = formatIpv4(value.bytes, 0);
          params.push(text, `::ffff:${text}`);
          return `${column} IN (?, ?)`;
        }
        params.push(formatIpv6(value.bytes, 0));
        return `${column} = ?`;
      }
      params.push(addressToBigInt(value.bytes).toString());
      return `${column} = ${ADDRESS}`;
    }
    case 'cidr': {
      const { lo, hi } = cidrRange(value);
      params.push(lo.toString(), hi.toString());
      return `${column} BETWEEN ${ADDRESS} AND ${ADDRESS}`;
    }
    case 'range':
      params.push(value.lo, value.hi);
      return `${target} BETWEEN ? AND ?`;
    case 'number':
      params.push(value.value);
      return `${target} ${op} ?`;
    case 'string':
      params.push(value.value);
      if (spec.kind === 'tag') return `list_contains(${column}, ?)`;
      return op === '~' ? `position(lower(?) IN lower(${column})) > 0` : `${column} = ?`;
    case 'enum':
      params.push(value.value);
      return `${column} = ?`;
    case 'flags':
      params.push(value.mask, value.mask);
      return `(${column} & ?) = ?`;
  }
}
