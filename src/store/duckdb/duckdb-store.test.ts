/**
 * The DuckDB store against a real database in a temp dir: migrations, a round trip of every
 * stored field, ingest atomicity in-process, duplicate refusal and replacement, retention,
 * alerts and streaming. Interrupted CLI ingests are tested in test/ingest.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addressToBigInt, type Device, parseIpAddress, TUNNEL_NAMES } from '../../model/index.js';
import { ERR } from '../../shared/index.js';
import { filterFields } from '../filter/index.js';
import {
  createDuckDbStore,
  type FlowStore,
  SCHEMA_VERSION,
  type StoredFlow,
  type StoreRow,
} from '../index.js';
import { runMigrations } from './migrate.js';
import { compactHostTotalsAfterWrite } from './rollups.js';
import { FLOW_COLUMNS, FLOW_ENUMS, type FlowColumn, MIGRATIONS } from './schema.js';

const T0 = 1_700_000_000.123456;

function flow(overrides: Partial<StoredFlow> = {}): StoredFlow {
  return {
    communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    protocol: 6,
    ipVersion: 4,
    srcIp: '10.0.0.1',
    srcPort: 51_000,
    dstIp: '192.0.2.7',
    dstPort: 443,
    vlan: 0,
    firstTs: T0,
    lastTs: T0 + 1.000001,
    packets: 10,
    bytes: 1_000,
    frameBytes: 1_140,
    fwdPackets: 6,
    fwdBytes: 600,
    revPackets: 4,
    revBytes: 400,
    tcpFlags: 0x1b,
    fwdTcpFlags: 0x1b,
    revTcpFlags: 0x12,
    state: 'SF',
    endReason: 'tcp-fin',
    fragments: 0,
    sourceKind: 'pcap',
    ...overrides,
  };
}

/** Every optional field set, IPv6 addresses at and above 2^127, extreme counts. */
const FULL: StoredFlow = flow({
  communityId: '1:full',
  protocol: 17,
  ipVersion: 6,
  srcIp: 'fe80::1',
  dstIp: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  srcPort: 65_535,
  dstPort: 0,
  vlan: 4_095,
  firstTs: 1_234_567_890.000001,
  lastTs: 1_999_999_999.999999,
  packets: Number.MAX_SAFE_INTEGER,
  bytes: 2 ** 40,
  frameBytes: 2 ** 41,
  fwdPackets: 2 ** 33,
  fwdBytes: 2 ** 34,
  revPackets: 1,
  revBytes: 0,
  tcpFlags: 255,
  fwdTcpFlags: 128,
  revTcpFlags: 1,
  state: 'RSTOS0',
  endReason: 'active-timeout',
  fragments: 4_294_967_295,
  tunnel: { type: 'vxlan', id: 16_777_215, outerSrcIp: '', outerDstIp: '' },
  sourceKind: 'ipfix',
  exporter: '198.51.100.1',
  samplingRate: 1_000,
  rawPackets: 3,
  rawBytes: 4_500,
  inputIf: 7,
  outputIf: 4_294_967_295,
  application: 'dns',
  sni: 'example.org',
  httpHost: 'www.example.org',
  dnsName: 'a.example.org',
  srcCountry: 'FR',
  dstCountry: 'US',
  srcAsn: 3_215,
  dstAsn: 4_294_967_295,
  srcAsName: 'Orange',
  dstAsName: 'Example AS',
  threatTags: ['tor-exit', 'scanner'],
});

