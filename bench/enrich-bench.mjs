#!/usr/bin/env node
/**
 * Enrichment cost (after npm run build):
 *  1. Lookups/s for country + ASN on a realistic address mix: Zipf-distributed hosts (a few
 *     talk a lot) plus random public addresses (scans, one-off peers), 10 % IPv6; with the
 *     address cache (default size) and without it (cache of one entry: every lookup resolves).
 *  2. The flow path: enrichFlow on address pairs of the same mix (numeric IPv4 cache, merged
 *     IPv4 table); and threat matching against 50,000 random networks.
 *  3. The engine: analyzeCaptures on a capture (default bench/out/bench-4.pcap) with a consumer
 *     that drops each record, against one that calls enrichFlow on each record first. Runs
 *     alternate, --repeat times each; CPU seconds are compared by median and by minimum (2 shared
 *     cores are noisy; the minimum is the run least disturbed by other work).
 * Prints JSON lines. usage: node bench/enrich-bench.mjs [--capture FILE] [--repeat N] [--lookups N]
 */
import { existsSync } from 'node:fs';
import { compileThreatMatcher, createEnricher, parseFeed } from '../dist/enrich/index.js';
import { analyzeCaptures } from '../dist/pipeline/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const capture = arg('--capture', new URL('./out/bench-4.pcap', import.meta.url).pathname);
const repeat = Number(arg('--repeat', 5));
const lookups = Number(arg('--lookups', 2_000_000));

