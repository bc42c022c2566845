/**
 * Which flows a query reads: those overlapping a time range and matching an optional filter,
 * as one WHERE condition. The filter arrives as text (parsed here, so a syntax error surfaces as
 * FilterSyntaxError with its column) or as an already parsed tree.
 */
import { compileFilter, type FilterExpr, parseFilter } from '../filter/index.js';
import type { StoreParam } from '../store.js';
import type { TimeRange } from './range.js';
import { ident, type Sql, sql, timestamp } from './sql.js';

/** A filter as text or parsed; empty text means "every flow". */
export type FilterInput = string | FilterExpr | undefined;

/** Parses filter text; undefined for an empty filter. Throws FilterSyntaxError. */
export function toFilterExpr(filter: FilterInput): FilterExpr | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'string') return filter;
  return filter.trim() === '' ? undefined : parseFilter(filter);
}

/** `first_ts < to AND last_ts >= from`: the flow overlaps [from, to). */
export function overlaps(range: TimeRange): Sql {
  return sql`first_ts < ${timestamp(range.to)} AND last_ts >= ${timestamp(range.from)}`;
}

/** The filter as a parenthesised condition, or undefined when it selects every flow. */
export function filterCondition(filter: FilterInput): Sql | undefined {
  const expr = toFilterExpr(filter);
  if (expr === undefined) return undefined;
  const compiled = compileFilter(expr);
  return sql`(${ident(compiled.sql, compiled.params as StoreParam[])})`;
}

/** The WHERE condition (without the keyword) for flows in `range` matching `filter`. */
export function selection(range: TimeRange, filter: FilterInput): Sql {
  const condition = filterCondition(filter);
  return condition === undefined ? overlaps(range) : sql`${overlaps(range)} AND ${condition}`;
}
