/**
 * The WebSocket live feed over real loopback sockets: per-topic subscription, job events from a
 * real upload, resume by message id (and the gap notice when history is gone), heartbeats,
 * protocol errors, and a slow consumer cut off without holding back a fast one.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { requireBuiltWorker, startTestServer, type TestServer, upload } from './support/server-harness.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'tcp-handshake-and-close.pcap');

type Frame = { type: string; id?: number; topic?: string; data?: unknown; [key: string]: unknown };

/** A client that records every frame and can wait for one matching a predicate. */
async function connect(url: string, query = '') {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/live${query}`);
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.match(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const next = (match: (f: Frame) => boolean, timeoutMs = 10_000) => {
    const seen = frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame; got ${JSON.stringify(frames.slice(-5))}`)),
        timeoutMs,
      );
      waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  };
  return { socket, frames, next, closed, send: (value: unknown) => socket.send(JSON.stringify(value)) };
}

const messages = (frames: Frame[], topic: string) =>
  frames.filter((f) => f.type === 'message' && f.topic === topic);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live feed', () => {
  let t: TestServer;
  beforeAll(async () => {
    requireBuiltWorker();
    t = await startTestServer({ heartbeatMs: 200, liveHistory: 5, maxBufferedBytes: 256 * 1024 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('delivers job events to subscribers of jobs only', async () => {
    const jobsClient = await connect(t.url, '?topics=jobs');
    const alertsClient = await connect(t.url, '?topics=alerts');
    expect(await jobsClient.next((f) => f.type === 'subscribed')).toMatchObject({ topics: ['jobs'] });
    const job = (await (await upload(t.url, FIXTURE)).json()) as { id: string };
    await jobsClient.next(
      (f) =>
        f.topic === 'jobs' &&
        (f.data as { event: string; data: { status?: string } }).data.status === 'succeeded',
    );
    const jobFrames = messages(jobsClient.frames, 'jobs');
    expect(jobFrames.every((f) => (f.data as { jobId: string }).jobId === job.id)).toBe(true);
    const ids = jobFrames.map((f) => f.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(messages(alertsClient.frames, 'jobs')).toEqual([]);
    jobsClient.socket.close();
    alertsClient.socket.close();
  });

  it('subscribes and unsubscribes by message, and resumes after a message id', async () => {
    const client = await connect(t.url);
    const first = t.server.live.publish('alerts', { n: 1 });
    t.server.live.publish('alerts', { n: 2 });
    t.server.live.publish('alerts', { n: 3 });
    client.send({ type: 'subscribe', topics: ['alerts'], since: first.id });
    await client.next((f) => f.topic === 'alerts' && (f.data as { n: number }).n === 3);
    expect(messages(client.frames, 'alerts').map((f) => (f.data as { n: number }).n)).toEqual([2, 3]);
    t.server.live.publish('alerts', { n: 4 });
    await client.next((f) => f.topic === 'alerts' && (f.data as { n: number }).n === 4);
    client.send({ type: 'unsubscribe', topics: ['alerts'] });
    // Acknowledged by a third `subscribed` frame (after the connect's and the subscribe's).
    await client.next(() => client.frames.filter((f) => f.type === 'subscribed').length === 3);
    expect(client.frames.filter((f) => f.type === 'subscribed').at(-1)?.topics).toEqual([]);
    t.server.live.publish('alerts', { n: 5 });
    await sleep(100);
    expect(messages(client.frames, 'alerts').map((f) => (f.data as { n: number }).n)).toEqual([2, 3, 4]);
    client.socket.close();
  });

  it('says when a resume reaches past the kept history', async () => {
    const start = t.server.live.publish('alerts', { n: 0 }).id;
    for (let n = 1; n <= 10; n++) t.server.live.publish('alerts', { n });
    const client = await connect(t.url, `?topics=alerts&since=${start}`);
    expect(await client.next((f) => f.type === 'gap')).toMatchObject({ since: start, topics: ['alerts'] });
    await client.next((f) => f.topic === 'alerts' && (f.data as { n: number }).n === 10);
    expect(messages(client.frames, 'alerts')).toHaveLength(5);
    client.socket.close();
  });

  it('sends heartbeats and per-second stats', async () => {
    const client = await connect(t.url, '?topics=stats');
    expect(await client.next((f) => f.type === 'heartbeat')).toHaveProperty('id');
    const stats = await client.next((f) => f.topic === 'stats');
    expect(stats.data).toHaveProperty('server.jobsRunning');
    client.socket.close();
  });

  it('answers a malformed message with an error frame, and a bad topic with 400', async () => {
    const client = await connect(t.url);
    client.socket.send('{not json');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      error: { code: 'FLOWLENS_ERR_VALIDATION' },
    });
    client.send({ type: 'subscribe', topics: ['weather'] });
    await client.next(
      (f) => f.type === 'error' && client.frames.filter((g) => g.type === 'error').length === 2,
    );
    client.socket.close();
    await expect(connect(t.url, '?topics=weather')).rejects.toThrow(/HTTP 400/);
  });

  it('cuts off a client that stops reading, without slowing a reading one', async () => {
    const slow = await connect(t.url, '?topics=alerts');
    const fast = await connect(t.url, '?topics=alerts');
    await slow.next((f) => f.type === 'subscribed');
    await fast.next((f) => f.type === 'subscribed');
    // The slow client stops reading from its socket; the kernel buffers fill, then the server's.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const before = t.server.live.clients;
    const blob = 'x'.repeat(64 * 1024);
    const sent = 400;
    for (let n = 0; n < sent; n++) {
      t.server.live.publish('alerts', { n, blob });
      await sleep(2);
    }
    await fast.next((f) => f.topic === 'alerts' && (f.data as { n: number }).n === sent - 1, 30_000);
    expect(messages(fast.frames, 'alerts').filter((f) => (f.data as { blob?: string }).blob)).toHaveLength(
      sent,
    );
    expect(t.server.live.clients).toBe(before - 1);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/flowlens_live_slow_consumers_total 1/);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.closed;
    fast.socket.close();
  });
});