let seed = 12345;
const rand = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
};
const publicV4 = () => {
  for (;;) {
    const a = 1 + Math.floor(rand() * 222);
    if (a === 10 || a === 127 || a === 100 || a === 172 || a === 192 || a === 169) continue;
    return `${a}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
  }
};
const publicV6 = () => {
  const g = () => Math.floor(rand() * 65536).toString(16);
  return `2${Math.floor(rand() * 16).toString(16)}${Math.floor(rand() * 256)
    .toString(16)
    .padStart(2, '0')}:${g()}:${g()}::${g()}`;
};
const host = () =>
  rand() < 0.1
    ? publicV6()
    : rand() < 0.15
      ? `192.168.${Math.floor(rand() * 4)}.${Math.floor(rand() * 254) + 1}`
      : publicV4();

/** 20 000 hosts with Zipf(s = 1.1) weights make 80 % of lookups; the rest are fresh random addresses. */
function addressMix(count) {
  const hosts = Array.from({ length: 20_000 }, host);
  const weights = hosts.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(hosts.length);
  let sum = 0;
  for (let i = 0; i < hosts.length; i++) cumulative[i] = sum += weights[i] / total;
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    if (rand() < 0.2) {
      out[i] = host();
      continue;
    }
    const r = rand();
    let lo = 0;
    let hi = hosts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    out[i] = hosts[lo];
  }
  return out;
}

function cpu(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

async function lookupRates() {
  const ips = addressMix(lookups);
  for (const [mode, cacheSize] of [
    ['cache', undefined],
    ['no-cache', 1],
  ]) {
    const enricher = createEnricher({ cacheSize });
    const load = performance.now();
    await enricher.start();
    const loadSeconds = (performance.now() - load) / 1000;
    let found = 0;
    // One warm-up pass over a slice, then the timed pass over all.
    for (let i = 0; i < 200_000; i++) enricher.lookupIp(ips[i]);
    const before = enricher.counters();
    const run = cpu(() => {
      for (let i = 0; i < ips.length; i++) if (enricher.lookupIp(ips[i]).country !== undefined) found++;
      return found;
    });
    const after = enricher.counters();
    const hits = after.flowlens_enrich_cache_hits_total - before.flowlens_enrich_cache_hits_total;
    console.log(
      JSON.stringify({
        bench: 'lookup',
        mode,
        lookups: ips.length,
        lookupsPerSecond: Math.round(ips.length / run.cpuSeconds),
        cpuSeconds: run.cpuSeconds,
        hitRatio: Number((hits / ips.length).toFixed(4)),
        withCountry: Number((found / ips.length).toFixed(4)),
        loadSeconds: Number(loadSeconds.toFixed(3)),
      }),
    );
    await enricher.stop();
  }
}

/**
 * What flow records take: enrichFlow on address pairs from the same mix, through the numeric
 * IPv4 cache and the merged table (built before timing); lookups/s counts both addresses.
 */
async function flowPathRate() {
  const ips = addressMix(lookups);
  const enricher = createEnricher({ ipv4TableAfter: 0 });
  await enricher.start();
  const build = performance.now();
  enricher.enrichFlow({ srcIp: '192.0.2.1', dstIp: '198.51.100.1' });
  const tableSeconds = (performance.now() - build) / 1000;
  const record = { srcIp: '', dstIp: '' };
  const pass = () => {
    let found = 0;
    for (let i = 0; i + 1 < ips.length; i += 2) {
      record.srcIp = ips[i];
      record.dstIp = ips[i + 1];
      record.srcCountry = record.dstCountry = record.srcAsn = record.dstAsn = undefined;
      record.srcAsName = record.dstAsName = undefined;
      enricher.enrichFlow(record);
      if (record.dstCountry !== undefined) found++;
    }
    return found;
  };
  pass(); // warm-up
  const before = enricher.counters();
  const run = cpu(pass);
  const after = enricher.counters();
  const count = after.flowlens_enrich_lookups_total - before.flowlens_enrich_lookups_total;
  const hits = after.flowlens_enrich_cache_hits_total - before.flowlens_enrich_cache_hits_total;
  console.log(
    JSON.stringify({
      bench: 'lookup',
      mode: 'flow-path',
      lookups: count,
      lookupsPerSecond: Math.round(count / run.cpuSeconds),
      cpuSeconds: run.cpuSeconds,
      hitRatio: Number((hits / count).toFixed(4)),
      ipv4TableBuildSeconds: Number(tableSeconds.toFixed(3)),
    }),
  );
  await enricher.stop();
}

/** Threat matching: 50,000 random IPv4 networks (/16–/32) in 5 feeds, IPv4 addresses of the mix. */
function threatRate() {
  const feeds = Array.from({ length: 5 }, (_, f) => {
    const lines = [];
    for (let i = 0; i < 10_000; i++) {
      const prefix = 16 + Math.floor(rand() * 17);
      lines.push(
        `${1 + Math.floor(rand() * 222)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.0/${Math.min(prefix, 24)}`,
      );
    }
    return { name: `feed${f}`, category: 'c2', entries: parseFeed(lines.join('\n'), 'ip-list') };
  });
  const build = performance.now();
  const matcher = compileThreatMatcher(feeds);
  const buildSeconds = (performance.now() - build) / 1000;
  const ips = addressMix(lookups).filter((ip) => !ip.includes(':'));
  let tagged = 0;
  for (let i = 0; i < 100_000; i++) matcher.matchIp(ips[i]);
  const run = cpu(() => {
    for (let i = 0; i < ips.length; i++) if (matcher.matchIp(ips[i]).length > 0) tagged++;
  });
  console.log(
    JSON.stringify({
      bench: 'threat',
      networks: matcher.networks,
      lookups: ips.length,
      lookupsPerSecond: Math.round(ips.length / run.cpuSeconds),
      tagged: Number((tagged / ips.length).toFixed(4)),
      buildSeconds: Number(buildSeconds.toFixed(3)),
    }),
  );
}

async function enginePass(enricher) {
  let flows = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { summary } = await analyzeCaptures({
    files: [capture],
    onFlow: enricher
      ? (record) => {
          enricher.enrichFlow(record);
          flows++;
        }
      : () => {
          flows++;
        },
  });
  const c = process.cpuUsage(c0);
  return {
    packets: summary.packets,
    flows,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
  };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function engineCost() {
  if (!existsSync(capture)) {
    console.log(
      JSON.stringify({
        bench: 'engine',
        skipped: `${capture} not found (run npm run bench:pcap to make it)`,
      }),
    );
    return;
  }
  const enricher = createEnricher({ ipv4TableAfter: 0 });
  await enricher.start();
  const build = performance.now();
  enricher.enrichFlow({ srcIp: '192.0.2.1', dstIp: '198.51.100.1' }); // builds the merged IPv4 table
  const tableSeconds = (performance.now() - build) / 1000;
  await enginePass(undefined); // warm-up: the JIT compiles the engine
  await enginePass(enricher);
  const plain = [];
  const enriched = [];
  for (let i = 0; i < repeat; i++) {
    const a = await enginePass(undefined);
    const b = await enginePass(enricher);
    plain.push(a.cpuSeconds);
    enriched.push(b.cpuSeconds);
    console.log(
      JSON.stringify({
        bench: 'engine',
        run: i + 1,
        packets: a.packets,
        flows: a.flows,
        plainCpu: a.cpuSeconds,
        enrichedCpu: b.cpuSeconds,
      }),
    );
  }
  const ratio = median(enriched) / median(plain);
  const minRatio = Math.min(...enriched) / Math.min(...plain);
  console.log(
    JSON.stringify({
      bench: 'engine',
      capture,
      plainCpuMedian: median(plain),
      enrichedCpuMedian: median(enriched),
      slowdownPercent: Number(((ratio - 1) * 100).toFixed(1)),
      plainCpuMin: Math.min(...plain),
      enrichedCpuMin: Math.min(...enriched),
      slowdownPercentOfMin: Number(((minRatio - 1) * 100).toFixed(1)),
      ipv4TableBuildSeconds: Number(tableSeconds.toFixed(3)),
      hitRatio: Number(enricher.cacheHitRatio().toFixed(4)),
      counters: enricher.counters(),
    }),
  );
}

await lookupRates();
await flowPathRate();
threatRate();
await engineCost();
