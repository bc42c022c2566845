/**
 * The collector's detection thread (src/pipeline/detection-thread.ts, run from dist/ because it
 * starts a worker from its built file): fed the same export datagrams, it raises the alerts the
 * in-thread detection raises from the decoded records, writes them to a real store as they fire
 * and at the end, and reports the engine's counters. Frames (detection-frames.ts) round-trip.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowExportDecoder } from '../src/decode/flow-export/index.js';
import { netflowV5 } from '../src/decode/flow-export/testing/export-builder.js';
import type { Alert } from '../src/model/index.js';
import { DetectionFrameWriter, readDetectionFrames } from '../src/pipeline/detection-frames.js';
import {
  createContinuousDetection,
  type DatagramDetection,
  type DetectionThreadOptions,
} from '../src/pipeline/index.js';
import { createDuckDbStore } from '../src/store/index.js';

const DIST = path.resolve(import.meta.dirname, '..', 'dist', 'pipeline', 'index.js');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-detection-thread-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Probes from `scanner` to 30 ports of 10.0.0.5, stamped `unixSecs` (a port scan). */
function scanExport(scanner: string, unixSecs: number, sequence: number): Uint8Array {
  return netflowV5(
    { unixSecs, sysUptime: 100_000, sequence },
    Array.from({ length: 30 }, (_, i) => ({
      src: scanner,
      dst: '10.0.0.5',
      srcPort: 40000 + i,
      dstPort: 1 + i,
      protocol: 6,
      tcpFlags: 0x02,
      packets: 1,
      bytes: 44,
      first: 90_000 + i * 10,
      last: 90_000 + i * 10,
    })),
  );
}

const summary = (alerts: Alert[]) =>
  alerts.map((a) => [a.type, a.source, a.targets, a.count, a.evidence.length]).sort();

describe('detection frames', () => {
  it('round-trip payloads, exporters and arrival times, and say when a chunk is full', () => {
    const writer = new DetectionFrameWriter(100);
    const datagrams = [
      { payload: new Uint8Array([1, 2, 3]), exporter: '192.0.2.1', at: 1_700_000_000.25 },
      { payload: new Uint8Array(0), exporter: '2001:db8::1', at: 0 },
    ];
    for (const d of datagrams) {
      expect(writer.fits(d.payload.length, d.exporter)).toBe(true);
      writer.write(d.payload, d.exporter, d.at);
    }
    expect(writer.fits(100, 'x')).toBe(false);
    const { buffer, used } = writer.take();
    expect(writer.used).toBe(0);
    const read: typeof datagrams = [];
    readDetectionFrames(buffer, used, (payload, exporter, at) =>
      read.push({ payload: new Uint8Array(payload), exporter, at }),
    );
    expect(read).toEqual(datagrams);
  });
});

describe.skipIf(!existsSync(DIST))('detection thread (built)', () => {
  it('raises what the in-thread detection raises, and writes it to the store', async () => {
    const { createDetectionThread } = (await import(DIST)) as {
      createDetectionThread(options: DetectionThreadOptions): DatagramDetection;
    };
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const now = Math.floor(Date.now() / 1000);
    // Two scanners an hour ago (closed at the first tick), one now (closed at finish).
    const datagrams = [
      scanExport('198.51.100.7', hourAgo, 0),
      scanExport('198.51.100.8', hourAgo, 30),
      scanExport('198.51.100.9', now, 60),
    ];

    const local = createContinuousDetection();
    const decoder = createFlowExportDecoder();
    for (const d of datagrams) decoder.decode(d, '127.0.0.1', now, { onFlow: (r) => local.onFlow(r) });
    local.tick(now);
    const expected = await local.finish();
    expect(expected).toHaveLength(3);

    const store = createDuckDbStore({ dataDir: path.join(tmp, 'store') });
    await store.start();
    try {
      const printed: Alert[] = [];
      const thread = createDetectionThread({
        writeAlerts: (batch) => store.recordAlerts(batch),
        onAlert: (alert, change) => {
          if (change === 'new') printed.push(alert);
        },
      });
      for (const d of datagrams) thread.onDatagram(d, '127.0.0.1', now);
      thread.tick(now);
      // The two closed windows come back from the tick and are stored while it runs.
      const deadline = Date.now() + 10_000;
      while ((await store.listAlerts({ type: 'port-scan' })).length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await store.listAlerts({ type: 'port-scan' })).toHaveLength(2);
      const alerts = await thread.finish();
      expect(summary(alerts)).toEqual(summary(expected));
      expect(summary(printed)).toEqual(summary(expected));
      const stored = await store.listAlerts({ type: 'port-scan' });
      expect(stored.map((a) => a.srcIp).sort()).toEqual(['198.51.100.7', '198.51.100.8', '198.51.100.9']);
      expect(thread.stats()).toMatchObject({
        flows: 90,
        alertsNew: 3,
        alertsStored: 3,
        alertsNotStored: 0,
        alertsQueued: 0,
        datagramsSkipped: 0,
      });
    } finally {
      await store.stop();
    }
  });
});
