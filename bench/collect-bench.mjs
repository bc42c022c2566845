#!/usr/bin/env node
/**
 * The collector under load, beside nfcapd where it can be.
 *  1. End to end: softflowd exports bench/out/bench-4.pcap (NetFlow v9) to `flowlens collect`
 *     and to nfcapd at the same time (one softflowd run, `-n A,B` sends every datagram to both);
 *     records/s over softflowd's run, and loss for each (records softflowd sent, from its own
 *     statistics, against records stored).
 *  2. Sustained: synthesized NetFlow v9 (default), IPFIX or NetFlow v5 datagrams (30 records
 *     each, the template re-sent every 50 datagrams) at --rate records/s for --seconds over
 *     loopback into `flowlens collect` and the store; loss = sent − stored.
 * usage: node bench/collect-bench.mjs [--rate 100000] [--seconds 60] [--protocol v9|ipfix|v5]
 *        [--skip-e2e] [--json] [--collect-args='--no-detect --no-enrich'] (extra flowlens collect flags)
 *        [--node-args='--cpu-prof --cpu-prof-dir=/tmp/prof'] (node flags for the collector process)
 *        [--stats] (the collector's written/dropped counters every 10 s in the result)
 *        (after npm run build; `npm run bench:pcap` makes bench-4.pcap). Values that start with a
 *        dash need the `=` form.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDuckDbStore } from '../dist/store/index.js';
import { exportDatagram, PER } from './export-datagrams.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(ROOT, 'bin', 'flowlens.cjs');
const { values: opts } = parseArgs({
  options: {
    rate: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    protocol: { type: 'string', default: 'v9' },
    'skip-e2e': { type: 'boolean' },
    'collect-args': { type: 'string' },
    'node-args': { type: 'string' },
    json: { type: 'boolean' },
    stats: { type: 'boolean' },
  },
});
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-collect-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startCollector(data) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(opts['node-args'] ?? '').split(' ').filter(Boolean),
      CLI,
      'collect',
      ...(opts['collect-args'] ?? '').split(' ').filter(Boolean),
      '--netflow',
      String(port),
      '--ipfix',
      '0',
      '--sflow',
      '0',
      '--data',
      data,
      '--format',
      'json',
      ...(opts.stats ? ['--stats'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  for (let i = 0; i < 300; i++) {
    const m = /listening for netflow on \S+ port (\d+)/.exec(stderr);
    if (m) return { child, port: Number(m[1]), stderr: () => stderr, stats: () => summary(stdout) };
    await sleep(50);
  }
  throw new Error(`collector did not start: ${stderr}`);
}

/** The collector's own account (its final counters, `--format json`): tells where a loss was. */
function summary(stdout) {
  try {
    const s = JSON.parse(stdout.trim());
    const sum = (key) => s.exporters.reduce((n, e) => n + e[key], 0);
    return {
      datagrams: Object.values(s.datagrams).reduce((a, b) => a + b, 0),
      records: sum('records'),
      sequenceGaps: sum('sequenceGaps'),
      decodeErrors: sum('decodeErrors'),
      datagramsDropped: s.datagramsDropped,
      flowsWritten: s.flowsWritten,
      flowsDropped: s.flowsDropped,
      receiveBufferBytes: s.listeners[0]?.receiveBufferBytes,
      // With detections: records judged, datagrams the detection thread skipped, alerts.
      ...(s.detection
        ? {
            detection: {
              flows: s.detection.flows,
              datagramsSkipped: s.detection.datagramsSkipped,
              alertsNew: s.detection.alertsNew,
            },
          }
        : {}),
    };
  } catch {
    return stdout;
  }
}

async function stop(child, signal = 'SIGINT') {
  const done = new Promise((r) => child.on('close', r));
  child.kill(signal);
  await done;
}

async function storedFlows(data) {
  const store = createDuckDbStore({ dataDir: data });
  await store.start();
  const [row] = await store.query('SELECT count(*) AS n FROM flows');
  await store.stop();
  return Number(row.n);
}

function freePort() {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) of each thread of `pid`, summed by thread name; `main` is the JS main thread. */
function threadCpu(pid) {
  try {
    const ticks = 100; // USER_HZ
    const byName = { total: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
      byName[name] = Number(((byName[name] ?? 0) + seconds).toFixed(2));
      byName.total = Number((byName.total + seconds).toFixed(2));
    }
    return byName;
  } catch {
    return undefined;
  }
}

