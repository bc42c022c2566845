/**
 * Capture upload and analysis jobs over real loopback HTTP: upload → SSE progress → report,
 * ingest into the store, the bounded queue (503 + Retry-After), cancellation, timeouts, report
 * expiry, and restarts (graceful and killed) leaving interrupted jobs failed with a reason.
 * Analysis runs in the built worker (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigCapture } from './support/big-capture.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { analyzeFile } from './support/query-store.js';
import { CLI } from './support/run.js';
import {
  readEvents,
  requireBuiltWorker,
  startTestServer,
  type TestServer,
  upload,
  waitForJob,
} from './support/server-harness.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'tcp-handshake-and-close.pcap');
const CORPUS_FILE = 'bulk_mixed_apps_1kxun.pcap';
let tmp: string;
let big: string;

beforeAll(() => {
  requireBuiltWorker();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-jobs-'));
  big = path.join(tmp, 'big.pcap');
  // About 58 MB and a million one-packet flows: seconds of work, long enough to catch running.
  writeBigCapture(big, 1_000_000);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Job = {
  id: string;
  status: string;
  error?: { code: string; message: string };
  result?: Record<string, unknown>;
};

const uploadsOf = (t: { dataDir: string }) => readdirSync(path.join(t.dataDir, 'uploads'));

describe.skipIf(!corpusAvailable)('upload → progress → report', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('analyses an upload in a worker, streams progress over SSE and serves the report', async () => {
    const file = corpusPath(CORPUS_FILE);
    const response = await upload(t.url, file);
    expect(response.status).toBe(202);
    const job = (await response.json()) as Job;
    expect(response.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);

    const events = await readEvents(`${t.url}/api/v1/jobs/${job.id}/events`);
    const states = events.filter((e) => e.event === 'state').map((e) => (e.data as Job).status);
    expect(states).toEqual(['queued', 'running', 'succeeded']);
    const progress = events
      .filter((e) => e.event === 'progress')
      .map((e) => e.data as Record<string, unknown>);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      expect(p).toHaveProperty('phase');
      expect(p.percent).toBeGreaterThanOrEqual(0);
      expect(p.percent).toBeLessThanOrEqual(100);
      expect(typeof p.packets).toBe('number');
      expect(typeof p.packetsPerSecond).toBe('number');
    }
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));

    const expected = await analyzeFile(file);
    const reportResponse = await fetch(`${t.url}/api/v1/jobs/${job.id}/report.json`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(reportResponse.status).toBe(200);
    expect(reportResponse.headers.get('content-encoding')).toBe('gzip');
    const report = (await reportResponse.json()) as {
      job: Job;
      flows: number;
      summary: { packets: number; flows: number };
      analysis: Record<string, unknown>;
    };
    expect(report.job.status).toBe('succeeded');
    expect(report.flows).toBe(expected.length);
    expect(report.summary.flows).toBe(expected.length);
    expect(report.summary.packets).toBe(expected.reduce((n, f) => n + f.packets, 0));
    expect(Object.keys(report.analysis).sort()).toEqual(expect.arrayContaining(['app', 'tcp', 'enrichment']));
    // The worker enriches as `flowlens analyze` does (bundled data by default).
    const located = expected.filter((f) => f.srcCountry !== undefined || f.dstCountry !== undefined).length;
    expect(located).toBeGreaterThan(0);
    expect(report.analysis.enrichment).toMatchObject({ flows: expected.length, flowsWithCountry: located });
    const last = progress.at(-1) as { packets: number; percent: number };
    expect(last.packets).toBe(report.summary.packets);
    expect(last.percent).toBe(100);

    // The upload is gone; the job is listed.
    expect(uploadsOf(t)).toEqual([]);
    const list = (await (await fetch(`${t.url}/api/v1/jobs`)).json()) as { jobs: Job[] };
    expect(list.jobs.map((j) => j.id)).toContain(job.id);

    // Resume after event 2.
    const resumed = await readEvents(`${t.url}/api/v1/jobs/${job.id}/events`, { 'last-event-id': '2' });
    expect(resumed[0].id).toBe(3);
    expect(resumed.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));

    // No renderer yet: HTML is 501. After the TTL, the report is gone (410).
    const html = await fetch(`${t.url}/api/v1/jobs/${job.id}/report.html`);
    expect(html.status).toBe(501);
    expect(await t.server.jobs.sweep(Date.now() + t.server.config.reportTtlMs + 1000)).toBe(1);
    const gone = await fetch(`${t.url}/api/v1/jobs/${job.id}/report.json`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('FLOWLENS_ERR_GONE');

    // Deleting a finished job removes it.
    const deleted = await fetch(`${t.url}/api/v1/jobs/${job.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ id: job.id, action: 'deleted' });
    expect((await fetch(`${t.url}/api/v1/jobs/${job.id}`)).status).toBe(404);
  });

  it('ingests the analysed flows into the store when asked, once per file', async () => {
    const file = corpusPath(CORPUS_FILE);
    const expected = await analyzeFile(file);
    const first = (await (await upload(t.url, file, { query: 'ingest=true' })).json()) as Job;
    const done = (await waitForJob(
      t.url,
      first.id,
      (j) => j.status !== 'queued' && j.status !== 'running',
    )) as Job;
    expect(done.status).toBe('succeeded');
    expect(done.result?.ingest).toMatchObject({ status: 'ingested', flows: expected.length });
    const overview = (await (await fetch(`${t.url}/api/v1/overview?range=all`)).json()) as {
      current: { flows: number };
    };
    expect(overview.current.flows).toBe(expected.length);
    // Stored flows carry the same countries as `flowlens analyze` gives them.
    const countries = (await (
      await fetch(`${t.url}/api/v1/top?range=all&by=country&metric=flows&limit=300`)
    ).json()) as {
      rows: { key: string; flows: number }[];
    };
    const perCountry = new Map<string, number>();
    for (const f of expected) {
      for (const c of new Set([f.srcCountry, f.dstCountry])) {
        if (c !== undefined) perCountry.set(c, (perCountry.get(c) ?? 0) + 1);
      }
    }
    expect(new Map(countries.rows.map((r) => [r.key, r.flows]))).toEqual(perCountry);

    const again = (await (await upload(t.url, file, { query: 'ingest=true' })).json()) as Job;
    const second = (await waitForJob(t.url, again.id, (j) => j.status === 'succeeded')) as Job;
    expect(second.result?.ingest).toMatchObject({ status: 'already-ingested' });

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('flowlens_ingests_total{outcome="ingested"} 1');
    expect(metrics).toContain('flowlens_ingests_total{outcome="already-ingested"} 1');
    expect(metrics).toContain(`flowlens_ingested_flows_total ${expected.length}`);
  });
});

describe.skipIf(!corpusAvailable)('an uploaded capture ingested', () => {
  it('stores its alerts and device inventory with its flows, as flowlens ingest does', async () => {
    const t = await startTestServer();
    try {
      const file = corpusPath('arp_poison_mitm.pcapng');
      const job = (await (await upload(t.url, file, { query: 'ingest=true' })).json()) as Job;
      const done = (await waitForJob(
        t.url,
        job.id,
        (j) => j.status !== 'queued' && j.status !== 'running',
      )) as Job;
      expect(done.status).toBe('succeeded');
      const ingest = done.result?.ingest as { status: string; ingestId?: string } | undefined;
      expect(ingest?.status).toBe('ingested');
      const ingestId = ingest?.ingestId;
      expect(ingestId).toBeTruthy();

      const devices = (await (await fetch(`${t.url}/api/v1/devices`)).json()) as {
        devices: { mac: string; vendor?: string }[];
      };
      expect(devices.devices.map((d) => [d.mac, d.vendor]).sort()).toEqual([
        ['00:21:70:c0:56:f0', 'Dell Inc.'],
        ['00:25:b3:bf:91:ee', 'Hewlett Packard'],
        ['00:26:0b:31:07:33', 'Cisco Systems, Inc'],
      ]);
      const alerts = await t.store.listAlerts({ limit: 100 });
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.every((a) => a.ingestId === ingestId)).toBe(true);
      const spoofing = alerts.filter((a) => a.type === 'arp-spoofing');
      expect(spoofing.map((a) => (a.evidence as { mac: string }).mac)).toEqual(['00:25:b3:bf:91:ee']);
    } finally {
      await t.close();
    }
  });
});

describe('queue, cancellation and timeouts', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ concurrency: 1, queueLimit: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 with Retry-After when the queue is full, and cancels queued and running jobs', async () => {
    const running = (await (await upload(t.url, big)).json()) as Job;
    await waitForJob(t.url, running.id, (j) => j.status === 'running');
    const queued = (await (await upload(t.url, FIXTURE)).json()) as Job;
    expect(queued.status).toBe('queued');

    const full = await upload(t.url, FIXTURE);
    expect(full.status).toBe(503);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('FLOWLENS_ERR_QUEUE_FULL');
    // The refused upload left nothing behind.
    expect(uploadsOf(t)).toHaveLength(2);

    const runningEvents = readEvents(`${t.url}/api/v1/jobs/${running.id}/events`);
    const cancelQueued = await fetch(`${t.url}/api/v1/jobs/${queued.id}`, { method: 'DELETE' });
    expect(await cancelQueued.json()).toEqual({ id: queued.id, action: 'cancelled' });
    const cancelRunning = await fetch(`${t.url}/api/v1/jobs/${running.id}`, { method: 'DELETE' });
    expect(await cancelRunning.json()).toEqual({ id: running.id, action: 'cancelled' });

    const last = (await runningEvents).at(-1);
    expect(last?.event).toBe('state');
    expect(last?.data).toMatchObject({ status: 'cancelled', error: { code: 'FLOWLENS_ERR_JOB_CANCELLED' } });
    const report = await fetch(`${t.url}/api/v1/jobs/${running.id}/report.json`);
    expect(report.status).toBe(409);
    await waitForJob(t.url, running.id, (j) => j.status === 'cancelled');
    expect(uploadsOf(t)).toEqual([]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/flowlens_jobs_total\{outcome="cancelled"\} 2/);
    expect(metrics).toMatch(/flowlens_uploads_rejected_total\{reason="queue-full"\} 1/);
  });

  it('stops a job past its timeout', async () => {
    const slow = await startTestServer({ jobTimeoutMs: 300 });
    try {
      const job = (await (await upload(slow.url, big)).json()) as Job;
      const done = (await waitForJob(slow.url, job.id, (j) => j.status === 'failed')) as Job;
      expect(done.error?.code).toBe('FLOWLENS_ERR_JOB_TIMEOUT');
      expect(uploadsOf(slow)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('restarts', () => {
  /** Runs `flowlens serve` as a child process; resolves with its URL once it listens. */
  function serveChild(dataDir: string) {
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const url = new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/[0-9.:]+)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, url, exited };
  }

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`shows a job interrupted by ${how} as failed with a reason after the restart`, async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-restart-'));
      const first = serveChild(dataDir);
      const url = await first.url;
      const job = (await (await upload(url, big)).json()) as Job;
      await waitForJob(url, job.id, (j) => j.status === 'running');
      first.child.kill(how);
      const code = await first.exited;
      if (how === 'SIGTERM') expect(code).toBe(0);

      const t = await startTestServer({}, dataDir);
      try {
        const after = (await (await fetch(`${t.url}/api/v1/jobs/${job.id}`)).json()) as Job;
        expect(after.status).toBe('failed');
        expect(after.error?.code).toBe('FLOWLENS_ERR_JOB_INTERRUPTED');
        expect(after.error?.message).toMatch(/^interrupted: /);
        expect(uploadsOf(t)).toEqual([]);
        // Its event stream replays the final state and ends.
        const events = await readEvents(`${t.url}/api/v1/jobs/${job.id}/events`);
        expect(events.at(-1)?.data).toMatchObject({ status: 'failed' });
      } finally {
        await t.close();
      }
    });
  }
});
