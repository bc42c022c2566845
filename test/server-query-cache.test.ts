/**
 * Analytics answers through the query cache (server/query-cache.ts): identical requests in
 * flight share one store query, answers are reused for the TTL and, over ranges that do not end
 * at the wall clock, until the store's flows change; failures are never
 * cached, the cache stays bounded, and a query nobody waits for any more is interrupted in
 * DuckDB. Routes run in process (`inject`) on a real DuckDB store of corpus captures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCache } from '../src/server/query-cache.js';
import { createDuckDbStore, type FlowStore, type StoredFlow } from '../src/store/index.js';
import { overview, parseRange, resolveRange } from '../src/store/query/index.js';
import { corpusAvailable } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

const FILES = ['bulk_mixed_apps_1kxun.pcap'];
const TTL_MS = 300;

describe.skipIf(!corpusAvailable)('analytics routes through the query cache (inject)', () => {
  let data: QueryStore;
  let t: TestServer;
  const get = (url: string) => t.server.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    data = await buildQueryStore(FILES);
    t = await startTestServer({ queryCacheTtlMs: TTL_MS }, data.dataDir);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shares one query among identical concurrent requests, all getting the same answer', async () => {
    const url = '/api/v1/top?range=all&by=dst_port&limit=5';
    const responses = await Promise.all(Array.from({ length: 20 }, () => get(url)));
    const sources = responses.map((r) => r.headers['x-flowlens-cache']);
    expect(sources.filter((s) => s === 'miss')).toHaveLength(1);
    expect(sources.filter((s) => s === 'coalesced')).toHaveLength(19);
    const range = await resolveRange(t.store, parseRange('all'));
    const { top } = await import('../src/store/query/index.js');
    const expected = JSON.parse(JSON.stringify(await top(t.store, { by: 'dst_port', range, limit: 5 })));
    for (const response of responses) expect(response.json()).toEqual(expected);
  });

  it('keys on every parameter, in any order, and on the host in the path', async () => {
    const a = await get('/api/v1/top?range=all&by=protocol&metric=flows&limit=3');
    const b = await get('/api/v1/top?limit=3&metric=flows&by=protocol&range=all');
    const c = await get('/api/v1/top?range=all&by=protocol&metric=bytes&limit=3');
    expect(a.headers['x-flowlens-cache']).toBe('miss');
    expect(b.headers['x-flowlens-cache']).toBe('hit');
    expect(c.headers['x-flowlens-cache']).toBe('miss');
    expect(b.json()).toEqual(a.json());
    const ip = data.flows[0].srcIp;
    const other = data.flows.find((f) => f.srcIp !== ip)?.srcIp as string;
    const first = await get(`/api/v1/hosts/${ip}?range=all`);
    const second = await get(`/api/v1/hosts/${other}?range=all`);
    expect(second.headers['x-flowlens-cache']).toBe('miss');
    expect(second.json().ip).not.toBe(first.json().ip);
  });

  it('serves an answer for the TTL only: new flows show once it has passed', async () => {
    const url = '/api/v1/overview?range=all';
    const before = await get(url);
    expect(before.statusCode).toBe(200);
    const flows = before.json().current.flows as number;
    // A live flow inside the range, written after the answer was cached.
    const sample = data.flows[0];
    const live: StoredFlow = { ...sample, sourceKind: 'live', srcPort: 1, dstPort: 2 };
    await t.store.writeFlows([live]);
    const cached = await get(url);
    expect(cached.headers['x-flowlens-cache']).toBe('hit');
    expect(cached.json().current.flows).toBe(flows);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));
    const fresh = await get(url);
    expect(fresh.headers['x-flowlens-cache']).toBe('miss');
    expect(fresh.json().current.flows).toBe(flows + 1);
  });

  it('keeps answers while the flows are unchanged, but not over ranges that end at the wall clock', async () => {
    const url = '/api/v1/top?range=all&by=application&limit=4';
    expect((await get(url)).headers['x-flowlens-cache']).toBe('miss');
    const now = '/api/v1/top?range=1h&until=now&by=application&limit=4';
    expect((await get(now)).headers['x-flowlens-cache']).toBe('miss');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));
    const kept = await get(url);
    expect(kept.headers['x-flowlens-cache']).toBe('hit');
    const range = await resolveRange(t.store, parseRange('all'));
    const { top } = await import('../src/store/query/index.js');
    expect(kept.json()).toEqual(
      JSON.parse(JSON.stringify(await top(t.store, { by: 'application', range, limit: 4 }))),
    );
    expect((await get(now)).headers['x-flowlens-cache']).toBe('miss');
    // A write moves the store's version: the kept answer is not served again.
    await t.store.writeFlows([{ ...data.flows[1], sourceKind: 'live', srcPort: 3, dstPort: 4 }]);
    expect((await get(url)).headers['x-flowlens-cache']).toBe('miss');
  });

  it('never caches a failure: a bad cursor is a 400 every time', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await get('/api/v1/flows?range=all&after=not-a-cursor');
      expect(response.statusCode).toBe(400);
      expect(response.headers['x-flowlens-cache']).toBe('miss');
    }
  });
});

describe('QueryCache', () => {
  it('evicts the oldest answers beyond its bound', async () => {
    const cache = new QueryCache({ ttlMs: 60_000, maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await cache.run(key, async () => key).answer;
    expect(cache.size).toBe(3);
    expect(cache.run('a', async () => 'again').source).toBe('miss');
    expect(cache.run('d', async () => 'again').source).toBe('hit');
  });

  it('bounds the characters kept, and never keeps an answer above a quarter of them', async () => {
    const cache = new QueryCache({ ttlMs: 60_000, maxEntries: 100, maxChars: 1000 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await cache.run(key, async () => key.repeat(240)).answer;
    expect(cache.keptChars).toBeLessThanOrEqual(1000);
    expect(cache.size).toBe(4);
    expect(cache.run('a', async () => '').source).toBe('miss');
    expect(cache.run('e', async () => '').source).toBe('hit');
    const big = 'x'.repeat(251);
    expect(await cache.run('big', async () => big).answer).toBe(big);
    expect(cache.run('big', async () => big).source).toBe('miss');
  });

  it('with TTL 0 shares computations in flight but keeps no answers', async () => {
    const cache = new QueryCache({ ttlMs: 0, maxEntries: 8 });
    let runs = 0;
    const compute = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return runs;
    };
    const answers = await Promise.all([cache.run('k', compute).answer, cache.run('k', compute).answer]);
    expect(answers).toEqual([1, 1]);
    expect(await cache.run('k', compute).answer).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('serves an expired answer while one refresh runs, then the refreshed one', async () => {
    let clock = 0;
    const cache = new QueryCache({ ttlMs: 100, maxEntries: 8, staleMs: 1000, now: () => clock });
    let version = 0;
    let release: () => void = () => undefined;
    const compute = async () => {
      version++;
      if (version > 1) await new Promise<void>((resolve) => (release = resolve));
      return version;
    };
    expect(await cache.run('k', compute).answer).toBe(1);
    clock = 150;
    const first = cache.run('k', compute);
    const second = cache.run('k', compute);
    expect([first.source, second.source]).toEqual(['stale', 'stale']);
    expect([await first.answer, await second.answer]).toEqual([1, 1]);
    expect(version).toBe(2); // one refresh, not two
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const fresh = cache.run('k', compute);
    expect(fresh.source).toBe('hit');
    expect(await fresh.answer).toBe(2);
    // Past TTL + stale, an answer is never served: the caller waits for a new one.
    clock = 150 + 100 + 1000;
    const late = cache.run('k', async () => 3);
    expect(late.source).toBe('miss');
    expect(await late.answer).toBe(3);
  });

  it('keeps an answer past its TTL while the version it was computed at holds, when asked to', async () => {
    let clock = 0;
    let version = 1;
    const cache = new QueryCache({ ttlMs: 100, maxEntries: 8, now: () => clock, version: () => version });
    let runs = 0;
    const compute = async () => ++runs;
    const keep = { untilChanged: () => true };
    expect(await cache.run('kept', compute, undefined, keep).answer).toBe(1);
    expect(await cache.run('ttl', compute).answer).toBe(2);
    clock = 10_000;
    expect(cache.run('kept', compute, undefined, keep).source).toBe('hit');
    expect(cache.run('ttl', compute, undefined, keep).source).toBe('miss');
    version = 2;
    const after = cache.run('kept', compute, undefined, keep);
    expect(after.source).toBe('miss');
    expect(await after.answer).toBe(4);
    // A write while the answer is computed: it was noted at the older version, so TTL only.
    const slow = cache.run(
      'slow',
      async () => {
        version = 3;
        return 'x';
      },
      undefined,
      keep,
    );
    await slow.answer;
    clock = 20_000;
    expect(cache.run('slow', compute, undefined, keep).source).toBe('miss');
  });

  it('refuses a negative TTL and an empty bound', () => {
    expect(() => new QueryCache({ ttlMs: -1, maxEntries: 1 })).toThrow(/TTL/);
    expect(() => new QueryCache({ ttlMs: 1, maxEntries: 0 })).toThrow(/size/);
  });

  describe('on a real DuckDB store', () => {
    let dataDir: string;
    let store: FlowStore;
    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-cache-'));
      store = createDuckDbStore({ dataDir });
      await store.start();
    });
    afterAll(async () => {
      await store.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('interrupts the query when every waiter has gone, and keeps it while one stays', async () => {
      const cache = new QueryCache({ ttlMs: 1000, maxEntries: 8 });
      // Seconds of work in DuckDB; interrupted, it ends at once.
      const slow = 'SELECT count(*) AS n FROM range(20000000000) a(i) WHERE hash(i) % 7 = 3';
      let computeSignal: AbortSignal | undefined;
      const compute = (signal: AbortSignal) => {
        computeSignal = signal;
        return store.query(slow, [], { signal });
      };
      const first = new AbortController();
      const second = new AbortController();
      const a = cache.run('slow', compute, first.signal);
      const b = cache.run('slow', compute, second.signal);
      expect(b.source).toBe('coalesced');
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
      first.abort(new Error('client 1 gone'));
      await expect(a.answer).rejects.toThrow('client 1 gone');
      expect(computeSignal?.aborted).toBe(false);
      second.abort(new Error('client 2 gone'));
      await expect(b.answer).rejects.toThrow('client 2 gone');
      expect(computeSignal?.aborted).toBe(true);
      expect(cache.stats.cancelled).toBe(1);
      // The store's query itself stopped: the next query runs without waiting behind it.
      const quick = await store.query('SELECT 42 AS n');
      expect(quick).toEqual([{ n: 42 }]);
      expect(performance.now() - started).toBeLessThan(5000);
      // A later request starts afresh rather than joining the cancelled computation.
      expect(cache.run('slow', async () => [], undefined).source).toBe('miss');
    });

    it('overview answers are the same through the cache as without it', async () => {
      const cache = new QueryCache({ ttlMs: 1000, maxEntries: 8 });
      const range = await resolveRange(store, parseRange('all'));
      const direct = await overview(store, { range });
      const { answer } = cache.run('o', (signal) => overview(store, { range, signal }));
      expect(await answer).toEqual(direct);
    });
  });
});
