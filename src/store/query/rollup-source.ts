/**
 * Answers from the time rollups (store/rollups.ts) when they fit: a range's flows, as rows
 * `(<key columns>, flows, packets, bytes, t)` where a raw flow is one row with `flows = 1` and
 * `t = first_ts`, and a rollup row carries its bucket's sums with `t = bucket`.
 *
 * A flow belongs to [from, to) when `first_ts < to AND last_ts >= from` (range.ts). The relation
 * splits that set by `first_ts`, disjointly: flows that began before `from` and still ran at it
 * (raw), and [from, to) cut into whole buckets of the coarsest levels that fit, with raw flows
 * for the unaligned edges (each shorter than a minute). Sums over it therefore equal the same
 * sums over raw flows exactly, given `last_ts >= first_ts` (true of every FlowRecord).
 *
 * It applies only when every column the query reads, the filter's included, is a rollup column;
 * otherwise `rollupRelation` returns undefined and the caller reads raw flows.
 */
import type { FilterExpr } from '../filter/index.js';
import { isRollupColumn, ROLLUP_LEVELS, type RollupLevel } from '../rollups.js';
import type { StoreParam } from '../store.js';
import { compileFilter, filterColumns } from './filter-sql.js';
import type { TimeRange } from './range.js';
import { ident, join, type Sql, sql, timestamp } from './sql.js';

export interface Segment {
  /** undefined: raw flows whose first_ts is in [from, to). */
  level: RollupLevel | undefined;
  from: number;
  to: number;
}

/** [from, to) as raw edges and whole buckets, coarsest levels in the middle. */
export function segments(from: number, to: number, levels: readonly RollupLevel[]): Segment[] {
  if (!(from < to)) return [];
  if (levels.length === 0) return [{ level: undefined, from, to }];
  const level = levels[levels.length - 1];
  const finer = levels.slice(0, -1);
  const start = Math.ceil(from / level.seconds) * level.seconds;
  const end = Math.floor(to / level.seconds) * level.seconds;
  if (!(start < end)) return segments(from, to, finer);
  return [...segments(from, start, finer), { level, from: start, to: end }, ...segments(end, to, finer)];
}

export interface RollupQuery {
  range: TimeRange;
  filter: FilterExpr | undefined;
  /** `flows` columns the query reads besides the counters. */
  columns: readonly string[];
  /** Only levels whose size divides this many seconds (a series' bucket). */
  divides?: number;
}

/** The relation over rollups and raw flows, or undefined when the rollups cannot answer. */
export function rollupRelation(query: RollupQuery): Sql | undefined {
  const read = new Set(query.columns);
  if (query.filter !== undefined) filterColumns(query.filter, read);
  for (const column of read) if (!isRollupColumn(column)) return undefined;
  const { divides } = query;
  const levels = ROLLUP_LEVELS.filter((l) => divides === undefined || divides % l.seconds === 0);
  const { from, to } = query.range;
  const parts = segments(from, to, levels);
  if (!parts.some((part) => part.level !== undefined)) return undefined;

  const compiled = query.filter === undefined ? undefined : compileFilter(query.filter);
  const filter =
    compiled === undefined ? ident('') : sql` AND (${ident(compiled.sql, compiled.params as StoreParam[])})`;
  const keys = query.columns.length === 0 ? '' : `${query.columns.join(', ')}, `;
  const raw = (condition: Sql) =>
    sql`SELECT ${ident(keys)}1 AS flows, CAST(packets AS BIGINT) AS packets, CAST(bytes AS BIGINT) AS bytes, first_ts AS t
FROM flows WHERE ${condition}${filter}`;
  const branches: Sql[] = [raw(sql`first_ts < ${timestamp(from)} AND last_ts >= ${timestamp(from)}`)];
  for (const part of parts) {
    if (part.level === undefined) {
      branches.push(raw(sql`first_ts >= ${timestamp(part.from)} AND first_ts < ${timestamp(part.to)}`));
    } else {
      branches.push(sql`SELECT ${ident(keys)}flows, packets, bytes, bucket AS t
FROM ${ident(part.level.table)} WHERE bucket >= ${timestamp(part.from)} AND bucket < ${timestamp(part.to)}${filter}`);
    }
  }
  return join(branches, '\nUNION ALL ');
}
