#!/usr/bin/env node
/**
 * DuckDB's own append rate for the flows table, with no JavaScript work per row: the ceiling
 * that `store-bench.mjs` (the whole ingest) can approach but not pass.
 *
 * A pool of flows (bench/flow-pool.mjs: sampled from bench/out/bench-4.pcap if present, else the
 * built-in mix) is ingested once into a source store; its rows are read back as DuckDB data
 * chunks. A second fresh store (the real schema, same migrations) then receives those same
 * chunks over and over through one appender in one transaction until N rows are written. Timed:
 * the appends, the appender's flush and the commit. Printed: rows/s, CPU seconds of the whole
 * process (every thread) per row, and bytes per row on disk.
 *
 * usage: node bench/duckdb-append-bench.mjs [--rows N] [--uncompressed] [--json]   (after npm run build)
 * `--uncompressed` sets `force_compression = 'uncompressed'` for the appends: what DuckDB costs
 * without choosing and applying its column compressions.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { builtinPool, ROOT, SAMPLE, sampledPool } from './flow-pool.mjs';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    uncompressed: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(opts.rows);
const { createDuckDbStore, DATABASE_FILE } = await import(path.join(ROOT, 'dist', 'store', 'index.js'));

const useSample = existsSync(SAMPLE);
const pool = useSample ? await sampledPool() : builtinPool();
const source = useSample ? `${pool.length} flows sampled from bench/out/bench-4.pcap` : 'built-in Zipf mix';

async function freshStore(flows) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'flowlens-append-bench-'));
  const store = createDuckDbStore({ dataDir });
  await store.start();
  if (flows.length > 0) {
    const writer = await store.beginIngest({
      file: 'pool',
      sha256: '0'.repeat(64),
      sizeBytes: 0,
      sourceKind: 'pcap',
    });
    for (let at = 0; at < flows.length; at += 10_000) await writer.write(flows.slice(at, at + 10_000));
    await writer.commit({ packets: 0, bytes: 0 });
  }
  await store.stop();
  return dataDir;
}

const sourceDir = await freshStore(pool);
const targetDir = await freshStore([]);
const instance = await DuckDBInstance.create(path.join(targetDir, DATABASE_FILE));
const connection = await instance.connect();
await connection.run(`ATTACH '${path.join(sourceDir, DATABASE_FILE)}' AS pool (READ_ONLY)`);
const reader = await connection.stream('SELECT * FROM pool.flows');
const chunks = [];
for (;;) {
  const chunk = await reader.fetchChunk();
  if (!chunk || chunk.rowCount === 0) break;
  chunks.push(chunk);
}
await connection.run('DETACH pool');
if (opts.uncompressed) await connection.run(`PRAGMA force_compression = 'uncompressed'`);

const cpuBefore = process.cpuUsage();
const started = performance.now();
await connection.run('BEGIN');
const appender = await connection.createAppender('flows');
let appended = 0;
for (let i = 0; appended < rows; i++) {
  const chunk = chunks[i % chunks.length];
  appender.appendDataChunk(chunk);
  appended += chunk.rowCount;
}
appender.flushSync();
appender.closeSync();
const flushed = performance.now();
await connection.run('COMMIT');
const committed = performance.now();
const cpu = process.cpuUsage(cpuBefore);
connection.closeSync();
instance.closeSync();

const seconds = (committed - started) / 1000;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const fileBytes = statSync(path.join(targetDir, DATABASE_FILE)).size;
const result = {
  rows: appended,
  source,
  compression: opts.uncompressed ? 'uncompressed' : 'default',
  rowsPerSecond: Math.round(appended / seconds),
  appendSeconds: Number(((flushed - started) / 1000).toFixed(2)),
  commitSeconds: Number(((committed - flushed) / 1000).toFixed(2)),
  cpuMicrosecondsPerRow: Number(((cpuSeconds / appended) * 1e6).toFixed(2)),
  bytesPerRow: Number((fileBytes / appended).toFixed(1)),
};
rmSync(sourceDir, { recursive: true, force: true });
rmSync(targetDir, { recursive: true, force: true });
if (opts.json) console.log(JSON.stringify(result));
else {
  console.log(
    `DuckDB alone: ${result.rows.toLocaleString('en-US')} rows appended as prepared chunks (${source})`,
  );
  console.log(
    `  ${result.rowsPerSecond.toLocaleString('en-US')} rows/s  (append ${result.appendSeconds} s, commit ${result.commitSeconds} s), ` +
      `${result.cpuMicrosecondsPerRow} µs CPU per row, ${result.bytesPerRow} bytes/row, compression ${result.compression}`,
  );
}
