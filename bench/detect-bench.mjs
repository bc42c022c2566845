#!/usr/bin/env node
/**
 * Detection engine benchmark: every detector together, in-process, on one core.
 *
 * 1. Throughput: N realistic flows (default 10M) through `createDetectionEngine().onFlow`. The
 *    flows come from the store benchmark's pools (bench/store-bench.mjs, copied here): up to 200k
 *    records of `flowlens analyze --format ndjson bench/out/bench-4.pcap` when that file exists,
 *    otherwise its built-in Zipf mix, here with a third of the destinations external so the
 *    outbound detectors (exfiltration, beaconing) work too. The pool is replayed a day later and
 *    from another source port per cycle, as in the store benchmark. A baseline loop that builds
 *    the same records without detecting is timed too; "detect only" subtracts it.
 * 2. Memory: a spoofed SYN flood of 1M distinct sources at one target; heap before and after
 *    (after a forced GC), evictions per detector and the alerts.
 *
 * usage: node --expose-gc bench/detect-bench.mjs [--flows N] [--runs R] [--builtin] [--flood N] [--json]
 * needs: `npm run build`. Reports CPU time (process.cpuUsage) beside wall time: the machine is shared.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.join(ROOT, 'bench', 'out', 'bench-4.pcap');
const POOL_SIZE = 200_000;

const { values: opts } = parseArgs({
  options: {
    flows: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '3' },
    flood: { type: 'string', default: '1000000' },
    builtin: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(opts.flows);
const { createDetectionEngine } = await import(path.join(ROOT, 'dist', 'detect', 'index.js'));

/** Up to POOL_SIZE flows of the sample capture (as bench/store-bench.mjs). */
async function sampledPool() {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'flowlens.js'), 'analyze', SAMPLE, '--format', 'ndjson', '--no-progress'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const pool = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    if (r.communityId === undefined) continue;
    pool.push({
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
    });
    if (pool.length >= POOL_SIZE) break;
  }
  child.kill();
  return pool;
}

/** Zipf(s = 1.1) over `n` ranks (as bench/store-bench.mjs). */
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