/** A `flows` row back to a StoredFlow, for comparison with what was written. */
function fromRow(row: StoreRow): StoredFlow {
  const n = (v: unknown) => Number(v);
  const out: Record<string, unknown> = {
    communityId: row.community_id,
    protocol: row.protocol,
    ipVersion: row.ip_version,
    srcIp: row.src_ip,
    srcPort: row.src_port,
    dstIp: row.dst_ip,
    dstPort: row.dst_port,
    vlan: row.vlan,
    firstTs: row.first_ts,
    lastTs: row.last_ts,
    packets: n(row.packets),
    bytes: n(row.bytes),
    frameBytes: n(row.frame_bytes),
    fwdPackets: n(row.fwd_packets),
    fwdBytes: n(row.fwd_bytes),
    revPackets: n(row.rev_packets),
    revBytes: n(row.rev_bytes),
    tcpFlags: row.tcp_flags,
    fwdTcpFlags: row.fwd_tcp_flags,
    revTcpFlags: row.rev_tcp_flags,
    state: row.state,
    endReason: row.end_reason,
    fragments: row.fragments,
    sourceKind: row.source_kind,
  };
  const optional: Record<string, unknown> = {
    exporter: row.exporter,
    samplingRate: row.sampling_rate,
    rawPackets: row.raw_packets,
    rawBytes: row.raw_bytes,
    inputIf: row.input_if,
    outputIf: row.output_if,
    application: row.application,
    sni: row.sni,
    httpHost: row.http_host,
    dnsName: row.dns_name,
    srcCountry: row.src_country,
    dstCountry: row.dst_country,
    srcAsn: row.src_asn,
    dstAsn: row.dst_asn,
    srcAsName: row.src_as_name,
    dstAsName: row.dst_as_name,
    threatTags: row.threat_tags,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== null) out[key] = value;
  if (row.tunnel_type !== null) {
    out.tunnel = { type: row.tunnel_type, id: row.tunnel_id, outerSrcIp: '', outerDstIp: '' };
  }
  return out as unknown as StoredFlow;
}

let dataDir: string;
let store: FlowStore;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-store-'));
  store = createDuckDbStore({ dataDir });
});

