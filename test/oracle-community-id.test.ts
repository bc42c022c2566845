/**
 * Community IDs against tshark's own `communityid` dissector, on corpus captures without
 * tunnels (tshark hashes the outer packet of a tunnel, we key flows by the inner one): every
 * TCP/UDP/ICMP frame's Community ID must be the Community ID of one of our flows, and each of
 * our flows' IDs must be one tshark printed.
 *
 * One reviewed exception: for an ICMP error, tshark's dissector takes the ICMP type of the
 * packet quoted inside it (the last `icmp.type` in the frame) with the outer addresses; we
 * follow the specification and use the outer ICMP type (docs/differences-from-tshark.md).
 */
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../src/model/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { ORACLE_ARGS, run, runCli, toolsAvailable } from './support/run.js';

const FILES = [
  'http_get_google.pcapng',
  'tls12_sni_chrome.pcap',
  'dns_nxdomain.pcapng',
  'dns_over_tcp.pcapng',
  'icmpv6_neighbor_solicitation.pcapng',
  'icmp_traceroute.pcapng',
  'atk_nmap_syn_scan.pcapng',
  'bulk_mixed_apps_1kxun.pcap',
  'fmt_gzip_loopback_echo_82k.pcap.gz',
];

/** Community IDs tshark gives frames whose first ICMP type is an error quoting another ICMP packet. */
const QUOTED_ICMP: Record<string, string[]> = {
  'icmp_traceroute.pcapng': ['1:XYE2kWDacXhJOY7UbtogmXPuTiw='],
};

const ready = corpusAvailable && toolsAvailable(['tshark']);

describe.skipIf(!ready)('Community ID against tshark', () => {
  it.each(FILES)('%s', async (name) => {
    const file = corpusPath(name);
    const [tshark, cli] = await Promise.all([
      run('tshark', [
        '-n',
        '-r',
        file,
        '--enable-protocol',
        'communityid',
        '-T',
        'fields',
        '-e',
        'communityid',
      ]),
      runCli(['analyze', file, ...ORACLE_ARGS]),
    ]);
    expect(tshark.code, tshark.stderr).toBe(0);
    expect(cli.code, cli.stderr).toBe(0);
    const theirs = new Set(tshark.stdout.split('\n').filter((id) => id.startsWith('1:')));
    const flows = (JSON.parse(cli.stdout) as { flows: FlowRecord[] }).flows;
    const ours = new Set(flows.filter((f) => [1, 6, 17, 58].includes(f.protocol)).map((f) => f.communityId));
    const exceptions = QUOTED_ICMP[name] ?? [];
    expect(theirs.size).toBeGreaterThan(0);
    expect([...theirs].filter((id) => !ours.has(id)).sort()).toEqual([...exceptions].sort());
    const missing = [...ours].filter((id) => !theirs.has(id));
    expect(missing.length).toBe(exceptions.length);
  });
});
