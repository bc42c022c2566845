#!/usr/bin/env node
/**
 * Threat feed refresh cost (after npm run build), on a feed of --entries random IPv4 networks
 * (ip-list text) served over 127.0.0.1:
 *  1. refreshFeed answered 200 (download to a temporary file, parse, rename) and 304
 *     (conditional GET).
 *  2. createThreatIntel on the data directory (read and parse the copy, compile the matcher),
 *     and rebuild() with the copy unchanged (parse reused: compile only), which is what serve
 *     does after every refresh or list change.
 *  3. matchIp on random addresses with and without an allowlist of 1,000 networks.
 * Each step runs --repeat times; medians in ms. Prints JSON lines.
 * usage: node bench/feeds-bench.mjs [--entries N] [--repeat N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  compileThreatMatcher,
  createThreatIntel,
  openFeedLibrary,
  parseFeed,
  refreshFeed,
} from '../dist/enrich/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const entries = arg('--entries', 100_000);
const repeat = arg('--repeat', 5);

let seed = 7;
const rand = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
};
const ip = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const lines = [];
for (let i = 0; i < entries; i++) lines.push(i % 4 === 0 ? `${ip(rand() & 0xffffff00)}/24` : ip(rand()));
const body = `${lines.join('\n')}\n`;

const server = createServer((req, res) => {
  if (req.headers['if-none-match'] === '"b"') {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { etag: '"b"', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/bench.txt`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const report = (name, ms, extra = {}) =>
  console.log(
    JSON.stringify({
      name,
      entries,
      bytes: Buffer.byteLength(body),
      medianMs: Number(median(ms).toFixed(1)),
      ...extra,
    }),
  );

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-feeds-bench-'));
try {
  const library = openFeedLibrary(dir);
  await library.add({ id: 'bench', url, format: 'ip-list', category: 'blocklist' });
  const [feed] = await library.feeds();
  const full = [];
  const notModified = [];
  for (let i = 0; i < repeat; i++) {
    await library.writeState('bench', {});
    full.push(await time(() => refreshFeed(library, feed)));
    notModified.push(await time(() => refreshFeed(library, feed)));
  }
  report('refresh 200 (download, parse, rename)', full);
  report('refresh 304 (conditional GET)', notModified);

  const cold = [];
  const warm = [];
  let intel;
  for (let i = 0; i < repeat; i++) {
    cold.push(await time(async () => (intel = await createThreatIntel({ dataDir: dir }))));
    warm.push(await time(() => intel.rebuild()));
  }
  report('createThreatIntel (parse + compile)', cold, { networks: intel.matcher.networks });
  report('rebuild, copy unchanged (compile only)', warm);

  const probes = Array.from({ length: 1_000_000 }, () => ip(rand()));
  const allow = parseFeed(
    Array.from({ length: 1000 }, () => `${ip(rand() & 0xffffff00)}/24`).join('\n'),
    'ip-list',
  );
  const feeds = [{ name: 'bench', category: 'blocklist', entries: parseFeed(body, 'ip-list') }];
  for (const [name, matcher] of [
    ['matchIp', compileThreatMatcher(feeds)],
    ['matchIp with a 1,000-network allowlist', compileThreatMatcher(feeds, allow)],
  ]) {
    const runs = [];
    let hits = 0;
    for (let r = 0; r < repeat; r++) {
      runs.push(
        await time(() => {
          for (const p of probes) hits += matcher.matchIp(p).length > 0 ? 1 : 0;
        }),
      );
    }
    report(name, runs, {
      perSecondM: Number((probes.length / median(runs) / 1000).toFixed(2)),
      hits: hits / repeat,
    });
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
