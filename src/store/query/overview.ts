/**
 * Overview: a range's totals next to those of the period of equal length just before it.
 *
 * Definitions: `flows`, `packets` and `bytes` are totals over the flows overlapping the range
 * (a flow that spans the range's start counts whole). `hosts` is the number of distinct
 * addresses on either side of those flows. `activeFlows` is the number of those flows with a
 * packet in the final ACTIVE_WINDOW seconds of the range: "what was going on at the end".
 * With `topHosts`, the answer also ranks each period's busiest hosts exactly as `top` by host
 * does (same rows, same order).
 *
 * Cost: the hosts are counted by grouping each period's flows by address (both sides), the
 * same grouping `top` by host makes, so one statement per period yields both the count and
 * the ranking (the dashboard's "what changed" needs both periods' rankings). Without a filter
 * that grouping reads the daily address rollup for the days the period covers (most of a 24 h
 * period: one row per address and side instead of one per flow and side), the rest raw. With a
 * filter it groups the text columns of raw flows, measured cheaper than `count(DISTINCT …)`
 * over them, and several times cheaper than over the UHUGEINT address columns (DuckDB 1.5).
 * Flows, packets and bytes come from the time rollups when they can answer (exact, see
 * rollup-source.ts); the three statements (totals, hosts now, hosts before) run concurrently.
 */

import type { FilterExpr } from '../filter/index.js';
import type { FlowStore } from '../store.js';
import { COUNTERS, dimensionRows, SUMS } from './dimensions.js';
import { usage } from './errors.js';
import { hostRollupSource } from './host-rollup-source.js';
import { previousPeriod, type TimeRange } from './range.js';
import { rollupRelation } from './rollup-source.js';
import { type FilterInput, selection, toFilterExpr } from './selection.js';
import { ident, sql } from './sql.js';
import type { TopRow } from './top.js';
import { key, num } from './values.js';

/** Seconds at the end of a range in which a flow must have a packet to count as active. */
export const ACTIVE_WINDOW = 60;

/** Most hosts `topHosts` may ask for per period. */
export const MAX_TOP_HOSTS = 100;

export interface OverviewOptions {
  range: TimeRange;
  filter?: FilterInput;
  /** Also rank this many busiest hosts of each period, by bytes (0–MAX_TOP_HOSTS; default 0). */
  topHosts?: number;
  /** Sum flows, packets and bytes from the time rollups when they fit (default); false reads raw flows only. */
  rollups?: boolean;
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
  /** With `topHosts`: each period's busiest hosts by bytes, as `top` by host ranks them. */
  topHosts?: { current: TopRow[]; previous: TopRow[] };
}

const METRICS = ['flows', 'packets', 'bytes', 'hosts', 'activeFlows'] as const;

/** Throws FlowlensError (usage) for a bad `topHosts`, FilterSyntaxError for a bad filter. */
export async function overview(store: FlowStore, options: OverviewOptions): Promise<OverviewResult> {
  const { range, signal } = options;
  const topHosts = options.topHosts ?? 0;
  if (!Number.isInteger(topHosts) || topHosts < 0 || topHosts > MAX_TOP_HOSTS) {
    throw usage(`topHosts must be a whole number from 0 to ${MAX_TOP_HOSTS}, got ${topHosts}`);
  }
  const prev = previousPeriod(range);
  const filter = toFilterExpr(options.filter);
  const [totals, current, previous] = await Promise.all([
    periodTotals(store, range, prev, filter, options.rollups !== false, signal),
    hostsOf(store, range, filter, topHosts, options.rollups !== false, signal),
    hostsOf(store, prev, filter, topHosts, options.rollups !== false, signal),
  ]);
  const currentTotals: Totals = { ...totals.current, hosts: current.hosts };
  const previousTotals: Totals = { ...totals.previous, hosts: previous.hosts };
  const delta = {} as Totals;
  const change = {} as Record<keyof Totals, number | null>;
  for (const metric of METRICS) {
    delta[metric] = currentTotals[metric] - previousTotals[metric];
    change[metric] = previousTotals[metric] === 0 ? null : delta[metric] / previousTotals[metric];
  }
  const result: OverviewResult = {
    range,
    previousRange: prev,
    current: currentTotals,
    previous: previousTotals,
    delta,
    change,
  };
  if (topHosts > 0) result.topHosts = { current: current.rows, previous: previous.rows };
  return result;
}