function softflowd(file, destinations) {
  const t0 = performance.now();
  const r = spawnSync('softflowd', ['-r', file, '-n', destinations, '-v', '9', '-d'], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  const exported = Number(
    /Flows exported: \d+ \((\d+) records\)/.exec(r.stdout + r.stderr)?.[1] ?? Number.NaN,
  );
  return { seconds, exported, output: r.stdout + r.stderr };
}

const result = {};
const bench4 = path.join(ROOT, 'bench', 'out', 'bench-4.pcap');
const haveTools = spawnSync('sh', ['-c', 'command -v softflowd && command -v nfcapd']).status === 0;
if (!opts['skip-e2e'] && existsSync(bench4) && haveTools) {
  const data = path.join(tmp, 'e2e');
  const c = await startCollector(data);
  const nfdir = path.join(tmp, 'nfcapd');
  spawnSync('mkdir', ['-p', nfdir]);
  const nfPort = await freePort();
  const nfcapd = spawn('nfcapd', ['-w', nfdir, '-p', String(nfPort), '-b', '127.0.0.1', '-t', '3600'], {
    stdio: 'ignore',
  });
  await sleep(500);
  // One run, every export datagram to both collectors.
  const run = softflowd(bench4, `127.0.0.1:${c.port},127.0.0.1:${nfPort}`);
  await sleep(1500);
  await stop(c.child);
  await stop(nfcapd, 'SIGTERM');
  const stored = await storedFlows(data);
  const nf = spawnSync('nfdump', ['-R', nfdir, '-q', '-N', '-o', 'fmt:%pkt'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
    .stdout.trim()
    .split('\n')
    .filter(Boolean).length;
  result.endToEnd = {
    file: 'bench-4.pcap',
    softflowdSeconds: Number(run.seconds.toFixed(2)),
    softflowdExported: run.exported,
    flowlens: { stored, lost: run.exported - stored, recordsPerSecond: Math.round(stored / run.seconds) },
    nfcapd: { stored: nf, lost: run.exported - nf, recordsPerSecond: Math.round(nf / run.seconds) },
    collector: c.stats(),
  };
} else {
  result.endToEnd = `skipped (${opts['skip-e2e'] ? '--skip-e2e' : !existsSync(bench4) ? 'no bench/out/bench-4.pcap: npm run bench:pcap' : 'softflowd/nfcapd not installed'})`;
}

// Sustained: the datagrams of bench/export-datagrams.mjs (30 records each) at --rate records/s.
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const protocol = opts.protocol;
if (!['v5', 'v9', 'ipfix'].includes(protocol)) throw new Error(`--protocol v5|v9|ipfix, not ${protocol}`);
let datagrams = 0;

const data = path.join(tmp, 'sustained');
const c = await startCollector(data);
const socket = dgram.createSocket('udp4');
let sent = 0;
const t0 = performance.now();
const tick = 10; // ms
while (performance.now() - t0 < seconds * 1000) {
  const elapsed = performance.now() - t0;
  const due = Math.floor((elapsed / 1000) * rate);
  while (sent + PER <= due) {
    socket.send(
      exportDatagram(protocol, sent, Date.now(), Math.floor(elapsed) + 100_000, datagrams),
      c.port,
      '127.0.0.1',
    );
    sent += PER;
    datagrams++;
  }
  await sleep(tick);
}
await sleep(3000);
socket.close();
const cpu = threadCpu(c.child.pid);
await stop(c.child);
const stored = await storedFlows(data);
result.sustained = {
  protocol,
  rate,
  seconds,
  sent,
  stored,
  lost: sent - stored,
  lossPercent: Number(((100 * (sent - stored)) / sent).toFixed(3)),
  // What the collector says it received, wrote and dropped: tells a receive-side loss apart.
  collector: c.stats(),
  // CPU seconds the collector used up to the end of sending + 3 s, by thread: on a shared
  // machine a steadier account than loss alone (Linux /proc; absent elsewhere).
  ...(cpu ? { cpuSeconds: cpu } : {}),
};
// --stats: the collector's counters every 10 s, as it wrote them (JSON lines on stderr).
if (opts.stats) {
  result.sustained.every10s = c
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const s = JSON.parse(line);
      return { flowsWritten: s.flowsWritten, flowsDropped: s.flowsDropped, queuedBatches: s.queuedBatches };
    });
}
rmSync(tmp, { recursive: true, force: true });
console.log(opts.json ? JSON.stringify(result, null, 2) : result);
