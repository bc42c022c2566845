/**
 * `GET /api/v1/status`: the built `flowlens serve --collect` on a free UDP port receives hand-built
 * NetFlow v5 and v9 datagrams (one data set before its template, one that never gets one, one
 * sequence gap, one datagram of garbage) and the answer shows exactly those counts per listener,
 * exporter and domain, the flows in the store and the ingest rate. A server with no source (the
 * in-process test server) answers with the store's facts and no collector or capture.
 * Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatusAnswer } from '../src/server/api-types.js';
import { exportDatagrams } from './support/export-datagrams.js';
import { collectNetflowOn, startServe, stopServe, until } from './support/serve-cli.js';
import { startTestServer } from './support/server-harness.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function status(url: string): Promise<StatusAnswer> {
  const response = await fetch(`${url}/api/v1/status`);
  expect(response.status).toBe(200);
  return (await response.json()) as StatusAnswer;
}

describe('GET /api/v1/status of flowlens serve --collect', () => {
  it('counts packets, records, template misses, pending data, sequence gaps and errors per exporter and domain', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-status-'));
    dirs.push(dir);
    const netflow = await freeUdpPort();
    const ipfix = await freeUdpPort();
    const running = await startServe([
      '--data',
      path.join(dir, 'data'),
      '--collect',
      '--netflow',
      String(netflow),
      '--ipfix',
      String(ipfix),
      '--sflow',
      '0',
    ]);
    try {
      const before = await status(running.url);
      expect(before.collector?.listeners).toEqual([
        {
          protocol: 'netflow',
          address: '127.0.0.1',
          port: netflow,
          datagrams: 0,
          receiveBufferBytes: expect.any(Number),
        },
        {
          protocol: 'ipfix',
          address: '127.0.0.1',
          port: ipfix,
          datagrams: 0,
          receiveBufferBytes: expect.any(Number),
        },
      ]);
      expect(before.collector?.exporters).toEqual([]);
      expect(before.capture).toBeNull();
      expect(before.store).toMatchObject({
        flows: 0,
        oldestFlowTs: null,
        newestFlowTs: null,
        retentionDays: null,
      });

      await sendDatagrams(exportDatagrams(), netflow);
      // Partial batches reach the store within the collector's flush interval (2 s).
      const after = await until('12 flows written', async () => {
        const answer = await status(running.url);
        return answer.collector?.flowsWritten === 12 && answer.store.flows === 12 ? answer : undefined;
      });
      const collector = after.collector as NonNullable<StatusAnswer['collector']>;
      expect(collector.listeners.map((l) => [l.protocol, l.datagrams])).toEqual([
        ['netflow', 7],
        ['ipfix', 0],
      ]);
      expect(collector.exporters).toHaveLength(1);
      const [exporter] = collector.exporters;
      expect(exporter).toMatchObject({
        exporter: '127.0.0.1',
        packets: 7,
        records: 12,
        decodeErrors: 1,
        templateMisses: 2,
        sequenceGaps: 1,
        pendingRecords: 1,
        expiredPending: 0,
        templates: 1,
        restarts: 0,
      });
      expect(exporter.recordsPerSecond).toBeGreaterThanOrEqual(0);
      expect(exporter.domains).toEqual([
        {
          protocol: 'netflow-v5',
          id: 0,
          packets: 2,
          records: 5,
          templateMisses: 0,
          sequenceGaps: 1,
          templates: 0,
        },
        {
          protocol: 'netflow-v9',
          id: 7,
          packets: 4,
          records: 7,
          templateMisses: 2,
          sequenceGaps: 0,
          templates: 1,
        },
      ]);
      expect(collector).toMatchObject({
        flowsDropped: 0,
        writeErrors: 0,
        datagramsDropped: 0,
        queuedBatches: 0,
      });

      expect(after.ingest.flowsWritten).toEqual({ jobs: 0, collector: 12, capture: 0 });
      expect(after.store.oldestFlowTs).toEqual(expect.any(Number));
      expect(after.store.newestFlowTs).toBeGreaterThanOrEqual(after.store.oldestFlowTs as number);
      expect(after.store.fileBytes).toBeGreaterThan(0);
      // 12 flows went in since the server started, all within the last minute.
      const rated = await until('a rate over two samples', async () => {
        const answer = await status(running.url);
        return answer.ingest.windowSeconds > 0 ? answer : undefined;
      });
      expect(rated.ingest.flowsPerSecond).toBeGreaterThan(0);
      expect(rated.ingest.flowsPerSecond).toBeLessThanOrEqual(12);
      expect(rated.server.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(rated.server.version).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      expect(await stopServe(running)).toBe(0);
    }
  }, 120_000);
});

describe('flowlens serve --retention', () => {
  it('deletes flows older than the retention at start and shows the retention in the status', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-status-'));
    dirs.push(dir);
    const data = path.join(dir, 'data');
    const netflow = await freeUdpPort();
    const collect = [...collectNetflowOn(netflow)];
    const first = await startServe(['--data', data, ...collect]);
    try {
      await sendDatagrams(exportDatagrams(Math.floor(Date.now() / 1000) - 40 * 86_400), netflow);
      await sendDatagrams(exportDatagrams(), netflow);
      await until('24 flows in the store', async () => {
        const answer = await status(first.url);
        return answer.store.flows === 24 ? answer : undefined;
      });
    } finally {
      expect(await stopServe(first)).toBe(0);
    }
    const second = await startServe(['--data', data, '--retention', '30']);
    try {
      expect(second.stderr()).toContain('retention 30 days: deleted 12 flows and 0 alerts');
      const answer = await status(second.url);
      expect(answer.store).toMatchObject({ flows: 12, retentionDays: 30 });
      expect(answer.store.oldestFlowTs).toBeGreaterThan(Date.now() / 1000 - 86_400);
    } finally {
      expect(await stopServe(second)).toBe(0);
    }
  }, 120_000);
});

describe('GET /api/v1/status with no traffic source', () => {
  it('gives the store and the server, no collector or capture, and refuses unknown parameters', async () => {
    const t = await startTestServer();
    try {
      const answer = await status(t.url);
      expect(answer.collector).toBeNull();
      expect(answer.capture).toBeNull();
      expect(answer.server.version).toBe('test');
      expect(answer.store).toMatchObject({
        path: path.join(t.dataDir, 'flowlens.duckdb'),
        flows: 0,
        alerts: 0,
        ingests: 0,
        oldestFlowTs: null,
        newestFlowTs: null,
        retentionDays: null,
      });
      expect(answer.ingest).toMatchObject({
        flowsPerSecond: 0,
        flowsWritten: { jobs: 0, collector: 0, capture: 0 },
        jobs: { running: 0, waiting: 0 },
        recentIngests: [],
      });
      const bad = await fetch(`${t.url}/api/v1/status?verbose=1`);
      expect(bad.status).toBe(400);
      const openapi = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(openapi.paths)).toContain('/api/v1/status');
    } finally {
      await t.close();
    }
  });
});