afterEach(async () => {
  await store.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const count = async (where = 'true') =>
  Number((await store.query(`SELECT count(*) AS n FROM flows WHERE ${where}`))[0].n);

describe('migrations', () => {
  it('run once, and a second start applies nothing', async () => {
    const all = MIGRATIONS.map((m) => m.version);
    expect(all.at(-1)).toBe(SCHEMA_VERSION);
    expect(await store.start()).toEqual({ migrated: all, rolledBack: [] });
    await store.stop();
    const again = createDuckDbStore({ dataDir });
    expect(await again.start()).toEqual({ migrated: [], rolledBack: [] });
    const health = await again.health();
    expect(health).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      flows: 0,
      alerts: 0,
      ingests: 0,
      oldestFlowTs: null,
      newestFlowTs: null,
    });
    expect(health.path).toBe(path.join(dataDir, 'flowlens.duckdb'));
    expect(health.fileBytes).toBeGreaterThan(0);
    expect(await again.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: all.length }]);
    await again.stop();
  });

  it('turn a version 1 store with flows and alerts into ENUM columns and the alert lifecycle', async () => {
    const instance = await DuckDBInstance.create(path.join(dataDir, 'flowlens.duckdb'));
    const connection = await instance.connect();
    await runMigrations(connection, MIGRATIONS.slice(0, 1));
    const v1Columns = FLOW_COLUMNS.map(([name]) => name);
    const values: Partial<Record<FlowColumn, string>> = {
      community_id: "'1:x'",
      src_ip: "'10.0.0.1'",
      dst_ip: "'10.0.0.2'",
      first_ts: "TIMESTAMP '2024-01-01'",
      last_ts: "TIMESTAMP '2024-01-01'",
      state: "'RSTOS0'",
      end_reason: "'tcp-rst'",
      tunnel_type: "'gre'",
      source_kind: "'netflow'",
    };
    const nullable = new Set(FLOW_COLUMNS.filter(([, type]) => !type.includes('NOT NULL')).map(([n]) => n));
    await connection.run(
      `INSERT INTO flows VALUES (${v1Columns.map((n) => values[n] ?? (nullable.has(n) ? 'NULL' : '0')).join(', ')})`,
    );
    await connection.run(
      "INSERT INTO alerts (id, ts, type, severity, state, summary, mitre) VALUES ('old', TIMESTAMP '2024-01-01', 'port-scan', 'high', 'open', 's', ['T1046'])",
    );
    connection.closeSync();
    instance.closeSync();

    expect(await store.start()).toEqual({ migrated: [2, 3, 4, 5, 6, 7, 8], rolledBack: [] });
    // Version 6: the rollups hold the flows already stored.
    for (const table of ['flows_1m', 'flows_5m', 'flows_1h']) {
      expect(await store.query(`SELECT epoch(bucket) AS b, source_kind, flows FROM ${table}`)).toEqual([
        { b: Date.UTC(2024, 0, 1) / 1000, source_kind: 'netflow', flows: 1 },
      ]);
    }
    // Version 7: the address rollup too, one row per side.
    expect(
      await store.query('SELECT epoch(bucket) AS b, ip, side, flows FROM flows_hosts_1d ORDER BY side'),
    ).toEqual([
      { b: Date.UTC(2024, 0, 1) / 1000, ip: '10.0.0.1', side: 0, flows: 1 },
      { b: Date.UTC(2024, 0, 1) / 1000, ip: '10.0.0.2', side: 1, flows: 1 },
    ]);
    // Version 8: the address totals, merged.
    expect(
      await store.query('SELECT ip, side, flows, compacted FROM flows_hosts_total ORDER BY side'),
    ).toEqual([
      { ip: '10.0.0.1', side: 0, flows: 1, compacted: true },
      { ip: '10.0.0.2', side: 1, flows: 1, compacted: true },
    ]);
    // Version 3: an alert of before the lifecycle is a new alert seen once, its own fingerprint.
    const [alert] = await store.listAlerts();
    const jan1 = Date.UTC(2024, 0, 1) / 1000;
    expect(alert).toMatchObject({
      id: 'old',
      state: 'new',
      fingerprint: 'old',
      count: 1,
      firstSeen: jan1,
      lastSeen: jan1,
    });
    const [row] = await store.query(
      'SELECT state, end_reason, tunnel_type, source_kind, typeof(state) AS t FROM flows WHERE state = ? AND source_kind = ?',
      ['RSTOS0', 'netflow'],
    );
    expect(row).toEqual({
      state: 'RSTOS0',
      end_reason: 'tcp-rst',
      tunnel_type: 'gre',
      source_kind: 'netflow',
      t: `ENUM(${FLOW_ENUMS.state.map((m) => `'${m}'`).join(', ')})`,
    });
    // A value the type does not hold matches nothing rather than failing.
    expect(await count("state = 'XX' OR tunnel_type = 'nope'")).toBe(0);
  });

  it('declare ENUM members in byte order, holding every value the model and the filter know', () => {
    for (const members of Object.values(FLOW_ENUMS)) expect([...members].sort()).toEqual(members);
    const enumFields = filterFields().filter((f) => f.columns[0] in FLOW_ENUMS);
    expect(enumFields.map((f) => f.columns[0]).sort()).toEqual(Object.keys(FLOW_ENUMS).sort());
    for (const field of enumFields) {
      expect([...(field.values ?? [])].sort()).toEqual(
        FLOW_ENUMS[field.columns[0] as keyof typeof FLOW_ENUMS],
      );
    }
    expect(TUNNEL_NAMES.filter((name) => name !== '').sort()).toEqual(FLOW_ENUMS.tunnel_type);
  });
});

