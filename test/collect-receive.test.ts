/**
 * The collector's receive path with real UDP sockets on loopback (IPv4 and IPv6): malformed
 * datagrams are counted and logged with a rate limit and never stop it, the store queue is
 * bounded (a slow store drops and counts whole batches), data waiting for a template is decoded
 * or counted at stop, the counters are readable through the registry while it runs, and the CLI
 * stops cleanly on SIGTERM with its counters as JSON; stopped listeners first take the datagrams
 * already waiting in the kernel. In-process tests receive on the main thread
 * (the receive worker runs from dist/); the CLI tests run the built program with the worker.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytes,
  concat,
  ipfix,
  ipfixTemplateSet,
  ipv4,
  netflowV5,
  netflowV9,
  set,
  v9TemplateSet,
} from '../src/decode/flow-export/testing/export-builder.js';
import type { ExportedFlowRecord } from '../src/model/index.js';
import {
  type CollectorOptions,
  type CollectorStats,
  createCollectorRegistry,
  runCollector,
} from '../src/pipeline/index.js';
import {
  type BoundListener,
  createExportListeners,
  DRAIN_MAX_MS,
  DRAIN_QUIET_MS,
} from '../src/sources/index.js';
import { createDuckDbStore } from '../src/store/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { exportDatagrams } from './support/export-datagrams.js';
import { CLI, runCli } from './support/run.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-receive-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function v5(sequence: number, count: number): Uint8Array {
  return netflowV5(
    { sequence },
    Array.from({ length: count }, (_, i) => ({
      src: `10.0.${sequence % 250}.${(i % 250) + 1}`,
      dst: '192.0.2.1',
      srcPort: 1024 + i,
      dstPort: 443,
      protocol: 6,
      packets: 3,
      bytes: 180,
    })),
  );
}

/** Runs an in-process collector on a free port until `use` resolves; returns its final stats. */
async function withCollector(
  options: Partial<CollectorOptions> & Pick<CollectorOptions, 'writeFlows'>,
  use: (port: number, listener: BoundListener) => Promise<void>,
): Promise<CollectorStats> {
  const controller = new AbortController();
  let started: (l: BoundListener) => void = () => {};
  const bound = new Promise<BoundListener>((resolve) => {
    started = resolve;
  });
  const done = runCollector({
    listeners: { ports: { netflow: 0 }, bind: '127.0.0.1' },
    receiveThread: false,
    signal: controller.signal,
    onStarted: (listeners) => started(listeners[0]),
    ...options,
  });
  const listener = await Promise.race([bound, done.then(() => Promise.reject(new Error('stopped early')))]);
  try {
    await use(listener.port, listener);
  } finally {
    controller.abort();
  }
  return done;
}

