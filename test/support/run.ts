/**
 * Runs the external programs the interop tests compare against (tshark, capinfos) and our own
 * CLI, and says whether those programs are installed.
 *
 * Contract: a missing reference tool skips its tests with a visible message, except under CI
 * (`CI=true`), where it is a failure: CI must install what its tests use (.ci/run).
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; never rejects on a non-zero exit (the code is returned). */
export function run(command: string, args: string[], cwd = PROJECT_ROOT): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 1 << 30, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

export const CLI = path.join(PROJECT_ROOT, 'bin', 'flowlens.cjs');

/** `analyze` options for comparing with tshark: JSON, no idle splits, no interim records. */
export const ORACLE_ARGS = [
  '--no-enrich',
  '--format',
  'json',
  '--tcp-timeout',
  '1e9',
  '--udp-timeout',
  '1e9',
  '--active-timeout',
  '0',
];
/** What bin/flowlens.cjs loads: the bundle of dist/cli/main.js (scripts/bundle-cli.mjs). */
export const CLI_BUILT = path.join(PROJECT_ROOT, 'dist', 'bundle', 'main.js');

/** `node bin/flowlens.cjs ARGS…` (needs `npm run build`). */
export function runCli(args: string[]): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args]);
}

/** On PATH (some tools, softflowd and nfcapd among them, have no `--version` that exits 0). */
function installed(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;
}

/** The Debian package of each tool the tests run. */
const PACKAGES: Record<string, string> = {
  tshark: 'tshark',
  capinfos: 'wireshark-common',
  editcap: 'wireshark-common',
  tcpdump: 'tcpdump',
  softflowd: 'softflowd',
  nfdump: 'nfdump',
  nfcapd: 'nfdump',
  mmdblookup: 'mmdb-bin',
  pmacctd: 'pmacct',
  sfacctd: 'pmacct',
};

/**
 * True when every tool runs. When one is missing: throws under CI, otherwise warns and
 * returns false (the caller skips).
 */
export function toolsAvailable(tools: string[]): boolean {
  const missing = tools.filter((tool) => !installed(tool));
  if (missing.length === 0) return true;
  const packages = [...new Set(missing.map((tool) => PACKAGES[tool] ?? tool))].join(' ');
  const message = `${missing.join(', ')} not installed (Debian: apt-get install -y ${packages})`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run the oracle tests`);
  console.warn(`[flowlens tests] ${message}: oracle tests are skipped`);
  return false;
}
