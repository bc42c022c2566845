#!/usr/bin/env node
/**
 * Live capture under load: `tcpreplay -i lo` replays the benchmark capture while
 * `flowlens capture --interface lo --no-store` and `tcpdump -i lo -w /dev/null` capture it side by
 * side. Reports the rate tcpreplay reached and, for each capturer, the packets it got and the
 * packets the kernel dropped for it. Target (issue 10): no more drops than tcpdump at 200k
 * packets/s.
 *
 *   node bench/live-capture-bench.mjs [--copies 4] [--pps 200000|--topspeed] [--json]
 *
 * Needs root (capture and injection on lo), tcpreplay, tcpdump, `npm run build`, and
 * ../shared/bench/make-bench-pcap.sh for bench/out/bench-N.pcap (built on first use).
 * Both capturers filter out nothing and read the same packets; flowlens runs its own tcpdump
 * child writing a pcap stream into the engine, so the comparison is "tcpdump into Flowlens"
 * against "tcpdump into /dev/null". Flowlens's child asks for a 32 MiB kernel ring; the tcpdump
 * beside runs with tcpdump's defaults (2 MiB, immediate mode off), as a user would run it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchFile } from './bench-capture.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'flowlens.cjs');

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '4' },
    pps: { type: 'string', default: '200000' },
    topspeed: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function fail(message) {
  process.stderr.write(`live-capture-bench: ${message}\n`);
  process.exit(2);
}

if (process.getuid?.() !== 0) fail('needs root: capturing on and replaying into lo');
for (const tool of ['tcpreplay', 'tcpdump']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
    fail(`${tool} not installed (apt-get install -y ${tool})`);
}
if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) fail('run npm run build first');

const copies = Number(values.copies);
const file = benchFile(copies, fail);

/** Starts a capturer; resolves once its stderr shows it listening. */
function start(name, command, args, ready) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready.test(stderr)) {
        clearInterval(timer);
        resolve({ name, child, exited, stderr: () => stderr });
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
}

const flowlens = await start(
  'flowlens',
  process.execPath,
  [CLI, 'capture', '--interface', 'lo', '--no-store', '--no-status', '--tool', 'tcpdump'],
  /capturing on lo/,
);
const tcpdump = await start('tcpdump', 'tcpdump', ['-i', 'lo', '-n', '-w', '/dev/null'], /listening on lo/);
// Both tools print "listening" before the kernel socket is fully attached; give them a moment.
await new Promise((resolve) => setTimeout(resolve, 1000));

const rateArgs = values.topspeed ? ['--topspeed'] : ['--pps', values.pps];
const replay = spawnSync('tcpreplay', ['-i', 'lo', ...rateArgs, file], { encoding: 'utf8' });
if (replay.status !== 0) fail(`tcpreplay failed: ${replay.stderr}`);
const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1]);
const seconds = Number(/packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(replay.stdout)?.[1]);
const rated = Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(replay.stdout)?.[1]);

await new Promise((resolve) => setTimeout(resolve, 2000));
for (const c of [flowlens, tcpdump]) c.child.kill('SIGINT');
await Promise.all([flowlens.exited, tcpdump.exited]);

const count = (pattern, text) => {
  const match = pattern.exec(text);
  return match ? Number(match[1].replace(/,/g, '')) : undefined;
};
const flowlensText = flowlens.stderr();
const tcpdumpText = tcpdump.stderr();
const result = {
  file: path.basename(file),
  replay: {
    packets: sent,
    seconds,
    packetsPerSecond: Math.round(rated),
    requested: values.topspeed ? 'topspeed' : Number(values.pps),
  },
  flowlens: {
    captured: count(/captured ([\d,]+) packets/, flowlensText),
    receivedByFilter: count(/([\d,]+) received/, flowlensText),
    droppedByKernel: count(/([\d,]+) dropped by the kernel/, flowlensText),
  },
  tcpdump: {
    captured: count(/(\d+) packets captured/, tcpdumpText),
    receivedByFilter: count(/(\d+) packets received by filter/, tcpdumpText),
    droppedByKernel: count(/(\d+) packets dropped by kernel/, tcpdumpText),
  },
};
result.verdict =
  result.flowlens.droppedByKernel !== undefined && result.tcpdump.droppedByKernel !== undefined
    ? result.flowlens.droppedByKernel <= result.tcpdump.droppedByKernel
      ? 'ok: no more drops than tcpdump'
      : 'MISSED: more drops than tcpdump'
    : 'unknown: a tool did not report its drops';

if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const f = (n) => (n === undefined ? '?' : n.toLocaleString('en-US'));
  process.stdout.write(
    `${result.file}: tcpreplay sent ${f(sent)} packets in ${seconds} s (${f(result.replay.packetsPerSecond)} packets/s, asked ${values.topspeed ? 'topspeed' : f(Number(values.pps))})\n` +
      `  flowlens capture: ${f(result.flowlens.captured)} captured, ${f(result.flowlens.droppedByKernel)} dropped by the kernel\n` +
      `  tcpdump -w /dev/null: ${f(result.tcpdump.captured)} captured, ${f(result.tcpdump.droppedByKernel)} dropped by the kernel\n` +
      `  ${result.verdict}\n`,
  );
}
