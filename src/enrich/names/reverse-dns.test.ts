/**
 * Reverse DNS against a real DNS server on 127.0.0.1 (a UDP socket answering PTR queries, written
 * here): a name, NXDOMAIN (negative cache), a server that never answers (timeout), the positive
 * cache, bounded concurrency, the rate limit and the bounded queue.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReverseDns } from './reverse-dns.js';

let server: Socket;
let port = 0;
const asked = new Map<string, number>();
let maxConcurrent = 0;
let open = 0;

function qname(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let o = 12;
  while (msg[o] !== 0) {
    labels.push(msg.toString('latin1', o + 1, o + 1 + msg[o]));
    o += msg[o] + 1;
  }
  return { name: labels.join('.'), end: o + 5 };
}

function encodeName(name: string): Buffer {
  return Buffer.concat([
    ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, peer) => {
    const { name, end } = qname(msg);
    asked.set(name, (asked.get(name) ?? 0) + 1);
    open++;
    maxConcurrent = Math.max(maxConcurrent, open);
    const question = msg.subarray(12, end);
    let reply: Buffer | undefined;
    if (name === '6.3.2.1.in-addr.arpa') {
      open--;
      return; // never answers
    }
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(1, 4);
    if (name === '5.3.2.1.in-addr.arpa') {
      header.writeUInt16BE(0x8183, 2); // NXDOMAIN
      reply = Buffer.concat([header, question]);
    } else {
      header.writeUInt16BE(0x8180, 2);
      header.writeUInt16BE(1, 6);
      const target = encodeName(`host-${name.split('.')[0]}.example.test`);
      const answer = Buffer.alloc(12);
      answer.writeUInt16BE(0xc00c, 0);
      answer.writeUInt16BE(12, 2); // PTR
      answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(60, 6);
      answer.writeUInt16BE(target.length, 10);
      reply = Buffer.concat([header, question, answer, target]);
    }
    // Answer a little later, so concurrent queries overlap.
    setTimeout(() => {
      open--;
      server.send(reply as Buffer, peer.port, peer.address);
    }, 20);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  port = server.address().port;
});

afterAll(() => server.close());

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
    expect(asked.get('4.3.2.1.in-addr.arpa')).toBe(1);
    rdns.close();
  });

  it('holds concurrency, rate and queue bounds', async () => {
    maxConcurrent = 0;
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
    expect(maxConcurrent).toBeLessThanOrEqual(2);
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
});