describe('address totals', () => {
  it('merge after writes; of two merges at once one is refused and rolled back, sums stay exact', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-totals-'));
    const instance = await DuckDBInstance.create(path.join(dir, 'totals.duckdb'));
    try {
      const a = await instance.connect();
      const b = await instance.connect();
      await runMigrations(a);
      const sums = `SELECT ip, side, sum(flows)::INTEGER AS flows, sum(bytes)::INTEGER AS bytes
FROM flows_hosts_total GROUP BY ALL HAVING sum(flows) <> 0 ORDER BY ALL`;
      const read = async () => (await a.runAndReadAll(sums)).getRowObjectsJson();
      // Changes since the last merge, one of them negative, one key netting to nothing.
      await a.run(`INSERT INTO flows_hosts_total VALUES ('10.0.0.1', 0, 3, 30, 300, false),
  ('10.0.0.1', 0, -1, -10, -100, false), ('10.0.0.2', 1, 1, 1, 1, false), ('10.0.0.2', 1, -1, -1, -1, false)`);
      const before = await read();
      expect(before).toEqual([{ ip: '10.0.0.1', side: 0, flows: 2, bytes: 200 }]);
      // a is in the middle of a merge: b's merge deletes the same rows, is refused, rolls back.
      await a.run('BEGIN TRANSACTION');
      await a.run('DELETE FROM flows_hosts_total');
      await compactHostTotalsAfterWrite(b);
      await a.run('ROLLBACK');
      expect(
        (await a.runAndReadAll('SELECT count(*)::INTEGER AS n FROM flows_hosts_total')).getRows(),
      ).toEqual([[4]]);
      // Alone, a merge leaves one row per key that has flows.
      await compactHostTotalsAfterWrite(b);
      expect(await read()).toEqual(before);
      expect(
        (await a.runAndReadAll('SELECT ip, compacted FROM flows_hosts_total')).getRowObjectsJson(),
      ).toEqual([{ ip: '10.0.0.1', compacted: true }]);
      a.closeSync();
      b.closeSync();
    } finally {
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('flows', () => {
  beforeEach(async () => {
    await store.start();
  });

  it('round-trips every field, timestamps to the microsecond, addresses ≥ 2^127', async () => {
    const minimal = flow();
    await store.writeFlows([FULL, minimal]);
    const rows = await store.query('SELECT * FROM flows ORDER BY protocol DESC');
    expect(rows.map(fromRow)).toEqual([FULL, minimal]);
    const [full] = rows;
    expect(full.src_addr).toBe(addressToBigInt(parseIpAddress('fe80::1') as Uint8Array));
    expect(full.dst_addr).toBe(2n ** 128n - 1n);
    expect(rows[1].src_addr).toBe(Number(addressToBigInt(parseIpAddress('10.0.0.1') as Uint8Array)));
    const micros = await store.query(
      "SELECT epoch_us(first_ts)::VARCHAR AS f, epoch_us(last_ts)::VARCHAR AS l FROM flows WHERE community_id = '1:full'",
    );
    expect(micros).toEqual([{ f: '1234567890000001', l: '1999999999999999' }]);
    const byAddress = await store.query(
      'SELECT community_id FROM flows WHERE src_addr = CAST(? AS UHUGEINT)',
      [addressToBigInt(parseIpAddress('fe80::1') as Uint8Array).toString()],
    );
    expect(byAddress).toEqual([{ community_id: '1:full' }]);
  });

  it('writes batches larger than a chunk, with NULLs mixed in', async () => {
    const batch = Array.from({ length: 5_000 }, (_, i) =>
      flow({ srcPort: i % 65_536, packets: i, application: i % 3 === 0 ? 'dns' : undefined }),
    );
    await store.writeFlows(batch);
    expect(await count()).toBe(5_000);
    const [sums] = await store.query(
      'SELECT sum(packets) AS p, count(application) AS a, count(DISTINCT src_port) AS ports FROM flows',
    );
    expect(sums).toEqual({ p: (4_999 * 5_000) / 2, a: 1_667, ports: 5_000 });
  });

  it('rejects out-of-range values without writing', async () => {
    await expect(store.writeFlows([flow({ packets: -1 })])).rejects.toThrow(RangeError);
    await expect(store.writeFlows([flow({ srcPort: 70_000 })])).rejects.toThrow(RangeError);
    await expect(store.writeFlows([flow({ state: 'XX' as never })])).rejects.toThrow(RangeError);
    const tunnel = { type: 'mpls', outerSrcIp: '', outerDstIp: '' };
    await expect(store.writeFlows([flow({ tunnel })])).rejects.toThrow(RangeError);
    expect(await count()).toBe(0);
  });

  it('live batches: a rejected one leaves neither flows nor rollup rows, rollup sums stay exact past 2^53', async () => {
    const rollupTotals = async () =>
      store.query(
        `SELECT (SELECT sum(flows) FROM flows_1m) AS m1, (SELECT sum(flows) FROM flows_5m) AS m5,
  (SELECT sum(flows) FROM flows_1h) AS h1, (SELECT sum(bytes)::VARCHAR FROM flows_1h) AS bytes,
  (SELECT sum(flows) FROM flows_hosts_1d WHERE side = 0) AS src,
  (SELECT sum(bytes)::VARCHAR FROM flows_hosts_1d WHERE side = 1) AS dst_bytes`,
      );
    await store.writeFlows([flow(), flow({ application: 'dns', srcCountry: 'FR', srcAsn: 3215 })]);
    // The bad flow comes after a full chunk: rows already handed to the appender go too.
    const bad = [...Array.from({ length: 3_000 }, () => flow()), flow({ dstPort: 70_000 })];
    await expect(store.writeFlows(bad)).rejects.toThrow(RangeError);
    expect(await count()).toBe(2);
    expect(await rollupTotals()).toEqual([{ m1: 2, m5: 2, h1: 2, bytes: '2000', src: 2, dst_bytes: '2000' }]);
    // Two flows of 2^52 + 1 bytes each in one bucket and key: the sum is past 2^53.
    const big = 2 ** 52 + 1;
    await store.writeFlows([flow({ bytes: big }), flow({ bytes: big, firstTs: T0 + 1 })]);
    const [sums] = await store.query(
      'SELECT sum(bytes)::VARCHAR AS flows_bytes, (SELECT sum(bytes)::VARCHAR FROM flows_1m) AS m1_bytes FROM flows',
    );
    expect(sums.flows_bytes).toBe((2000n + 2n * BigInt(big)).toString());
    expect(sums.m1_bytes).toBe(sums.flows_bytes);
    expect(await rollupTotals()).toEqual([
      { m1: 4, m5: 4, h1: 4, bytes: sums.flows_bytes, src: 4, dst_bytes: sums.flows_bytes },
    ]);
  });

  it('round-trips strings around the 12-byte inline limit, non-ASCII and empty ones', async () => {
    const texts = ['', 'a', '10.0.0.1', 'abcdefghijkl', 'abcdefghijklm', 'é', 'ß.example', 'x\u0000y', '💡'];
    const batch = texts.map((text, i) =>
      flow({
        srcPort: i,
        application: text,
        sni: `${text}${text}`,
        srcIp: i % 2 ? '192.168.100.200' : '10.0.0.1',
      }),
    );
    await store.writeFlows(batch);
    const rows = await store.query('SELECT application, sni, src_ip FROM flows ORDER BY src_port');
    expect(rows).toEqual(batch.map((f) => ({ application: f.application, sni: f.sni, src_ip: f.srcIp })));
    expect(await count("application = 'abcdefghijkl' AND sni LIKE 'abcd%'")).toBe(1);
  });

  it('streams rows in batches', async () => {
    await store.writeFlows(Array.from({ length: 5_000 }, (_, i) => flow({ packets: i })));
    const sizes: number[] = [];
    let total = 0;
    for await (const rows of store.stream('SELECT packets FROM flows ORDER BY packets', [], {
      batchRows: 2_000,
    })) {
      sizes.push(rows.length);
      for (const row of rows) total += Number(row.packets);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(sizes.every((n) => n >= 2_000 || n === sizes[sizes.length - 1])).toBe(true);
    expect(total).toBe((4_999 * 5_000) / 2);
  });

  it('reports SQL errors as FLOWLENS_ERR_STORE', async () => {
    await expect(store.query('SELECT nope FROM flows')).rejects.toMatchObject({ code: ERR.STORE });
  });
});

describe('health', () => {
  beforeEach(async () => {
    await store.start();
  });

  it('counts rows and gives the oldest flow start and newest flow end to the microsecond', async () => {
    await store.writeFlows([
      flow({ firstTs: T0, lastTs: T0 + 5 }),
      flow({ firstTs: T0 - 60.5, lastTs: T0 - 1 }),
      flow({ firstTs: T0 + 10, lastTs: T0 + 20.000001 }),
    ]);
    const health = await store.health();
    expect(health).toMatchObject({ flows: 3, alerts: 0, ingests: 0 });
    expect(health.oldestFlowTs).toBeCloseTo(T0 - 60.5, 6);
    expect(health.newestFlowTs).toBeCloseTo(T0 + 20.000001, 6);
    expect(health.fileBytes).toBeGreaterThan(0);
  });
});

describe('ingests', () => {
  beforeEach(async () => {
    await store.start();
  });
  const source = { file: 'a.pcap', sha256: 'aa'.repeat(32), sizeBytes: 100, sourceKind: 'pcap' as const };

  it('hides flows until commit, and records totals', async () => {
    const writer = await store.beginIngest(source);
    await writer.write(Array.from({ length: 3_000 }, () => flow()));
    expect(await count()).toBe(0);
    expect((await store.listIngests())[0]).toMatchObject({ status: 'running', file: 'a.pcap' });
    const record = await writer.commit({ packets: 30, bytes: 3_000 });
    expect(record).toMatchObject({
      status: 'complete',
      flows: 3_000,
      packets: 30,
      bytes: 3_000,
      sha256: source.sha256,
    });
    expect(await count(`ingest_id = '${record.id}'`)).toBe(3_000);
    expect(await store.findIngestBySha256(source.sha256)).toEqual(record);
  });

  it('leaves nothing after abort', async () => {
    const writer = await store.beginIngest(source);
    await writer.write(Array.from({ length: 130_000 }, () => flow()));
    await writer.abort('interrupted');
    expect(await count()).toBe(0);
    expect(await store.listIngests()).toMatchObject([{ status: 'aborted', error: 'interrupted' }]);
    expect(await store.findIngestBySha256(source.sha256)).toBeUndefined();
    // The same file can then go in.
    const again = await store.beginIngest(source);
    await again.write([flow()]);
    await again.commit({ packets: 1, bytes: 1 });
    expect(await count()).toBe(1);
  });

  it('refuses a file already in, and replaces it on request', async () => {
    const first = await store.beginIngest(source);
    await first.write([flow(), flow()]);
    const old = await first.commit({ packets: 2, bytes: 2 });
    await expect(store.beginIngest({ ...source, file: 'copy.pcap' })).rejects.toMatchObject({
      code: ERR.ALREADY_INGESTED,
      exitCode: 2,
    });
    const second = await store.beginIngest({ ...source, replace: true });
    await second.write([flow()]);
    expect(await count()).toBe(2);
    const replaced = await second.commit({ packets: 1, bytes: 1 });
    expect(await count()).toBe(1);
    expect(await count(`ingest_id = '${old.id}'`)).toBe(0);
    expect(await store.findIngestBySha256(source.sha256)).toMatchObject({ id: replaced.id });
  });
});

describe('flowsVersion', () => {
  beforeEach(async () => {
    await store.start();
  });
  const source = { file: 'v.pcap', sha256: 'bb'.repeat(32), sizeBytes: 1, sourceKind: 'pcap' as const };

  it('moves after every write that may change the flows, and only then', async () => {
    let seen = store.flowsVersion();
    const moved = () => {
      const now = store.flowsVersion();
      const result = now > seen;
      seen = now;
      return result;
    };
    await store.writeFlows([flow()]);
    expect(moved()).toBe(true);
    const writer = await store.beginIngest(source);
    await writer.write([flow()]);
    expect(moved()).toBe(false); // not visible before commit
    await writer.commit({ packets: 1, bytes: 1 });
    expect(moved()).toBe(true);
    const aborted = await store.beginIngest({ ...source, sha256: 'cc'.repeat(32) });
    await aborted.abort('test');
    expect(moved()).toBe(true);
    await store.writeAlerts([
      { id: 'v1', ts: T0, type: 't', severity: 'low', state: 'new', summary: 's', evidence: {}, mitre: [] },
    ]);
    await store.query('SELECT count(*) FROM flows');
    expect(moved()).toBe(false);
    await store.applyRetention(1, new Date((T0 + 10 * 86_400) * 1000));
    expect(moved()).toBe(true);
    expect(await count()).toBe(0);
  });
});

describe('retention and alerts', () => {
  beforeEach(async () => {
    await store.start();
  });

  it('deletes flows and alerts older than N days by last_ts and ts', async () => {
    const now = new Date('2024-06-30T00:00:00Z');
    const day = 86_400;
    const at = now.getTime() / 1000;
    await store.writeFlows([
      flow({ firstTs: at - 40 * day, lastTs: at - 31 * day }),
      flow({ firstTs: at - 40 * day, lastTs: at - 29 * day }),
      flow({ firstTs: at - 1, lastTs: at }),
    ]);
    const alert = {
      type: 'port-scan',
      severity: 'high' as const,
      state: 'new' as const,
      summary: 'scan',
      evidence: { ports: [22, 80] },
      mitre: ['T1046'],
    };
    await store.writeAlerts([
      { ...alert, id: 'old', ts: at - 31 * day },
      { ...alert, id: 'new', ts: at - 1, srcIp: '10.0.0.1', communityIds: ['1:x'] },
    ]);
    expect(await store.applyRetention(30, now)).toEqual({ flowsDeleted: 1, alertsDeleted: 1 });
    expect(await count()).toBe(2);
    const alerts = await store.query('SELECT id, ts, src_ip, evidence, mitre, community_ids FROM alerts');
    expect(alerts).toEqual([
      {
        id: 'new',
        ts: at - 1,
        src_ip: '10.0.0.1',
        evidence: '{"ports":[22,80]}',
        mitre: ['T1046'],
        community_ids: ['1:x'],
      },
    ]);
    await expect(store.applyRetention(0)).rejects.toThrow(RangeError);
  });
});

describe('alert lifecycle', () => {
  beforeEach(async () => {
    await store.start();
  });

  const base = {
    type: 'arp-spoofing',
    severity: 'medium' as const,
    state: 'new' as const,
    summary: 'aa:bb claims 10.0.0.1',
    evidence: {},
    mitre: ['T1557.002'],
    fingerprint: 'arp-spoofing|aa:bb',
    score: 50,
  };

  it('merges repeats by fingerprint, raising count, last seen and severity', async () => {
    expect(await store.recordAlerts([{ ...base, id: 'a1', ts: 100 }])).toEqual({ inserted: 1, merged: 0 });
    expect(
      await store.recordAlerts([
        { ...base, id: 'a2', ts: 200, severity: 'high', score: 80 },
        { ...base, id: 'b1', ts: 150, fingerprint: 'other', count: 2 },
        { ...base, id: 'b2', ts: 160, fingerprint: 'other' },
      ]),
    ).toEqual({ inserted: 1, merged: 2 });
    const alerts = await store.listAlerts();
    expect(alerts.map((a) => [a.id, a.count, a.firstSeen, a.lastSeen, a.severity, a.score])).toEqual([
      ['a1', 2, 100, 200, 'high', 80],
      ['b1', 3, 150, 160, 'medium', 50],
    ]);
    expect((await store.listAlerts({ minSeverity: 'high' })).map((a) => a.id)).toEqual(['a1']);
    expect(alerts[0]).toMatchObject({ mitre: ['T1557.002'], state: 'new', summary: base.summary });
  });

  it('acknowledges and dismisses with who and when; a dismissed alert is not reopened by a repeat', async () => {
    await store.recordAlerts([{ ...base, id: 'a1', ts: 100 }]);
    const at = new Date('2026-01-02T03:04:05Z');
    expect(await store.setAlertState('a1', 'acknowledged', 'alice', at)).toBe(true);
    expect(await store.setAlertState('nope', 'acknowledged', 'alice')).toBe(false);
    let [alert] = await store.listAlerts({ state: 'acknowledged' });
    expect(alert).toMatchObject({ id: 'a1', stateBy: 'alice', stateAt: at.getTime() / 1000 });
    await store.setAlertState('a1', 'dismissed', 'bob');
    await store.recordAlerts([{ ...base, id: 'a3', ts: 300 }]);
    expect((await store.listAlerts()).map((a) => [a.id, a.state])).toEqual([
      ['a3', 'new'],
      ['a1', 'dismissed'],
    ]);
    [alert] = await store.listAlerts({ state: 'dismissed' });
    expect(alert.stateBy).toBe('bob');
  });
});

describe('device inventory', () => {
  beforeEach(async () => {
    await store.start();
  });

  const device = (over: Partial<Device>): Device => ({
    mac: '00:0c:29:40:0e:ef',
    randomizedMac: false,
    addresses: [{ ip: '10.0.0.5', source: 'arp', firstSeen: 100, lastSeen: 110 }],
    names: [],
    firstSeen: 100,
    lastSeen: 110,
    packets: 3,
    bytes: 300,
    ...over,
  });

  it('merges what later runs learn and keeps what users set', async () => {
    await store.upsertDevices([device({})]);
    expect(await store.updateDevice('00:0C:29:40:0E:EF', { name: 'printer', trusted: true })).toBe(true);
    await store.upsertDevices([
      device({
        addresses: [
          { ip: '10.0.0.5', source: 'arp', firstSeen: 200, lastSeen: 250 },
          { ip: 'fe80::1', source: 'ndp', firstSeen: 210, lastSeen: 210 },
        ],
        names: [{ name: 'hp-lj', source: 'mdns' }],
        dhcp: { hostname: 'hp-lj' },
        firstSeen: 200,
        lastSeen: 250,
        packets: 7,
        bytes: 700,
      }),
    ]);
    const stored = await store.getDevice('00:0c:29:40:0e:ef');
    expect(stored).toMatchObject({
      name: 'printer',
      trusted: true,
      firstSeen: 100,
      lastSeen: 250,
      packets: 10,
      bytes: 1000,
      names: [{ name: 'hp-lj', source: 'mdns' }],
      dhcp: { hostname: 'hp-lj' },
    });
    expect(stored?.addresses).toEqual([
      { ip: '10.0.0.5', source: 'arp', firstSeen: 100, lastSeen: 250 },
      { ip: 'fe80::1', source: 'ndp', firstSeen: 210, lastSeen: 210 },
    ]);
    expect(await store.updateDevice('00:0c:29:40:0e:ef', { name: null })).toBe(true);
    expect((await store.getDevice('00:0c:29:40:0e:ef'))?.name).toBeUndefined();
    expect(await store.updateDevice('02:00:00:00:00:01', { trusted: true })).toBe(false);
    expect((await store.listDevices()).map((d) => d.mac)).toEqual(['00:0c:29:40:0e:ef']);
  });
});
