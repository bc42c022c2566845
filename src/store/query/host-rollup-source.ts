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
 */
import { HOST_DIMENSION_SIDES, HOST_ROLLUP } from '../rollups.js';
import { type Dimension, dimensionRows } from './dimensions.js';
import type { TimeRange } from './range.js';
import { ident, join, type Sql, sql, timestamp } from './sql.js';

/** One part of a range: raw flows with first_ts in [from, to), added or subtracted, or rollup days. */
export interface HostPart {
  source: 'raw' | 'rollup';
  sign: 1 | -1;
  from: number;
  to: number;
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
 * Rows `(key, flows, packets, bytes)` whose sums per key are the dimension's sums over the
 * range's flows, or undefined when the rollup would not help (hostParts).
 */
export function hostRollupRows(dimension: AddressDimension, range: TimeRange): Sql | undefined {
  const parts = hostParts(range.from, range.to);
  if (parts === undefined) return undefined;
  const counters = (sign: 1 | -1) =>
    ident(
      sign === 1
        ? '1 AS flows, CAST(packets AS BIGINT) AS packets, CAST(bytes AS BIGINT) AS bytes'
        : '-1 AS flows, -CAST(packets AS BIGINT) AS packets, -CAST(bytes AS BIGINT) AS bytes',
    );
  const sides = ident(HOST_DIMENSION_SIDES[dimension].join(', '));
  const branches: Sql[] = [
    dimensionRows(
      dimension,
      sql`first_ts < ${timestamp(range.from)} AND last_ts >= ${timestamp(range.from)}`,
      counters(1),
    ),
  ];
  for (const part of parts) {
    const from = timestamp(part.from);
    const to = timestamp(part.to);
    branches.push(
      part.source === 'rollup'
        ? sql`SELECT ip AS key, flows, packets, bytes FROM ${ident(HOST_ROLLUP.table)}
WHERE bucket >= ${from} AND bucket < ${to} AND side IN (${sides})`
        : dimensionRows(dimension, sql`first_ts >= ${from} AND first_ts < ${to}`, counters(part.sign)),
    );
  }
  return join(branches, '\nUNION ALL ');
}
