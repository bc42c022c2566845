/**
 * Reverse DNS against a real DNS server on 127.0.0.1 (test/support/ptr-responder.ts): a name,
 * NXDOMAIN (negative cache), a server that never answers (timeout), the positive cache, bounded
 * concurrency, the rate limit, the bounded queue, and waiting for one address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PtrResponder, startPtrResponder } from '../../../test/support/ptr-responder.js';
import { createReverseDns } from './reverse-dns.js';

let responder: PtrResponder;
let port = 0;

beforeAll(async () => {
  responder = await startPtrResponder();
  port = responder.port;
});

afterAll(() => responder.close());

describe('reverse DNS', () => {
  it('names, NXDOMAIN and timeouts, each cached', async () => {
    const rdns = createReverseDns({ servers: [`127.0.0.1:${port}`], timeoutMs: 300 });
    expect(rdns.nameOf('1.2.3.4')).toBeUndefined();
    rdns.request('1.2.3.4');
    rdns.request('1.2.3.5');
    rdns.request('1.2.3.6');
    rdns.request('1.2.3.4'); // already queued: not asked twice
    await rdns.drain(5000);
    expect(rdns.nameOf('1.2.3.4')).toBe('host-4.example.test');
    expect(rdns.nameOf('1.2.3.5')).toBeNull();
    expect(rdns.nameOf('1.2.3.6')).toBeNull();
    expect(rdns.stats()).toMatchObject({ lookups: 3, found: 1, failed: 2, queued: 0, inFlight: 0 });
    rdns.request('1.2.3.4');
    rdns.request('1.2.3.5');
    expect(rdns.stats()).toMatchObject({ lookups: 3, cacheHits: 2 });
    expect(responder.asked.get('4.3.2.1.in-addr.arpa')).toBe(1);
    rdns.close();
  });

  it('holds concurrency, rate and queue bounds', async () => {
    responder.resetMaxConcurrent();
    const rdns = createReverseDns({
      servers: [`127.0.0.1:${port}`],
      concurrency: 2,
      ratePerSecond: 20,
      maxQueue: 10,
    });
    const started = Date.now();
    for (let i = 0; i < 15; i++) rdns.request(`10.9.8.${i}`);
    expect(rdns.stats().dropped).toBe(5);
    await rdns.drain(5000);
    const seconds = (Date.now() - started) / 1000;
    expect(rdns.stats()).toMatchObject({ lookups: 10, found: 10, queued: 0 });
    expect(responder.maxConcurrent).toBeLessThanOrEqual(2);
    // 20 tokens at start cover all 10: the rate only bites past the burst.
    expect(seconds).toBeLessThan(3);
    expect(rdns.nameOf('10.9.8.3')).toBe('host-3.example.test');
    rdns.close();
  });

  it('rate: past the burst, lookups wait for tokens', async () => {
    const rdns = createReverseDns({ servers: [`127.0.0.1:${port}`], concurrency: 8, ratePerSecond: 5 });
    const started = Date.now();
    for (let i = 0; i < 10; i++) rdns.request(`10.7.7.${i}`);
    await rdns.drain(10_000);
    // 5 at once, the next 5 at 5 per second: about a second more.
    expect((Date.now() - started) / 1000).toBeGreaterThan(0.7);
    expect(rdns.stats().lookups).toBe(10);
    rdns.close();
  });

  it('never throws: bad addresses fail into the negative cache; close stops everything', async () => {
    const rdns = createReverseDns({ servers: [`127.0.0.1:${port}`] });
    rdns.request('not-an-address');
    await rdns.drain(2000);
    expect(rdns.nameOf('not-an-address')).toBeNull();
    rdns.close();
    rdns.request('1.2.3.4');
    expect(rdns.stats().queued).toBe(0);
    await rdns.drain(10);
  });

  it('resolve waits for one address, up to a deadline, and answers from the cache after', async () => {
    const rdns = createReverseDns({ servers: [`127.0.0.1:${port}`], timeoutMs: 1000 });
    expect(await rdns.resolve('1.2.3.7', 2000)).toBe('host-7.example.test');
    expect(await rdns.resolve('1.2.3.5', 2000)).toBeNull();
    const started = Date.now();
    expect(await rdns.resolve('1.2.3.6', 100)).toBeUndefined(); // never answered: the deadline
    expect(Date.now() - started).toBeLessThan(900);
    const asked = responder.asked.get('7.3.2.1.in-addr.arpa');
    expect(await rdns.resolve('1.2.3.7', 2000)).toBe('host-7.example.test');
    expect(responder.asked.get('7.3.2.1.in-addr.arpa')).toBe(asked);
    rdns.close();
    expect(await rdns.resolve('1.2.3.8', 2000)).toBeUndefined();
  });
});
