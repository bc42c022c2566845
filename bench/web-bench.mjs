#!/usr/bin/env node
/**
 * Dashboard benchmark. Always: the initial JavaScript and CSS of the built dashboard (what
 * dist/web/index.html and its entry load before the first render), raw and gzipped (level 9, as a CDN would;
 * the server's own compression is close). Target: JS ≤ 300 KB gzipped.
 *
 * With --data DIR: also starts `flowlens serve` on that store, opens the overview in Debian's
 * Chromium (playwright-core) and reports, per run, the time from navigation start to the
 * `flowlens:overview-complete` performance mark (every overview panel has its data and has
 * rendered; see web/src/pages/overview.tsx). Runs are 1.5 s apart, past the server's answer
 * cache (1 s), so none is answered from another's cache; the first is the cold one (the first
 * requests after the server started). Target: ≤ 1000 ms against 10M flows
 * (bench/query-bench.mjs generates that store into bench/out/query-store-10000000).
 *
 * The server keeps analytics answers until the store's flows change (docs/api.md, query cache),
 * so with an unchanged store only the first run computes; `--no-cache` serves with
 * `--query-cache-ttl 0` (every run computes every answer).
 *
 * With --timeline, each run also prints when each /api/ request started, got its first byte and
 * ended (ms from navigation start), and when each script (the lazy map chunk included) had loaded.
 *
 * usage: node bench/web-bench.mjs [--data DIR] [--range 24h] [--runs 5] [--json] [--timeline] [--no-cache]
 * needs: `npm run build`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'dist', 'web');
const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    range: { type: 'string', default: '24h' },
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    timeline: { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
  },
});

/**
 * What every page needs before its first render: the files index.html references, plus the
 * chunks its entry loads at once (app-root.tsx, the rest of the dashboard, and the modules they
 * share). Only the world map's chunk (the overview's map, fetched with its data) is left out.
 */
function initialAssets() {
  const html = readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const chunks = readdirSync(path.join(WEB, 'assets'))
    .filter((name) => /\.(?:js|css)$/.test(name) && !name.startsWith('world-map-'))
    .map((name) => `/assets/${name}`);
  return [...new Set([...refs, ...chunks])].map((ref) => {
    const body = readFileSync(path.join(WEB, ref));
    return { file: ref, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
}

function sum(list, kind, field) {
  return list.filter((a) => a.file.endsWith(kind)).reduce((n, a) => n + a[field], 0);
}

/** Per API request of the overview, its durations over the runs (ms). */
const apiTimes = {};

async function renderTimes(dataDir) {
  const { chromium } = await import('playwright-core');
  const server = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'flowlens.cjs'),
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      '--no-rate-limit',
      '--log-level',
      'error',
      ...(opts['no-cache'] ? ['--query-cache-ttl', '0'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise((resolve, reject) => {
    let text = '';
    server.stderr.on('data', (chunk) => {
      text += chunk;
      const match = /serving .* on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`flowlens serve exited ${code}: ${text}`)));
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const times = [];
  try {
    for (let i = 0; i < Number(opts.runs); i++) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/?range=${encodeURIComponent(opts.range)}`);
      // Functions, not strings: the dashboard's Content-Security-Policy forbids eval.
      await page.waitForFunction(
        () => performance.getEntriesByName('flowlens:overview-complete').length > 0,
        null,
        { timeout: 60_000 },
      );
      times.push(
        await page.evaluate(() => performance.getEntriesByName('flowlens:overview-complete')[0].startTime),
      );
      // Which API answers the overview waited for: resource timing of every /api/ request.
      const requests = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/v1/'))
          .map((e) => ({
            path: new URL(e.name).pathname + new URL(e.name).search,
            ms: Math.round(e.duration),
            start: Math.round(e.startTime),
            firstByte: Math.round(e.responseStart),
            end: Math.round(e.responseEnd),
          })),
      );
      if (opts.timeline) {
        const scripts = await page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('/assets/') && e.name.endsWith('.js'))
            .map(
              (e) => `${new URL(e.name).pathname.replace('/assets/', '')} ${Math.round(e.responseEnd)} ms`,
            ),
        );
        console.log(
          `run ${i + 1}: complete at ${Math.round(times[times.length - 1])} ms; scripts loaded: ${scripts.join(', ')}`,
        );
        for (const r of [...requests].sort((a, b) => a.start - b.start)) {
          console.log(
            `  ${String(r.start).padStart(5)} → ${String(r.firstByte).padStart(5)} → ${String(r.end).padStart(5)}  ${r.path}`,
          );
        }
      }
      for (const { path: request, ms } of requests) {
        const key = request.replace(/range=[^&]*\.\.[^&]*/, 'range=PREVIOUS');
        apiTimes[key] ??= [];
        apiTimes[key].push(ms);
      }
      await context.close();
      // Past the server's answer cache (1 s TTL by default), so every run asks the store again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
  return times;
}

const assets = initialAssets();
const result = {
  initialJs: { bytes: sum(assets, '.js', 'bytes'), gzip: sum(assets, '.js', 'gzip'), targetGzip: 300 * 1024 },
  initialCss: { bytes: sum(assets, '.css', 'bytes'), gzip: sum(assets, '.css', 'gzip') },
  assets,
};
if (opts.data) {
  const times = await renderTimes(path.resolve(opts.data));
  const sorted = [...times].sort((a, b) => a - b);
  result.overview = {
    data: opts.data,
    range: opts.range,
    cache: !opts['no-cache'],
    runsMs: times.map((t) => Math.round(t)),
    coldMs: Math.round(times[0]),
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]),
    targetMs: 1000,
    apiMedianMs: Object.fromEntries(
      Object.entries(apiTimes).map(([key, list]) => [
        key,
        [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)],
      ]),
    ),
  };
}

if (opts.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const a of assets)
    console.log(`${a.file.padEnd(40)} ${kb(a.bytes).padStart(10)} ${kb(a.gzip).padStart(10)} gz`);
  console.log(
    `initial JS: ${kb(result.initialJs.bytes)}, ${kb(result.initialJs.gzip)} gzipped (target ≤ 300 KB gzipped)`,
  );
  console.log(`initial CSS: ${kb(result.initialCss.bytes)}, ${kb(result.initialCss.gzip)} gzipped`);
  if (result.overview) {
    console.log(
      `overview complete (${result.overview.range}${result.overview.cache ? '' : ', no cache'}): median ${result.overview.medianMs} ms, runs ${result.overview.runsMs.join(', ')} ms, the first (cold) ${result.overview.coldMs} ms (target ≤ 1000 ms)`,
    );
    const slowest = Object.entries(result.overview.apiMedianMs).sort((a, b) => b[1] - a[1]);
    for (const [request, ms] of slowest) console.log(`  ${String(ms).padStart(6)} ms  ${request}`);
  }
}