/**
 * Flows, packets, bytes and active flows of both periods. Each period's sums come from the time
 * rollups when the range covers a whole bucket and the filter reads only rollup columns
 * (rollup-source.ts: exactly the raw sums), else from raw flows; active flows always from raw
 * flows, in the range's last ACTIVE_WINDOW seconds only.
 */
async function periodTotals(
  store: FlowStore,
  range: TimeRange,
  prev: TimeRange,
  filter: FilterExpr | undefined,
  rollups: boolean,
  signal: AbortSignal | undefined,
): Promise<{ current: Omit<Totals, 'hosts'>; previous: Omit<Totals, 'hosts'> }> {
  const sums = (r: TimeRange) => {
    const relation = rollups ? rollupRelation({ range: r, filter, columns: [] }) : undefined;
    return relation === undefined
      ? sql`SELECT ${ident(SUMS)} FROM flows WHERE ${selection(r, filter)}`
      : sql`SELECT sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM (${relation})`;
  };
  const active = (r: TimeRange) =>
    sql`SELECT count(*) AS active FROM flows WHERE ${selection(
      { from: Math.max(r.from, r.to - ACTIVE_WINDOW), to: r.to },
      filter,
    )}`;
  const statement = sql`SELECT c.flows, c.packets, c.bytes, ca.active,
  p.flows AS p_flows, p.packets AS p_packets, p.bytes AS p_bytes, pa.active AS p_active
FROM (${sums(range)}) c, (${active(range)}) ca, (${sums(prev)}) p, (${active(prev)}) pa`;
  const [row] = await store.query(statement.text, statement.params, { signal });
  return {
    current: {
      flows: num(row?.flows),
      packets: num(row?.packets),
      bytes: num(row?.bytes),
      activeFlows: num(row?.active),
    },
    previous: {
      flows: num(row?.p_flows),
      packets: num(row?.p_packets),
      bytes: num(row?.p_bytes),
      activeFlows: num(row?.p_active),
    },
  };
}

/**
 * The distinct addresses of a period's flows and, when `limit` > 0, the busiest `limit` of
 * them: the grouping and ordering of `top` by host (bytes descending, then address). Without a
 * filter, the rows per address come from the daily address rollup when it can answer
 * (host-rollup-source.ts: exactly the raw sums; an address summing to no flows is not in the
 * period), else from raw flows.
 */
async function hostsOf(
  store: FlowStore,
  range: TimeRange,
  filter: FilterExpr | undefined,
  limit: number,
  rollups: boolean,
  signal: AbortSignal | undefined,
): Promise<{ hosts: number; rows: TopRow[] }> {
  const rolled =
    rollups && filter === undefined ? await hostRollupSource(store, 'host', range, signal) : undefined;
  const grouped =
    rolled === undefined
      ? sql`SELECT key, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${dimensionRows('host', selection(range, filter), ident(COUNTERS))}) GROUP BY key`
      : sql`SELECT key, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (${rolled}) GROUP BY key HAVING sum(flows) > 0`;
  if (limit === 0) {
    const statement = sql`SELECT count(*) AS hosts FROM (${grouped})`;
    const [row] = await store.query(statement.text, statement.params, { signal });
    return { hosts: num(row?.hosts), rows: [] };
  }
  // One row even when the period has no flow: the count, LEFT JOINed with the top rows.
  const statement = sql`WITH g AS (${grouped})
SELECT c.hosts, t.key, t.flows, t.packets, t.bytes
FROM (SELECT count(*) AS hosts FROM g) c
LEFT JOIN (SELECT * FROM g ORDER BY bytes DESC, key ASC LIMIT ${limit}) t ON true
ORDER BY t.bytes DESC, t.key ASC`;
  const answer = await store.query(statement.text, statement.params, { signal });
  return {
    hosts: num(answer[0]?.hosts),
    rows: answer
      .filter((row) => row.key !== null && row.key !== undefined)
      .map((row) => ({
        key: key(row.key) ?? '',
        flows: num(row.flows),
        packets: num(row.packets),
        bytes: num(row.bytes),
      })),
  };
}
