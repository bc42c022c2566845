/**
 * The query layer on a real DuckDB store built from corpus captures: each answer is checked
 * against what this test computes itself from `flowlens analyze --format json` on the same files
 * (totals, top talkers, series sums, pagination, host detail, export), and top talkers per host
 * against tshark's endpoint statistics and per-frame IP lengths.
 */
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../src/model/index.js';
import { createDuckDbStore, type FlowStore } from '../src/store/index.js';
import { FLOW_ROW_COLUMNS, toFlowRow } from '../src/store/query/flow-row.js';
import {
  type Dimension,
  domainSightings,
  exportFlows,
  hostDetail,
  ipSightings,
  type Metric,
  overview,
  parseRange,
  resolveRange,
  type SortDirection,
  type SortField,
  searchFlows,
  series,
  type TimeRange,
  top,
} from '../src/store/query/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';
import { run, toolsAvailable } from './support/run.js';
import { normalizeIp, tsharkFrames } from './support/tshark.js';

const FILES = [
  'bulk_mixed_apps_1kxun.pcap',
  'fmt_gzip_loopback_echo_82k.pcap.gz',
  'lt_null_loopback_quic.pcap',
  'encap_teredo_mixed.pcap',
];

const sum = (flows: FlowRecord[], f: (r: FlowRecord) => number) => flows.reduce((n, r) => n + f(r), 0);
const overlapping = (flows: FlowRecord[], r: TimeRange) =>
  flows.filter((f) => f.firstTs < r.to && f.lastTs >= r.from);
const byKey = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

function keysOf(f: FlowRecord, by: Dimension): (string | number)[] {
  switch (by) {
    case 'src_ip':
      return [f.srcIp];
    case 'dst_ip':
      return [f.dstIp];
    case 'host':
      return f.srcIp === f.dstIp ? [f.srcIp] : [f.srcIp, f.dstIp];
    case 'src_port':
      return [f.srcPort];
    case 'dst_port':
      return [f.dstPort];
    case 'protocol':
      return [f.protocol];
    case 'application':
      return f.application === undefined ? [] : [f.application];
    case 'sni':
      return f.sni === undefined ? [] : [f.sni];
    default:
      return [];
  }
}

