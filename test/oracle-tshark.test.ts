/**
 * `flowlens analyze` against Wireshark on every capture of the corpus (and the synthetic
 * fixtures): packet and byte totals against capinfos, and per TCP/UDP conversation the packets,
 * frame bytes and IP bytes against tshark's tcp.stream/udp.stream (see test/support/tshark.ts
 * for how tshark's frames are attributed).
 *
 * Grouping: both sides are summed per direction-free 5-tuple. tshark separates conversations
 * by 5-tuple (udp.stream never splits one; tcp.stream splits on port reuse); we also split by
 * VLAN and by timeouts. Run with timeouts far beyond any capture's span and no interim records,
 * our remaining splits (VLAN, TCP port reuse) only partition a 5-tuple's packets, so the sums
 * per 5-tuple compare the same packets whichever tool cut where.
 *
 * Where we differ on purpose, KNOWN_DIFFERENCES (test/support/tshark-known-differences.ts) names
 * the file, the reasons and the exact differing lines; docs/differences-from-tshark.md says the
 * same. A listed difference that disappears or changes fails the test too, so the list stays true.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../src/model/index.js';
import { CORPUS_DIR, corpusAvailable, corpusFiles, PROJECT_ROOT } from './support/corpus.js';
import { CLI_BUILT, ORACLE_ARGS, runCli, toolsAvailable } from './support/run.js';
import { capinfos, tsharkFrames, tupleKey, tupleTotals } from './support/tshark.js';
import { KNOWN_DIFFERENCES } from './support/tshark-known-differences.js';

interface AnalyzeOutput {
  flows: FlowRecord[];
  warnings: { code: string; message: string }[];
  summary: { packets: number; bytes: number };
}

interface Totals {
  packets: number;
  frameBytes: number;
  bytes: number;
  /** Our flows / tshark's streams for the tuple (compared for TCP only: udp.stream never splits). */
  connections: number;
}

function ourTotals(flows: FlowRecord[]): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const f of flows) {
    if (f.protocol !== 6 && f.protocol !== 17) continue;
    const key = tupleKey(f.protocol, f.srcIp, f.srcPort, f.dstIp, f.dstPort);
    const t = totals.get(key) ?? { packets: 0, frameBytes: 0, bytes: 0, connections: 0 };
    t.connections++;
    t.packets += f.packets;
    t.frameBytes += f.frameBytes;
    t.bytes += f.bytes;
    totals.set(key, t);
  }
  return totals;
}

const show = (t: Totals | undefined) =>
  t === undefined ? 'none' : `${t.packets}/${t.frameBytes}/${t.bytes}`;

/**
 * One line per 5-tuple whose packets/frameBytes/bytes differ (`KEY: ours P/F/B, tshark P/F/B`),
 * and per TCP 5-tuple on both sides whose flow count differs from tshark's tcp.stream count
 * (`KEY: connections ours N, tshark M`): with idle timeouts out of the way, we split a TCP
 * 5-tuple where tshark does (a new SYN), and also by VLAN and for packets after a closed
 * connection's grace.
 */
function compare(ours: Map<string, Totals>, theirs: Map<string, Totals>): string[] {
  const lines: string[] = [];
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(key);
    const b = theirs.get(key);
    if (show(a) !== show(b)) lines.push(`${key}: ours ${show(a)}, tshark ${show(b)}`);
    if (key.startsWith('6 ') && a && b && a.connections !== b.connections) {
      lines.push(`${key}: connections ours ${a.connections}, tshark ${b.connections}`);
    }
  }
  return lines.sort();
}

/** What the oracle found for one file; exported shape kept small for the failure message. */
async function check(file: string) {
  const [info, tshark, cli] = await Promise.all([
    capinfos(file),
    tsharkFrames(file),
    runCli(['analyze', file, ...ORACLE_ARGS]),
  ]);
  expect(cli.code, `flowlens failed: ${cli.stderr}`).toBe(0);
  const output = JSON.parse(cli.stdout) as AnalyzeOutput;
  const frameBytes = tshark.rows.reduce((n, row) => n + Number(row['frame.len'][0]), 0);
  return {
    tsharkPackets: tshark.rows.length,
    capinfos: { packets: info.packets, bytes: info.dataBytes ?? frameBytes },
    summary: { packets: output.summary.packets, bytes: output.summary.bytes },
    differences: compare(
      ourTotals(output.flows),
      new Map([...tupleTotals(tshark.rows)].map(([key, t]) => [key, { ...t, connections: t.streams.size }])),
    ),
  };
}

const tools = toolsAvailable(['tshark', 'capinfos']);
const fixtures = [
  'tcp-handshake-and-close.pcap',
  'tcp-handshake-and-close-be-nsec.pcap',
  'tcp-handshake-and-close.pcapng',
  'tcp-handshake-and-close.pcap.gz',
  'truncated.pcap',
  'udp-dns-ipv6.pcap',
  'vlan-qinq.pcap',
  'ipv4-fragments.pcap',
  'port-reuse.pcap',
  'long-flow-active-timeout.pcap',
  'tunnels.pcap',
  'empty.pcap',
];

describe.skipIf(!tools)('flowlens analyze against tshark and capinfos', () => {
  it('has a built CLI (npm run build)', () => {
    expect(existsSync(CLI_BUILT), `${CLI_BUILT} missing: run npm run build`).toBe(true);
  });

  const cases = [
    ...fixtures.map((name) => ({
      name: `fixtures/${name}`,
      file: path.join(PROJECT_ROOT, 'test', 'fixtures', name),
    })),
    ...corpusFiles().map((name) => ({ name, file: path.join(CORPUS_DIR, name) })),
  ];
  if (!corpusAvailable) console.warn('[flowlens tests] oracle runs on the synthetic fixtures only');

  describe.concurrent.each(cases)('$name', ({ name, file }) => {
    it('matches capinfos totals and tshark conversations', async ({ expect }) => {
      const result = await check(file);
      expect(result.tsharkPackets, 'tshark and capinfos read the same frames').toBe(result.capinfos.packets);
      const known = KNOWN_DIFFERENCES[name];
      const why = `known difference: ${known?.reasons.join('; ')}`;
      if (known?.summary === undefined) {
        expect(result.summary, 'summary.packets and summary.bytes').toEqual(result.capinfos);
      } else {
        expect({ ours: result.summary, capinfos: result.capinfos }, why).toEqual(known.summary);
      }
      expect(result.differences, known === undefined ? 'per 5-tuple' : why).toEqual(known?.lines ?? []);
    });
  });
});
