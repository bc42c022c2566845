/**
 * Protocol hierarchy versus `tshark -q -z io,phs` on the real captures.
 *
 * Compared: every node whose whole path is made of the layers we name as tshark does — eth, sll,
 * raw, null, ppp, vlan, mpls, pppoes, ip, ipv6, gre, vxlan, tcp, udp, icmp, icmpv6, arp — in
 * both directions (a node tshark has must be ours, and ours must be tshark's). Tolerance: none,
 * frames and bytes exact. Not compared: application layers (we name them by payload signature or
 * well-known port, tshark by full dissection and only on frames that start a PDU), layers tshark
 * shows inside ICMP errors, and the captures in KNOWN, each explained in docs/report.md.
 */
import { describe, expect, it } from 'vitest';
import { createHierarchyAnalyzer, resolveLinkLayer } from '../src/analyze/hierarchy/index.js';
import type { ProtocolHierarchy, ProtocolHierarchyNode } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';
import { run, toolsAvailable } from './support/run.js';

const COMPARED = new Set([
  'eth',
  'sll',
  'raw',
  'null',
  'ppp',
  'vlan',
  'mpls',
  'pppoes',
  'ip',
  'ipv6',
  'gre',
  'vxlan',
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'arp',
]);

/**
 * Captures whose layers differ from tshark's for a documented reason (docs/report.md); only their
 * link-layer roots are compared.
 */
const KNOWN: Record<string, string> = {
  'atk_dns_amp_rrsig_fragmented.pcap':
    'fragments that arrive before their first fragment never reach analyzers',
  'ip_v6_fragmented_dns.pcap': 'fragments that arrive before their first fragment never reach analyzers',
  'bad_fuzzed_be_mixed.pcap':
    'malformed IP headers: tshark counts the layers it dissected, we count the link only',
  'bad_ip4_header_trunc.pcap':
    'malformed IP headers: tshark counts the layers it dissected, we count the link only',
  'bad_corrupt_record_length.pcap': 'damaged file: tshark shows the frame before the damage as eth/data',
};

type Counts = Map<string, { frames: number; bytes: number }>;

/** Path → counts, for paths made only of COMPARED layers, not below an ICMP layer. */
function comparable(entries: [string[], number, number][]): Counts {
  const out: Counts = new Map();
  for (const [path, frames, bytes] of entries) {
    if (!path.every((p) => COMPARED.has(p))) continue;
    if (path.slice(0, -1).some((p) => p === 'icmp' || p === 'icmpv6')) continue;
    out.set(path.join('/'), { frames, bytes });
  }
  return out;
}

function ours(hierarchy: ProtocolHierarchy): Counts {
  const entries: [string[], number, number][] = [];
  const walk = (node: ProtocolHierarchyNode, path: string[]) => {
    const here = [...path, node.protocol];
    entries.push([here, node.frames, node.bytes]);
    for (const child of node.children) walk(child, here);
  };
  for (const root of hierarchy.roots) walk(root, []);
  return comparable(entries);
}

async function tsharks(file: string): Promise<Counts> {
  // tshark exits 2 on a damaged file after printing the statistics of the frames before the damage.
  const { stdout, stderr } = await run('tshark', ['-n', '-r', file, '-q', '-z', 'io,phs']);
  expect(stdout, stderr).toContain('Protocol Hierarchy Statistics');
  const totals = new Map<string, [string[], number, number]>();
  const stack: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^( *)(\S+)\s+frames:(\d+) bytes:(\d+)/.exec(line);
    if (m === null) continue;
    stack.length = m[1].length / 2;
    stack.push(m[2]);
    // Frames with a pcapng comment sit under a 'pkt_comment' root in tshark: put them back.
    const path = stack[0] === 'pkt_comment' ? stack.slice(1) : [...stack];
    if (path.length === 0) continue;
    const key = path.join('/');
    const before = totals.get(key);
    totals.set(key, [path, Number(m[3]) + (before?.[1] ?? 0), Number(m[4]) + (before?.[2] ?? 0)]);
  }
  return comparable([...totals.values()]);
}

async function hierarchyOf(file: string): Promise<ProtocolHierarchy> {
  const { summary, analysis } = await analyzeCaptures({
    files: [file],
    analyzers: [createHierarchyAnalyzer()],
    onFlow() {},
  });
  return resolveLinkLayer(analysis.protocolHierarchy as ProtocolHierarchy, summary);
}

const FILES = corpusFiles((name) => !name.endsWith('.gz'));
const ready = corpusAvailable && toolsAvailable(['tshark']);

describe.skipIf(!ready)('protocol hierarchy versus tshark io,phs', () => {
  it.each(FILES)('%s', async (name) => {
    const file = corpusPath(name);
    const [mine, theirs] = await Promise.all([hierarchyOf(file), tsharks(file)]);
    let expected = Object.fromEntries(theirs);
    let actual = Object.fromEntries(ours(mine));
    if (KNOWN[name] !== undefined) {
      const roots = <T>(counts: Record<string, T>) =>
        Object.fromEntries(Object.entries(counts).filter(([path]) => !path.includes('/')));
      expected = roots(expected);
      actual = roots(actual);
    }
    expect(actual).toEqual(expected);
  });

  it('totals equal the run summary', async () => {
    const h = await hierarchyOf(corpusPath('encap_qinq_bacnet.pcap'));
    expect(h.frames).toBe(h.roots.reduce((sum, r) => sum + r.frames, 0));
  });
});
