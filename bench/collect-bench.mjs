#!/usr/bin/env node
/**
 * The collector under load, beside nfcapd where it can be.
 *  1. End to end: softflowd exports bench/out/bench-4.pcap (NetFlow v9) to `flowlens collect`
 *     and to nfcapd, one after the other; records/s over softflowd's run, and loss for each
 *     (records softflowd sent, from its own statistics, against records stored).
 *  2. Sustained: NetFlow v5 datagrams (30 records each) at --rate records/s for --seconds over
 *     loopback into `flowlens collect` and the store; loss = sent − stored.
 * usage: node bench/collect-bench.mjs [--rate 100000] [--seconds 60] [--json]   (after npm run build)
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDuckDbStore } from '../dist/store/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(ROOT, 'bin', 'flowlens.js');
const { values: opts } = parseArgs({
  options: {
    rate: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    json: { type: 'boolean' },
  },
});
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-collect-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startCollector(data) {
  const child = spawn(
    process.execPath,
    [CLI, 'collect', '--netflow', '0', '--no-ipfix', '--no-sflow', '--data', data],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  for (let i = 0; i < 300; i++) {
    const m = /port (\d+)/.exec(stderr);
    if (m) return { child, port: Number(m[1]), stderr: () => stderr };
    await sleep(50);
  }
  throw new Error(`collector did not start: ${stderr}`);
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

function softflowd(file, port) {
  const t0 = performance.now();
  const r = spawnSync('softflowd', ['-r', file, '-n', `127.0.0.1:${port}`, '-v', '9', '-d'], {
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
if (existsSync(bench4) && spawnSync('sh', ['-c', 'command -v softflowd && command -v nfcapd']).status === 0) {
  const data = path.join(tmp, 'e2e');
  const c = await startCollector(data);
  const ours = softflowd(bench4, c.port);
  await sleep(1000);
  await stop(c.child);
  const stored = await storedFlows(data);
  const nfdir = path.join(tmp, 'nfcapd');
  spawnSync('mkdir', ['-p', nfdir]);
  const nfPort = await freePort();
  const nfcapd = spawn('nfcapd', ['-w', nfdir, '-p', String(nfPort), '-b', '127.0.0.1', '-t', '3600'], {
    stdio: 'ignore',
  });
  await sleep(500);
  const theirs = softflowd(bench4, nfPort);
  await sleep(1000);
  await stop(nfcapd, 'SIGTERM');
  const nf = spawnSync('nfdump', ['-R', nfdir, '-q', '-N', '-o', 'fmt:%pkt'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n').length;
  result.endToEnd = {
    file: 'bench-4.pcap',
    softflowdExported: ours.exported,
    flowlens: { stored, lost: ours.exported - stored, recordsPerSecond: Math.round(stored / ours.seconds) },
    nfcapd: { stored: nf, lost: theirs.exported - nf, recordsPerSecond: Math.round(nf / theirs.seconds) },
  };
}

// Sustained: NetFlow v5, 30 records per datagram (RFC-less Cisco format: 24-byte header, 48-byte records).
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const data = path.join(tmp, 'sustained');
const c = await startCollector(data);
const socket = dgram.createSocket('udp4');
const PER = 30;
const datagram = Buffer.alloc(24 + PER * 48);
datagram.writeUInt16BE(5, 0);
datagram.writeUInt16BE(PER, 2);
let sent = 0;
let sequence = 0;
const t0 = performance.now();
const tick = 10; // ms
while (performance.now() - t0 < seconds * 1000) {
  const due = Math.floor(((performance.now() - t0) / 1000) * rate);
  while (sent + PER <= due) {
    const now = Date.now();
    datagram.writeUInt32BE(Math.floor(now / 1000), 8);
    datagram.writeUInt32BE(sequence, 16);
    for (let i = 0; i < PER; i++) {
      const o = 24 + i * 48;
      const n = sent + i;
      datagram.writeUInt32BE(0x0a000000 + (n % 50_000), o); // src 10.x
      datagram.writeUInt32BE(0xc6336400 + (n % 200), o + 4); // dst 198.51.100.x
      datagram.writeUInt32BE(10, o + 16); // packets
      datagram.writeUInt32BE(1500, o + 20); // octets
      datagram.writeUInt16BE(1024 + (n % 60_000), o + 32);
      datagram.writeUInt16BE(443, o + 34);
      datagram[o + 38] = 6;
    }
    socket.send(datagram, c.port, '127.0.0.1');
    sent += PER;
    sequence += PER;
  }
  await sleep(tick);
}
await sleep(3000);
socket.close();
await stop(c.child);
const stored = await storedFlows(data);
result.sustained = {
  rate,
  seconds,
  sent,
  stored,
  lost: sent - stored,
  lossPercent: Number(((100 * (sent - stored)) / sent).toFixed(3)),
  // What the collector says it received, wrote and dropped: tells a receive-side loss apart.
  collectorReport: /flowlens: [^\n]*dropped/.exec(c.stderr())?.[0],
};
rmSync(tmp, { recursive: true, force: true });
console.log(opts.json ? JSON.stringify(result, null, 2) : result);
