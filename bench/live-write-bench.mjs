#!/usr/bin/env node
/**
 * The store's live write path (`store.writeFlows`, what `flowlens collect` and live capture
 * call): N flow-export records, decoded from synthesized NetFlow v9 datagrams exactly as the
 * collector bench sends them (bench/export-datagrams.mjs), written in batches into a fresh store;
 * reports flows/s, CPU time per flow (all threads), whether the rollups equal the flows and how
 * many rows the address rollup holds at the end.
 * usage: node bench/live-write-bench.mjs [--flows 500000] [--batch 10000] [--json]
 * needs: `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFlowExportDecoder } from '../dist/decode/flow-export/index.js';
import { createDuckDbStore } from '../dist/store/index.js';
import { exportDatagram, PER } from './export-datagrams.mjs';

const { values: opts } = parseArgs({
  options: {
    flows: { type: 'string', default: '500000' },
    batch: { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(opts.flows);
const batchSize = Number(opts.batch);

// 100,000 records a second of exporter time, as the collector bench sends them.
const decoder = createFlowExportDecoder();
const records = [];
const start = Math.floor(Date.now() / 1000);
for (let n = 0; n < total; n += PER) {
  const ms = Math.floor(n / 100);
  decoder.decode(
    exportDatagram('v9', n, (start + Math.floor(ms / 1000)) * 1000, 100_000 + ms, n / PER),
    '127.0.0.1',
    start,
    {
      onFlow: (r) => records.push(r),
    },
  );
}
records.length = total;

const dataDir = mkdtempSync(path.join(tmpdir(), 'flowlens-live-write-bench-'));
const store = createDuckDbStore({ dataDir });
await store.start();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < total; i += batchSize) await store.writeFlows(records.slice(i, i + batchSize));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const [check] = await store.query(
  `SELECT (SELECT count(*) FROM flows) AS flows, (SELECT sum(flows) FROM flows_1m) AS m1,
  (SELECT sum(flows) FROM flows_5m) AS m5, (SELECT sum(flows) FROM flows_1h) AS h1,
  (SELECT sum(bytes) FROM flows) AS bytes, (SELECT sum(bytes) FROM flows_1h) AS bytes_1h,
  (SELECT sum(flows) FROM flows_hosts_1d WHERE side = 0) AS sources,
  (SELECT sum(bytes) FROM flows_hosts_1d WHERE side > 0) AS bytes_destinations,
  (SELECT count(*) FROM flows_hosts_1d) AS host_rows`,
);
await store.stop();
rmSync(dataDir, { recursive: true, force: true });
const result = {
  flows: total,
  batch: batchSize,
  seconds: Number(seconds.toFixed(2)),
  flowsPerSecond: Math.round(total / seconds),
  // CPU time of every thread (JavaScript and DuckDB's) per flow: steadier than wall time on a
  // shared machine.
  cpuMicrosPerFlow: Number(((cpu.user + cpu.system) / total).toFixed(2)),
  stored: check.flows,
  rollupsExact:
    check.m1 === total &&
    check.m5 === total &&
    check.h1 === total &&
    check.bytes === check.bytes_1h &&
    check.sources === total &&
    check.bytes_destinations === check.bytes,
  /** Rows of the address rollup at the end (live rows are merged every 250,000 appended). */
  addressRollupRows: check.host_rows,
};
console.log(opts.json ? JSON.stringify(result) : result);
