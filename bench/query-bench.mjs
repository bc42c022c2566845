#!/usr/bin/env node
/**
 * Query-layer benchmark: p50/p90 latency of `store/query` calls (top-N, time series, flow search,
 * overview, host detail) on a DuckDB store of synthetic flows. See bench/README.md.
 *
 * usage: node bench/query-bench.mjs [--flows N] [--days D] [--runs N] [--data DIR] [--no-rollups]
 *        [--alternate] [--only TEXT] [--json]
 * needs: `npm run build`. The store is generated on first use into bench/out/query-store-N
 * (git-ignored) through the real schema (createDuckDbStore runs the migrations), then filled by
 * one INSERT … SELECT: flows in time order over D days, Zipf-like hosts and ports, after which
 * the rollups are rebuilt with the store's own statements. `--no-rollups` runs every query on
 * raw flows only (the queries' `rollups: false`), for comparison; `--alternate` runs each query
 * both ways, alternately, and reports both (steadier on a shared machine than two runs).
 * `--only TEXT` measures the queries whose name contains TEXT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createDuckDbStore, DATABASE_FILE } = await import(path.join(ROOT, 'dist', 'store', 'index.js'));
const { rebuildAllRollupStatements } = await import(path.join(ROOT, 'dist', 'store', 'duckdb', 'rollups.js'));
const q = await import(path.join(ROOT, 'dist', 'store', 'query', 'index.js'));

const { values: opts } = parseArgs({
  options: {
    flows: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '7' },
    runs: { type: 'string', default: '20' },
    data: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-rollups': { type: 'boolean', default: false },
    alternate: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
/** Passed to every query: `rollups: false` reads raw flows only. */
let R = opts['no-rollups'] ? { rollups: false } : {};
const FLOWS = Number(opts.flows);
const DAYS = Number(opts.days);
const RUNS = Number(opts.runs);
const DATA = opts.data ?? path.join(ROOT, 'bench', 'out', `query-store-${FLOWS}`);
/** Newest flow: a fixed instant, so runs are comparable. */
const END = 1_714_608_000;

