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

/** The `flows` columns a predicate reads: one side of a two-sided field, or both for `any`. */
function predicateColumns(p: Predicate): readonly string[] {
  const spec = fieldSpec(p.field);
  if (!spec.sided || p.dir === 'any') return spec.columns;
  return p.dir === 'src' ? [spec.columns[0]] : [spec.columns[1]];
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
  const columns =
    !spec.sided || p.dir === 'src' ? [spec.columns[0]] : p.dir === 'dst' ? [spec.columns[1]] : spec.columns;
  const op = p.op === '!=' ? '=' : p.op;
  const parts = columns.map((column) => {
    const test = leaf(spec, column, op, p.value, params);
    return spec.nullable ? `coalesce(${test}, false)` : test;
  });
  const sql = parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
  return p.op === '!=' ? `NOT ${wrap(sql)}` : sql;
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
