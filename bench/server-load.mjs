#!/usr/bin/env node
/**
 * HTTP API load benchmark: autocannon with 100 connections against `flowlens serve` holding a
 * store of synthetic flows, one endpoint at a time (overview, top, series, flows), reporting
 * requests/s and p50/p95/p99 latency measured per response. See bench/README.md.
 *
 * usage: node bench/server-load.mjs [--data DIR] [--flows N] [--connections C] [--duration S]
 *          [--range R] [--cache-ttl MS] [--cache-stale MS] [--distinct] [--json]
 * `--cache-ttl` is the server's `--query-cache-ttl` (default 1000; 0 keeps only the sharing of
 * identical queries in flight); `--cache-stale` its `--query-cache-stale` (default 0). `--distinct` gives every request its own `until` (one second
 * apart, ending at the newest flow), so no two requests share a cache key: what the store
 * answers when nothing is shared.
 * needs: `npm run build`. The store defaults to bench/out/query-store-10000000 (built by
 * `node bench/query-bench.mjs`); when it is missing, a smaller one is built with
 * `node bench/query-bench.mjs --flows N` (default 1,000,000) and the output says so.
 * The server runs as a child process (`flowlens serve --no-rate-limit`), logging at info to
 * /dev/null as in production; the load generator shares the machine with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    flows: { type: 'string', default: '1000000' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    range: { type: 'string', default: '24h' },
    'cache-ttl': { type: 'string', default: '1000' },
    'cache-stale': { type: 'string', default: '0' },
    distinct: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const BIG = path.join(ROOT, 'bench', 'out', 'query-store-10000000');
let data = opts.data;
let note = '';
if (data === undefined) {
  if (existsSync(BIG)) data = BIG;
  else {
    data = path.join(ROOT, 'bench', 'out', `query-store-${opts.flows}`);
    note = `bench/out/query-store-10000000 not found: using a ${opts.flows}-flow store instead`;
    if (!existsSync(data)) {
      const built = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bench', 'query-bench.mjs'), '--flows', opts.flows, '--runs', '1'],
        {
          stdio: 'inherit',
        },
      );
      if (built.status !== 0) throw new Error('building the store failed');
    }
  }
}

const ENDPOINTS = [
  ['overview', `/api/v1/overview?range=${opts.range}`],
  ['top dst_port', `/api/v1/top?range=${opts.range}&by=dst_port&limit=10`],
  ['top dst_ip', `/api/v1/top?range=${opts.range}&by=dst_ip&limit=10`],
  ['series', `/api/v1/series?range=${opts.range}`],
  ['flows', `/api/v1/flows?range=${opts.range}&limit=50`],
  [
    'flows filtered',
    `/api/v1/flows?range=${opts.range}&limit=50&filter=${encodeURIComponent('tcp and dst port 443')}`,
  ],
];

function startServer() {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'flowlens.cjs'),
      'serve',
      '--port',
      '0',
      '--data',
      data,
      '--no-rate-limit',
      '--query-cache-ttl',
      opts['cache-ttl'],
      '--query-cache-stale',
      opts['cache-stale'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /on (http:\/\/[0-9.:]+)/.exec(stderr);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function load(url, name, pathAndQuery, newest) {
  const times = [];
  let n = 0;
  const instance = autocannon({
    url: url + pathAndQuery,
    // --distinct: the same query, ending one second earlier per request.
    requests: opts.distinct
      ? [{ setupRequest: (request) => ({ ...request, path: `${pathAndQuery}&until=${newest - n++}` }) }]
      : undefined,
    connections: Number(opts.connections),
    duration: Number(opts.duration),
    // Past the default 10 s: under 100 connections slow queries queue, and a timeout would hide them.
    timeout: 60,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (Number(statusCode) === 200) times.push(responseTime);
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  return {
    endpoint: name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    rps: Math.round(result.requests.average),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

const { child, url } = await startServer();
const rows = [];
const loadBefore = os.loadavg()[0];
let newest = 0;
try {
  newest = (await (await fetch(`${url}/api/v1/overview?range=all`)).json()).range.to;
  // One warm-up request per endpoint: DuckDB's first read of a column pays the disk.
  for (const [, p] of ENDPOINTS) await fetch(url + p).then((r) => r.text());
  for (const [name, p] of ENDPOINTS) {
    rows.push(await load(url, name, p, newest));
    // Let the server finish what the previous run left queued before the next endpoint.
    // (`/ready` runs a store query: it answers quickly once the backlog is gone.)
    for (;;) {
      const started = performance.now();
      await fetch(`${url}/ready`).then((r) => r.text());
      if (performance.now() - started < 100) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
} finally {
  // Requests abandoned by autocannon at the end of a run still hold the store; do not wait for them.
  child.kill('SIGKILL');
}

const ms = (value) => (Number.isNaN(value) ? '-' : value.toFixed(1)).padStart(8);
const load1 = `load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after`;
const machine = `${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? '?'}), Node ${process.versions.node}, ${load1}`;
const mode = `cache TTL ${opts['cache-ttl']} ms, stale ${opts['cache-stale']} ms${opts.distinct ? ', every request distinct' : ''}`;
if (opts.json) {
  console.log(
    JSON.stringify({ machine, mode, data, note, connections: Number(opts.connections), rows }, null, 2),
  );
} else {
  if (note) console.log(note);
  console.log(
    `store ${data}; ${opts.connections} connections, ${opts.duration} s per endpoint, range ${opts.range}, ${mode}; ${machine}`,
  );
  console.log('endpoint         req/s  requests  non-2xx   p50 ms   p95 ms   p99 ms');
  for (const r of rows) {
    console.log(
      `${r.endpoint.padEnd(15)} ${String(r.rps).padStart(6)} ${String(r.requests).padStart(9)} ${String(r.non2xx + r.errors).padStart(8)} ${ms(r.p50)} ${ms(r.p95)} ${ms(r.p99)}`,
    );
  }
}
