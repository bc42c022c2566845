/**
 * Time rollups (store/rollups.ts, query/rollup-source.ts) on real captures ingested into a real
 * DuckDB store: top-N, series and the overview's totals answered from the rollups equal,
 * exactly, the answers read from raw flows, over aligned and unaligned ranges, with filters the
 * rollups hold; filters and dimensions they do not hold fall back to raw flows. The daily address
 * rollup answers top-N by src_ip, dst_ip and host over ranges of whole days, of parts of days
 * (raw, or the day minus the raw flows outside the range) and of both, equal to raw flows too; so
 * do the overview's host count and busiest hosts, which read it; so do ranges over most of the
 * stored days, read as the address totals minus the days left out. All rollups and the totals
 * stay equal to the flows after live writes (with the live address rows merged), a `--force`
 * replacement and retention.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../src/store/filter/index.js';
import { createDuckDbStore, type FlowStore, type StoredFlow } from '../src/store/index.js';
import { hostParts, rollupDays, withTotals } from '../src/store/query/host-rollup-source.js';
import {
  type Dimension,
  type Metric,
  overview,
  parseRange,
  resolveRange,
  series,
  top,
} from '../src/store/query/index.js';
import type { TimeRange } from '../src/store/query/range.js';
import { rollupRelation, segments } from '../src/store/query/rollup-source.js';
import { HOST_ROLLUP, HOST_TOTALS, ROLLUP_LEVELS } from '../src/store/rollups.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';

const FILES = [
  'bulk_mixed_apps_1kxun.pcap',
  'lt_sll2_mixed.pcap',
  'atk_icmp_tunnel.pcap',
  'encap_mpls_in_vlan_http.pcap',
  'fmt_pcapng_multi_interface.pcapng',
];
const ROLLUP_DIMENSIONS: Dimension[] = ['protocol', 'dst_port', 'application', 'country', 'asn'];
const ROLLUP_FILTERS = [
  'tcp',
  'app tls or app http',
  'dst port 443',
  'not proto udp',
  'ipver 6 or proto icmp',
];
const RAW_FILTERS = ['port 53', 'bytes > 1k', 'host 10.0.0.1 or tcp'];
const ADDRESS_DIMENSIONS: Dimension[] = ['src_ip', 'dst_ip', 'host'];
const DAY = 86_400;

describe.skipIf(!corpusAvailable)('rollups answer exactly as raw flows do (corpus)', () => {
  let data: QueryStore;
  let store: FlowStore;
  let ranges: TimeRange[];

  /** Every level's sums equal the flows table's. */
  async function expectRollupsWhole(): Promise<void> {
    const [raw] = await store.query(
      'SELECT count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows',
    );
    for (const { table } of ROLLUP_LEVELS) {
      const [rolled] = await store.query(
        `SELECT sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM ${table}`,
      );
      expect(rolled, table).toEqual(raw);
    }
    // The address rollup: per day, address and side, exactly the flows' sums.
    const perKey = `SELECT epoch(bucket) AS b, ip, side, sum(flows) AS flows, sum(packets) AS packets,
  sum(bytes) AS bytes FROM KEYED GROUP BY ALL ORDER BY ALL`;
    const fromFlows = `(SELECT time_bucket(INTERVAL 1 DAY, first_ts) AS bucket, src_ip AS ip, 0 AS side, 1 AS flows,
  packets, bytes FROM flows UNION ALL SELECT time_bucket(INTERVAL 1 DAY, first_ts), dst_ip,
  CASE WHEN dst_ip = src_ip THEN 2 ELSE 1 END, 1, packets, bytes FROM flows)`;
    expect(await store.query(perKey.replace('KEYED', HOST_ROLLUP.table))).toEqual(
      await store.query(perKey.replace('KEYED', fromFlows)),
    );
    // The address totals: per address and side, the address rollup summed over every day.
    const perAddress = `SELECT ip, side, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM KEYED GROUP BY ALL HAVING sum(flows) <> 0 OR sum(packets) <> 0 OR sum(bytes) <> 0 ORDER BY ALL`;
    const totals = await store.query(perAddress.replace('KEYED', HOST_TOTALS.table));
    expect(totals.length).toBeGreaterThan(0);
    expect(totals).toEqual(await store.query(perAddress.replace('KEYED', HOST_ROLLUP.table)));
    // Every write path ends by merging the totals when the rows added reach half the merged ones.
    const [rows] = await store.query(
      `SELECT count(*) FILTER (WHERE compacted) AS merged, count(*) FILTER (WHERE NOT compacted) AS added
FROM ${HOST_TOTALS.table}`,
    );
    expect(2 * Number(rows.added)).toBeLessThan(Number(rows.merged));
  }

  /** Ranges whose address answers read the totals: everything, and everything but the first day. */
  async function totalsRanges(): Promise<TimeRange[]> {
    const all = await resolveRange(store, parseRange('all'));
    const days = await rollupDays(store);
    if (days === undefined) throw new Error('the address rollup is empty');
    const result = [all, { from: days.first + DAY + 0.25, to: all.to }];
    for (const range of result) {
      const parts = hostParts(range.from, range.to);
      expect(parts, `${range.from}..${range.to}`).toBeDefined();
      expect(withTotals(parts ?? [], days).some((part) => part.source === 'totals')).toBe(true);
    }
    return result;
  }

  /** Top-N by address from the address rollup equals raw flows' answer, each metric. */
  async function expectSameAddressAnswers(range: TimeRange): Promise<void> {
    for (const by of ADDRESS_DIMENSIONS) {
      for (const metric of ['bytes', 'packets', 'flows'] as Metric[]) {
        for (const limit of [3, 50]) {
          const options = { by, metric, range, limit };
          expect(await top(store, options), `${by} ${metric} ${limit} ${range.from}..${range.to}`).toEqual(
            await top(store, { ...options, rollups: false }),
          );
        }
      }
    }
    // The overview's host count and both periods' busiest hosts come from the same rollup.
    for (const topHosts of [0, 3]) {
      expect(await overview(store, { range, topHosts }), `overview ${range.from}..${range.to}`).toEqual(
        await overview(store, { range, topHosts, rollups: false }),
      );
    }
  }

  /**
   * Ranges over which the address rollup answers (each spans a whole day or at least 1.6 days),
   * with edges inside the captures so that subtracted parts hold flows.
   */
  function addressRanges(): TimeRange[] {
    const result: TimeRange[] = [];
    for (const file of data.files) {
      const first = Math.min(...file.flows.map((f) => f.firstTs));
      const last = Math.max(...file.flows.map((f) => f.lastTs));
      const day = Math.floor(first / DAY) * DAY;
      result.push(
        { from: day, to: day + DAY },
        { from: first - 0.7 * DAY, to: last + 0.2 * DAY },
        { from: first + 0.5, to: first + 0.5 + 1.6 * DAY },
        { from: first - 2.5 * DAY + 17.25, to: last + 3.25 * DAY },
        { from: first - 1.6 * DAY, to: (first + last) / 2 },
      );
    }
    return result;
  }

  async function expectSameAnswers(range: TimeRange, filter?: string): Promise<void> {
    for (const by of ROLLUP_DIMENSIONS) {
      for (const metric of ['bytes', 'flows'] as Metric[]) {
        const options = { by, metric, range, filter, limit: 20 };
        expect(await top(store, options), `${by} ${metric} ${filter}`).toEqual(
          await top(store, { ...options, rollups: false }),
        );
      }
    }
    const fits = (bucket: number) => (range.to - range.from) / bucket < 50_000;
    for (const bucket of (['auto', 60, 300, 3600, 10] as const).filter((b) => b === 'auto' || fits(b))) {
      const options = { range, filter, bucket };
      expect(await series(store, options), `series ${bucket} ${filter}`).toEqual(
        await series(store, { ...options, rollups: false }),
      );
    }
    const split = { range, filter, splitBy: 'application' as const, topK: 3 };
    expect(await series(store, split)).toEqual(await series(store, { ...split, rollups: false }));
    const totals = { range, filter, topHosts: 3 };
    expect(await overview(store, totals), `overview ${filter}`).toEqual(
      await overview(store, { ...totals, rollups: false }),
    );
  }

  beforeAll(async () => {
    data = await buildQueryStore(FILES);
    // Live address rows are merged after every batch: the tests see merges.
    store = createDuckDbStore({ dataDir: data.dataDir, liveHostCompactRows: 1 });
    await store.start();
    const all = await resolveRange(store, parseRange('all'));
    // Unaligned ranges around each capture: a flow's first packet plus odd offsets.
    ranges = [all];
    for (const file of data.files) {
      const first = Math.min(...file.flows.map((f) => f.firstTs));
      const last = Math.max(...file.flows.map((f) => f.lastTs));
      ranges.push({ from: first + 37.25, to: last - 13.5 }, { from: first - 1, to: first + 3600.75 });
    }
    ranges = ranges.filter((r) => r.from < r.to);
  }, 240_000);
  afterAll(async () => {
    await store?.stop();
    if (data) rmSync(data.dataDir, { recursive: true, force: true });
  });

  it('holds every flow once at every level after ingest', async () => {
    await expectRollupsWhole();
  });

  it('top-N by protocol over everything equals a count over the analysed flows', async () => {
    const range = await resolveRange(store, parseRange('all'));
    expect(rollupRelation({ range, filter: undefined, columns: ['protocol'] })).toBeDefined();
    const expected = new Map<number, { flows: number; packets: number; bytes: number }>();
    for (const f of data.flows) {
      const row = expected.get(f.protocol) ?? { flows: 0, packets: 0, bytes: 0 };
      row.flows++;
      row.packets += f.packets;
      row.bytes += f.bytes;
      expected.set(f.protocol, row);
    }
    const answer = await top(store, { by: 'protocol', range, limit: 100 });
    expect(new Map(answer.rows.map(({ key, ...sums }) => [key, sums]))).toEqual(expected);
  });

  it('answers top-N and series from rollups as raw flows would, with and without filters', async () => {
    let used = 0;
    for (const range of ranges) {
      if (rollupRelation({ range, filter: undefined, columns: [] })) used++;
      await expectSameAnswers(range);
      for (const filter of ROLLUP_FILTERS) {
        expect(
          rollupRelation({ range: ranges[0], filter: parseFilter(filter), columns: [] }),
          filter,
        ).toBeDefined();
        await expectSameAnswers(range, filter);
      }
    }
    expect(used).toBeGreaterThan(ranges.length / 2);
  }, 240_000);

  it('answers top-N by address from the daily address rollup as raw flows would', async () => {
    const ranges = addressRanges();
    for (const range of ranges) {
      expect(hostParts(range.from, range.to), `${range.from}..${range.to}`).toBeDefined();
      await expectSameAddressAnswers(range);
    }
    for (const range of await totalsRanges()) await expectSameAddressAnswers(range);
    // Short ranges read raw flows only; filtered queries too.
    for (const range of ranges) expect(hostParts(range.from, range.from + 0.5 * DAY)).toBeUndefined();
    const range = ranges[1];
    const filtered = { by: 'host' as const, range, filter: 'tcp', limit: 10 };
    expect(await top(store, filtered)).toEqual(await top(store, { ...filtered, rollups: false }));
  }, 240_000);

  it('splits a range into rollup days and raw parts, subtracting when a part is over half a day', () => {
    const d = 1_714_003_200; // a midnight, UTC
    const show = (from: number, to: number) =>
      hostParts(from, to)?.map((p) => [p.source, p.sign, p.from - d, p.to - d]);
    expect(show(d, d + 3 * DAY)).toEqual([['rollup', 1, 0, 3 * DAY]]);
    expect(show(d + 3600, d + 2 * DAY + 100)).toEqual([
      ['rollup', 1, 0, DAY],
      ['raw', -1, 0, 3600],
      ['rollup', 1, DAY, 2 * DAY],
      ['raw', 1, 2 * DAY, 2 * DAY + 100],
    ]);
    expect(show(d + 100, d + DAY - 50)).toEqual([
      ['rollup', 1, 0, DAY],
      ['raw', -1, 0, 100],
      ['raw', -1, DAY - 50, DAY],
    ]);
    expect(show(d + 0.6 * DAY, d + 1.4 * DAY)).toBeUndefined();
    expect(show(d + 0.6 * DAY, d + 1.6 * DAY)).toEqual([
      ['raw', 1, 0.6 * DAY, DAY],
      ['rollup', 1, DAY, 2 * DAY],
      ['raw', -1, 1.6 * DAY, 2 * DAY],
    ]);
  });

  it('reads most of the stored days as the totals minus the days left out, unbounded', () => {
    const d = 1_714_003_200;
    const days = { first: d, last: d + 9 * DAY };
    const show = (from: number, to: number) =>
      withTotals(hostParts(from, to) ?? [], days).map((p) => [p.source, p.sign, p.from - d, p.to - d]);
    // 10 stored days: reading 8 of them takes the totals minus the rest, on both sides.
    expect(show(d + DAY, d + 9 * DAY)).toEqual([
      ['totals', 1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      ['rollup', -1, Number.NEGATIVE_INFINITY, DAY],
      ['rollup', -1, 9 * DAY, Number.POSITIVE_INFINITY],
    ]);
    // Raw parts stay as they are; the partial first day read as its rollup day counts as read.
    expect(show(d + 3600, d + 20 * DAY)).toEqual([
      ['raw', -1, 0, 3600],
      ['totals', 1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      ['rollup', -1, Number.NEGATIVE_INFINITY, 0],
      ['rollup', -1, 20 * DAY, Number.POSITIVE_INFINITY],
    ]);
    // Half the days or fewer: the days themselves.
    const half = hostParts(d, d + 5 * DAY) ?? [];
    expect(withTotals(half, days)).toBe(half);
    expect(withTotals(half, undefined)).toBe(half);
  });

  it('falls back to raw flows for fields and dimensions the rollups do not hold', async () => {
    const range = ranges[0];
    for (const filter of RAW_FILTERS) {
      expect(rollupRelation({ range, filter: parseFilter(filter), columns: [] }), filter).toBeUndefined();
      await expectSameAnswers(range, filter);
    }
    for (const columns of [['src_ip'], ['src_port'], ['sni']]) {
      expect(rollupRelation({ range, filter: undefined, columns })).toBeUndefined();
    }
    const host = { by: 'host' as const, range, limit: 5 };
    expect(await top(store, host)).toEqual(await top(store, { ...host, rollups: false }));
  });

  it('splits a range into raw edges and whole buckets, coarsest in the middle', () => {
    const parts = segments(3590.5, 7500, ROLLUP_LEVELS);
    expect(parts.map((p) => [p.level?.seconds ?? 'raw', p.from, p.to])).toEqual([
      ['raw', 3590.5, 3600],
      [3600, 3600, 7200],
      [300, 7200, 7500],
    ]);
    expect(segments(10, 50, ROLLUP_LEVELS)).toEqual([{ level: undefined, from: 10, to: 50 }]);
  });

  it('stays exact after live writes, a forced replacement and retention', async () => {
    // Live: flows of one capture again, as a collector would write them (no ingest id).
    const live: StoredFlow[] = data.files[2].flows.map((f) => ({ ...f, sourceKind: 'live' }));
    const [before] = await store.query('SELECT count(*) AS n FROM flows');
    // Overlapping calls: each batch is its own transaction, one after the other.
    const batches = [0, 1, 2, 3].map((i) => live.filter((_, j) => j % 4 === i));
    await Promise.all(batches.map((batch) => store.writeFlows(batch)));
    expect(await store.query('SELECT count(*) AS n FROM flows')).toEqual([
      { n: Number(before.n) + live.length },
    ]);
    await expectRollupsWhole();
    await expectSameAnswers(ranges[0], 'source live');
    for (const range of [...addressRanges(), ...(await totalsRanges())])
      await expectSameAddressAnswers(range);
    // The live address rows were merged (liveHostCompactRows above): one row per key.
    const [duplicates] = await store.query(
      `SELECT count(*) AS n FROM (SELECT bucket, ip, side FROM ${HOST_ROLLUP.table}
WHERE ingest_id IS NULL GROUP BY ALL HAVING count(*) > 1)`,
    );
    expect(duplicates).toEqual({ n: 0 });

    // --force: the earlier ingest of the file and its rollups go, the new ones come.
    const name = data.files[1].name;
    const file = corpusPath(name);
    const writer = await store.beginIngest({
      file,
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
      sizeBytes: statSync(file).size,
      sourceKind: 'pcap',
      replace: true,
    });
    await writer.write(data.files[1].flows.slice(0, 100).map((f) => ({ ...f, sourceKind: 'pcap' })));
    await writer.commit({ packets: 0, bytes: 0 });
    await expectRollupsWhole();
    await expectSameAnswers(ranges[0]);
    for (const range of [...addressRanges(), ...(await totalsRanges())])
      await expectSameAddressAnswers(range);

    // Retention whose cutoff falls inside the longest capture.
    const flows = data.files[1].flows;
    const middle = (Math.min(...flows.map((f) => f.firstTs)) + Math.max(...flows.map((f) => f.lastTs))) / 2;
    const now = new Date((middle + 5 * 86_400) * 1000);
    const { flowsDeleted } = await store.applyRetention(5, now);
    expect(flowsDeleted).toBeGreaterThan(0);
    await expectRollupsWhole();
    for (const range of ranges) await expectSameAnswers(range, 'tcp');
    for (const range of [...addressRanges(), ...(await totalsRanges())])
      await expectSameAddressAnswers(range);
  }, 240_000);
});