function expectedTop(flows: FlowRecord[], by: Dimension, metric: Metric, limit: number) {
  const rows = new Map<
    string | number,
    { key: string | number; flows: number; packets: number; bytes: number }
  >();
  for (const f of flows) {
    for (const key of keysOf(f, by)) {
      const row = rows.get(key) ?? { key, flows: 0, packets: 0, bytes: 0 };
      row.flows++;
      row.packets += f.packets;
      row.bytes += f.bytes;
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => b[metric] - a[metric] || byKey(a.key, b.key)).slice(0, limit);
}

const signature = (f: {
  communityId: string;
  firstTs: number;
  lastTs: number;
  packets: number;
  bytes: number;
  vlan: number;
  srcPort: number;
}) => `${f.communityId}|${f.firstTs}|${f.lastTs}|${f.packets}|${f.bytes}|${f.vlan}|${f.srcPort}`;

describe.skipIf(!corpusAvailable)('query layer on a DuckDB store', () => {
  let built: QueryStore;
  let store: FlowStore;
  let all: TimeRange;

  beforeAll(async () => {
    built = await buildQueryStore(FILES);
    store = createDuckDbStore({ dataDir: built.dataDir });
    await store.start();
    all = await resolveRange(store, parseRange('all'));
  });

  afterAll(async () => {
    await store?.stop();
    if (built) rmSync(built.dataDir, { recursive: true, force: true });
  });

  it('resolves "all" and relative ranges against the newest flow', async () => {
    const first = Math.min(...built.flows.map((f) => f.firstTs));
    const last = Math.max(...built.flows.map((f) => f.lastTs));
    expect(all).toEqual({ from: Math.floor(first), to: Math.floor(last) + 1, anchor: 'newest-flow' });
    const hour = await resolveRange(store, parseRange('1h'));
    expect(hour).toEqual({
      from: Math.floor(last) + 1 - 3600,
      to: Math.floor(last) + 1,
      anchor: 'newest-flow',
    });
    const until = await resolveRange(store, parseRange('1h'), { until: 1_600_000_000 });
    expect(until).toEqual({ from: 1_600_000_000 - 3600, to: 1_600_000_000, anchor: 'until' });
  });

  it('overview: totals, unique hosts and active flows of the range, and of the period before', async () => {
    const result = await overview(store, { range: all });
    const flows = built.flows;
    expect(result.current).toEqual({
      flows: flows.length,
      packets: sum(flows, (f) => f.packets),
      bytes: sum(flows, (f) => f.bytes),
      hosts: new Set(flows.flatMap((f) => [f.srcIp, f.dstIp])).size,
      activeFlows: flows.filter((f) => f.lastTs >= all.to - 60).length,
    });
    expect(result.previous.flows).toBe(0);
    expect(result.change.flows).toBeNull();

    // The loopback capture's own window, then the same length just before it.
    const echo = built.files[1].flows;
    const range = { from: Math.floor(Math.min(...echo.map((f) => f.firstTs))), to: 0 };
    range.to = Math.floor(Math.max(...echo.map((f) => f.lastTs))) + 1;
    const shifted = await overview(store, { range: { from: range.from + 3, to: range.to + 3 } });
    const inShifted = overlapping(flows, { from: range.from + 3, to: range.to + 3 });
    const inPrevious = overlapping(flows, {
      from: range.from + 3 - (range.to - range.from),
      to: range.from + 3,
    });
    expect(shifted.current.flows).toBe(inShifted.length);
    expect(shifted.current.bytes).toBe(sum(inShifted, (f) => f.bytes));
    expect(shifted.previous.flows).toBe(inPrevious.length);
    expect(shifted.previous.packets).toBe(sum(inPrevious, (f) => f.packets));
    expect(shifted.delta.flows).toBe(inShifted.length - inPrevious.length);
  });

  it("overview with topHosts ranks each period's hosts exactly as top by host does", async () => {
    // The loopback capture's window shifted by 3 s: both periods hold flows.
    const echo = built.files[1].flows;
    const from = Math.floor(Math.min(...echo.map((f) => f.firstTs))) + 3;
    const range = { from, to: Math.floor(Math.max(...echo.map((f) => f.lastTs))) + 4 };
    const previousRange = { from: 2 * range.from - range.to, to: range.from };
    for (const filter of [undefined, 'tcp', 'udp and not port 53']) {
      const result = await overview(store, { range, filter, topHosts: 7 });
      const plain = await overview(store, { range, filter });
      expect(plain.topHosts).toBeUndefined();
      expect({ ...result, topHosts: undefined }).toEqual({ ...plain, topHosts: undefined });
      expect(result.topHosts?.current).toEqual(
        (await top(store, { by: 'host', range, filter, limit: 7 })).rows,
      );
      expect(result.topHosts?.previous).toEqual(
        (await top(store, { by: 'host', range: previousRange, filter, limit: 7 })).rows,
      );
      const matching = (r: TimeRange) =>
        overlapping(built.flows, r).filter(
          (f) =>
            filter === undefined ||
            (filter === 'tcp' ? f.protocol === 6 : f.protocol === 17 && f.srcPort !== 53 && f.dstPort !== 53),
        );
      expect(result.current.hosts, String(filter)).toBe(
        new Set(matching(range).flatMap((f) => [f.srcIp, f.dstIp])).size,
      );
      expect(result.previous.hosts, String(filter)).toBe(
        new Set(matching(previousRange).flatMap((f) => [f.srcIp, f.dstIp])).size,
      );
      expect(result.topHosts?.current).toEqual(expectedTop(matching(range), 'host', 'bytes', 7));
      expect(result.topHosts?.previous).toEqual(expectedTop(matching(previousRange), 'host', 'bytes', 7));
      // Both periods have hosts without a filter (so the previous ranking is checked on data).
      if (filter === undefined) expect(result.topHosts?.previous.length).toBeGreaterThan(0);
    }
    // Nothing before the first flow: the previous period has no host and no row.
    const whole = await overview(store, { range: all, topHosts: 3 });
    expect(whole.topHosts).toEqual({ current: expectedTop(built.flows, 'host', 'bytes', 3), previous: [] });
    expect(whole.previous.hosts).toBe(0);
    await expect(overview(store, { range: all, topHosts: 101 })).rejects.toThrow(/topHosts must be/);
    await expect(overview(store, { range: all, topHosts: 1.5 })).rejects.toThrow(/topHosts must be/);
  });

  it('overview with a filter counts only matching flows', async () => {
    const result = await overview(store, { range: all, filter: 'udp and not port 53' });
    const flows = built.flows.filter((f) => f.protocol === 17 && f.srcPort !== 53 && f.dstPort !== 53);
    expect(result.current.flows).toBe(flows.length);
    expect(result.current.bytes).toBe(sum(flows, (f) => f.bytes));
  });

  const dimensions: Dimension[] = [
    'src_ip',
    'dst_ip',
    'host',
    'src_port',
    'dst_port',
    'protocol',
    'application',
    'sni',
  ];
  const metrics: Metric[] = ['bytes', 'packets', 'flows'];
  it.each(dimensions.flatMap((by) => metrics.map((metric) => [by, metric] as const)))(
    'top by %s, %s, matches the analyze output',
    async (by, metric) => {
      const result = await top(store, { by, metric, range: all, limit: 15 });
      expect(result.rows).toEqual(expectedTop(built.flows, by, metric, 15));
    },
  );

  it('top within one ingest and a relative range', async () => {
    const echo = built.files[1];
    const result = await top(store, {
      by: 'dst_port',
      range: all,
      filter: `ingest "${echo.ingestId}"`,
      limit: 5,
    });
    expect(result.rows).toEqual(expectedTop(echo.flows, 'dst_port', 'bytes', 5));
    const hour = await resolveRange(store, parseRange('1h'));
    const recent = await top(store, { by: 'host', metric: 'flows', range: hour, limit: 10 });
    expect(recent.rows).toEqual(expectedTop(overlapping(built.flows, hour), 'host', 'flows', 10));
  });

  it('enrichment dimensions leave out flows without a value', async () => {
    // analyze fills country (enrichment); flows with neither side located make no row, not a NULL row.
    const expected = new Map<string, number>();
    for (const f of built.flows) {
      for (const c of new Set([f.srcCountry, f.dstCountry])) {
        if (c !== undefined) expected.set(c, (expected.get(c) ?? 0) + 1);
      }
    }
    expect(expected.size).toBeGreaterThan(0);
    expect(built.flows.some((f) => f.srcCountry === undefined && f.dstCountry === undefined)).toBe(true);
    const result = await top(store, { by: 'country', range: all, metric: 'flows', limit: 1000 });
    expect(result.rows.length).toBe(expected.size);
    for (const row of result.rows) {
      expect(typeof row.key).toBe('string');
      expect(row.flows, String(row.key)).toBe(expected.get(row.key as string));
    }
  });

  it('top by asn names each AS with the name its flows carry', async () => {
    const expected = new Map<number, { flows: number; names: Map<string, number> }>();
    for (const f of built.flows) {
      const sides = [
        [f.srcAsn, f.srcAsName],
        [f.dstAsn, f.dstAsName],
      ] as const;
      const seen = new Set<number>();
      for (const [asn, name] of sides) {
        if (asn === undefined) continue;
        const entry = expected.get(asn) ?? { flows: 0, names: new Map<string, number>() };
        if (!seen.has(asn)) entry.flows++;
        seen.add(asn);
        if (name !== undefined) entry.names.set(name, (entry.names.get(name) ?? 0) + 1);
        expected.set(asn, entry);
      }
    }
    expect(expected.size).toBeGreaterThan(0);
    const result = await top(store, { by: 'asn', range: all, metric: 'flows', limit: 1000 });
    expect(result.rows.length).toBe(expected.size);
    for (const row of result.rows) {
      const want = expected.get(row.key as number);
      expect(row.flows, String(row.key)).toBe(want?.flows);
      const names = [...(want?.names ?? new Map()).entries()].sort((a, b) => b[1] - a[1]);
      if (names.length === 0) expect(row.name).toBeUndefined();
      // The most common name (analyze gives one name per AS number, so there is no tie).
      else expect(row.name, String(row.key)).toBe(names[0][0]);
    }
    const countries = await top(store, { by: 'country', range: all, limit: 5 });
    expect(countries.rows.every((r) => r.name === undefined)).toBe(true);
  });

  it("ip sightings: flows of the address, the names it served under, its flows' threat tags", async () => {
    const served = new Map<string, number>();
    for (const f of built.flows) if (f.sni) served.set(f.dstIp, (served.get(f.dstIp) ?? 0) + 1);
    const [ip] = [...served.entries()].sort((a, b) => b[1] - a[1])[0];
    const mine = built.flows.filter((f) => f.srcIp === ip || f.dstIp === ip);
    const names = new Map<
      string,
      { name: string; source: string; flows: number; firstSeen: number; lastSeen: number }
    >();
    for (const f of built.flows) {
      if (f.dstIp !== ip) continue;
      for (const [name, source] of [
        [f.sni, 'sni'],
        [f.httpHost, 'http'],
      ] as const) {
        if (name === undefined) continue;
        const k = `${source} ${name}`;
        const row = names.get(k) ?? { name, source, flows: 0, firstSeen: f.firstTs, lastSeen: f.lastTs };
        row.flows++;
        row.firstSeen = Math.min(row.firstSeen, f.firstTs);
        row.lastSeen = Math.max(row.lastSeen, f.lastTs);
        names.set(k, row);
      }
    }
    const expectedNames = [...names.values()]
      .sort((a, b) => b.flows - a.flows || byKey(a.name, b.name) || byKey(a.source, b.source))
      .slice(0, 20);
    const result = await ipSightings(store, ip);
    expect(result).toEqual({
      flows: mine.length,
      firstSeen: Math.min(...mine.map((f) => f.firstTs)),
      lastSeen: Math.max(...mine.map((f) => f.lastTs)),
      names: expectedNames,
      addresses: [],
      threatTags: [],
    });
    expect(result.names.length).toBeGreaterThan(0);
    expect(await ipSightings(store, '203.0.113.254')).toEqual({
      flows: 0,
      firstSeen: null,
      lastSeen: null,
      names: [],
      addresses: [],
      threatTags: [],
    });
    await expect(ipSightings(store, 'example.com')).rejects.toThrow(/expected an IPv4 or IPv6/);
  });

  it('domain sightings: servers by SNI and HTTP Host, clients by DNS query name, any letter case', async () => {
    const canonical = (name: string | undefined) => name?.toLowerCase().replace(/\.$/, '');
    const queried = built.flows.map((f) => canonical(f.dnsName)).filter((n): n is string => n !== undefined);
    expect(queried.length).toBeGreaterThan(0);
    const count = new Map<string, number>();
    for (const n of queried) count.set(n, (count.get(n) ?? 0) + 1);
    const [domain] = [...count.entries()].sort((a, b) => b[1] - a[1] || byKey(a[0], b[0]))[0];
    const rows = new Map<string, { ip: string; role: string; source: string; flows: number }>();
    const matching = new Set<FlowRecord>();
    for (const f of built.flows) {
      const hits: [string, string, string][] = [];
      if (canonical(f.sni) === domain) hits.push([f.dstIp, 'server', 'sni']);
      if (canonical(f.httpHost) === domain) hits.push([f.dstIp, 'server', 'http']);
      if (canonical(f.dnsName) === domain) hits.push([f.srcIp, 'client', 'dns']);
      for (const [ip, role, source] of hits) {
        const k = `${ip} ${role} ${source}`;
        const row = rows.get(k) ?? { ip, role, source, flows: 0 };
        row.flows++;
        rows.set(k, row);
        matching.add(f);
      }
    }
    const result = await domainSightings(store, `${domain.toUpperCase()}.`, { limit: 1000 });
    expect(result.flows).toBe(matching.size);
    expect(result.names).toEqual([]);
    expect(result.addresses.map(({ ip, role, source, flows }) => ({ ip, role, source, flows }))).toEqual(
      [...rows.values()].sort((a, b) => b.flows - a.flows || byKey(a.ip, b.ip) || byKey(a.source, b.source)),
    );
    expect(result.addresses.some((a) => a.role === 'client')).toBe(true);
    expect((await domainSightings(store, 'never-seen.example')).flows).toBe(0);
  });

  it('series: buckets add up to the totals, with and without a split', async () => {
    const echo = built.files[1].flows;
    const range = {
      from: Math.floor(Math.min(...echo.map((f) => f.firstTs))),
      to: Math.floor(Math.max(...echo.map((f) => f.lastTs))) + 1,
    };
    const plain = await series(store, { range });
    expect(plain.bucket).toBe(1);
    expect(plain.buckets.length).toBe(range.to - range.from);
    const total = plain.series[0];
    const inRange = overlapping(built.flows, range);
    expect(sum(inRange, (f) => f.bytes)).toBeGreaterThan(0);
    expect(total.bytes.reduce((a, b) => a + b, 0)).toBe(sum(inRange, (f) => f.bytes));
    expect(total.flows.reduce((a, b) => a + b, 0)).toBe(inRange.length);
    // Each flow counts in the bucket of its start (clamped to the range).
    const firstBucket = inRange.filter((f) => Math.max(f.firstTs, range.from) < range.from + 1);
    expect(total.flows[0]).toBe(firstBucket.length);

    const overall = await series(store, { range: all });
    expect(overall.buckets.length).toBeLessThanOrEqual(400);
    expect(overall.series[0].packets.reduce((a, b) => a + b, 0)).toBe(sum(built.flows, (f) => f.packets));

    const split = await series(store, { range: all, splitBy: 'src_ip', topK: 3 });
    expect(split.series.map((l) => l.kind)).toEqual(['value', 'value', 'value', 'other']);
    const expected = expectedTop(built.flows, 'src_ip', 'bytes', 3);
    split.series.slice(0, 3).forEach((line, i) => {
      expect(line.key).toBe(expected[i].key);
      expect(line.bytes.reduce((a, b) => a + b, 0)).toBe(expected[i].bytes);
    });
    const splitBytes = split.series.reduce((n, l) => n + l.bytes.reduce((a, b) => a + b, 0), 0);
    expect(splitBytes).toBe(sum(built.flows, (f) => f.bytes));
  });

  const sorts: [SortField, SortDirection, (f: FlowRecord) => number][] = [
    ['first_ts', 'desc', (f) => f.firstTs],
    ['first_ts', 'asc', (f) => f.firstTs],
    ['bytes', 'asc', (f) => f.bytes],
    ['packets', 'desc', (f) => f.packets],
    ['duration', 'asc', (f) => f.lastTs - f.firstTs],
  ];
  it.each(sorts)(
    'flow search sorted by %s %s visits every flow exactly once',
    async (sort, direction, value) => {
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      let previous: number | undefined;
      do {
        const page = await searchFlows(store, { range: all, sort, direction, limit: 97, after });
        pages++;
        for (const flow of page.flows) {
          const v = value(flow as unknown as FlowRecord);
          if (previous !== undefined) {
            if (direction === 'asc') expect(v).toBeGreaterThanOrEqual(previous - 1e-6);
            else expect(v).toBeLessThanOrEqual(previous + 1e-6);
          }
          previous = v;
          seen.push(signature(flow));
        }
        after = page.next;
      } while (after !== undefined);
      expect(pages).toBe(Math.ceil(built.flows.length / 97));
      expect(seen.sort()).toEqual(built.flows.map(signature).sort());
    },
  );

  it('flow search with a filter pages through the matching flows only', async () => {
    const expected = built.flows.filter((f) => f.protocol === 6 && f.dstPort === 7000);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await searchFlows(store, {
        range: all,
        filter: 'tcp and dst port 7000',
        limit: 64,
        after,
      });
      seen.push(...page.flows.map(signature));
      after = page.next;
    } while (after);
    expect(seen.sort()).toEqual(expected.map(signature).sort());
  });

  it('flow search by first_ts: each page equals the same rows sorted whole, whatever window finds them', async () => {
    // Pages of 1–7 rows of frequent matches come from the first window (the range's last or
    // first 1/64); rarer ones need the wider window or the whole range. Each page must equal the
    // next rows of the full ordering by first_ts, then rowid.
    const middle = { from: all.from + (all.to - all.from) * 0.3, to: all.from + (all.to - all.from) * 0.9 };
    for (const range of [all, middle]) {
      for (const direction of ['desc', 'asc'] as const) {
        for (const [filter, where] of [
          ['tcp', 'protocol = 6'],
          ['udp and dst port 53', 'protocol = 17 AND dst_port = 53'],
        ]) {
          const dir = direction.toUpperCase();
          const reference = (
            await store.query(
              `SELECT ${FLOW_ROW_COLUMNS.text} FROM flows WHERE first_ts < make_timestamp(CAST(? AS BIGINT))
  AND last_ts >= make_timestamp(CAST(? AS BIGINT))
  AND ${where} ORDER BY first_ts ${dir}, rowid ${dir}`,
              [BigInt(Math.round(range.to * 1e6)), BigInt(Math.round(range.from * 1e6))],
            )
          ).map((row) => signature(toFlowRow(row)));
          expect(reference.length, filter).toBeGreaterThan(0);
          for (const limit of [1, 7, 500]) {
            const seen: string[] = [];
            let after: string | undefined;
            do {
              const page = await searchFlows(store, { range, filter, direction, limit, after });
              seen.push(...page.flows.map(signature));
              after = page.next;
            } while (after !== undefined && seen.length < 60);
            expect(seen, `${filter} ${direction} ${limit}`).toEqual(reference.slice(0, seen.length));
            expect(seen.length).toBe(Math.min(reference.length, Math.ceil(60 / limit) * limit));
          }
        }
      }
    }
  });

  it('a cursor from another sort is refused', async () => {
    const page = await searchFlows(store, { range: all, sort: 'bytes', limit: 5 });
    await expect(searchFlows(store, { range: all, sort: 'packets', after: page.next })).rejects.toThrow(
      /cursor belongs to a search sorted by bytes desc/,
    );
    await expect(searchFlows(store, { range: all, after: 'garbage' })).rejects.toThrow(/invalid cursor/);
  });

  it('host detail: totals, peers and ports of one address', async () => {
    const ip = '192.168.2.126';
    const mine = built.flows.filter((f) => f.srcIp === ip || f.dstIp === ip);
    const detail = await hostDetail(store, { ip, range: all, limit: 5 });
    expect(detail.totals).toMatchObject({
      flows: mine.length,
      packets: sum(mine, (f) => f.packets),
      bytes: sum(mine, (f) => f.bytes),
      bytesSent: sum(mine, (f) => (f.srcIp === ip ? f.fwdBytes : f.revBytes)),
      bytesReceived: sum(mine, (f) => (f.srcIp === ip ? f.revBytes : f.fwdBytes)),
      flowsAsClient: mine.filter((f) => f.srcIp === ip).length,
      firstSeen: Math.min(...mine.map((f) => f.firstTs)),
    });
    const peers = new Map<string, { ip: string; flows: number; packets: number; bytes: number }>();
    for (const f of mine) {
      const peer = f.srcIp === ip ? f.dstIp : f.srcIp;
      const row = peers.get(peer) ?? { ip: peer, flows: 0, packets: 0, bytes: 0 };
      row.flows++;
      row.packets += f.packets;
      row.bytes += f.bytes;
      peers.set(peer, row);
    }
    const expectedPeers = [...peers.values()]
      .sort((a, b) => b.bytes - a.bytes || byKey(a.ip, b.ip))
      .slice(0, 5);
    expect(detail.peers).toEqual(expectedPeers);
    const http = detail.ports.find((p) => p.port === 80 && p.role === 'client');
    const httpFlows = mine.filter((f) => f.srcIp === ip && f.dstPort === 80 && f.protocol === 6);
    expect(http).toEqual({
      protocol: 6,
      port: 80,
      role: 'client',
      flows: httpFlows.length,
      packets: sum(httpFlows, (f) => f.packets),
      bytes: sum(httpFlows, (f) => f.bytes),
    });
    expect(detail.timeline.series[0].bytes.reduce((a, b) => a + b, 0)).toBe(detail.totals.bytes);
    await expect(hostDetail(store, { ip: '300.1.1.1', range: all })).rejects.toThrow(
      /expected an IPv4 or IPv6/,
    );
  });

  it.each(['ndjson', 'json', 'csv'] as const)('export as %s writes every matching flow', async (format) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportFlows(store, { range: all, filter: 'udp', format }, out);
    out.end();
    const text = Buffer.concat(chunks).toString('utf8');
    const expected = built.flows.filter((f) => f.protocol === 17);
    expect(result.flows).toBe(expected.length);
    if (format === 'csv') {
      const lines = text.trimEnd().split('\r\n');
      expect(lines.length).toBe(expected.length + 1);
      expect(lines[0].startsWith('communityId,protocol,ipVersion,srcIp')).toBe(true);
      return;
    }
    const rows =
      format === 'json'
        ? (JSON.parse(text) as FlowRecord[])
        : text
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as FlowRecord);
    expect(rows.map(signature).sort()).toEqual(expected.map(signature).sort());
    expect(rows.map((r) => r.firstTs)).toEqual(rows.map((r) => r.firstTs).sort((a, b) => a - b));
  });

  it('a bad filter throws FilterSyntaxError with its column', async () => {
    await expect(top(store, { by: 'host', range: all, filter: 'port 80 port 443' })).rejects.toMatchObject({
      name: 'FilterSyntaxError',
      column: 9,
    });
  });

  describe.skipIf(!toolsAvailable(['tshark']))('against tshark', () => {
    const name = 'bulk_mixed_apps_1kxun.pcap';

    it(`${name}: top hosts by packets match tshark -z endpoints`, async () => {
      const ingest = built.files[0];
      const result = await top(store, {
        by: 'host',
        metric: 'packets',
        range: all,
        filter: `ingest "${ingest.ingestId}"`,
        limit: 10,
      });
      const tshark = await run('tshark', [
        '-r',
        corpusPath(name),
        '-q',
        '-z',
        'endpoints,ip',
        '-z',
        'endpoints,ipv6',
      ]);
      const endpoints = tshark.stdout
        .split('\n')
        .map((line) => /^(\S+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s*$/.exec(line))
        .filter((m) => m !== null)
        .map((m) => ({ key: normalizeIp(m[1]), packets: Number(m[2]) }))
        .sort((a, b) => b.packets - a.packets || byKey(a.key, b.key))
        .slice(0, 10);
      expect(result.rows.map((r) => ({ key: r.key, packets: r.packets }))).toEqual(endpoints);
    });

    it(`${name}: top hosts by IP bytes match tshark's per-frame IP lengths`, async () => {
      const ingest = built.files[0];
      const result = await top(store, {
        by: 'host',
        range: all,
        filter: `ingest "${ingest.ingestId}"`,
        limit: 10,
      });
      const { rows } = await tsharkFrames(corpusPath(name));
      const bytes = new Map<string, number>();
      for (const row of rows) {
        const v4 = row['ip.src'].length > 0;
        const src = v4 ? row['ip.src'][0] : row['ipv6.src'][0];
        const dst = v4 ? row['ip.dst'][0] : row['ipv6.dst'][0];
        if (src === undefined || dst === undefined) continue;
        const length = v4 ? Number(row['ip.len'][0]) : Number(row['ipv6.plen'][0]) + 40;
        for (const host of new Set([normalizeIp(src), normalizeIp(dst)])) {
          bytes.set(host, (bytes.get(host) ?? 0) + length);
        }
      }
      const expected = [...bytes]
        .map(([key, b]) => ({ key, bytes: b }))
        .sort((a, b) => b.bytes - a.bytes || byKey(a.key, b.key))
        .slice(0, 10);
      expect(result.rows.map((r) => ({ key: r.key, bytes: r.bytes }))).toEqual(expected);
    });
  });
});
