#!/usr/bin/env node
/**
 * Flow store ingest benchmark: N realistic flows (default 10M) through one ingest into a fresh
 * DuckDB store in a temp dir; reports flows/s (write + commit) and the file's bytes per flow.
 *
 * The flows: when bench/out/bench-4.pcap exists, a pool of up to 200k records from
 * `flowlens analyze --format ndjson` on it (its real host, port and size mix); otherwise a
 * built-in mix (Zipf-distributed hosts, 443/80/53/other ports). The pool is replayed with
 * shifted timestamps and source ports until N flows are written.
 *
 * usage: npm run bench:store -- [--flows N] [--builtin] [--keep] [--json]
 * needs: `npm run build`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.join(ROOT, 'bench', 'out', 'bench-4.pcap');
const POOL_SIZE = 200_000;
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

/** Up to POOL_SIZE flows of the sample capture, read from analyze's NDJSON as they stream. */
async function sampledPool() {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'flowlens.js'), 'analyze', SAMPLE, '--format', 'ndjson', '--no-progress'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const pool = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line);
    if (record.communityId === undefined) continue;
    pool.push(likePipeline(record));
    if (pool.length >= POOL_SIZE) break;
  }
  child.kill();
  return pool;
}

/** A parsed record in the one field order the flow table emits, as the ingest path sees it. */
function likePipeline(r) {
  const flow = {
    communityId: r.communityId,
    protocol: r.protocol,
    ipVersion: r.ipVersion,
    srcIp: r.srcIp,
    srcPort: r.srcPort,
    dstIp: r.dstIp,
    dstPort: r.dstPort,
    vlan: r.vlan,
    firstTs: r.firstTs,
    lastTs: r.lastTs,
    packets: r.packets,
    bytes: r.bytes,
    frameBytes: r.frameBytes,
    fwdPackets: r.fwdPackets,
    fwdBytes: r.fwdBytes,
    revPackets: r.revPackets,
    revBytes: r.revBytes,
    tcpFlags: r.tcpFlags,
    fwdTcpFlags: r.fwdTcpFlags,
    revTcpFlags: r.revTcpFlags,
    state: r.state,
    endReason: r.endReason,
    fragments: r.fragments,
    tunnel: r.tunnel,
    sourceKind: 'pcap',
  };
  return flow;
}

/** Zipf(s = 1.1) over `n` ranks, by inverse CDF on a precomputed table. */
function zipf(n, random) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k ** 1.1;
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function builtinPool() {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const host = zipf(50_000, random);
  const ip = (i) =>
    i % 10 === 9 ? `2001:db8::${(i + 1).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const services = [
    [0.5, 6, 443, 'SF', 'tcp-fin'],
    [0.1, 6, 80, 'SF', 'tcp-fin'],
    [0.25, 17, 53, 'SF', 'idle-timeout'],
    [0.1, 6, 22, 'S0', 'idle-timeout'],
    [0.05, 17, 123, 'S0', 'idle-timeout'],
  ];
  const pool = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const u = random();
    let cumulative = 0;
    const [, protocol, dstPort, state, endReason] =
      services.find(([p]) => {
        cumulative += p;
        return u < cumulative;
      }) ?? services[0];
    const src = host();
    let dst = host();
    if (ip(src).includes(':') !== ip(dst).includes(':')) dst = src === 9 ? 19 : src + 10;
    const packets = 1 + Math.floor(-Math.log(random()) * 20);
    const bytes = packets * (60 + Math.floor(random() * 1400));
    const first = 1_700_000_000 + random() * 86_400;
    pool.push({
      communityId: `1:${Buffer.from(String(i).padStart(20, '0')).toString('base64').slice(0, 27)}=`,
      protocol,
      ipVersion: ip(src).includes(':') ? 6 : 4,
      srcIp: ip(src),
      srcPort: 1024 + Math.floor(random() * 64_000),
      dstIp: ip(dst),
      dstPort,
      vlan: 0,
      firstTs: Math.round(first * 1e6) / 1e6,
      lastTs: Math.round((first + random() * 30) * 1e6) / 1e6,
      packets,
      bytes,
      frameBytes: bytes + packets * 14,
      fwdPackets: Math.ceil(packets / 2),
      fwdBytes: Math.ceil(bytes / 3),
      revPackets: Math.floor(packets / 2),
      revBytes: bytes - Math.ceil(bytes / 3),
      tcpFlags: protocol === 6 ? 0x1b : 0,
      fwdTcpFlags: protocol === 6 ? 0x1b : 0,
      revTcpFlags: protocol === 6 ? 0x12 : 0,
      state,
      endReason,
      fragments: 0,
      tunnel: undefined,
      sourceKind: 'pcap',
    });
  }
  return pool;
}

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
