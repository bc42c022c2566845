#!/usr/bin/env node
/**
 * The store's live write path (`store.writeFlows`, what `flowlens collect` and live capture
 * call): N flow-export records, decoded from synthesized NetFlow v9 datagrams exactly as the
 * collector bench sends them (collect-bench.mjs), written in batches into a fresh store;
 * reports flows/s, CPU time per flow (all threads) and whether the rollups equal the flows.
 * usage: node bench/live-write-bench.mjs [--flows 500000] [--batch 10000] [--json]
 * needs: `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFlowExportDecoder } from '../dist/decode/flow-export/index.js';
import { createDuckDbStore } from '../dist/store/index.js';

const { values: opts } = parseArgs({
  options: {
    flows: { type: 'string', default: '500000' },
    batch: { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(opts.flows);
const batchSize = Number(opts.batch);

/** NetFlow v9, template 256 (the collector bench's), 30 records numbered from `first`. */
function datagram(first, secs, uptimeMs, withTemplate) {
  const fields = [
    [8, 4],
    [12, 4],
    [7, 2],
    [11, 2],
    [4, 1],
    [6, 1],
    [2, 4],
    [1, 4],
    [22, 4],
    [21, 4],
    [10, 2],
    [14, 2],
  ];
  const template = withTemplate ? 8 + fields.length * 4 : 0;
  const d = Buffer.alloc(20 + template + 4 + 30 * 34 + 0);
  d.writeUInt16BE(9, 0);
  d.writeUInt16BE(30 + (withTemplate ? 1 : 0), 2);
  d.writeUInt32BE(uptimeMs >>> 0, 4);
  d.writeUInt32BE(secs, 8);
  d.writeUInt32BE(first / 30, 12);
  d.writeUInt32BE(1, 16);
  let o = 20;
  if (withTemplate) {
    d.writeUInt16BE(0, o);
    d.writeUInt16BE(template, o + 2);
    d.writeUInt16BE(256, o + 4);
    d.writeUInt16BE(fields.length, o + 6);
    fields.forEach(([id, len], i) => {
      d.writeUInt16BE(id, o + 8 + i * 4);
      d.writeUInt16BE(len, o + 10 + i * 4);
    });
    o += template;
  }
  d.writeUInt16BE(256, o);
  d.writeUInt16BE(4 + 30 * 34, o + 2);
  o += 4;
  for (let i = 0; i < 30; i++, o += 34) {
    const n = first + i;
    d.writeUInt32BE(0x0a000000 + (n % 50_000), o);
    d.writeUInt32BE(0xc6336400 + (n % 200), o + 4);
    d.writeUInt16BE(1024 + (n % 60_000), o + 8);
    d.writeUInt16BE(443, o + 10);
    d[o + 12] = 6;
    d[o + 13] = 0x1b;
    d.writeUInt32BE(10, o + 14);
    d.writeUInt32BE(1500, o + 18);
    d.writeUInt32BE(Math.max(0, uptimeMs - 1000) >>> 0, o + 22);
    d.writeUInt32BE(uptimeMs >>> 0, o + 26);
    d.writeUInt16BE(1, o + 30);
    d.writeUInt16BE(2, o + 32);
  }
  return d;
}

// 100,000 records a second of exporter time, as the collector bench sends them.
const decoder = createFlowExportDecoder();
const records = [];
const start = Math.floor(Date.now() / 1000);
for (let n = 0; n < total; n += 30) {
  const ms = Math.floor(n / 100);
  decoder.decode(
    datagram(n, start + Math.floor(ms / 1000), 100_000 + ms, n % 1500 === 0),
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
  (SELECT sum(bytes) FROM flows) AS bytes, (SELECT sum(bytes) FROM flows_1h) AS bytes_1h`,
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
    check.m1 === total && check.m5 === total && check.h1 === total && check.bytes === check.bytes_1h,
};
console.log(opts.json ? JSON.stringify(result) : result);