/** The store benchmark's built-in mix, a third of destinations external. */
function builtinPool() {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const host = zipf(50_000, random);
  const ip = (i) =>
    i % 10 === 9 ? `2001:db8::${(i + 1).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const external = (i) =>
    i % 10 === 9 ? `2a00:1450::${(i + 1).toString(16)}` : `198.51.${(i >> 8) & 255}.${i & 255}`;
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
    const dstIp = random() < 0.33 ? external(dst) : ip(dst);
    const packets = 1 + Math.floor(-Math.log(random()) * 20);
    const bytes = packets * (60 + Math.floor(random() * 1400));
    const first = 1_700_000_000 + (i / POOL_SIZE) * 86_400;
    pool.push({
      communityId: `1:${Buffer.from(String(i).padStart(20, '0')).toString('base64').slice(0, 27)}=`,
      protocol,
      ipVersion: ip(src).includes(':') ? 6 : 4,
      srcIp: ip(src),
      srcPort: 1024 + Math.floor(random() * 64_000),
      dstIp,
      dstPort,
      vlan: 0,
      firstTs: Math.round(first * 1e6) / 1e6,
      lastTs: Math.round((first + random() * 30) * 1e6) / 1e6,
      packets,
      bytes,
      frameBytes: bytes + packets * 14,
      fwdPackets: Math.ceil(packets / 2),
      fwdBytes: Math.ceil(bytes / 3),
      revPackets: state === 'S0' ? 0 : Math.floor(packets / 2),
      revBytes: state === 'S0' ? 0 : bytes - Math.ceil(bytes / 3),
      tcpFlags: protocol === 6 ? 0x1b : 0,
      fwdTcpFlags: protocol === 6 ? (state === 'S0' ? 0x02 : 0x1b) : 0,
      revTcpFlags: protocol === 6 && state !== 'S0' ? 0x12 : 0,
      state,
      endReason,
      fragments: 0,
      tunnel: undefined,
    });
  }
  return pool;
}

/** Replays `pool` for `n` flows into `sink`: cycle c is c days later, from srcPort + c. */
function replay(pool, n, sink) {
  let cycle = 0;
  for (let i = 0; i < n; i++) {
    const at = i % pool.length;
    if (at === 0) cycle++;
    const base = pool[at];
    sink(
      cycle === 1
        ? base
        : {
            ...base,
            firstTs: base.firstTs + cycle * 86_400,
            lastTs: base.lastTs + cycle * 86_400,
            srcPort: (base.srcPort + cycle) % 65_536,
          },
    );
  }
}

function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  fn();
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

const useSample = !opts.builtin && existsSync(SAMPLE);
const pool = useSample ? await sampledPool() : builtinPool();
const source = useSample ? `${pool.length} flows sampled from bench/out/bench-4.pcap` : 'built-in Zipf mix';

const runs = [];
for (let r = 0; r < Number(opts.runs); r++) {
  let sinkCount = 0;
  const baseline = timed(() =>
    replay(pool, total, (f) => {
      sinkCount += f.srcPort;
    }),
  );
  const engine = createDetectionEngine();
  const detect = timed(() => replay(pool, total, (f) => engine.onFlow(f)));
  const finish = timed(() => engine.finish());
  const stats = engine.stats();
  runs.push({
    wallSeconds: Number(detect.wall.toFixed(2)),
    cpuSeconds: Number(detect.cpu.toFixed(2)),
    flowsPerSecondWall: Math.round(total / detect.wall),
    flowsPerSecondCpu: Math.round(total / detect.cpu),
    detectOnlyFlowsPerSecondCpu: Math.round(total / Math.max(1e-9, detect.cpu - baseline.cpu)),
    baselineCpuSeconds: Number(baseline.cpu.toFixed(2)),
    finishSeconds: Number(finish.wall.toFixed(2)),
    alerts: stats.alertsNew,
    evictions: Object.values(stats.detectors).reduce((sum, d) => sum + d.evictions, 0),
    ignore: sinkCount === -1 ? 1 : 0,
  });
}

/** A spoofed SYN flood: `n` distinct sources, one SYN each, at 10.10.10.10:80 over 60 s. */
function flood(n) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = createDetectionEngine();
  let peakHeap = heapBefore;
  const t = timed(() => {
    for (let i = 0; i < n; i++) {
      const ts = 1_700_000_000 + (60 * i) / n;
      engine.onFlow({
        communityId: `1:flood${i}`,
        protocol: 6,
        ipVersion: 4,
        srcIp: `${1 + ((i >>> 24) & 127)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
        srcPort: 1024 + (i % 60_000),
        dstIp: '10.10.10.10',
        dstPort: 80,
        vlan: 0,
        firstTs: ts,
        lastTs: ts,
        packets: 1,
        bytes: 40,
        frameBytes: 54,
        fwdPackets: 1,
        fwdBytes: 40,
        revPackets: 0,
        revBytes: 0,
        tcpFlags: 2,
        fwdTcpFlags: 2,
        revTcpFlags: 0,
        state: 'S0',
        endReason: 'idle-timeout',
        fragments: 0,
      });
      if (i % 100_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  });
  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const stats = engine.stats();
  const alerts = engine.finish();
  return {
    sources: n,
    seconds: Number(t.wall.toFixed(2)),
    cpuSeconds: Number(t.cpu.toFixed(2)),
    heapBeforeMB: Number((heapBefore / 1e6).toFixed(1)),
    heapAfterMB: Number((heapAfter / 1e6).toFixed(1)),
    peakHeapMB: Number((Math.max(peakHeap, heapAfter) / 1e6).toFixed(1)),
    gcForced: typeof globalThis.gc === 'function',
    evictions: Object.fromEntries(Object.entries(stats.detectors).map(([k, d]) => [k, d.evictions])),
    tracked: Object.fromEntries(Object.entries(stats.detectors).map(([k, d]) => [k, d.tracked])),
    alerts: alerts.map((a) => `${a.type} ${a.severity}: ${a.explanation}`),
  };
}

const floodResult = flood(Number(opts.flood));
const result = { flows: total, source, runs, flood: floodResult };
if (opts.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`detection: ${total.toLocaleString('en-US')} flows (${source}), ${runs.length} runs`);
  for (const r of runs) {
    console.log(
      `  ${r.flowsPerSecondCpu.toLocaleString('en-US')} flows/s per CPU second (${r.flowsPerSecondWall.toLocaleString('en-US')} wall; detect only ${r.detectOnlyFlowsPerSecondCpu.toLocaleString('en-US')}/s): ${r.cpuSeconds} s CPU, ${r.wallSeconds} s wall, baseline loop ${r.baselineCpuSeconds} s CPU; ${r.alerts} alerts, ${r.evictions} evictions`,
    );
  }
  const f = floodResult;
  console.log(
    `spoofed SYN flood: ${f.sources.toLocaleString('en-US')} sources in ${f.seconds} s (${f.cpuSeconds} s CPU); heap ${f.heapBeforeMB} → ${f.heapAfterMB} MB (peak ${f.peakHeapMB} MB${f.gcForced ? '' : ', run with --expose-gc for exact numbers'})`,
  );
  console.log(`  evictions ${JSON.stringify(f.evictions)}`);
  console.log(`  tracked ${JSON.stringify(f.tracked)}`);
  for (const a of f.alerts) console.log(`  ${a}`);
}
