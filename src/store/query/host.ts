/**
 * Host detail: everything one address did in a range, from either side of its flows: totals,
 * its peers, the ports it used as a client and served as a server, the applications, and a
 * timeline. "Sent" counts the bytes the host sent (fwd bytes of flows it originated, rev bytes
 * of flows it answered); "received" the opposite.
 */
import { formatIpv4, formatIpv6, parseIpAddress } from '../../model/index.js';
import type { FlowStore, StoreRow } from '../store.js';
import { SUMS } from './dimensions.js';
import { usage } from './errors.js';
import type { TimeRange } from './range.js';
import { type FilterInput, filterCondition, overlaps } from './selection.js';
import { type SeriesResult, seriesWhere } from './series.js';
import { ident, join, type Sql, sql } from './sql.js';
import { checkLimit } from './top.js';
import { key, num } from './values.js';

export interface HostOptions {
  ip: string;
  range: TimeRange;
  /** Narrows the host's flows further (e.g. `port 443`). */
  filter?: FilterInput;
  /** Rows of each list (peers, ports, applications), 1–10000; default 10. */
  limit?: number;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

export interface Usage {
  flows: number;
  packets: number;
  bytes: number;
}

export interface HostDetail {
  ip: string;
  range: TimeRange;
  totals: Usage & {
    bytesSent: number;
    bytesReceived: number;
    /** Flows the host originated / answered. */
    flowsAsClient: number;
    flowsAsServer: number;
    /** First and last packet seen in the range's flows; null without flows. */
    firstSeen: number | null;
    lastSeen: number | null;
  };
  /** Top peers by bytes. */
  peers: (Usage & { ip: string })[];
  /**
   * Top ports by bytes: as 'client', the responder ports of flows the host originated; as
   * 'server', its own ports that others connected to.
   */
  ports: (Usage & { protocol: number; port: number; role: 'client' | 'server' })[];
  /** Top applications by bytes; null gathers flows with no application. */
  applications: (Usage & { application: string | null })[];
  timeline: SeriesResult;
}

const usageOf = (row: StoreRow): Usage => ({
  flows: num(row.flows),
  packets: num(row.packets),
  bytes: num(row.bytes),
});

/**
 * `src_ip`/`dst_ip` equal to an address. Text equality: the store writes the model's canonical
 * text form, and in DuckDB 1.5 scanning the UHUGEINT address columns is ~20× slower
 * (bench/query-bench.mjs). An IPv4 address also matches its IPv4-mapped IPv6 spelling, as
 * filter-sql does for text.
 */
export function addressConditions(bytes: Uint8Array): { isSrc: Sql; isDst: Sql } {
  const text = bytes.length === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0);
  const spellings = bytes.length === 4 ? [text, `::ffff:${text}`] : [text];
  const list = join(
    spellings.map((s) => sql`${s}`),
    ', ',
  );
  return { isSrc: sql`src_ip IN (${list})`, isDst: sql`dst_ip IN (${list})` };
}

export async function hostDetail(store: FlowStore, options: HostOptions): Promise<HostDetail> {
  const bytes = parseIpAddress(options.ip.trim());
  if (bytes === undefined) throw usage(`expected an IPv4 or IPv6 address, got "${options.ip}"`);
  const limit = checkLimit(options.limit, 10);
  const { isSrc, isDst } = addressConditions(bytes);
  const condition = filterCondition(options.filter);
  const narrowed = condition === undefined ? ident('') : sql` AND ${condition}`;
  const where: Sql = sql`${overlaps(options.range)} AND (${isSrc} OR ${isDst})${narrowed}`;
  const sums = ident(SUMS);
  const run = async (statement: Sql) =>
    store.query(statement.text, statement.params, { signal: options.signal });

  const [totalsRow] = await run(sql`SELECT ${sums},
  sum(CAST(CASE WHEN ${isSrc} THEN fwd_bytes ELSE 0 END AS BIGINT)) + sum(CAST(CASE WHEN ${isDst} THEN rev_bytes ELSE 0 END AS BIGINT)) AS sent,
  sum(CAST(CASE WHEN ${isSrc} THEN rev_bytes ELSE 0 END AS BIGINT)) + sum(CAST(CASE WHEN ${isDst} THEN fwd_bytes ELSE 0 END AS BIGINT)) AS received,
  count(*) FILTER (WHERE ${isSrc}) AS as_client, count(*) FILTER (WHERE ${isDst}) AS as_server,
  min(first_ts) AS first_seen, max(last_ts) AS last_seen
FROM flows WHERE ${where}`);
  const peers = await run(sql`SELECT CASE WHEN ${isSrc} THEN dst_ip ELSE src_ip END AS peer, ${sums}
FROM flows WHERE ${where} GROUP BY peer ORDER BY bytes DESC, peer LIMIT ${limit}`);
  const ports =
    await run(sql`SELECT protocol, dst_port AS port, CASE WHEN ${isSrc} THEN 'client' ELSE 'server' END AS role, ${sums}
FROM flows WHERE ${where} GROUP BY ALL ORDER BY bytes DESC, protocol, port, role LIMIT ${limit}`);
  const applications = await run(sql`SELECT application, ${sums}
FROM flows WHERE ${where} GROUP BY application ORDER BY bytes DESC, application NULLS LAST LIMIT ${limit}`);
  const timeline = await seriesWhere(store, { range: options.range }, where);

  const row = totalsRow ?? {};
  return {
    ip: options.ip.trim(),
    range: options.range,
    totals: {
      ...usageOf(row),
      bytesSent: num(row.sent),
      bytesReceived: num(row.received),
      flowsAsClient: num(row.as_client),
      flowsAsServer: num(row.as_server),
      firstSeen: row.first_seen === null || row.first_seen === undefined ? null : num(row.first_seen),
      lastSeen: row.last_seen === null || row.last_seen === undefined ? null : num(row.last_seen),
    },
    peers: peers.map((r) => ({ ip: String(r.peer), ...usageOf(r) })),
    ports: ports.map((r) => ({
      protocol: num(r.protocol),
      port: num(r.port),
      role: r.role === 'client' ? 'client' : 'server',
      ...usageOf(r),
    })),
    applications: applications.map((r) => ({
      application: key(r.application) as string | null,
      ...usageOf(r),
    })),
    timeline,
  };
}
