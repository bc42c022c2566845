/**
 * The benchmark captures shared by the benches: bench/out/bench-N.pcap, built on first use by
 * ../shared/bench/make-bench-pcap.sh (needs tcpreplay and wireshark-common), and its packet
 * count from capinfos; and the fields GNU time wrote for a measured command. `fail(message)` is
 * the calling bench's one-line exit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = path.join(ROOT, 'bench', 'out');
const MAKE_BENCH = path.resolve(ROOT, '..', 'shared', 'bench', 'make-bench-pcap.sh');

/** Path of bench/out/bench-N.pcap, built by make-bench-pcap.sh when absent. */
export function benchFile(copies, fail) {
  const file = path.join(OUT_DIR, `bench-${copies}.pcap`);
  if (existsSync(file)) return file;
  if (!existsSync(MAKE_BENCH)) fail(`${MAKE_BENCH} not found: the corpus (../shared) is needed`);
  mkdirSync(OUT_DIR, { recursive: true });
  console.error(`building ${file} (${copies} copies)…`);
  const built = spawnSync('bash', [MAKE_BENCH, file, String(copies)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) fail(`make-bench-pcap.sh exited with ${built.status}`);
  return file;
}

/** Packets in `file`, as capinfos counts them. */
export function packetCount(file, fail) {
  const info = spawnSync('capinfos', ['-M', '-T', '-r', '-c', file], { encoding: 'utf8' });
  if (info.status !== 0) fail(`capinfos failed on ${file}: ${info.stderr}`);
  return Number(info.stdout.trim().split('\t')[1]);
}

/** The numbers of the last line `/usr/bin/time -f FORMAT -o timeFile` wrote, in FORMAT's order. */
export function gnuTimeFields(timeFile) {
  return readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
}
