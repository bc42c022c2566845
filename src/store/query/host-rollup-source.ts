/**
 * Answers unfiltered top-N by address (`src_ip`, `dst_ip`, `host`) from the daily address rollup
 * (store/rollups.ts, HOST_ROLLUP) when a range spans enough of a day.
 *
 * A flow belongs to [from, to) when `first_ts < to AND last_ts >= from` (range.ts). Those that
 * began before `from` are read raw; the rest split by the day of their `first_ts`. A day the
 * range covers whole is read from the rollup. A day it covers in part is read raw when the part
 * is at most half the day; otherwise as the day's rollup rows minus the raw flows of the day
 * outside the range, with negated counters. Sums per address therefore equal the raw sums
 * exactly, and an address whose flows all lie outside the range sums to zero flows, which the
 * caller drops (`HAVING sum(flows) > 0`). At most one day's worth of flows is read raw.
 *
 * When the rollup days a range reads are more than the stored days it leaves out, they are read
 * instead as the address totals (HOST_TOTALS: every day summed) minus the rollup rows of every
 * day before and after them, again exactly. Which way is taken depends on the stored days read
 * just before (`rollupDays`); the answer does not, since the subtraction is unbounded.
 */
import { HOST_DIMENSION_SIDES, HOST_ROLLUP, HOST_TOTALS } from '../rollups.js';
import type { FlowStore } from '../store.js';
import { type Dimension, dimensionRows } from './dimensions.js';
import type { TimeRange } from './range.js';
import { ident, join, type Sql, sql, timestamp } from './sql.js';
import { num } from './values.js';

/**
 * One part of a range, added or subtracted: raw flows with first_ts in [from, to), rollup days
 * with bucket in [from, to) (either bound may be infinite), or the totals of every day.
 */
export interface HostPart {
  source: 'raw' | 'rollup' | 'totals';
  sign: 1 | -1;
  from: number;
  to: number;
}

/** The first and last day (bucket, seconds since the epoch) the address rollup holds. */
export interface RollupDays {
  first: number;
  last: number;
}

export type AddressDimension = keyof typeof HOST_DIMENSION_SIDES;

export function isAddressDimension(dimension: Dimension): dimension is AddressDimension {
  return dimension in HOST_DIMENSION_SIDES;
}

/**
 * [from, to) as whole rollup days, and for each day covered in part either raw flows (added) or
 * the rollup day with the raw flows outside the range subtracted. Undefined when no rollup day
 * would be read (a range of less than half a day within one or two days): raw is then cheaper.
 */
export function hostParts(from: number, to: number): HostPart[] | undefined {
  if (!(from < to)) return undefined;
  const day = HOST_ROLLUP.seconds;
  const parts: HostPart[] = [];
  const partial = (dayStart: number, a: number, b: number) => {
    if (2 * (b - a) <= day) {
      parts.push({ source: 'raw', sign: 1, from: a, to: b });
      return;
    }
    parts.push({ source: 'rollup', sign: 1, from: dayStart, to: dayStart + day });
    if (dayStart < a) parts.push({ source: 'raw', sign: -1, from: dayStart, to: a });
    if (b < dayStart + day) parts.push({ source: 'raw', sign: -1, from: b, to: dayStart + day });
  };
  const firstDay = Math.floor(from / day) * day;
  const wholeFrom = Math.ceil(from / day) * day;
  const wholeTo = Math.floor(to / day) * day;
  if (wholeFrom >= wholeTo && firstDay + day >= to) {
    // Within one day.
    partial(firstDay, from, to);
  } else {
    if (from < wholeFrom) partial(firstDay, from, wholeFrom);
    if (wholeFrom < wholeTo) parts.push({ source: 'rollup', sign: 1, from: wholeFrom, to: wholeTo });
    if (wholeTo < to) partial(wholeTo, wholeTo, to);
  }
  return parts.some((part) => part.source === 'rollup') ? parts : undefined;
}

/**
 * `parts` with their rollup days read as the totals minus every other day, when the stored days
 * (`days`) they leave out are fewer than those they read; `parts` unchanged otherwise.
 */
