/**
 * Application metadata versus tshark on the real captures: TLS and QUIC SNI
 * (`tls.handshake.extensions_server_name`, which tshark also shows for QUIC after decrypting the
 * client Initial), HTTP Host (`http.host`), User-Agent (`http.user_agent`) and JA3
 * (`tls.handshake.ja3`; this tshark (4.0) has no JA4 field, so JA4 is checked against the
 * specification's vectors in src/analyze/app/ja4.test.ts instead).
 *
 * Per TCP/UDP 5-tuple, the first value tshark shows in each of the tuple's streams is compared
 * with the values on our flows of that tuple. Tolerance: none — values must be equal, except the
 * differences listed in KNOWN (each explained in docs/app-metadata.md).
 *
 * The analyzer is not wired into the CLI yet, so it runs in-process with the flow table set as
 * ORACLE_ARGS sets it (no idle splits, no interim records).
 */
import { describe, expect, it } from 'vitest';
import { createAppAnalyzer } from '../src/analyze/index.js';
import type { FlowRecord } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';
import { ORACLE_ARGS, run, toolsAvailable } from './support/run.js';
import { classifyRow, tsharkFrames, tupleKey } from './support/tshark.js';

const FILES = corpusFiles((name) =>
  /^(tls|http_|quic_|dhcp_|ssh_)|_(quic|http|tls_alpn_sni|http_download|mixed_apps_1kxun)\.pcap|ssh_bruteforce|cryptowall4|merlin_quic|teredo|gre_ipv4/.test(
    name,
  ),
);

/** The flow-table settings of ORACLE_ARGS (`--tcp-timeout 1e9 --udp-timeout 1e9 --active-timeout 0`). */
function oracleFlowTable() {
  const value = (flag: string) => Number(ORACLE_ARGS[ORACLE_ARGS.indexOf(flag) + 1]);
  return {
    tcpIdleTimeout: value('--tcp-timeout'),
    udpIdleTimeout: value('--udp-timeout'),
    activeTimeout: value('--active-timeout'),
  };
}

const FIELDS = {
  sni: 'tls.handshake.extensions_server_name',
  host: 'http.host',
  userAgent: 'http.user_agent',
  ja3: 'tls.handshake.ja3',
} as const;
type Field = keyof typeof FIELDS;

/** Per tuple key: the first value of each field in each stream, in stream order. */
type Expected = Map<string, Record<Field, string[]>>;

async function tsharkExpected(file: string): Promise<Expected> {
  const frames = await tsharkFrames(file);
  const args = [
    '-n',
    '-r',
    file,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=f',
    '-e',
    'frame.number',
  ];
  for (const field of Object.values(FIELDS)) args.push('-e', field);
  const result = await run('tshark', args);
  const byFrame = new Map<number, string[]>();
  for (const line of result.stdout.split('\n')) {
    const cells = line.split('\t');
    if (cells.slice(1).some((c) => c !== '')) byFrame.set(Number(cells[0]), cells.slice(1));
  }
  const firstPerStream = new Map<string, Map<number, Partial<Record<Field, string>>>>();
  for (const row of frames.rows) {
    const values = byFrame.get(Number(row['frame.number'][0]));
    if (values === undefined) continue;
    const at = classifyRow(row);
    if (at === null) continue;
    const streams = firstPerStream.get(at.key) ?? new Map();
    firstPerStream.set(at.key, streams);
    const first = streams.get(at.stream) ?? {};
    streams.set(at.stream, first);
    (Object.keys(FIELDS) as Field[]).forEach((field, i) => {
      // JA3 is compared for TLS over TCP only: we do not compute it for QUIC.
      if (field === 'ja3' && at.key.startsWith('17 ')) return;
      if (values[i] !== '' && first[field] === undefined) first[field] = values[i];
    });
  }
  const expected: Expected = new Map();
  for (const [key, streams] of firstPerStream) {
    const entry = { sni: [], host: [], userAgent: [], ja3: [] } as Record<Field, string[]>;
    for (const stream of [...streams.keys()].sort((a, b) => a - b)) {
      for (const field of Object.keys(FIELDS) as Field[]) {
        const v = streams.get(stream)![field];
        if (v !== undefined) entry[field].push(v);
      }
    }
    expected.set(key, entry);
  }
  return expected;
}

function ours(record: FlowRecord, field: Field): string | undefined {
  if (field === 'sni') return record.sni;
  if (field === 'host') return record.httpHost;
  if (field === 'userAgent') return record.app?.http?.userAgent;
  return record.app?.tls?.ja3;
}

/** Differences explained in docs/app-metadata.md: `file field` → count. */
const KNOWN: Record<string, number> = {};

const runOracle = corpusAvailable && toolsAvailable(['tshark']);

describe.skipIf(!runOracle)('application metadata versus tshark', () => {
  it.each(FILES)('%s', { timeout: 120_000 }, async (name) => {
    const file = corpusPath(name);
    const flows: FlowRecord[] = [];
    const { analysis } = await analyzeCaptures({
      files: [file],
      flowTable: oracleFlowTable(),
      analyzers: [createAppAnalyzer()],
      onFlow: (record) => flows.push(record),
    });
    const expected = await tsharkExpected(file);
    const got = new Map<string, Record<Field, string[]>>();
    for (const r of flows.sort((a, b) => a.firstTs - b.firstTs)) {
      if (r.protocol !== 6 && r.protocol !== 17) continue;
      const key = tupleKey(r.protocol, r.srcIp, r.srcPort, r.dstIp, r.dstPort);
      const entry = got.get(key) ?? { sni: [], host: [], userAgent: [], ja3: [] };
      got.set(key, entry);
      for (const field of Object.keys(FIELDS) as Field[]) {
        const v = ours(r, field);
        if (v !== undefined) entry[field].push(v);
      }
    }
    let compared = 0;
    for (const entry of expected.values())
      for (const f of Object.keys(FIELDS) as Field[]) compared += entry[f].length;
    // The protocol-named captures must carry values to compare, or the test proves nothing.
    if (/^(tls|http_|quic_)/.test(name)) expect(compared).toBeGreaterThan(0);
    const mismatches: string[] = [];
    const counts: Record<string, number> = {};
    for (const key of new Set([...expected.keys(), ...got.keys()])) {
      for (const field of Object.keys(FIELDS) as Field[]) {
        const want = (expected.get(key)?.[field] ?? []).slice().sort();
        const have = (got.get(key)?.[field] ?? []).slice().sort();
        if (JSON.stringify(want) === JSON.stringify(have)) continue;
        mismatches.push(`${field} ${key}: tshark ${JSON.stringify(want)} ours ${JSON.stringify(have)}`);
        counts[`${name} ${field}`] = (counts[`${name} ${field}`] ?? 0) + 1;
      }
    }
    const known = Object.fromEntries(Object.entries(KNOWN).filter(([k]) => k.startsWith(`${name} `)));
    expect(counts, mismatches.join('\n')).toEqual(known);
    // Counters next to outputs: every flow with metadata was counted in the inventory.
    const inventory = analysis.app as { flows: number };
    expect(inventory.flows).toBe(flows.length);
  });
});
