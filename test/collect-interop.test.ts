/**
 * `flowlens collect` against the reference collector, with a real exporter: softflowd reads a
 * capture and exports it (NetFlow v5, v9, IPFIX) once to Flowlens and once to nfcapd; flow
 * count, packet and byte totals, and the top 10 source IPs by bytes must equal nfdump's.
 * sFlow: pmacctd's sfprobe plugin reads the same capture (sampling every packet) and exports it
 * once to Flowlens and once to sfacctd; samples, packets, frame bytes and the top 10 sources
 * must equal sfacctd's. Also: the export datagrams of every flow_*.pcap sent over UDP store
 * exactly the records `--from-pcap` decodes from the same file.
 * Needs `npm run build`, softflowd, nfdump and pmacct.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../src/decode/index.js';
import { createDecodedPacket, IP_PROTO, PACKET_KIND } from '../src/model/index.js';
import { readCapture } from '../src/sources/index.js';
import { createDuckDbStore } from '../src/store/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';
import { CLI, runCli, toolsAvailable } from './support/run.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

const ready = corpusAvailable && toolsAvailable(['softflowd', 'nfcapd', 'nfdump']);
const sflowReady = corpusAvailable && toolsAvailable(['pmacctd', 'sfacctd']);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-collect-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Totals {
  flows: number;
  packets: number;
  bytes: number;
  topSources: [string, number][];
}

function top10(bySource: Map<string, number>): [string, number][] {
  return [...bySource].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
}

/** Starts `flowlens collect` on a free port; resolves with the port once it listens. */
async function startCollector(
  data: string,
  kind: 'netflow' | 'sflow' = 'netflow',
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const port = String(await freeUdpPort());
  const ports =
    kind === 'netflow' ? ['--netflow', port, '--sflow', '0'] : ['--sflow', port, '--netflow', '0'];
  const child = spawn(process.execPath, [CLI, 'collect', ...ports, '--ipfix', '0', '--data', data], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening for \w+ on \S+ port (\d+)/.exec(stderr);
    if (match) return { child, port: Number(match[1]), stderr: () => stderr };
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`collector did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<number> {
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  child.kill(signal);
  return exited;
}

/** `bytes`: IP bytes (what NetFlow/IPFIX count); `frame_bytes`: frame bytes (what sFlow collectors count). */
async function storeTotals(data: string, bytesColumn: 'bytes' | 'frame_bytes' = 'bytes'): Promise<Totals> {
  const store = createDuckDbStore({ dataDir: data });
  await store.start();
  try {
    const [row] = await store.query<{ flows: bigint; packets: bigint; bytes: bigint }>(
      `SELECT count(*) AS flows, sum(packets)::BIGINT AS packets, sum(${bytesColumn})::BIGINT AS bytes FROM flows`,
    );
    const sources = await store.query<{ ip: string; bytes: bigint }>(
      `SELECT src_ip AS ip, sum(${bytesColumn})::BIGINT AS bytes FROM flows GROUP BY src_ip`,
    );
    return {
      flows: Number(row.flows),
      packets: Number(row.packets),
      bytes: Number(row.bytes),
      topSources: top10(new Map(sources.map((s) => [s.ip, Number(s.bytes)]))),
    };
  } finally {
    await store.stop();
  }
}

function nfdumpTotals(dir: string): Totals {
  const result = spawnSync('nfdump', ['-R', dir, '-q', '-N', '-o', 'fmt:%sa %pkt %byt'], {
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const bySource = new Map<string, number>();
  let flows = 0;
  let packets = 0;
  let bytes = 0;
  for (const line of result.stdout.trim().split('\n')) {
    const [ip, p, b] = line.trim().split(/\s+/);
    if (!ip) continue;
    flows++;
    packets += Number(p);
    bytes += Number(b);
    bySource.set(ip, (bySource.get(ip) ?? 0) + Number(b));
  }
  return { flows, packets, bytes, topSources: top10(bySource) };
}

describe.runIf(ready)('flowlens collect with real exporters', () => {
  it.each(['5', '9', '10'])(
    'softflowd -v %s: the same flows, totals and top sources as nfcapd/nfdump',
    async (version) => {
      const capture = corpusPath('bulk_mixed_apps_1kxun.pcap');
      const data = path.join(tmp, `store-v${version}`);
      const nfdir = path.join(tmp, `nfcapd-v${version}`);
      spawnSync('mkdir', ['-p', nfdir]);
      const collector = await startCollector(data);
      const nfPort = await freeUdpPort();
      const nfcapd = spawn('nfcapd', ['-w', nfdir, '-p', String(nfPort), '-b', '127.0.0.1', '-t', '3600'], {
        stdio: 'ignore',
      });
      try {
        await new Promise((r) => setTimeout(r, 500));
        for (const port of [collector.port, nfPort]) {
          const exported = spawnSync(
            'softflowd',
            ['-r', capture, '-n', `127.0.0.1:${port}`, '-v', version, '-d'],
            {
              encoding: 'utf8',
            },
          );
          expect(exported.status, exported.stderr).toBe(0);
        }
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        expect(await stop(collector.child)).toBe(0);
        await stop(nfcapd, 'SIGTERM');
      }
      const ours = await storeTotals(data);
      const reference = nfdumpTotals(nfdir);
      expect(reference.flows).toBeGreaterThan(100);
      // On a mismatch, the collector's own summary says whether it dropped anything.
      expect(ours, collector.stderr()).toEqual(reference);
    },
    60_000,
  );

  it('stores over UDP exactly what --from-pcap decodes, for every flow_*.pcap', async () => {
    let flowsSeen = 0;
    for (const name of corpusFiles((n) => n.startsWith('flow_'))) {
      const file = corpusPath(name);
      const payloads: Buffer[] = [];
      const packet = createDecodedPacket();
      await readCapture(
        file,
        {
          onFrame(frame) {
            decodeFrame(frame, packet);
            if (packet.kind !== PACKET_KIND.IP || packet.protocol !== IP_PROTO.UDP || packet.isFragment)
              return;
            payloads.push(
              Buffer.from(
                packet.data.subarray(packet.payloadOffset, packet.payloadOffset + packet.payloadLength),
              ),
            );
          },
          onWarning() {},
        },
        {},
      );
      const viaPcap = path.join(tmp, `pcap-${name}`);
      const decoded = await runCli(['collect', '--from-pcap', file, '--data', viaPcap]);
      expect(decoded.code, decoded.stderr).toBe(0);

      const viaUdp = path.join(tmp, `udp-${name}`);
      const collector = await startCollector(viaUdp);
      try {
        await sendDatagrams(payloads, collector.port);
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        expect(await stop(collector.child)).toBe(0);
      }
      const pcapTotals = await storeTotals(viaPcap);
      const udpTotals = await storeTotals(viaUdp);
      // The exporter address differs (127.0.0.1 over UDP): flows, counts and sources do not.
      expect(udpTotals, name).toEqual(pcapTotals);
      flowsSeen += udpTotals.flows;
    }
    // The corpus's flow_*.pcap files hold 85 flow records between them.
    expect(flowsSeen).toBe(85);
  }, 120_000);
});

/** sfacctd's print plugin, aggregated by source address, as totals (one sample = one packet here). */
function sfacctdTotals(csv: string): Totals {
  const bySource = new Map<string, number>();
  let packets = 0;
  let bytes = 0;
  for (const line of csv.trim().split('\n').slice(1)) {
    const [ip, p, b] = line.split(',');
    packets += Number(p);
    bytes += Number(b);
    bySource.set(ip, (bySource.get(ip) ?? 0) + Number(b));
  }
  // sfprobe samples every packet (sampling_rate 1): each sample is one packet and one flow record.
  return { flows: packets, packets, bytes, topSources: top10(bySource) };
}

describe.runIf(sflowReady)('flowlens collect with pmacct as the sFlow exporter', () => {
  // One retry, in fresh directories. Once, in a full run of the suite on the shared 2-vCPU VM
  // (2026-11-24), sfacctd counted 1,722 samples where the store held 1,717. pmacctd's export of
  // this capture, counted by a bare UDP receiver, was 266 datagrams and 1,717 samples in 14 runs
  // of 14 (6 of them beside two CPU hogs), so the 5 extra samples came to sfacctd from elsewhere,
  // most likely a stray datagram from another test sent to a port number reused here. sfacctd now
  // counts only this test's agent address (pre_tag_map), which pmacctd writes into every datagram.
  // Each attempt must match exactly.
  it('pmacctd sfprobe: the same samples, packets, frame bytes and top sources as sfacctd', {
    retry: 1,
    timeout: 90_000,
  }, async () => {
    const capture = corpusPath('bulk_mixed_apps_1kxun.pcap');
    const dir = mkdtempSync(path.join(tmp, 'sflow-'));
    const data = path.join(dir, 'store');
    const csv = path.join(dir, 'sfacctd.csv');
    const sfPort = await freeUdpPort();
    const agent = '127.0.0.42';
    writeFileSync(path.join(dir, 'agents.map'), `set_tag=1 ip=${agent}\n`);
    // A small plugin buffer: sfacctd hands every sample to its print plugin before it is told to
    // stop (with large buffers the last partial buffer can be lost at exit).
    writeFileSync(
      path.join(dir, 'sfacctd.conf'),
      [
        'daemonize: false',
        `sfacctd_ip: 127.0.0.1`,
        `sfacctd_port: ${sfPort}`,
        'sfacctd_pipe_size: 33554432',
        `pre_tag_map: ${path.join(dir, 'agents.map')}`,
        'plugins: print[reference]',
        'pre_tag_filter[reference]: 1',
        'aggregate[reference]: src_host',
        'print_output[reference]: csv',
        `print_output_file[reference]: ${csv}`,
        'print_refresh_time[reference]: 3600',
        'plugin_pipe_size[reference]: 104857600',
        'plugin_buffer_size[reference]: 1024',
        '',
      ].join('\n'),
    );
    const collector = await startCollector(data, 'sflow');
    let sfLog = '';
    const sfacctd = spawn('sfacctd', ['-f', path.join(dir, 'sfacctd.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sfacctd.stdout?.on('data', (d) => {
      sfLog += d;
    });
    sfacctd.stderr?.on('data', (d) => {
      sfLog += d;
    });
    try {
      const deadline = Date.now() + 15_000;
      while (!/waiting for sFlow data/.test(sfLog)) {
        if (Date.now() > deadline || sfacctd.exitCode !== null) throw new Error(`sfacctd: ${sfLog}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const port of [collector.port, sfPort]) {
        const conf = path.join(dir, `pmacctd-${port}.conf`);
        writeFileSync(
          conf,
          [
            'daemonize: false',
            `pcap_savefile: ${capture}`,
            'plugins: sfprobe',
            `sfprobe_receiver: 127.0.0.1:${port}`,
            `sfprobe_agentip: ${agent}`,
            'sampling_rate: 1',
            '',
          ].join('\n'),
        );
        // pmacctd exits on its own at the end of the file (with status 1: "no more plugins").
        const exported = spawnSync('pmacctd', ['-f', conf], { encoding: 'utf8', timeout: 60_000 });
        expect(exported.error).toBeUndefined();
        expect(`${exported.stdout}${exported.stderr}`).toMatch(/Exporting flows to/);
        expect(`${exported.stdout}${exported.stderr}`).not.toMatch(/ERROR/);
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      expect(await stop(collector.child)).toBe(0);
      await stop(sfacctd, 'SIGINT');
    }
    const reference = sfacctdTotals(readFileSync(csv, 'utf8'));
    const ours = await storeTotals(data, 'frame_bytes');
    expect(reference.packets).toBeGreaterThan(1000);
    // On a mismatch, the collector's own summary says whether it dropped anything.
    expect(ours, collector.stderr()).toEqual(reference);
  });
});
