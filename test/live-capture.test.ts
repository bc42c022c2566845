/**
 * `flowlens capture` on the loopback interface, as root, with a `tcpdump` running beside it on
 * the same filter: HTTP to a local server and DNS-style UDP to a local responder. Flows show up
 * (NDJSON on stdout) within the close grace plus one expiry sweep while the capture runs; after
 * Ctrl-C every flow is in the store and the packet count equals what tcpdump saw. The error
 * paths: no permission (an unprivileged user), an unknown interface, a bad BPF filter.
 * Needs `npm run build`, tcpdump, and root (CI runs as root).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from '../src/store/index.js';
import { CLI, runCli, toolsAvailable } from './support/run.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === 'true') throw new Error('live capture tests need root in CI');
  console.warn('[flowlens tests] not root: live capture tests are skipped');
}
const ready = isRoot && toolsAvailable(['tcpdump']);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-live-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number>;
}

function start(command: string, args: string[]): Running {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function httpGet(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

/** A DNS query for example.com, type A (RFC 1035 §4.1). */
function dnsQuery(id: number): Buffer {
  const name = Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, name, Buffer.from([0, 1, 0, 1])]);
}

describe.runIf(ready)('flowlens capture on lo', () => {
  it('stores every flow and counts the packets tcpdump sees', async () => {
    const server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const httpPort = (server.address() as AddressInfo).port;
    const resolver = dgram.createSocket('udp4');
    resolver.on('message', (msg, peer) => {
      const reply = Buffer.from(msg);
      reply[2] |= 0x80; // QR: a response, no answers
      resolver.send(reply, peer.port, peer.address);
    });
    await new Promise<void>((r) => resolver.bind(0, '127.0.0.1', r));
    const dnsPort = (resolver.address() as AddressInfo).port;
    const filter = `port ${httpPort} or port ${dnsPort}`;
    const data = path.join(tmp, 'data');
    const beside = path.join(tmp, 'beside.pcap');
    // Enrichment is on the live path too: a watchlist entry of the data directory tags the flows.
    const watch = spawnSync(
      process.execPath,
      [CLI, 'feeds', 'watchlist', 'add', '127.0.0.1', '--data', data],
      {
        encoding: 'utf8',
      },
    );
    expect(watch.status, watch.stderr).toBe(0);

    // The reference needs Flowlens's 32 MiB ring too: in immediate mode with the default 2 MiB and
    // a 256 KiB snap length its ring holds ~8 frames, and it dropped bursts on a loaded machine.
    const tcpdump = start('tcpdump', [
      '-i',
      'lo',
      '-B',
      '32768',
      '-U',
      '--immediate-mode',
      '-n',
      '-w',
      beside,
      filter,
    ]);
    const capture = start(process.execPath, [
      CLI,
      'capture',
      '-i',
      'lo',
      '--filter',
      filter,
      '--data',
      data,
      '--ndjson',
    ]);
    try {
      await until(() => /listening on/.test(tcpdump.stderr()), 10_000, 'tcpdump to start');
      await until(
        () => /capturing on lo with tcpdump/.test(capture.stderr()),
        20_000,
        'flowlens capture to start',
      );

      for (let i = 0; i < 5; i++) await httpGet(httpPort);
      const client = dgram.createSocket('udp4');
      for (let i = 0; i < 3; i++) {
        const answered = new Promise((r) => client.once('message', r));
        client.send(dnsQuery(i + 1), dnsPort, '127.0.0.1');
        await answered;
      }
      client.close();

      // Closed TCP flows end after the 5 s close grace and reach stdout at the next sweep (the
      // bound leaves room for a loaded CI machine).
      const httpFlows = () =>
        capture
          .stdout()
          .split('\n')
          .filter((line) => line.includes(`"dstPort":${httpPort}`)).length;
      await until(
        () => httpFlows() >= 5,
        30_000,
        `the HTTP flows to end while capturing (stdout: ${capture.stdout().slice(0, 300)}; stderr: ${capture.stderr().slice(0, 500)})`,
      );

      await new Promise((r) => setTimeout(r, 300));
      capture.child.kill('SIGINT');
      tcpdump.child.kill('SIGINT');
      expect(await capture.exited).toBe(0);
      await tcpdump.exited;
    } finally {
      capture.child.kill('SIGKILL');
      tcpdump.child.kill('SIGKILL');
      server.close();
      resolver.close();
    }

    const flows = capture
      .stdout()
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { dstPort: number; packets: number; protocol: number; threatTags?: string[] },
      );
    expect(flows.filter((f) => f.dstPort === httpPort && f.protocol === 6)).toHaveLength(5);
    expect(flows.every((f) => f.threatTags?.includes('watchlist'))).toBe(true);
    // The UDP flow is still active at Ctrl-C: stopping flushes it, nothing is lost.
    expect(flows.filter((f) => f.dstPort === dnsPort && f.protocol === 17)).toHaveLength(1);

    const packetsSeen = Number(/captured (\d+) packets/.exec(capture.stderr())?.[1]);
    const besideCount = spawnSync('tcpdump', ['-r', beside, '-n'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n').length;
    expect(packetsSeen).toBe(besideCount);
    expect(flows.reduce((sum, f) => sum + f.packets, 0)).toBe(besideCount);

    const store = createDuckDbStore({ dataDir: data });
    await store.start();
    try {
      const rows = await store.query<{ flows: bigint; packets: bigint }>(
        "SELECT count(*) AS flows, sum(packets)::BIGINT AS packets FROM flows WHERE source_kind = 'live' AND exporter = 'lo'",
      );
      expect(Number(rows[0].flows)).toBe(flows.length);
      expect(Number(rows[0].packets)).toBe(besideCount);
    } finally {
      await store.stop();
    }
  }, 60_000);

  it('says how to get permission when run unprivileged', async () => {
    const result = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        'capture',
        '-i',
        'lo',
        '--no-store',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/permission denied.*run as root.*setcap cap_net_raw,cap_net_admin=eip/i);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists the interfaces there are when the one asked for is unknown', async () => {
    const result = await runCli(['capture', '-i', 'nosuch0', '--no-store']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no interface named nosuch0; available: .*\blo\b/);
  });

  it('rejects a bad BPF filter with a pointer to the syntax', async () => {
    const result = await runCli(['capture', '-i', 'lo', '--filter', 'tcp and and', '--no-store']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/capture filter "tcp and and" is not valid BPF.*man pcap-filter/);
  });
});