export function withTotals(parts: readonly HostPart[], days: RollupDays | undefined): readonly HostPart[] {
  const rolled = parts.filter((part) => part.source === 'rollup');
  if (days === undefined || rolled.length === 0) return parts;
  const from = Math.min(...rolled.map((part) => part.from));
  const to = Math.max(...rolled.map((part) => part.to));
  // hostParts gives one run of days; anything else keeps the days.
  const length = rolled.reduce((sum, part) => sum + part.to - part.from, 0);
  if (length !== to - from || rolled.some((part) => part.sign !== 1)) return parts;
  const storedFrom = days.first;
  const storedTo = days.last + HOST_ROLLUP.seconds;
  const read = Math.max(0, Math.min(to, storedTo) - Math.max(from, storedFrom));
  const left = storedTo - storedFrom - read;
  if (!(left < read)) return parts;
  return [
    ...parts.filter((part) => part.source !== 'rollup'),
    { source: 'totals', sign: 1, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY },
    { source: 'rollup', sign: -1, from: Number.NEGATIVE_INFINITY, to: from },
    { source: 'rollup', sign: -1, from: to, to: Number.POSITIVE_INFINITY },
  ];
}

/** The address rollup's first and last day, undefined when it is empty. */
export async function rollupDays(store: FlowStore, signal?: AbortSignal): Promise<RollupDays | undefined> {
  const [row] = await store.query(
    `SELECT epoch(min(bucket)) AS first, epoch(max(bucket)) AS last FROM ${HOST_ROLLUP.table}`,
    [],
    { signal },
  );
  if (row?.first === null || row?.first === undefined) return undefined;
  return { first: num(row.first), last: num(row.last) };
}

/**
 * Rows `(key, flows, packets, bytes)` whose sums per key are the dimension's sums over the
 * range's flows, read as `parts` (hostParts, then withTotals) say.
 */
function hostRollupRows(dimension: AddressDimension, range: TimeRange, parts: readonly HostPart[]): Sql {
  const counters = (sign: 1 | -1) =>
    ident(
      sign === 1
        ? '1 AS flows, CAST(packets AS BIGINT) AS packets, CAST(bytes AS BIGINT) AS bytes'
        : '-1 AS flows, -CAST(packets AS BIGINT) AS packets, -CAST(bytes AS BIGINT) AS bytes',
    );
  const sums = (sign: 1 | -1) =>
    ident(sign === 1 ? 'flows, packets, bytes' : '-flows AS flows, -packets AS packets, -bytes AS bytes');
  const sides = ident(HOST_DIMENSION_SIDES[dimension].join(', '));
  const branches: Sql[] = [
    dimensionRows(
      dimension,
      sql`first_ts < ${timestamp(range.from)} AND last_ts >= ${timestamp(range.from)}`,
      counters(1),
    ),
  ];
  for (const part of parts) {
    if (part.source === 'totals') {
      branches.push(
        sql`SELECT ip AS key, ${sums(part.sign)} FROM ${ident(HOST_TOTALS.table)} WHERE side IN (${sides})`,
      );
    } else if (part.source === 'rollup') {
      const bounds: Sql[] = [sql`side IN (${sides})`];
      if (Number.isFinite(part.from)) bounds.push(sql`bucket >= ${timestamp(part.from)}`);
      if (Number.isFinite(part.to)) bounds.push(sql`bucket < ${timestamp(part.to)}`);
      branches.push(
        sql`SELECT ip AS key, ${sums(part.sign)} FROM ${ident(HOST_ROLLUP.table)} WHERE ${join(bounds, ' AND ')}`,
      );
    } else {
      const from = timestamp(part.from);
      const to = timestamp(part.to);
      branches.push(
        dimensionRows(dimension, sql`first_ts >= ${from} AND first_ts < ${to}`, counters(part.sign)),
      );
    }
  }
  return join(branches, '\nUNION ALL ');
}

/**
 * The rollup rows (hostRollupRows) of an unfiltered address dimension over `range`, or undefined
 * when the rollup would not help (hostParts). The rollup's stored days are read first, so that
 * the totals may stand in for most of them (withTotals).
 */
export async function hostRollupSource(
  store: FlowStore,
  dimension: AddressDimension,
  range: TimeRange,
  signal?: AbortSignal,
): Promise<Sql | undefined> {
  const parts = hostParts(range.from, range.to);
  if (parts === undefined) return undefined;
  return hostRollupRows(dimension, range, withTotals(parts, await rollupDays(store, signal)));
}
