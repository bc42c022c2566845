#!/usr/bin/env node
/**
 * Flow store ingest benchmark: N realistic flows (default 10M) through one ingest into a fresh
 * DuckDB store in a temp dir; reports flows/s (write + commit) and the file's bytes per flow.
 *
 * The flows (bench/flow-pool.mjs): when bench/out/bench-4.pcap exists, a pool of up to 200k
 * records from `flowlens analyze --format ndjson` on it (its real host, port and size mix);
 * otherwise a built-in mix (Zipf-distributed hosts, 443/80/53/other ports). The pool is
 * replayed with shifted timestamps and source ports until N flows are written.
 *
 * usage: npm run bench:store -- [--flows N] [--builtin] [--keep] [--json]
 * needs: `npm run build`.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { builtinPool, ROOT, SAMPLE, sampledPool } from './flow-pool.mjs';

const BATCH = 10_000;

const { values: opts } = parseArgs({
  options: {
    flows: { type: 'string', default: '10000000' },
    builtin: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'memory-limit': { type: 'string' },
  },
});
const total = Number(opts.flows);
const { createDuckDbStore } = await import(path.join(ROOT, 'dist', 'store', 'index.js'));

const useSample = !opts.builtin && existsSync(SAMPLE);
const pool = useSample ? await sampledPool() : builtinPool();
const source = useSample ? `${pool.length} flows sampled from bench/out/bench-4.pcap` : 'built-in Zipf mix';

const dataDir = mkdtempSync(path.join(tmpdir(), 'flowlens-store-bench-'));
const store = createDuckDbStore({ dataDir, memoryLimit: opts['memory-limit'] });
await store.start();
const writer = await store.beginIngest({
  file: 'bench',
  sha256: '0'.repeat(64),
  sizeBytes: 0,
  sourceKind: 'pcap',
});
const batch = new Array(BATCH);
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const started = performance.now();
let written = 0;
let cycle = 0;
while (written < total) {
  const n = Math.min(BATCH, total - written);
  for (let i = 0; i < n; i++) {
    const at = (written + i) % pool.length;
    if (at === 0) cycle++;
    const base = pool[at];
    // Later cycles are later days, from other source ports: new flows, same mix.
    batch[i] =
      cycle === 1
        ? base
        : {
            ...base,
            firstTs: base.firstTs + cycle * 86_400,
            lastTs: base.lastTs + cycle * 86_400,
            srcPort: (base.srcPort + cycle) % 65_536,
          };
  }
  batch.length = n;
  await writer.write(batch);
  written += n;
  if (written % 1_000_000 === 0) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (process.env.BENCH_DEBUG) console.error(written, process.memoryUsage());
  }
}
const writtenAt = performance.now();
await writer.commit({ packets: 0, bytes: 0 });
const committed = performance.now();
await store.stop();
const fileBytes = statSync(path.join(dataDir, 'flowlens.duckdb')).size;
const seconds = (committed - started) / 1000;
const result = {
  flows: total,
  source,
  seconds: Number(seconds.toFixed(2)),
  flowsPerSecond: Math.round(total / seconds),
  writeSeconds: Number(((writtenAt - started) / 1000).toFixed(2)),
  commitSeconds: Number(((committed - writtenAt) / 1000).toFixed(2)),
  fileBytes,
  bytesPerFlow: Number((fileBytes / total).toFixed(1)),
  peakRssMB: Math.round(peakRss / 1e6),
};
if (opts.json) console.log(JSON.stringify(result));
else {
  console.log(`store ingest: ${result.flows.toLocaleString('en-US')} flows (${source})`);
  console.log(
    `  ${result.flowsPerSecond.toLocaleString('en-US')} flows/s  (${result.seconds} s: write ${result.writeSeconds} s, commit ${result.commitSeconds} s)`,
  );
  console.log(
    `  ${result.fileBytes.toLocaleString('en-US')} bytes on disk, ${result.bytesPerFlow} bytes/flow, peak RSS ${result.peakRssMB} MB`,
  );
}
if (opts.keep) console.log(`  store kept at ${dataDir}`);
else rmSync(dataDir, { recursive: true, force: true });
