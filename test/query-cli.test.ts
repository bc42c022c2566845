/**
 * `flowlens query …` as a user runs it: the built CLI in a child process against a store built
 * from corpus captures. Answers are compared with the query layer's own result (which
 * test/query.test.ts checks against the analyze output), plus usage errors and exit codes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRow, OverviewResult, SearchResult, TopResult } from '../src/store/query/index.js';
import { corpusAvailable } from './support/corpus.js';
import { buildQueryStore, type QueryStore } from './support/query-store.js';
import { CLI_BUILT, runCli } from './support/run.js';

describe.skipIf(!corpusAvailable)('flowlens query', () => {
  let built: QueryStore;
  const query = (args: string[]) => runCli(['query', ...args, '--data', built.dataDir]);

  beforeAll(async () => {
    expect(existsSync(CLI_BUILT), `${CLI_BUILT} missing: run npm run build`).toBe(true);
    built = await buildQueryStore(['bulk_mixed_apps_1kxun.pcap', 'lt_null_loopback_quic.pcap']);
  });

  afterAll(() => {
    if (built) rmSync(built.dataDir, { recursive: true, force: true });
  });

  it('overview --format json has the totals of every flow', async () => {
    const result = await query(['overview', '--range', 'all', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const overview = JSON.parse(result.stdout) as OverviewResult;
    expect(overview.current.flows).toBe(built.flows.length);
    expect(overview.current.bytes).toBe(built.flows.reduce((n, f) => n + f.bytes, 0));
  });

  it('overview --top-hosts ranks the busiest hosts as top by host does, in JSON and the table', async () => {
    const json = await query(['overview', '--range', 'all', '--top-hosts', '3', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const overview = JSON.parse(json.stdout) as OverviewResult;
    const top = JSON.parse(
      (await query(['top', '--by', 'host', '--range', 'all', '-n', '3', '--format', 'json'])).stdout,
    ) as TopResult;
    expect(overview.topHosts?.current).toEqual(top.rows);
    expect(overview.topHosts?.current).toHaveLength(3);
    const table = await query(['overview', '--range', 'all', '--top-hosts', '3']);
    const section = table.stdout.slice(table.stdout.indexOf('Busiest hosts (by bytes)'));
    for (const row of top.rows) expect(section).toContain(String(row.key));
    expect((await query(['overview'])).stdout).not.toContain('Busiest hosts');
    for (const bad of ['0', '101', 'x']) {
      const refused = await query(['overview', '--top-hosts', bad]);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr, bad).toMatch(/--top-hosts/);
    }
  });

  it('top prints a table, JSON and CSV of the same rows', async () => {
    const json = await query([
      'top',
      '--by',
      'dst_port',
      '--metric',
      'flows',
      '--range',
      'all',
      '--format',
      'json',
    ]);
    const rows = (JSON.parse(json.stdout) as TopResult).rows;
    expect(rows.length).toBe(10);
    const csv = await query([
      'top',
      '--by',
      'dst_port',
      '--metric',
      'flows',
      '--range',
      'all',
      '--format',
      'csv',
    ]);
    expect(csv.stdout.trimEnd().split('\r\n')).toEqual([
      'dst_port,flows,packets,bytes',
      ...rows.map((r) => `${r.key},${r.flows},${r.packets},${r.bytes}`),
    ]);
    const table = await query(['top', '--by', 'protocol', '--range', 'all']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^range 2016-08-02T02:19:33Z \.\. /);
    expect(table.stdout).toMatch(/\n1 {2}tcp {2,}98 /);
  });

  it('flows pages with --after until the last page', async () => {
    const seen: FlowRow[] = [];
    let after: string | undefined;
    do {
      const args = ['flows', '--range', 'all', '--format', 'json', '-n', '200', '--filter', 'tcp'];
      const result = await query(after === undefined ? args : [...args, '--after', after]);
      expect(result.code).toBe(0);
      const page = JSON.parse(result.stdout) as SearchResult;
      seen.push(...page.flows);
      after = page.next;
    } while (after !== undefined);
    expect(seen.length).toBe(built.flows.filter((f) => f.protocol === 6).length);
  });

  it('flows in a table says how to get the next page', async () => {
    const result = await query(['flows', '--range', 'all', '-n', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').length).toBe(5);
    expect(result.stderr).toMatch(/^more flows: add --after \S+\n$/);
  });

  it('series, host and export run', async () => {
    const series = await query(['series', '--range', 'all', '--split-by', 'protocol', '--format', 'csv']);
    expect(series.code).toBe(0);
    expect(series.stdout.split('\r\n')[0]).toBe('time,series,flows,packets,bytes');
    const host = await query(['host', '192.168.2.126', '--range', 'all']);
    expect(host.code).toBe(0);
    expect(host.stdout).toContain('peer');
    const exported = await query(['export', '--range', 'all', '--format', 'ndjson', '--filter', 'ip6']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(built.flows.filter((f) => f.ipVersion === 6).length);
  });

  it('a filter syntax error prints the message and a caret under the column, exit 2', async () => {
    const result = await query(['top', '--filter', 'port 80 port 443']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'flowlens: bad filter: column 9: expected "and", "or" or end of input after "80", got "port"\n' +
        '  port 80 port 443\n' +
        '          ^\n',
    );
  });

  it('bad ranges and options are usage errors', async () => {
    const range = await query(['overview', '--range', 'yesterday']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/expected a range like 1h, 24h, 7d, all or FROM\.\.TO/);
    const by = await query(['top', '--by', 'mac']);
    expect(by.code).toBe(2);
    expect(by.stderr).toMatch(/--by <dimension>' argument 'mac' is invalid/);
  });

  it('a data dir without a store is a clear usage error', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'flowlens-empty-'));
    try {
      const result = await runCli(['query', 'overview', '--data', empty]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`flowlens: no flows stored in ${empty}: run flowlens ingest FILE first\n`);
      expect(existsSync(path.join(empty, 'flowlens.duckdb'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('--help shows examples', async () => {
    const result = await runCli(['query', 'top', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('--by <dimension>');
  });
});
