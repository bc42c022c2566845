#!/usr/bin/env node
/**
 * What `flowlens analyze --report` can reach on this machine, measured two ways beside tshark
 * (see docs/report.md, "The ceiling on this machine"):
 *
 * 1. Scaling: the same command on the 1-, 2- and 4-copy benchmark captures. A least-squares
 *    line through (packets, seconds) splits each run into a fixed part (start-up, compiling the
 *    code on the path, the report) and a marginal cost per packet once everything is warm;
 *    1 / marginal is the rate no capture size can beat. tshark is fitted the same way.
 * 2. Parallel split: the 4-copy capture cut in two by flow (a symmetric hash of the address
 *    pair, and of the ports for unfragmented TCP/UDP, so that both directions of a flow land in
 *    the same half; IP fragments carry no ports, so a flow whose packets are partly fragmented
 *    may be split: 4,860 of bench-4's 525,828 packets are fragments), and both halves analysed
 *    by two processes at once, against the whole file in one process. The halves share nothing and are never merged, so this is the best any
 *    flow-partitioned parallel design could do with the machine's cores. One eighth of the
 *    flows, analysed alone, is the least time any worker of an 8-way split would need, on a
 *    machine with 8 cores.
 *
 * Runs alternate between the cases; medians are printed.
 * usage: node bench/report-ceiling.mjs [--runs N] [--json] [--no-tshark]
 * needs: `npm run build`, the tools of bench/report-bench.mjs, GNU time at /usr/bin/time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchFile, gnuTimeFields, packetCount } from './bench-capture.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'flowlens.cjs');
const TARGET_PPS = 1_000_000;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    'no-tshark': { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`report-ceiling: ${message}`);
  process.exit(2);
}

/** One command under GNU time: wall seconds and CPU seconds (user + system). */
function timed(command, args, scratch, tag) {
  const timeFile = path.join(scratch, `time-${tag}`);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, command, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => fail(`cannot run /usr/bin/time (Debian package: time): ${error.message}`));
    child.on('close', (status) => {
      if (status !== 0) fail(`${command} ${args.join(' ')} exited with ${status}: ${stderr.slice(-2000)}`);
      const [seconds, user, system] = gnuTimeFields(timeFile);
      resolve({ seconds, cpuSeconds: user + system });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Least-squares line seconds = fixed + perPacket * packets. */
function fitLine(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.packets, 0) / n;
  const my = points.reduce((s, p) => s + p.seconds, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.packets - mx) * (p.seconds - my);
    sxx += (p.packets - mx) ** 2;
  }
  const perPacket = sxy / sxx;
  return { fixedSeconds: my - perPacket * mx, perPacketSeconds: perPacket };
}

const hashMix = (h) => {
  let x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
};

/**
 * Classic little- or big-endian pcap of Ethernet frames (VLAN tags skipped) → `parts` pcaps,
 * each flow's packets whole in one of them. Non-IP frames go to the first part.
 */
