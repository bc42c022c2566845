#!/usr/bin/env node
/**
 * The API while the server analyses a big capture (issue 6: "API p99 stays under 50 ms while a
 * 500 MB capture is being analysed"). Starts `flowlens serve` on a fresh data directory,
 * uploads bench/out/bench-40.pcap (≈520 MB), and while its analysis job runs, autocannon loads
 * the job's status route and the job list (what the dashboard polls) with 10 connections.
 * Reports p50/p95/p99 of each, the requests answered, and the job's duration.
 *
 *   node bench/server-busy.mjs [--file bench/out/bench-40.pcap] [--connections 10] [--duration 10] [--json]
 *
 * needs: `npm run build`; the capture is built by `npm run bench:pcap -- --rss-check` when missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    file: { type: 'string', default: path.join(ROOT, 'bench', 'out', 'bench-40.pcap') },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
if (!existsSync(opts.file)) {
  process.stderr.write(`server-busy: ${opts.file} not found: run npm run bench:pcap -- --rss-check first\n`);
  process.exit(2);
}

const data = mkdtempSync(path.join(os.tmpdir(), 'flowlens-server-busy-'));
const child = spawn(
  process.execPath,
  [path.join(ROOT, 'bin', 'flowlens.cjs'), 'serve', '--port', '0', '--data', data, '--no-rate-limit'],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
const url = await new Promise((resolve, reject) => {
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    const match = /on (http:\/\/[0-9.:]+)/.exec(stderr);
    if (match) resolve(match[1]);
  });
  child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
});

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function job(id) {
  return (await fetch(`${url}/api/v1/jobs/${id}`)).json();
}

async function load(name, route) {
  const times = [];
  const instance = autocannon({
    url: url + route,
    connections: Number(opts.connections),
    duration: Number(opts.duration),
    timeout: 30,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (Number(statusCode) === 200) times.push(responseTime);
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  return {
    route: name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    max: times.at(-1),
  };
}

const rows = [];
let summary;
try {
  const form = new FormData();
  form.append('file', await openAsBlob(opts.file), path.basename(opts.file));
  const uploadStarted = performance.now();
  const response = await fetch(`${url}/api/v1/captures`, { method: 'POST', body: form });
  if (response.status !== 202 && response.status !== 201 && response.status !== 200) {
    throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  }
  const { id } = await response.json();
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  while ((await job(id)).status === 'queued') await new Promise((r) => setTimeout(r, 50));
  const analysing = (await job(id)).status === 'running';
  rows.push(await load('GET /api/v1/jobs/:id', `/api/v1/jobs/${id}`));
  const stillRunning = (await job(id)).status === 'running';
  rows.push(await load('GET /api/v1/jobs', '/api/v1/jobs'));
  const stillRunningAfter = (await job(id)).status === 'running';
  let done = await job(id);
  while (done.status === 'running' || done.status === 'queued') {
    await new Promise((r) => setTimeout(r, 500));
    done = await job(id);
  }
  summary = {
    file: path.basename(opts.file),
    sizeBytes: statSync(opts.file).size,
    uploadSeconds: Math.round(uploadSeconds * 10) / 10,
    analysisRunningDuringLoad: analysing && stillRunning && stillRunningAfter,
    job: {
      status: done.status,
      packets: done.progress?.packets,
      seconds: (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000,
    },
    connections: Number(opts.connections),
    loadAverage: os.loadavg()[0],
  };
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  rmSync(data, { recursive: true, force: true });
}

if (opts.json) {
  process.stdout.write(`${JSON.stringify({ summary, rows }, null, 2)}\n`);
} else {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.stdout.write('route                     requests  non-2xx   p50 ms   p95 ms   p99 ms   max ms\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.route.padEnd(24)} ${String(r.requests).padStart(9)} ${String(r.non2xx).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.max?.toFixed(1)).padStart(8)}\n`,
    );
  }
}
