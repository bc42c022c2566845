#!/usr/bin/env node
/**
 * Start-up benchmark: what a small capture costs, where start-up is most of the work.
 * `flowlens analyze FILE` (table output, the defaults) against `tshark -n -q -r FILE -z conv,tcp`
 * and against `node -e 0` (Node's own start), runs alternating, median wall time of each.
 * With `--unbundled`, also the compiled modules loaded one by one (dist/cli/main.js, what the
 * command ran before dist/bundle/), to show what the bundle saves.
 *
 * usage: node bench/startup-bench.mjs [FILE...] [--runs N] [--unbundled] [--json]
 *   default FILE: the test fixture test/fixtures/tcp-handshake-and-close.pcap
 * needs: `npm run build`, tshark (Debian: tshark).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'flowlens.cjs');

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '7' },
    unbundled: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, not ${opts.runs}`);
const files =
  positionals.length > 0 ? positionals : [path.join(ROOT, 'test/fixtures/tcp-handshake-and-close.pcap')];
for (const file of files) if (!existsSync(file)) fail(`${file}: no such file`);
if (!existsSync(path.join(ROOT, 'dist', 'bundle', 'main.js')))
  fail('dist/bundle/main.js is missing: run npm run build');

function fail(message) {
  console.error(`startup-bench: ${message}`);
  process.exit(2);
}

/** Wall seconds of one run, output discarded; fails on a non-zero exit. */
function seconds(command, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) fail(`cannot run ${command}: ${r.error.message}`);
  if (r.status !== 0) fail(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(-500)}`);
  return elapsed;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const scratch = mkdtempSync(path.join(tmpdir(), 'flowlens-startup-'));
try {
  // The unbundled program, started the way bin/flowlens.cjs started it before the bundle.
  const unbundled = path.join(scratch, 'unbundled.cjs');
  writeFileSync(
    unbundled,
    `process.env.UV_THREADPOOL_SIZE ??= '16';\nimport(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'main.js'))});\n`,
  );
  const results = [];
  for (const file of files) {
    const tools = [
      ['node -e 0', process.execPath, ['-e', '0']],
      ['flowlens analyze', process.execPath, [CLI, 'analyze', file]],
      ...(opts.unbundled
        ? [['flowlens analyze, unbundled', process.execPath, [unbundled, 'analyze', file]]]
        : []),
      ['tshark -z conv,tcp', 'tshark', ['-n', '-q', '-r', file, '-z', 'conv,tcp']],
    ];
    const times = tools.map(() => []);
    for (let run = 0; run < runs; run++) {
      // Alternating order, so that a slow moment of the machine falls on every tool.
      const order = run % 2 === 0 ? tools.keys() : [...tools.keys()].reverse();
      for (const i of order) times[i].push(seconds(tools[i][1], tools[i][2]));
    }
    for (const [i, [tool]] of tools.entries()) {
      results.push({ file: path.basename(file), tool, medianSeconds: median(times[i]), runs });
    }
  }
  if (opts.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`${'file'.padEnd(36)} ${'tool'.padEnd(30)} median s (of ${runs})`);
    for (const r of results)
      console.log(`${r.file.padEnd(36)} ${r.tool.padEnd(30)} ${r.medianSeconds.toFixed(3)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
