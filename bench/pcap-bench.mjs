#!/usr/bin/env node
/**
 * Capture-file benchmark: `flowlens analyze --format json` against
 * `tshark -n -q -z conv,tcp -z conv,udp` on the same file, in the same run. See bench/README.md.
 *
 * usage: npm run bench:pcap -- [--copies N] [--runs N] [--rss-check] [--json]
 * needs: `npm run build`, ../shared/bench/make-bench-pcap.sh's tools (tcpreplay,
 * wireshark-common), tshark, and GNU time at /usr/bin/time (Debian: time) for peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchFile, gnuTimeFields, packetCount } from './bench-capture.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const _OUT_DIR = path.join(ROOT, 'bench', 'out');
const CLI = path.join(ROOT, 'bin', 'flowlens.cjs');
const RSS_TARGET = 1.5;

const { values: opts } = parseArgs({
  options: {
    copies: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    'rss-check': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`pcap-bench: ${message}`);
  process.exit(2);
}

/** Runs `command` with stdout to /dev/null under GNU time; best wall time and peak RSS of `runs`. */
function measure(command, args, runs) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'flowlens-bench-'));
  const timeFile = path.join(scratch, 'time');
  let best = { seconds: Number.POSITIVE_INFINITY, rssKiB: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const devNull = openSync('/dev/null', 'w');
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, command, ...args], {
        stdio: ['ignore', devNull, 'pipe'],
        encoding: 'utf8',
      });
      if (r.error) fail(`cannot run /usr/bin/time (Debian package: time): ${r.error.message}`);
      if (r.status !== 0)
        fail(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
      const [seconds, rssKiB] = gnuTimeFields(timeFile);
      if (seconds < best.seconds) best = { seconds, rssKiB };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return best;
}

function row(tool, file, packets, m) {
  return {
    tool,
    file: path.basename(file),
    packets,
    seconds: m.seconds,
    packetsPerSecond: Math.round(packets / Math.max(m.seconds, 0.01)),
    peakRssMiB: Math.round(m.rssKiB / 1024),
  };
}

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) fail('dist/ missing: run npm run build');
const runs = Math.max(1, Number(opts.runs));
const copies = Number(opts.copies);
const file = benchFile(copies, fail);
const packets = packetCount(file, fail);
const ours = row(
  'flowlens',
  file,
  packets,
  measure(process.execPath, [CLI, 'analyze', '--format', 'json', file], runs),
);
const tshark = row(
  'tshark',
  file,
  packets,
  measure('tshark', ['-n', '-q', '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file], runs),
);
/**
 * The engine alone (read + decode + flows), timed in-process, ENGINE_PASSES passes per process:
 * `cold` is the best first pass of `runs` processes (what one `flowlens analyze` sees, JIT
 * compiling as it goes), `warm` the best later pass (the compiled engine's rate).
 */
const ENGINE_PASSES = 4;
function measureEngine(file, runs, passes = ENGINE_PASSES, pinned = false) {
  let cold;
  let warm;
  const pass = [
    process.execPath,
    path.join(ROOT, 'bench', 'engine-pass.mjs'),
    file,
    '--passes',
    String(passes),
  ];
  // Pinned: the whole process on CPU 0, so V8's background compiles and GC share the engine's core.
  const [command, ...args] = pinned ? ['taskset', '-c', '0', ...pass] : pass;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.status !== 0) fail(`engine-pass exited with ${r.status}: ${r.stderr.slice(-2000)}`);
    for (const m of r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))) {
      if (m.pass === 1) {
        if (cold === undefined || m.seconds < cold.seconds) cold = m;
      } else if (warm === undefined || m.seconds < warm.seconds) warm = m;
    }
  }
  return { cold, warm };
}
const engine = measureEngine(file, runs);
const engineRow = (tool, m) => ({
  tool,
  file: path.basename(file),
  packets,
  seconds: m.seconds,
  packetsPerSecond: Math.round(packets / Math.max(m.seconds, 0.001)),
  peakRssMiB: ours.peakRssMiB,
});
const engineCold = engineRow('engine, cold', engine.cold);
const engineWarm = engineRow('engine, warm', engine.warm);
// The "on one core", read strictly: the cold pass with the whole process on one CPU.
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (!canPin) console.error('taskset (util-linux) not found: no "engine, cold, 1 CPU" row');
const engineOneCpu = canPin
  ? engineRow('engine, cold, 1 CPU', measureEngine(file, runs, 1, true).cold)
  : undefined;
const rows = [ours, engineCold, engineWarm, ...(engineOneCpu ? [engineOneCpu] : []), tshark];
const result = {
  file,
  sizeBytes: statSync(file).size,
  rows,
  speedRatio: Number((ours.packetsPerSecond / tshark.packetsPerSecond).toFixed(2)),
  engineSpeedRatio: Number((engineCold.packetsPerSecond / tshark.packetsPerSecond).toFixed(2)),
  engineWarmSpeedRatio: Number((engineWarm.packetsPerSecond / tshark.packetsPerSecond).toFixed(2)),
  engineOneCpuPacketsPerSecond: engineOneCpu?.packetsPerSecond ?? null,
  rssRatio: Number((ours.peakRssMiB / tshark.peakRssMiB).toFixed(2)),
};

if (opts['rss-check']) {
  const big = benchFile(40, fail);
  const bigRow = row(
    'flowlens',
    big,
    packetCount(big, fail),
    measure(process.execPath, [CLI, 'analyze', '--format', 'json', big], 1),
  );
  rows.push(bigRow);
  const ratio = Number((bigRow.peakRssMiB / ours.peakRssMiB).toFixed(2));
  result.rssCheck = { copies: [copies, 40], ratio, target: RSS_TARGET, ok: ratio <= RSS_TARGET };
}

if (opts.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const header = ['tool', 'file', 'packets', 'seconds', 'packets/s', 'peak RSS MiB'];
  const lines = rows.map((r) => [
    r.tool,
    r.file,
    r.packets,
    r.seconds.toFixed(2),
    r.packetsPerSecond,
    r.peakRssMiB,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => String(c).padStart(widths[i])).join('  '));
  console.log(`flowlens/tshark: ${result.speedRatio}× packets/s, ${result.rssRatio}× peak RSS`);
  console.log(
    `flowlens engine/tshark: ${result.engineSpeedRatio}× cold, ${result.engineWarmSpeedRatio}× warm packets/s (engine target: 2,000,000 packets/s)`,
  );
  if (result.rssCheck) {
    const c = result.rssCheck;
    console.log(
      `flowlens peak RSS bench-40/bench-${copies}: ${c.ratio} (target ≤ ${c.target}: ${c.ok ? 'ok' : 'MISSED'})`,
    );
  }
}
