#!/usr/bin/env node
/**
 * Diagnosis benchmark: `flowlens analyze --report OUT.html` with every analyzer and the
 * detections (the defaults) against `tshark -q -z io,phs -z conv,tcp -z expert` on the same
 * file, in the same run: packets/s, the ratio, peak RSS. See bench/README.md.
 *
 * usage: node bench/report-bench.mjs [--copies N] [--runs N] [--json] [--flowlens-only]
 * needs: `npm run build`, ../shared/bench/make-bench-pcap.sh's tools (tcpreplay,
 * wireshark-common) to build bench/out/bench-N.pcap once, tshark, GNU time at /usr/bin/time.
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
const TARGET_PPS = 1_000_000;

const { values: opts } = parseArgs({
  options: {
    copies: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    'flowlens-only': { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`report-bench: ${message}`);
  process.exit(2);
}

/** Best wall time (and the peak RSS of that run) of `runs` runs under GNU time, stdout discarded. */
function measure(command, args, runs) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'flowlens-report-bench-'));
  const timeFile = path.join(scratch, 'time');
  let best = { seconds: Number.POSITIVE_INFINITY, rssKiB: 0, cpuSeconds: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const devNull = openSync('/dev/null', 'w');
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, command, ...args], {
        stdio: ['ignore', devNull, 'pipe'],
        encoding: 'utf8',
      });
      if (r.error) fail(`cannot run /usr/bin/time (Debian package: time): ${r.error.message}`);
      if (r.status !== 0)
        fail(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
      const [seconds, rssKiB, user, system] = gnuTimeFields(timeFile);
      if (seconds < best.seconds) best = { seconds, rssKiB, cpuSeconds: user + system };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return best;
}

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) fail('dist/ missing: run npm run build');
const runs = Math.max(1, Number(opts.runs));
const file = benchFile(Number(opts.copies), fail);
const packets = packetCount(file, fail);
const scratch = mkdtempSync(path.join(tmpdir(), 'flowlens-report-out-'));
const report = path.join(scratch, 'report.html');

const row = (tool, command, m) => ({
  tool,
  command,
  packets,
  seconds: m.seconds,
  packetsPerSecond: Math.round(packets / Math.max(m.seconds, 0.01)),
  cpuSeconds: Number(m.cpuSeconds.toFixed(2)),
  /** Packets per CPU second (user + system): steadier than wall time on a shared machine. */
  packetsPerCpuSecond: Math.round(packets / Math.max(m.cpuSeconds, 0.01)),
  peakRssMiB: Math.round(m.rssKiB / 1024),
});

const flowlensArgs = [CLI, 'analyze', file, '--report', report, '--no-progress'];
const rows = [
  row('flowlens', 'flowlens analyze FILE --report OUT.html', measure(process.execPath, flowlensArgs, runs)),
];
const reportBytes = statSync(report).size;
rmSync(scratch, { recursive: true, force: true });
if (!opts['flowlens-only']) {
  const tsharkArgs = ['-n', '-q', '-z', 'io,phs', '-z', 'conv,tcp', '-z', 'expert', '-r', file];
  rows.push(
    row(
      'tshark',
      'tshark -n -q -z io,phs -z conv,tcp -z expert -r FILE',
      measure('tshark', tsharkArgs, runs),
    ),
  );
}
const [ours, tshark] = rows;
const result = {
  file,
  sizeBytes: statSync(file).size,
  reportBytes,
  rows,
  targetPacketsPerSecond: TARGET_PPS,
  meetsTarget: ours.packetsPerSecond >= TARGET_PPS,
  speedRatio: tshark ? Number((ours.packetsPerSecond / tshark.packetsPerSecond).toFixed(2)) : null,
  rssRatio: tshark ? Number((ours.peakRssMiB / tshark.peakRssMiB).toFixed(2)) : null,
};

if (opts.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const header = ['tool', 'packets', 'seconds', 'packets/s', 'CPU s', 'packets/CPU s', 'peak RSS MiB'];
  const lines = rows.map((r) => [
    r.tool,
    r.packets,
    r.seconds.toFixed(2),
    r.packetsPerSecond,
    r.cpuSeconds.toFixed(2),
    r.packetsPerCpuSecond,
    r.peakRssMiB,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => String(c).padStart(widths[i])).join('  '));
  console.log(`${path.basename(file)}; report ${Math.round(reportBytes / 1024)} KiB`);
  if (tshark) console.log(`flowlens/tshark: ${result.speedRatio}× packets/s, ${result.rssRatio}× peak RSS`);
  console.log(
    `target ${TARGET_PPS.toLocaleString('en-US')} packets/s: ${result.meetsTarget ? 'met' : 'MISSED'} (${ours.packetsPerSecond.toLocaleString('en-US')})`,
  );
}
