/**
 * `flowlens ingest` end to end: real captures into a real store in a temp dir, checked against
 * `flowlens analyze --format json` on the same files; duplicate refusal and --force; and
 * interruption, by SIGINT (exit 130, file rolled back) and by SIGKILL (the next run rolls the
 * file back and says so). Needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from '../src/store/index.js';
import { writeBigCapture } from './support/big-capture.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { analyzeFile } from './support/query-store.js';
import { CLI, runCli } from './support/run.js';

const FILES = ['atk_icmp_tunnel.pcap', 'bulk_mixed_apps_1kxun.pcap', 'fmt_gzip_loopback_echo_82k.pcap.gz'];

let tmp: string;
let big: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-ingest-'));
  big = path.join(tmp, 'big.pcap');
  writeBigCapture(big, 400_000);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function dataDir(name: string): string {
  return path.join(tmp, name);
}

async function storeQuery(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = createDuckDbStore({ dataDir: dir });
  await store.start();
  try {
    return await store.query(sql);
  } finally {
    await store.stop();
  }
}

/**
 * Spawns an ingest with a progress bar; `reading` resolves once 40% of the file is read. The big
 * capture spans 400 s and UDP flows idle out after 60 s, so by then about 100k flows have been
 * written into the open ingest.
 */
function startIngest(dir: string, file: string) {
  const child = spawn(process.execPath, [CLI, 'ingest', file, '--data', dir, '--progress'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const reading = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const percents = [...stderr.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]));
      if (percents.some((p) => p >= 40)) resolve();
    });
  });
  return { child, reading, exited, output: () => ({ stdout, stderr }) };
}

describe.skipIf(!corpusAvailable)('flowlens ingest (corpus)', () => {
  it('stores exactly the flows analyze reports', async () => {
    const dir = dataDir('totals');
    const files = FILES.map(corpusPath);
    const result = await runCli(['ingest', ...files, '--data', dir, '--no-progress', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { files: { status: string; flows: number }[] };
    expect(report.files.map((f) => f.status)).toEqual(['ingested', 'ingested', 'ingested']);

    let flows = 0;
    let packets = 0;
    let bytes = 0;
    for (const file of files) {
      for (const f of await analyzeFile(file)) {
        flows++;
        packets += f.packets;
        bytes += f.bytes;
      }
    }
    const [row] = await storeQuery(
      dir,
      'SELECT count(*) AS n, sum(packets) AS p, sum(bytes) AS b FROM flows',
    );
    expect(row).toEqual({ n: flows, p: packets, b: bytes });
    expect(report.files.reduce((n, f) => n + f.flows, 0)).toBe(flows);
  });

  it('refuses a file already in (exit 2), and --force replaces it', async () => {
    const dir = dataDir('dup');
    const file = corpusPath(FILES[0]);
    expect((await runCli(['ingest', file, '--data', dir])).code).toBe(0);
    const again = await runCli(['ingest', file, '--data', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^flowlens: .*atk_icmp_tunnel\.pcap is already in the store .*use --force/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const forced = await runCli(['ingest', file, '--data', dir, '--force']);
    expect(forced.code).toBe(0);
    const ingests = await storeQuery(dir, 'SELECT status, count(*) AS n FROM ingests GROUP BY status');
    expect(ingests).toEqual([{ status: 'complete', n: 1 }]);
    const [{ n }] = await storeQuery(dir, 'SELECT count(*) AS n FROM flows');
    expect(n).toBe((await analyzeFile(file)).length);
  });
});

describe('flowlens ingest, interrupted', () => {
  it('rolls back on SIGINT and exits 130 saying which files are in', async () => {
    const dir = dataDir('sigint');
    if (corpusAvailable) expect((await runCli(['ingest', corpusPath(FILES[0]), '--data', dir])).code).toBe(0);
    const run = startIngest(dir, big);
    await run.reading;
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output().stderr).toMatch(
      /flowlens: interrupted: in the store: none; not in the store: .*big\.pcap/,
    );
    expect(run.output().stdout).toMatch(/^out\s+\S*big\.pcap\s+interrupted: rolled back/m);
    const ingests = await storeQuery(
      dir,
      "SELECT file, status, error FROM ingests WHERE file LIKE '%big.pcap'",
    );
    expect(ingests).toEqual([{ file: big, status: 'aborted', error: 'interrupted' }]);
    const [{ n }] = await storeQuery(
      dir,
      `SELECT count(*) AS n FROM flows WHERE ingest_id NOT IN (SELECT id FROM ingests WHERE status = 'complete')`,
    );
    expect(n).toBe(0);
  });

  it('after SIGKILL, the next run rolls the file back and says so', async () => {
    const dir = dataDir('sigkill');
    const run = startIngest(dir, big);
    await run.reading;
    run.child.kill('SIGKILL');
    await run.exited;
    const next = await runCli(['ingest', big, '--data', dir, '--no-progress']);
    expect(next.stderr).toContain(
      `flowlens: rolled back the interrupted ingest of ${big} (killed before it finished): it is not in the store`,
    );
    expect(next.code).toBe(0);
    const ingests = await storeQuery(dir, 'SELECT status, error FROM ingests ORDER BY started_at');
    expect(ingests).toEqual([
      { status: 'aborted', error: 'killed: rolled back at start-up' },
      { status: 'complete', error: null },
    ]);
    const [{ n }] = await storeQuery(dir, 'SELECT count(DISTINCT ingest_id) AS n FROM flows');
    expect(n).toBe(1);
  }, 60_000);
});
