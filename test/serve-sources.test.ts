/**
 * `flowlens serve` with its own traffic sources, as a user starts it (the built CLI, a child
 * process): `--demo` seeds a fresh store (enriched, and lookups answer), `--collect` runs the
 * collector in the server (softflowd exports to it), `--capture` reads the loopback interface and shows its active flows on
 * `GET /api/v1/live/flows` (root only, like the other live tests).
 *
 * Needs `npm run build`, softflowd, tcpdump, and root for the capture test (CI runs as root).
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCapture } from '../src/cli/serve/demo-traffic.js';
import { CLI, runCli, toolsAvailable } from './support/run.js';
import { collectNetflowOn, json, startServe, stopServe, until } from './support/serve-cli.js';
import { freeUdpPort } from './support/udp.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-serve-'));
  dirs.push(dir);
  return dir;
}

describe('flowlens serve --demo', () => {
  it('seeds a fresh store with two hours of traffic ending now, with alerts, and stops cleanly', async () => {
    const data = path.join(tempDir(), 'fresh');
    const running = await startServe(['--demo', '--data', data]);
    const seeded = /(\d+) packets, (\d+) flows, (\d+) alerts/.exec(running.stderr());
    expect(seeded).not.toBeNull();
    const [, , flows, alerts] = (seeded as RegExpExecArray).map(Number);
    expect(flows).toBeGreaterThan(1000);
    expect(alerts).toBeGreaterThan(0);

    const overview = await json(`${running.url}/api/v1/overview?range=1h`);
    expect(overview.status).toBe(200);
    const current = overview.body.current as { flows: number };
    expect(current.flows).toBeGreaterThan(0);
    // The newest flow ended within the last few minutes: the demo is "now".
    const range = overview.body.range as { to: number };
    expect(Math.abs(range.to - Date.now() / 1000)).toBeLessThan(600);

    const top = await json(`${running.url}/api/v1/top?by=dst_port&range=24h`);
    const ports = (top.body.rows as { key: number }[]).map((row) => row.key);
    expect(ports).toEqual(expect.arrayContaining([443, 80, 53, 22]));
    // The demo is enriched with serve's enricher, which also answers lookups.
    const countries = await json(`${running.url}/api/v1/top?by=country&range=24h&limit=50`);
    expect((countries.body.rows as { key: string }[]).map((row) => row.key)).toContain('US');
    const lookup = await json(`${running.url}/api/v1/lookup/140.82.121.4`);
    expect(lookup.status).toBe(200);
    const [found] = lookup.body.results as { country?: string; asn?: number; seen?: { flows: number } }[];
    expect(found.country).toMatch(/^[A-Z]{2}$/);
    expect(found.asn).toBeGreaterThan(0);
    expect(found.seen?.flows).toBeGreaterThan(0);

    const live = await json(`${running.url}/api/v1/live/flows`);
    expect(live.status).toBe(404);
    expect((live.body.error as { message: string }).message).toMatch(/--capture IFACE/);
    expect(await stopServe(running)).toBe(0);
  }, 120_000);

  it('refuses a data directory that is not empty', () => {
    const data = tempDir();
    writeFileSync(path.join(data, 'something'), 'x');
    const result = spawnSync(process.execPath, [CLI, 'serve', '--demo', '--data', data, '--port', '0'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--demo needs a fresh data directory/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

const softflowdReady = toolsAvailable(['softflowd']);

describe.runIf(softflowdReady)('flowlens serve --collect', () => {
  it('collects softflowd exports into the store, counts them on /metrics, is ready, and detects the scan in them', async () => {
    const dir = tempDir();
    const capture = path.join(dir, 'traffic.pcap');
    writeFileSync(capture, demoCapture(Math.floor(Date.now() / 1000)));
    const netflow = await freeUdpPort();
    const running = await startServe(['--data', path.join(dir, 'data'), ...collectNetflowOn(netflow)]);
    try {
      const ready = await json(`${running.url}/ready`);
      expect(ready.status).toBe(200);
      expect((ready.body.checks as Record<string, { ok: boolean }>).collector.ok).toBe(true);

      const exported = spawnSync('softflowd', ['-r', capture, '-n', `127.0.0.1:${netflow}`, '-v', '5'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(exported.status, exported.stderr).toBe(0);

      // softflowd has exited, but the collector may still be decoding its datagrams: wait until
      // the record count on /metrics holds still between two reads and the store holds as many.
      let previous = -1;
      const { metrics, records, stored } = await until('every collected record in the store', async () => {
        const text = await (await fetch(`${running.url}/metrics`)).text();
        const counted = /flowlens_collector_records_total\{exporter="127\.0\.0\.1[^"]*"\} (\d+)/.exec(text);
        const now = counted ? Number(counted[1]) : 0;
        const settled = now > 0 && now === previous;
        previous = now;
        if (!settled) return undefined;
        const overview = await json(`${running.url}/api/v1/overview?range=24h`);
        const flows = (overview.body.current as { flows: number }).flows;
        // Partial batches reach the store within the collector's flush interval (2 s).
        return flows >= now ? { metrics: text, records: now, stored: flows } : undefined;
      });
      // The server's own metrics are still there beside the collector's.
      expect(metrics).toMatch(/flowlens_http_request_duration_seconds/);
      expect(stored).toBe(records);
      // GET /api/v1/status reads the same counters as /metrics.
      const status = await json(`${running.url}/api/v1/status`);
      const collector = status.body.collector as { exporters: { exporter: string; records: number }[] };
      expect(collector.exporters).toEqual([expect.objectContaining({ exporter: '127.0.0.1', records })]);
    } finally {
      expect(await stopServe(running)).toBe(0);
    }
    // The detections ran on the collected flows: the demo's port scan is stored by the time
    // the server has stopped (windows still open at the stop are judged then).
    const listed = await runCli(['alerts', 'list', '--format', 'json', '--data', path.join(dir, 'data')]);
    expect(listed.code, listed.stderr).toBe(0);
    const alerts = JSON.parse(listed.stdout) as { type: string; srcIp?: string }[];
    expect(alerts).toContainEqual(expect.objectContaining({ type: 'port-scan', srcIp: '192.168.1.66' }));
  }, 120_000);
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === 'true') throw new Error('live capture tests need root in CI');
  console.warn('[flowlens tests] not root: flowlens serve --capture is not tested');
}
const captureReady = isRoot && toolsAvailable(['tcpdump']);

describe.runIf(captureReady)('flowlens serve --capture', () => {
  it('shows the active flows of the loopback interface on /api/v1/live/flows', async () => {
    const port = await freeUdpPort();
    const running = await startServe([
      '--data',
      path.join(tempDir(), 'data'),
      '--capture',
      'lo',
      '--filter',
      `udp port ${port}`,
    ]);
    const sender = dgram.createSocket('udp4');
    const timer = setInterval(() => sender.send(Buffer.alloc(200, 1), port, '127.0.0.1'), 20);
    try {
      const snapshot = await until('an active flow', async () => {
        const live = await json(`${running.url}/api/v1/live/flows?limit=5`);
        if (live.status !== 200) return undefined;
        const flows = live.body.flows as { dstPort: number; srcPort: number; packets: number }[];
        // Counts are as of the last expiry sweep (each second), the list as of the request.
        return flows.length > 0 && (live.body.activeFlows as number) > 0 ? live.body : undefined;
      });
      expect(snapshot.interface).toBe('lo');
      expect(snapshot.activeFlows).toBeGreaterThanOrEqual(1);
      // Only the filter's datagrams are captured: 200 bytes of payload, UDP, IPv4, Ethernet.
      expect(snapshot.bytes).toBe((snapshot.packets as number) * (200 + 8 + 20 + 14));
      const [flow] = snapshot.flows as {
        dstPort: number;
        srcPort: number;
        packets: number;
        bytesPerSecond: number;
      }[];
      expect([flow.dstPort, flow.srcPort]).toContain(port);
      expect(flow.packets).toBeGreaterThan(0);
      expect(flow.bytesPerSecond).toBeGreaterThan(0);
      const ready = await json(`${running.url}/ready`);
      expect((ready.body.checks as Record<string, { ok: boolean }>).capture.ok).toBe(true);
      const status = await json(`${running.url}/api/v1/status`);
      expect(status.body.capture).toMatchObject({ interface: 'lo', running: true, droppedByKernel: null });
      expect((status.body.capture as { packets: number }).packets).toBeGreaterThan(0);
      expect(status.body.collector).toBeNull();
      const bad = await fetch(`${running.url}/api/v1/live/flows?limit=0`);
      expect(bad.status).toBe(400);
    } finally {
      clearInterval(timer);
      sender.close();
      expect(await stopServe(running)).toBe(0);
    }
  }, 120_000);
});