describe('collector receive path (in process)', () => {
  it('counts malformed datagrams, logs them once per exporter per interval, and keeps going', async () => {
    const flows: ExportedFlowRecord[] = [];
    const logged: { exporter: string; code: string; suppressed: number }[] = [];
    const garbage = [
      new Uint8Array([0, 99, 1, 2, 3, 4]), // unknown version
      v5(1, 5).subarray(0, 40), // truncated
      new Uint8Array(0), // empty
      netflowV9({}, [v9TemplateSet([{ id: 256, fields: [] }])]), // template with zero fields
      bytes([9, 2], [1, 2]), // v9 header cut short
    ];
    const stats = await withCollector(
      {
        writeFlows: async (batch) => {
          flows.push(...batch);
        },
        onDecodeError: (exporter, error, suppressed) =>
          logged.push({ exporter, code: error.code, suppressed }),
        errorLogIntervalMs: 60_000,
      },
      async (port) => {
        const datagrams: Uint8Array[] = [];
        for (let i = 0; i < 20; i++) datagrams.push(v5(i * 30, 30), garbage[i % garbage.length]);
        await sendDatagrams(datagrams, port);
        await sleep(300);
      },
    );
    expect(flows).toHaveLength(600);
    const [exporter] = stats.exporters;
    expect(exporter.exporter).toBe('127.0.0.1');
    expect(exporter.packets).toBe(40);
    expect(exporter.records).toBe(600);
    expect(exporter.decodeErrors).toBe(20);
    // One line for the exporter in the interval; the other 19 are suppressed.
    expect(logged).toHaveLength(1);
    expect(logged[0].exporter).toBe('127.0.0.1');
    expect(stats.flowsWritten).toBe(600);
    expect(stats.flowsDropped).toBe(0);
  });

  it('reports suppressed errors with the next logged one', async () => {
    const logged: number[] = [];
    await withCollector(
      {
        writeFlows: async () => {},
        onDecodeError: (_e, _error, suppressed) => logged.push(suppressed),
        errorLogIntervalMs: 200,
      },
      async (port) => {
        await sendDatagrams(
          [new Uint8Array([0, 99]), new Uint8Array([0, 98]), new Uint8Array([0, 97])],
          port,
        );
        await sleep(400);
        await sendDatagrams([new Uint8Array([0, 96])], port);
        await sleep(200);
      },
    );
    expect(logged).toEqual([0, 2]);
  });

  it('listens on IPv6 and names the exporter by its IPv6 address', async () => {
    const flows: ExportedFlowRecord[] = [];
    const stats = await withCollector(
      {
        listeners: { ports: { netflow: 0 }, bind: '::1' },
        writeFlows: async (batch) => {
          flows.push(...batch);
        },
      },
      async (port, listener) => {
        expect(listener.address).toBe('::1');
        await sendDatagrams([v5(1, 10)], port, '::1');
        await sleep(200);
      },
    );
    expect(flows).toHaveLength(10);
    expect(flows[0].exporter).toBe('::1');
    expect(stats.exporters.map((e) => e.exporter)).toEqual(['::1']);
  });

  it('asks for a large receive buffer and reports what the kernel granted', async () => {
    await withCollector({ writeFlows: async () => {} }, async (_port, listener) => {
      // At least the kernel's default (Linux reports twice the usable size).
      expect(listener.receiveBufferBytes).toBeGreaterThan(200_000);
    });
  });

  it('bounds the queue when the store is slower than the network: whole batches dropped and counted', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written = 0;
    let maxQueued = 0;
    const registry = createCollectorRegistry();
    const stats = await withCollector(
      {
        batchSize: 100,
        maxQueuedBatches: 3,
        flushIntervalMs: 60_000,
        registry,
        writeFlows: async (batch) => {
          await gate;
          written += batch.length;
        },
      },
      async (port) => {
        // 30 datagrams of 30 records = 900 records = 9 full batches; at most 3 are held (the one
        // being written included), the rest are dropped while the store is stuck.
        for (let i = 0; i < 30; i++) await sendDatagrams([v5(i * 30, 30)], port);
        await sleep(300);
        const now = registry.snapshot();
        maxQueued = now?.queuedBatches ?? -1;
        expect(now?.flowsDropped).toBeGreaterThan(0);
        release();
      },
    );
    expect(maxQueued).toBe(3);
    expect(stats.exporters[0].records).toBe(900);
    expect(stats.flowsWritten).toBe(written);
    expect(stats.flowsWritten + stats.flowsDropped).toBe(900);
    expect(stats.flowsDropped % 100).toBe(0);
    expect(stats.queuedBatches).toBe(0);
  });

  it('writes batches that waited together, up to maxWriteFlows a write, in order', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writes: number[][] = [];
    const stats = await withCollector(
      {
        batchSize: 10,
        maxWriteFlows: 30,
        flushIntervalMs: 60_000,
        writeFlows: async (batch) => {
          // The sender's datagram number is the third octet of the source address.
          writes.push([...new Set(batch.map((r) => Number(r.srcIp.split('.')[2])))]);
          await gate;
        },
      },
      async (port) => {
        // 7 batches: the first is written alone and held; the 6 that wait go 3 by 3.
        for (let i = 0; i < 7; i++) await sendDatagrams([v5(i, 10)], port);
        await sleep(300);
        release();
        await sleep(300);
      },
    );
    expect(writes).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
    expect(stats.flowsWritten).toBe(70);
    expect(stats.flowsDropped).toBe(0);
  });

  it('counts a failed write as dropped and keeps writing', async () => {
    let calls = 0;
    const stats = await withCollector(
      {
        batchSize: 10,
        writeFlows: async () => {
          calls++;
          if (calls === 1) throw new Error('disk full');
        },
      },
      async (port) => {
        await sendDatagrams([v5(0, 10), v5(10, 10), v5(20, 10)], port);
        await sleep(300);
      },
    );
    expect(stats.writeErrors).toBe(1);
    expect(stats.flowsDropped).toBe(10);
    expect(stats.flowsWritten).toBe(20);
  });

  it('writes every record at stop, decodes data whose template came late, counts data whose template never came', async () => {
    const flows: ExportedFlowRecord[] = [];
    const template = v9TemplateSet([
      {
        id: 300,
        fields: [
          { id: 8, length: 4 },
          { id: 12, length: 4 },
          { id: 2, length: 4 },
          { id: 1, length: 4 },
        ],
      },
    ]);
    const record = (src: string) => concat([ipv4(src), ipv4('192.0.2.9'), bytes([2, 4], [120, 4])]);
    const data = (id: number, n: number) =>
      set(id, concat(Array.from({ length: n }, (_, i) => record(`10.9.0.${i + 1}`))));
    const stats = await withCollector(
      {
        // Nothing is written before the stop: the final flush must write everything.
        flushIntervalMs: 60_000,
        batchSize: 1_000_000,
        writeFlows: async (batch) => {
          flows.push(...batch);
        },
      },
      async (port) => {
        await sendDatagrams(
          [
            netflowV9({ sequence: 0 }, [data(300, 4)]), // before its template: pending
            netflowV9({ sequence: 1 }, [template]), // the template: the 4 pending records decode
            netflowV9({ sequence: 2 }, [data(300, 3)]),
            netflowV9({ sequence: 3 }, [data(301, 5)]), // template 301 never comes
          ],
          port,
        );
        await sleep(300);
        expect(flows).toHaveLength(0);
      },
    );
    expect(flows).toHaveLength(7);
    expect(flows.every((f) => f.sourceKind === 'netflow' && f.rawBytes === 120)).toBe(true);
    const [exporter] = stats.exporters;
    expect(exporter.templateMisses).toBe(2);
    expect(exporter.expiredPending).toBe(1);
    expect(exporter.pendingRecords).toBe(0);
    expect(stats.flowsWritten).toBe(7);
  });

  it('exposes live and final counters through the registry as flowlens_collector_* metrics', async () => {
    const registry = createCollectorRegistry();
    expect(registry.snapshot()).toBeUndefined();
    expect(registry.metrics()).toBe('');
    let live = '';
    await withCollector({ registry, writeFlows: async () => {} }, async (port) => {
      await sendDatagrams([v5(0, 7), ipfix({}, [ipfixTemplateSet([{ id: 256, fields: [] }])])], port);
      await sleep(200);
      live = registry.metrics();
    });
    expect(live).toContain('# TYPE flowlens_collector_records_total counter');
    expect(live).toContain('flowlens_collector_records_total{exporter="127.0.0.1"} 7');
    expect(live).toContain('flowlens_collector_datagrams_total{listener="netflow"} 2');
    expect(live).toContain('# TYPE flowlens_collector_pending_sets gauge');
    const final = registry.metrics();
    expect(final).toContain('flowlens_collector_flows_written_total 7');
    expect(final).toContain('flowlens_collector_flows_dropped_total 0');
    expect(registry.families().map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'flowlens_collector_decode_errors_total',
        'flowlens_collector_template_misses_total',
        'flowlens_collector_sequence_gaps_total',
        'flowlens_collector_expired_pending_total',
        'flowlens_collector_datagrams_dropped_total',
      ]),
    );
  });
});

