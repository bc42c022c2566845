/**
 * Continuous detections in the collector: NetFlow v5 exports holding a SYN scan, sent over real
 * UDP on 127.0.0.1 to the in-process collector and to the built `flowlens collect`, with a real
 * DuckDB store. Exports stamped an hour ago close their window at the next wall-clock tick, so
 * the alert reaches the store while the collector runs; exports stamped now stay in their open
 * window and reach the store when the collector stops. Repeats keep the stored count equal to
 * the engine's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netflowV5 } from '../src/decode/flow-export/testing/export-builder.js';
import type { Alert, FlowRecord } from '../src/model/index.js';
import {
  type CollectorStats,
  createCollectorRegistry,
  createContinuousDetection,
  runCollector,
} from '../src/pipeline/index.js';
import type { BoundListener } from '../src/sources/index.js';
import { createDuckDbStore, type FlowStore } from '../src/store/index.js';
import { CLI } from './support/run.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-detect-continuous-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCANNER = '198.51.100.7';
const TARGET = '10.0.0.5';
const PORTS = 30;

/** One v5 datagram: SYN-only, unanswered probes (Zeek S0) from SCANNER to 30 ports of TARGET. */
function scanExport(unixSecs: number, sequence = 0): Uint8Array {
  return netflowV5(
    { unixSecs, sysUptime: 100_000, sequence },
    Array.from({ length: PORTS }, (_, i) => ({
      src: SCANNER,
      dst: TARGET,
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

async function openStore(name: string): Promise<FlowStore> {
  const store = createDuckDbStore({ dataDir: path.join(tmp, name) });
  await store.start();
  return store;
}

async function waitFor<T>(read: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** Runs an in-process collector with detections into `store` until `use` resolves. */
async function collect(
  store: FlowStore,
  use: (port: number) => Promise<void>,
  published: Alert[] = [],
): Promise<CollectorStats> {
  const controller = new AbortController();
  let started: (l: BoundListener) => void = () => {};
  const bound = new Promise<BoundListener>((resolve) => {
    started = resolve;
  });
  const detection = createContinuousDetection({
    writeAlerts: (batch) => store.recordAlerts(batch),
    onAlert: (alert, change) => {
      if (change === 'new') published.push(alert);
    },
  });
  const done = runCollector({
    listeners: { ports: { netflow: 0 }, bind: '127.0.0.1' },
    receiveThread: false,
    signal: controller.signal,
    flushIntervalMs: 100,
    writeFlows: (batch) => store.writeFlows(batch),
    detection,
    registry: createCollectorRegistry(),
    onStarted: (listeners) => started(listeners[0]),
  });
  const listener = await Promise.race([bound, done.then(() => Promise.reject(new Error('stopped early')))]);
  try {
    await use(listener.port);
  } finally {
    controller.abort();
  }
  return done;
}

const portScans = async (store: FlowStore) => store.listAlerts({ type: 'port-scan' });

describe('collector with detections (in process, real UDP, real store)', () => {
  it('a scan exported an hour ago is alerted and stored while the collector runs', async () => {
    const store = await openStore('past');
    const published: Alert[] = [];
    try {
      let storedWhileRunning: Awaited<ReturnType<typeof portScans>> | undefined;
      const stats = await collect(
        store,
        async (port) => {
          await sendDatagrams([scanExport(Math.floor(Date.now() / 1000) - 3600)], port);
          storedWhileRunning = await waitFor(async () => {
            const rows = await portScans(store);
            return rows.length > 0 ? rows : undefined;
          }, 10_000);
        },
        published,
      );
      expect(storedWhileRunning).toHaveLength(1);
      const [row] = storedWhileRunning ?? [];
      expect(row).toMatchObject({
        type: 'port-scan',
        srcIp: SCANNER,
        dstIp: TARGET,
        count: 1,
        mitre: ['T1046'],
      });
      expect(row.summary).toMatch(/^198\.51\.100\.7 probed 30 TCP ports on 10\.0\.0\.5 in /);
      expect(row.communityIds?.length).toBeGreaterThan(0);
      // The same alert went to onAlert (the server's live feed plug point).
      expect(published.map((a) => [a.type, a.source, a.targets[0]])).toEqual([
        ['port-scan', SCANNER, TARGET],
      ]);
      expect(stats.flowsWritten).toBe(PORTS);
      expect(stats.detection).toMatchObject({
        flows: PORTS,
        alertsNew: 1,
        alertsStored: 1,
        alertsNotStored: 0,
      });
    } finally {
      await store.stop();
    }
  });

  it('a scan in the open window is stored when the collector stops', async () => {
    const store = await openStore('now');
    try {
      let storedWhileRunning = -1;
      await collect(store, async (port) => {
        await sendDatagrams([scanExport(Math.floor(Date.now() / 1000))], port);
        await sleep(500);
        storedWhileRunning = (await portScans(store)).length;
      });
      // The window (300 s) and its lateness (360 s) are still open while it runs.
      expect(storedWhileRunning).toBe(0);
      const rows = await portScans(store);
      expect(rows.map((r) => [r.srcIp, r.dstIp, r.count])).toEqual([[SCANNER, TARGET, 1]]);
    } finally {
      await store.stop();
    }
  });

  it('repeats of an alert add to the stored count: the store says what the engine says', async () => {
    const store = await openStore('repeats');
    try {
      const detection = createContinuousDetection({ writeAlerts: (batch) => store.recordAlerts(batch) });
      const t0 = 1_700_000_000;
      // Three scans 10 minutes apart: three windows, one fingerprint within dedupSeconds (1 h).
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < PORTS; i++) {
          const ts = t0 + round * 600 + i * 0.01;
          detection.onFlow(synFlow(ts, 1 + i));
        }
        // Wall clock far past each window: it closes, the alert fires and is written.
        detection.tick(t0 + round * 600 + 590 + 360);
        await sleep(100);
      }
      const alerts = await detection.finish();
      expect(alerts).toHaveLength(1);
      expect(alerts[0].count).toBe(3);
      const rows = await portScans(store);
      expect(rows.map((r) => [r.srcIp, r.count])).toEqual([[SCANNER, 3]]);
      expect(detection.stats()).toMatchObject({ alertsNew: 1, alertsUpdated: 2, alertsNotStored: 0 });
    } finally {
      await store.stop();
    }
  });
});

/** A SYN-only, unanswered TCP flow record (Zeek S0) from SCANNER to TARGET:port. */
function synFlow(ts: number, port: number): FlowRecord {
  return {
    communityId: `1:test${port}`,
    protocol: 6,
    ipVersion: 4,
    srcIp: SCANNER,
    srcPort: 40000 + port,
    dstIp: TARGET,
    dstPort: port,
    vlan: 0,
    firstTs: ts,
    lastTs: ts,
    packets: 1,
    bytes: 44,
    frameBytes: 58,
    fwdPackets: 1,
    fwdBytes: 44,
    revPackets: 0,
    revBytes: 0,
    tcpFlags: 0x02,
    fwdTcpFlags: 0x02,
    revTcpFlags: 0,
    state: 'S0',
    endReason: 'idle-timeout',
    fragments: 0,
  } as FlowRecord;
}

describe('flowlens collect with detections (built CLI, receive worker)', () => {
  it('stores the scan alert, prints it on stderr, and counts it in the JSON counters', async () => {
    const data = path.join(tmp, 'cli');
    const port = await freeUdpPort();
    const args = ['collect', '--netflow', String(port), '--ipfix', '0', '--sflow', '0', '--data', data];
    const child = spawn(process.execPath, [CLI, ...args, '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const deadline = Date.now() + 15_000;
    while (!/listening for netflow/.test(stderr)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start: ${stderr}`);
      await sleep(50);
    }
    await sendDatagrams([scanExport(Math.floor(Date.now() / 1000) - 3600)], port);
    // The flush timer (2 s) ticks the engine: the alert is printed while the collector runs.
    const printed = Date.now() + 15_000;
    while (!/alert: \w+ port-scan/.test(stderr) && Date.now() < printed) await sleep(100);
    expect(stderr).toMatch(
      /flowlens: alert: \w+ port-scan: 198\.51\.100\.7 probed 30 TCP ports on 10\.0\.0\.5/,
    );
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const counters = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as CollectorStats;
    expect(counters.detection).toMatchObject({ flows: PORTS, alertsNew: 1, alertsStored: 1 });
    const store = await openStore('cli');
    try {
      const rows = await portScans(store);
      expect(rows.map((r) => [r.srcIp, r.dstIp, r.count])).toEqual([[SCANNER, TARGET, 1]]);
    } finally {
      await store.stop();
    }
  }, 30_000);
});
