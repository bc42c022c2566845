/**
 * Overview: a range's totals next to those of the period of equal length just before it.
 *
 * Definitions: `flows`, `packets` and `bytes` are totals over the flows overlapping the range
 * (a flow that spans the range's start counts whole). `hosts` is the number of distinct
 * addresses on either side of those flows (counted on the text columns: in DuckDB 1.5 reading
 * the UHUGEINT address columns costs several times more). `activeFlows` is the number of those flows with a
 * packet in the final ACTIVE_WINDOW seconds of the range: "what was going on at the end".
 */
import type { FlowStore } from '../store.js';
import { previousPeriod, type TimeRange } from './range.js';
import { type FilterInput, filterCondition } from './selection.js';
import { ident, type Sql, sql, timestamp } from './sql.js';
import { num } from './values.js';

/** Seconds at the end of a range in which a flow must have a packet to count as active. */
export const ACTIVE_WINDOW = 60;

export interface OverviewOptions {
  range: TimeRange;
  filter?: FilterInput;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

export interface Totals {
  flows: number;
  packets: number;
  bytes: number;
  hosts: number;
  activeFlows: number;
}

export interface OverviewResult {
  range: TimeRange;
  previousRange: TimeRange;
  current: Totals;
  previous: Totals;
  /** current − previous, per metric. */
  delta: Totals;
  /** (current − previous) / previous per metric, or null when previous is 0. */
  change: Record<keyof Totals, number | null>;
}

const METRICS = ['flows', 'packets', 'bytes', 'hosts', 'activeFlows'] as const;

export async function overview(store: FlowStore, options: OverviewOptions): Promise<OverviewResult> {
  const { range } = options;
  const prev = previousPeriod(range);
  const condition = filterCondition(options.filter);
  const filter: Sql = condition === undefined ? ident('') : sql` AND ${condition}`;
  const within = (r: TimeRange) => sql`(first_ts < ${timestamp(r.to)} AND last_ts >= ${timestamp(r.from)})`;
  const active = (r: TimeRange) =>
    sql`(first_ts < ${timestamp(r.to)} AND last_ts >= ${timestamp(Math.max(r.from, r.to - ACTIVE_WINDOW))})`;

  const statement = sql`WITH f AS (
  SELECT src_ip, dst_ip, CAST(packets AS BIGINT) AS packets, CAST(bytes AS BIGINT) AS bytes,
    ${within(range)} AS cur, ${within(prev)} AS prev,
    ${active(range)} AS cur_active, ${active(prev)} AS prev_active
  FROM flows WHERE ${within({ from: prev.from, to: range.to })}${filter}
),
t AS (
  SELECT count(*) FILTER (WHERE cur) AS flows, sum(packets) FILTER (WHERE cur) AS packets,
    sum(bytes) FILTER (WHERE cur) AS bytes, count(*) FILTER (WHERE cur_active) AS active,
    count(*) FILTER (WHERE prev) AS p_flows, sum(packets) FILTER (WHERE prev) AS p_packets,
    sum(bytes) FILTER (WHERE prev) AS p_bytes, count(*) FILTER (WHERE prev_active) AS p_active
  FROM f
),
h AS (
  SELECT count(DISTINCT a) FILTER (WHERE cur) AS hosts, count(DISTINCT a) FILTER (WHERE prev) AS p_hosts
  FROM (SELECT src_ip AS a, cur, prev FROM f UNION ALL SELECT dst_ip AS a, cur, prev FROM f)
)
SELECT * FROM t, h`;
  const [row] = await store.query(statement.text, statement.params, { signal: options.signal });
  const current: Totals = {
    flows: num(row?.flows),
    packets: num(row?.packets),
    bytes: num(row?.bytes),
    hosts: num(row?.hosts),
    activeFlows: num(row?.active),
  };
  const previous: Totals = {
    flows: num(row?.p_flows),
    packets: num(row?.p_packets),
    bytes: num(row?.p_bytes),
    hosts: num(row?.p_hosts),
    activeFlows: num(row?.p_active),
  };
  const delta = {} as Totals;
  const change = {} as Record<keyof Totals, number | null>;
  for (const metric of METRICS) {
    delta[metric] = current[metric] - previous[metric];
    change[metric] = previous[metric] === 0 ? null : delta[metric] / previous[metric];
  }
  return { range, previousRange: prev, current, previous, delta, change };
}
