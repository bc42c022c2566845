#!/usr/bin/env node
/**
 * Detection engine benchmark: every detector together, in-process, on one core.
 *
 * 1. Throughput: N realistic flows (default 10M) through `createDetectionEngine().onFlow`. The
 *    flows come from the store benchmark's pools (bench/flow-pool.mjs): up to 200k records of
 *    `flowlens analyze --format ndjson bench/out/bench-4.pcap` when that file exists, otherwise
 *    the built-in Zipf mix, here with a third of the destinations external so the outbound
 *    detectors (exfiltration, beaconing) work too, flows starting in order over the day, and S0
 *    flows a lone SYN. The pool is replayed a day later and from another source port per cycle,
 *    as in the store benchmark. A baseline loop that builds
 *    the same records without detecting is timed too; "detect only" subtracts it.
 * 2. Memory: a spoofed SYN flood of 1M distinct sources at one target; heap before and after
 *    (after a forced GC), evictions per detector and the alerts.
 *
 * usage: node --expose-gc bench/detect-bench.mjs [--flows N] [--runs R] [--builtin] [--flood N] [--json]
 * needs: `npm run build`. Reports CPU time (process.cpuUsage) beside wall time: the machine is shared.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { builtinPool, ROOT, replayed, SAMPLE, sampledPool } from './flow-pool.mjs';

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

/** Replays the pool for `n` flows into `sink` (bench/flow-pool.mjs: later cycles are later days). */
function replay(pool, n, sink) {
  for (let i = 0; i < n; i++) sink(replayed(pool, i));
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
const pool = useSample
  ? await sampledPool()
  : builtinPool({ externalShare: 0.33, sequentialTime: true, unansweredS0: true });
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