/**
 * The built `flowlens collect` with only a NetFlow listener on `port` (and `args`), once it
 * listens; `stop()` sends SIGTERM and resolves with the exit code.
 */
async function startCollect(port: number, args: string[]) {
  const child = spawn(
    process.execPath,
    [CLI, 'collect', '--netflow', String(port), '--ipfix', '0', '--sflow', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('flowlens collect (built CLI, receive worker)', () => {
  it('receives over the worker, survives garbage, stops on SIGTERM with JSON counters, stores every flow', async () => {
    const data = path.join(tmp, 'cli-store');
    const port = await freeUdpPort();
    const collect = await startCollect(port, ['--data', data, '--format', 'json']);
    // One listener only: 0 turned the others off.
    expect(collect.stderr().match(/listening for/g)).toHaveLength(1);
    const datagrams: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) datagrams.push(v5(i * 30, 30));
    for (let i = 0; i < 50; i++) datagrams.push(new Uint8Array([0, 77, i]));
    await sendDatagrams(datagrams, port);
    await sleep(500);
    expect(await collect.stop()).toBe(0);
    const stats = JSON.parse(collect.stdout().trim()) as CollectorStats;
    expect(stats.datagrams.netflow).toBe(250);
    expect(stats.exporters[0].records).toBe(6000);
    expect(stats.exporters[0].decodeErrors).toBe(50);
    expect(stats.flowsWritten).toBe(6000);
    expect(stats.datagramsDropped).toBe(0);
    // Rate limited: one warning for the 50 bad datagrams.
    expect(collect.stderr().match(/warning: 127\.0\.0\.1/g)).toHaveLength(1);
    const store = createDuckDbStore({ dataDir: data });
    await store.start();
    try {
      const [row] = await store.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM flows WHERE source_kind = 'netflow'",
      );
      expect(Number(row.n)).toBe(6000);
    } finally {
      await store.stop();
    }
  }, 60_000);

  it("the detection thread reads the data directory's watchlist: a listed address raises a threat-intel alert", async () => {
    const data = path.join(tmp, 'cli-watchlist');
    const added = await runCli(['feeds', 'watchlist', 'add', '192.0.2.1', '--data', data]);
    expect(added.code, added.stderr).toBe(0);
    const port = await freeUdpPort();
    const collect = await startCollect(port, ['--data', data]);
    // 10.5.0.1-3 → 192.0.2.1:443, as NetFlow v5 (test/support/export-datagrams.ts).
    await sendDatagrams([exportDatagrams()[0]], port);
    await sleep(500);
    expect(await collect.stop(), collect.stderr()).toBe(0);
    const store = createDuckDbStore({ dataDir: data });
    await store.start();
    try {
      const alerts = await store.listAlerts({ type: 'threat-intel', limit: 10 });
      expect(alerts.map((a) => a.dstIp ?? a.srcIp)).toContain('192.0.2.1');
      const [row] = await store.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM flows WHERE list_contains(threat_tags, 'watchlist')",
      );
      expect(Number(row.n)).toBe(3);
    } finally {
      await store.stop();
    }
  }, 60_000);

  it('refuses to start with every listener off', async () => {
    const result = await runCli(['collect', '--netflow', '0', '--ipfix', '0', '--sflow', '0', '--no-store']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/every listener is off/);
  });

  it.skipIf(!corpusAvailable)(
    '--from-pcap --format ndjson prints the records instead of storing them',
    async () => {
      const data = path.join(tmp, 'ndjson-store');
      const result = await runCli([
        'collect',
        '--from-pcap',
        corpusPath('flow_netflow_v5.pcap'),
        '--format',
        'ndjson',
        '--data',
        data,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ExportedFlowRecord);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((r) => r.sourceKind === 'netflow')).toBe(true);
      expect(result.stderr).toMatch(
        new RegExp(`${lines.length} flow records; ${lines.length} printed, 0 dropped`),
      );
      // Nothing stored: the store directory was never created.
      expect(existsSync(data)).toBe(false);
    },
  );
});

describe('stopping the listeners', () => {
  it('delivers the datagrams already waiting in the kernel before closing the sockets', async () => {
    let delivered = 0;
    const listeners = createExportListeners({ ports: { netflow: 0 } }, () => {
      delivered++;
    });
    const [bound] = await listeners.start();
    // Another process sends while this thread is blocked, so every datagram waits in the
    // socket's kernel buffer when stop() is called.
    const count = 500;
    const sender = `const s = require('node:dgram').createSocket('udp4'); let left = ${count};
for (let i = 0; i < ${count}; i++) s.send(Buffer.alloc(64, i), ${bound.port}, '127.0.0.1', () => { if (--left === 0) s.close(); });`;
    execFileSync(process.execPath, ['-e', sender]);
    expect(delivered).toBe(0);
    const started = performance.now();
    await listeners.stop();
    expect(delivered).toBe(count);
    expect(listeners.received().netflow).toBe(count);
    // Quiet for DRAIN_QUIET_MS after the last one, not the whole DRAIN_MAX_MS.
    expect(performance.now() - started).toBeLessThan(DRAIN_MAX_MS);
    expect(performance.now() - started).toBeGreaterThanOrEqual(DRAIN_QUIET_MS - 5);
  });
});
