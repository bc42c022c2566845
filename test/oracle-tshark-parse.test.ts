/**
 * Checks the tshark side of the oracle (test/support/tshark.ts) on captures whose conversations
 * were counted by hand from `tshark -V`: ICMP errors quoting UDP, tunnels, IPv6 fragments.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { toolsAvailable } from './support/run.js';
import { capinfos, normalizeIp, tsharkFrames, tupleKey, tupleTotals } from './support/tshark.js';

const tools = toolsAvailable(['tshark', 'capinfos']);
const fixture = (name: string) => path.join(PROJECT_ROOT, 'test', 'fixtures', name);

function plain(totals: Awaited<ReturnType<typeof tupleTotals>>) {
  return Object.fromEntries(
    [...totals].map(([key, t]) => [
      key,
      { packets: t.packets, frameBytes: t.frameBytes, bytes: t.bytes, streams: [...t.streams] },
    ]),
  );
}

describe('tuple keys', () => {
  it('spell addresses one way and ignore direction', () => {
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(tupleKey(6, '10.0.0.2', 80, '10.0.0.1', 40000)).toBe(
      tupleKey(6, '10.0.0.1', 40000, '10.0.0.2', 80),
    );
  });
});

describe.skipIf(!tools)('tshark conversations per 5-tuple', () => {
  it('tunnels.pcap fixture: GRE and VXLAN by inner tuple, ICMP error outside the UDP stream', async () => {
    const { rows } = await tsharkFrames(fixture('tunnels.pcap'));
    expect(plain(tupleTotals(rows))).toEqual({
      [tupleKey(6, '10.10.0.1', 1234, '10.10.0.2', 80)]: {
        packets: 3,
        frameBytes: 234,
        bytes: 120,
        streams: [0],
      },
      [tupleKey(17, '172.16.0.1', 5353, '172.16.0.2', 53)]: {
        packets: 2,
        frameBytes: 121 + 137,
        bytes: 57 + 73,
        streams: [1],
      },
      [tupleKey(17, '10.3.0.1', 40000, '10.3.0.2', 161)]: {
        packets: 1,
        frameBytes: 54,
        bytes: 40,
        streams: [3],
      },
    });
  });

  it('ipv4-fragments.pcap fixture: every fragment counts in the datagram’s stream', async () => {
    const { rows } = await tsharkFrames(fixture('ipv4-fragments.pcap'));
    expect(plain(tupleTotals(rows))).toEqual({
      [tupleKey(17, '10.1.1.1', 7000, '10.1.1.2', 7001)]: {
        packets: 4,
        frameBytes: 1514 + 1514 + 82 + 52,
        bytes: 1500 + 1500 + 68 + 38,
        streams: [0],
      },
    });
  });

  it('truncated.pcap fixture: capinfos and tshark stop at the cut record', async () => {
    const info = await capinfos(fixture('truncated.pcap'));
    expect(info.packets).toBe(9);
    expect(info.dataBytes).toBe(940 - 54);
    expect(info.error).toMatch(/cut short/);
    const { rows, error } = await tsharkFrames(fixture('truncated.pcap'));
    expect(rows).toHaveLength(9);
    expect(error).toMatch(/cut short/);
  });

  it.skipIf(!corpusAvailable)(
    'encap_gre_ipv4_mixed.pcap: ICMP errors quoting DNS leave udp.stream 1',
    async () => {
      const { rows } = await tsharkFrames(corpusPath('encap_gre_ipv4_mixed.pcap'));
      const dns = tupleTotals(rows).get(tupleKey(17, '66.59.111.190', 37675, '172.28.2.3', 53));
      // Frames 33 and 35 (99 bytes, inner IP 61); frames 34 and 36 are ICMP errors in the same stream.
      expect(dns).toEqual({ packets: 2, frameBytes: 198, bytes: 122, streams: new Set([1]) });
    },
  );

  it.skipIf(!corpusAvailable)('encap_vxlan_http.pcap: the inner TCP conversation', async () => {
    const { rows } = await tsharkFrames(corpusPath('encap_vxlan_http.pcap'));
    const totals = tupleTotals(rows);
    expect([...totals.keys()]).toEqual([tupleKey(6, '172.16.11.201', 40354, '54.86.237.188', 80)]);
    expect(totals.get(tupleKey(6, '172.16.11.201', 40354, '54.86.237.188', 80))).toEqual({
      packets: 12,
      frameBytes: 10707,
      bytes: 9939,
      streams: new Set([0]),
    });
  });

  it.skipIf(!corpusAvailable)(
    'ip_v6_fragmented_dns.pcap: fragments 6 and 7 join frame 8; lone 4 does not',
    async () => {
      const { rows } = await tsharkFrames(corpusPath('ip_v6_fragmented_dns.pcap'));
      const second = tupleTotals(rows).get(
        tupleKey(17, '2001:470:1f11:81f:d138:5f55:6d4:1fe2', 51851, '2607:f740:b::f93', 53),
      );
      expect(second).toEqual({
        packets: 5,
        frameBytes: 136 + 136 + 1494 + 1494 + 436,
        bytes: 122 + 122 + 1480 + 1480 + 422,
        streams: new Set([1]),
      });
    },
  );
});