async function generate() {
  const store = createDuckDbStore({ dataDir: DATA });
  await store.start();
  await store.stop();
  const instance = await DuckDBInstance.create(path.join(DATA, DATABASE_FILE));
  const connection = await instance.connect();
  const span = DAYS * 86_400;
  const started = performance.now();
  // u(k): a uniform [0,1) per row and purpose. Internal hosts 10.0.x.y (Zipf-like via u^3),
  // external ones anywhere in 100.64.0.0/10-ish; ports from a small hot set or ephemeral.
  await connection.run(`
INSERT INTO flows
WITH base AS (
  SELECT i,
    (hash(i, 1) % 1000000) / 1e6 AS u1, (hash(i, 2) % 1000000) / 1e6 AS u2,
    (hash(i, 3) % 1000000) / 1e6 AS u3, (hash(i, 4) % 1000000) / 1e6 AS u4,
    (hash(i, 5) % 1000000) / 1e6 AS u5, (hash(i, 6) % 1000000) / 1e6 AS u6
  FROM range(${FLOWS}) r(i)
), shaped AS (
  SELECT *,
    167772160 + CAST(floor(pow(u1, 3) * 5000) AS BIGINT) AS src_int,
    1681915904 + CAST(floor(pow(u2, 2) * 200000) AS BIGINT) AS dst_int,
    CASE WHEN u3 < 0.7 THEN 6 WHEN u3 < 0.95 THEN 17 ELSE 1 END AS proto,
    [443, 80, 53, 22, 123, 8080, 993, 25, 3389, 5355][1 + CAST(floor(pow(u4, 2) * 10) AS INT)] AS dport,
    CAST(floor(exp(u5 * 14)) AS UBIGINT) + 40 AS nbytes,
    ${END - span} * 1000000::BIGINT + CAST(i * ${(span * 1e6) / FLOWS} AS BIGINT) AS t0,
    CAST(pow(u6, 4) * 300e6 AS BIGINT) AS dur
  FROM base
)
SELECT
  '1:' || substr(md5(i::VARCHAR), 1, 27) || '=',
  proto, 4,
  (src_int >> 24) || '.' || ((src_int >> 16) & 255) || '.' || ((src_int >> 8) & 255) || '.' || (src_int & 255),
  (dst_int >> 24) || '.' || ((dst_int >> 16) & 255) || '.' || ((dst_int >> 8) & 255) || '.' || (dst_int & 255),
  (281470681743360 + src_int)::UHUGEINT, (281470681743360 + dst_int)::UHUGEINT,
  CASE WHEN proto = 1 THEN 0 ELSE 32768 + (i % 28000) END, CASE WHEN proto = 1 THEN 0 ELSE dport END, 0,
  make_timestamp(t0), make_timestamp(t0 + dur),
  1 + nbytes // 700, nbytes, nbytes + 14 * (1 + nbytes // 700),
  1 + nbytes // 1400, nbytes // 3, nbytes // 1400, nbytes - nbytes // 3,
  CASE WHEN proto = 6 THEN 27 ELSE 0 END, CASE WHEN proto = 6 THEN 27 ELSE 0 END, CASE WHEN proto = 6 THEN 27 ELSE 0 END,
  'SF', 'idle-timeout', 0,
  NULL, NULL, 'pcap', NULL, NULL, NULL, NULL, NULL, NULL,
  CASE WHEN dport = 443 THEN 'tls' WHEN dport = 53 THEN 'dns' WHEN dport = 80 THEN 'http' END,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, [], NULL
FROM shaped`);
  for (const statement of rebuildAllRollupStatements()) await connection.run(statement);
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
  return (performance.now() - started) / 1000;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** p50/p90 of `fn`; with --alternate, also of `fn` on raw flows, the two runs interleaved. */
async function measure(name, target, fn) {
  if (opts.only !== undefined && !name.includes(opts.only)) return undefined;
  const modes = opts.alternate ? [{}, { rollups: false }] : [R];
  const times = modes.map(() => []);
  for (let i = 0; i < RUNS + 2; i++) {
    for (let m = 0; m < modes.length; m++) {
      R = modes[m];
      const t = performance.now();
      await fn();
      // The first two runs warm up.
      if (i >= 2) times[m].push(performance.now() - t);
    }
  }
  for (const list of times) list.sort((a, b) => a - b);
  const [rolled, raw] = times;
  return {
    name,
    p50: percentile(rolled, 0.5),
    p90: percentile(rolled, 0.9),
    ...(raw ? { rawP50: percentile(raw, 0.5), rawP90: percentile(raw, 0.9) } : {}),
    target,
  };
}

let generatedIn;
if (!existsSync(path.join(DATA, DATABASE_FILE))) {
  console.error(`query-bench: generating ${FLOWS.toLocaleString('en-US')} flows into ${DATA}…`);
  generatedIn = await generate();
}

const store = createDuckDbStore({ dataDir: DATA });
await store.start();
const health = await store.health();
const all = await q.resolveRange(store, q.parseRange('all'));
const day = await q.resolveRange(store, q.parseRange('24h'));
const hour = await q.resolveRange(store, q.parseRange('1h'));
const results = [
  await measure('top 10 dst_ip by bytes, all', 100, () => q.top(store, { by: 'dst_ip', range: all, ...R })),
  await measure('top 10 src_ip by bytes, all', 100, () => q.top(store, { by: 'src_ip', range: all, ...R })),
  await measure('top 10 dst_port by bytes, all', 100, () =>
    q.top(store, { by: 'dst_port', range: all, ...R }),
  ),
  await measure('top 10 host by bytes, all', 100, () => q.top(store, { by: 'host', range: all, ...R })),
  await measure('top 10 application by flows, all, "tcp"', 100, () =>
    q.top(store, { by: 'application', metric: 'flows', range: all, filter: 'tcp', ...R }),
  ),
  await measure('top 10 dst_ip by bytes, 24h', 100, () => q.top(store, { by: 'dst_ip', range: day, ...R })),
  await measure('series 24h (5 min buckets)', 100, () => q.series(store, { range: day, ...R })),
  await measure('series all (auto buckets)', 100, () => q.series(store, { range: all, ...R })),
  await measure('series 24h split by dst_port top 5', 100, () =>
    q.series(store, { range: day, splitBy: 'dst_port', topK: 5, ...R }),
  ),
  await measure('flows page 1, "tcp and dst port 443", 24h', 50, () =>
    q.searchFlows(store, { range: day, filter: 'tcp and dst port 443', limit: 100 }),
  ),
  await measure('flows page 1, "dst port 22 and bytes > 100k", all', 50, () =>
    q.searchFlows(store, { range: all, filter: 'dst port 22 and bytes > 100k', limit: 100 }),
  ),
  await measure('flows page 1, all, sorted by bytes', 50, () =>
    q.searchFlows(store, { range: all, sort: 'bytes', limit: 100 }),
  ),
  await measure('flows page 1, "net 10.0.0.0/24", 1h', 50, () =>
    q.searchFlows(store, { range: hour, filter: 'net 10.0.0.0/24', limit: 100 }),
  ),
  await measure('flows page 1, "net 10.0.0.0/24", 24h', 50, () =>
    q.searchFlows(store, { range: day, filter: 'net 10.0.0.0/24', limit: 100 }),
  ),
  await measure('flows page 1, "host 10.0.0.7 and not port 443", 24h', 50, () =>
    q.searchFlows(store, { range: day, filter: 'host 10.0.0.7 and not port 443', limit: 100 }),
  ),
  await measure('overview 24h', undefined, () => q.overview(store, { range: day, ...R })),
  await measure('overview 24h, top 20 hosts (the dashboard)', undefined, () =>
    q.overview(store, { range: day, topHosts: 20, ...R }),
  ),
  await measure('host detail 10.0.0.0, 24h', undefined, () =>
    q.hostDetail(store, { ip: '10.0.0.0', range: day }),
  ),
].filter((r) => r !== undefined);
await store.stop();

if (opts.json) {
  console.log(
    JSON.stringify({ flows: health.flows, fileBytes: health.fileBytes, generatedIn, results }, null, 2),
  );
} else {
  const mib = (health.fileBytes / 2 ** 20).toFixed(0);
  console.log(
    `${health.flows.toLocaleString('en-US')} flows, ${mib} MiB; ${RUNS} runs each after 2 warm-ups`,
  );
  if (generatedIn !== undefined) console.log(`generated in ${generatedIn.toFixed(1)} s`);
  const raw = opts.alternate ? ' raw p50 ms | raw p90 ms |' : '';
  console.log(`| query | p50 ms | p90 ms |${raw} target ms |`);
  console.log(`| --- | --- | --- |${opts.alternate ? ' --- | --- |' : ''} --- |`);
  for (const r of results) {
    const mark = r.target === undefined ? '' : r.p50 <= r.target ? ' ✓' : ' ✗';
    const rawCells = opts.alternate ? ` ${r.rawP50.toFixed(1)} | ${r.rawP90.toFixed(1)} |` : '';
    console.log(
      `| ${r.name} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} |${rawCells} ${r.target ?? '-'}${mark} |`,
    );
  }
}