function splitByFlow(file, parts, scratch) {
  const buf = readFileSync(file);
  const magic = buf.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!little && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) fail(`${file} is not a classic pcap`);
  if ((little ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) !== 1) fail(`${file} is not Ethernet`);
  const outs = Array.from({ length: parts }, () => [buf.subarray(0, 24)]);
  const counts = new Array(parts).fill(0);
  let off = 24;
  while (off + 16 <= buf.length) {
    const captured = little ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
    const end = Math.min(buf.length, off + 16 + captured);
    const frame = buf.subarray(off + 16, end);
    let type = frame.length >= 14 ? frame.readUInt16BE(12) : 0;
    let ip = 14;
    while ((type === 0x8100 || type === 0x88a8) && ip + 4 <= frame.length) {
      type = frame.readUInt16BE(ip + 2);
      ip += 4;
    }
    let h = 0;
    let transport = -1;
    if (type === 0x0800 && ip + 20 <= frame.length) {
      h = frame.readUInt32BE(ip + 12) ^ frame.readUInt32BE(ip + 16);
      const protocol = frame[ip + 9];
      const fragmented = (frame.readUInt16BE(ip + 6) & 0x3fff) !== 0;
      if (!fragmented && (protocol === 6 || protocol === 17)) transport = ip + (frame[ip] & 15) * 4;
    } else if (type === 0x86dd && ip + 40 <= frame.length) {
      for (let i = 8; i < 40; i += 4) h ^= frame.readUInt32BE(ip + i);
      if (frame[ip + 6] === 6 || frame[ip + 6] === 17) transport = ip + 40;
    }
    if (transport >= 0 && transport + 4 <= frame.length)
      h ^= hashMix(frame.readUInt16BE(transport) ^ frame.readUInt16BE(transport + 2));
    const part = hashMix(h) % parts;
    outs[part].push(buf.subarray(off, end));
    counts[part]++;
    off = end;
  }
  return outs.map((chunks, i) => {
    const out = path.join(scratch, `part-${parts}-${i}.pcap`);
    writeFileSync(out, Buffer.concat(chunks));
    return { file: out, packets: counts[i] };
  });
}

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) fail('dist/ missing: run npm run build');
const runs = Math.max(1, Number(opts.runs));
const scratch = mkdtempSync(path.join(tmpdir(), 'flowlens-report-ceiling-'));
try {
  const captures = [1, 2, 4].map((copies) => {
    const file = benchFile(copies, fail);
    return { copies, file, packets: packetCount(file, fail) };
  });
  const whole = captures.at(-1);
  const halves = splitByFlow(whole.file, 2, scratch);
  const eighth = splitByFlow(whole.file, 8, scratch)[0];
  const flowlens = (file, tag) =>
    timed(
      process.execPath,
      [CLI, 'analyze', file, '--report', path.join(scratch, `${tag}.html`), '--no-progress'],
      scratch,
      tag,
    );
  const tshark = (file, tag) =>
    timed('tshark', ['-n', '-q', '-z', 'io,phs', '-z', 'conv,tcp', '-z', 'expert', '-r', file], scratch, tag);

  const samples = {
    flowlens: captures.map(() => []),
    tshark: captures.map(() => []),
    halves: [],
    eighth: [],
  };
  for (let run = 0; run < runs; run++) {
    for (const [i, c] of captures.entries()) {
      samples.flowlens[i].push(await flowlens(c.file, `copies-${c.copies}`));
      if (!opts['no-tshark']) samples.tshark[i].push(await tshark(c.file, `tshark-${c.copies}`));
    }
    const t0 = performance.now();
    await Promise.all(halves.map((h, i) => flowlens(h.file, `half-${i}`)));
    samples.halves.push({ seconds: (performance.now() - t0) / 1000 });
    samples.eighth.push(await flowlens(eighth.file, 'eighth'));
  }

  const scaling = (tool) =>
    captures.map((c, i) => ({
      copies: c.copies,
      packets: c.packets,
      seconds: median(samples[tool][i].map((s) => s.seconds)),
      cpuSeconds: median(samples[tool][i].map((s) => s.cpuSeconds)),
    }));
  const withFit = (points) => {
    const fit = fitLine(points);
    return {
      points,
      fixedSeconds: Number(fit.fixedSeconds.toFixed(3)),
      marginalMicrosecondsPerPacket: Number((fit.perPacketSeconds * 1e6).toFixed(3)),
      marginalPacketsPerSecond: Math.round(1 / fit.perPacketSeconds),
    };
  };
  const ours = withFit(scaling('flowlens'));
  const theirs = opts['no-tshark'] ? null : withFit(scaling('tshark'));
  const wholeSeconds = ours.points.at(-1).seconds;
  const halvesSeconds = median(samples.halves.map((s) => s.seconds));
  const result = {
    cores: availableParallelism(),
    runs,
    flowlens: ours,
    tshark: theirs,
    parallelSplit: {
      halves: halves.map((h) => h.packets),
      wholeSeconds,
      wholeCpuSeconds: ours.points.at(-1).cpuSeconds,
      halvesInParallelSeconds: Number(halvesSeconds.toFixed(2)),
      speedup: Number((wholeSeconds / halvesSeconds).toFixed(2)),
      eighthPackets: eighth.packets,
      eighthAloneSeconds: median(samples.eighth.map((e) => e.seconds)),
    },
    target: {
      packetsPerSecond: TARGET_PPS,
      secondsFor4Copies: Number((whole.packets / TARGET_PPS).toFixed(3)),
    },
  };

  if (opts.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const perTool = [['flowlens analyze --report', ours]];
    if (theirs) perTool.push(['tshark -z io,phs -z conv,tcp -z expert', theirs]);
    for (const [name, t] of perTool) {
      console.log(name);
      for (const p of t.points)
        console.log(
          `  bench-${p.copies}: ${p.packets.toLocaleString('en-US').padStart(9)} packets  ${p.seconds.toFixed(2)} s  ` +
            `${Math.round(p.packets / p.seconds)
              .toLocaleString('en-US')
              .padStart(9)} packets/s  CPU ${p.cpuSeconds.toFixed(2)} s`,
        );
      console.log(
        `  fit: fixed ${t.fixedSeconds.toFixed(2)} s + ${t.marginalMicrosecondsPerPacket.toFixed(2)} µs/packet ` +
          `→ at most ${t.marginalPacketsPerSecond.toLocaleString('en-US')} packets/s on any capture size`,
      );
    }
    const s = result.parallelSplit;
    console.log(
      `parallel split (${result.cores} cores): halves of ${s.halves.map((n) => n.toLocaleString('en-US')).join(' + ')} packets, ` +
        `two processes at once ${s.halvesInParallelSeconds.toFixed(2)} s against the whole file ${s.wholeSeconds.toFixed(2)} s ` +
        `(CPU ${s.wholeCpuSeconds.toFixed(2)} s): ${s.speedup}×`,
    );
    console.log(
      `one eighth of the flows (${s.eighthPackets.toLocaleString('en-US')} packets) alone: ${s.eighthAloneSeconds.toFixed(2)} s`,
    );
    console.log(
      `target ${TARGET_PPS.toLocaleString('en-US')} packets/s on bench-4 = ${result.target.secondsFor4Copies} s for the whole command`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
