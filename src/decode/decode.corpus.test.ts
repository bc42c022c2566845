/**
 * Every corpus capture decodes without an exception and agrees with tshark on the innermost IP
 * packet (addresses, protocol, ports, ICMP type/code, VLAN, wire length, tunnel). Intended
 * differences are listed in DEVIATIONS with the reason.
 */
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusFiles, corpusPath } from '../../test/support/corpus.js';
import { createDecodedPacket, type DecodedPacket, PACKET_KIND, TUNNEL_NAMES } from '../model/packet.js';
import { decodeFrame } from './index.js';
import { checkInvariants } from './testing/invariants.js';
import { formatAddress, normalizeIpv6, type OracleFrame, tsharkFrames } from './testing/oracle.js';
import { readFrames } from './testing/test-support.js';

interface Decoded {
  kind: number;
  label: string;
  ipVersion: number;
  src: string;
  dst: string;
  protocol: number;
  srcPort: number;
  dstPort: number;
  hasPorts: boolean;
  vlanId: number;
  ipBytes: number;
  tunnel: string;
  tunnelId: number;
  outerSrc: string;
  outerDst: string;
  tcpFlags: number;
  fragmentOffset: number;
  errorCode: string;
}

function snapshot(p: DecodedPacket): Decoded {
  const ip = p.kind === PACKET_KIND.IP;
  return {
    kind: p.kind,
    label: p.nonIpProtocol,
    ipVersion: p.ipVersion,
    src: ip ? formatAddress(p.data, p.srcAddrOffset, p.ipVersion) : '',
    dst: ip ? formatAddress(p.data, p.dstAddrOffset, p.ipVersion) : '',
    protocol: p.protocol,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    hasPorts: p.hasPorts,
    vlanId: p.vlanId,
    ipBytes: p.ipBytes,
    tunnel: TUNNEL_NAMES[p.tunnel],
    tunnelId: p.tunnelId,
    outerSrc: p.tunnel !== 0 ? formatAddress(p.data, p.outerSrcAddrOffset, p.outerIpVersion) : '',
    outerDst: p.tunnel !== 0 ? formatAddress(p.data, p.outerDstAddrOffset, p.outerIpVersion) : '',
    tcpFlags: p.tcpFlags,
    fragmentOffset: p.fragmentOffset,
    errorCode: p.errorCode,
  };
}

async function decodeFile(file: string): Promise<Decoded[]> {
  const out = createDecodedPacket();
  const result: Decoded[] = [];
  await readFrames(file, (frame) => {
    decodeFrame(frame, out);
    checkInvariants(frame, out);
    result.push(snapshot(out));
  });
  return result;
}

/**
 * Frames where we differ from tshark on purpose: file → frame numbers → reason.
 */
const DEVIATIONS: Record<string, Record<number, string>> = {
  'bad_fuzzed_be_mixed.pcap': {
    669: 'ethertype IPv4 with a version-6 header: tshark decodes it as IPv6, we report IP_BAD_HEADER',
  },
};

/**
 * Damaged files where tshark guesses another pcap variant (24-byte record headers) and so sees
 * other frame boundaries: only the no-exception and invariant checks apply.
 */
const DAMAGED = new Set(['bad_corrupt_record_length.pcap']);

function compare(ours: Decoded, theirs: OracleFrame): string[] {
  const problems: string[] = [];
  const want = (what: string, a: unknown, b: unknown) => {
    if (a !== b) problems.push(`${what}: ours ${String(a)} tshark ${String(b)}`);
  };
  if (theirs.ipVersion !== 0 && theirs.src === '') {
    // tshark names the IP layer but could not read its addresses (cut short or malformed).
    want('kind', ours.kind, PACKET_KIND.UNDECODABLE);
    if (!ours.errorCode.startsWith('FLOWLENS_ERR_IP_')) problems.push(`error: ${ours.errorCode}`);
    return problems;
  }
  want('ip version', ours.ipVersion, theirs.ipVersion);
  if (theirs.ipVersion === 0) return problems;
  want('src', ours.src, theirs.ipVersion === 6 ? normalizeIpv6(theirs.src) : theirs.src);
  want('dst', ours.dst, theirs.ipVersion === 6 ? normalizeIpv6(theirs.dst) : theirs.dst);
  want('ip bytes', ours.ipBytes, theirs.ipBytes);
  want('tunnel', ours.tunnel, tunnelName(theirs));
  if (theirs.tunnels.length > 0) {
    const ipv6 = theirs.outerSrc.includes(':');
    want('outer src', ours.outerSrc, ipv6 ? normalizeIpv6(theirs.outerSrc) : theirs.outerSrc);
    want('outer dst', ours.outerDst, ipv6 ? normalizeIpv6(theirs.outerDst) : theirs.outerDst);
    want('tunnel id', ours.tunnelId, theirs.tunnelId);
  }
  if (theirs.protocol >= 0) {
    want('protocol', ours.protocol, theirs.protocol);
    // tshark reassembles fragments and shows the datagram's ports on a non-first fragment.
    if (theirs.protocol !== 47 && ours.fragmentOffset === 0) {
      want('src port', ours.srcPort, theirs.srcPort);
      want('dst port', ours.dstPort, theirs.dstPort);
    }
    if (theirs.protocol === 6 && ours.hasPorts && ours.errorCode === '')
      want('tcp flags', ours.tcpFlags, theirs.tcpFlags);
  }
  if (theirs.vlanId >= 0) want('vlan', ours.vlanId, theirs.vlanId);
  return problems;
}

function tunnelName(frame: OracleFrame): string {
  return frame.tunnels[0] ?? '';
}

const files = corpusFiles((name) => name !== 'fmt_empty_header_only.pcap');

describe.skipIf(!corpusAvailable)('decodeFrame on the corpus, against tshark', () => {
  it.each(files)('%s', async (name) => {
    const path = corpusPath(name);
    const ours = await decodeFile(path);
    const theirs = tsharkFrames(path);
    if (DAMAGED.has(name)) return;
    expect(ours.length).toBe(theirs.length);
    const deviations = DEVIATIONS[name] ?? {};
    const failures: string[] = [];
    for (let i = 0; i < ours.length; i++) {
      const problems = compare(ours[i], theirs[i]);
      const expected = deviations[i + 1];
      if (problems.length > 0 && expected === undefined) {
        failures.push(`frame ${i + 1} [${theirs[i].protocols.join(':')}]: ${problems.join('; ')}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

describe.skipIf(!corpusAvailable)('decodeFrame on damaged and special corpus files', () => {
  async function decodeAll(name: string): Promise<Decoded[]> {
    return decodeFile(corpusPath(name));
  }

  it('reports a cut IPv4 header as UNDECODABLE IP_TRUNCATED', async () => {
    const [p] = await decodeAll('bad_ip4_header_trunc.pcap');
    expect([p.kind, p.errorCode]).toEqual([PACKET_KIND.UNDECODABLE, 'FLOWLENS_ERR_IP_TRUNCATED']);
  });

  it('reports a one-byte raw IP frame as UNDECODABLE', async () => {
    const [p] = await decodeAll('bad_snaplen1_rawip.pcap');
    expect(p.kind).toBe(PACKET_KIND.UNDECODABLE);
    expect(p.errorCode).toMatch(/^FLOWLENS_ERR_IP_/);
  });

  it('keeps snap-length-cut QUIC packets as full IPv6/UDP with their wire length', async () => {
    const packets = await decodeAll('bad_snaplen256_quic.pcap');
    expect(packets.every((p) => p.kind === PACKET_KIND.IP && p.hasPorts && p.errorCode === '')).toBe(true);
    expect(Math.max(...packets.map((p) => p.ipBytes))).toBeGreaterThan(256);
  });

  it('decodes fuzzed frames into all three kinds without an exception', async () => {
    const kinds = new Set((await decodeAll('bad_fuzzed_be_mixed.pcap')).map((p) => p.kind));
    expect([...kinds].sort()).toEqual([PACKET_KIND.IP, PACKET_KIND.NON_IP, PACKET_KIND.UNDECODABLE]);
  });

  it('keeps PPTP GRE carrying LCP as the outer GRE packet (protocol 47, no tunnel)', async () => {
    const gre = (await decodeAll('fmt_pcap_be_pptp_gre.pcap')).filter((p) => p.protocol === 47);
    expect(gre.map((p) => [p.kind, p.tunnel, p.hasPorts, p.errorCode])).toEqual([
      [PACKET_KIND.IP, '', false, ''],
    ]);
  });

  it('names 802.11 management, EAPOL and protected frames', async () => {
    const labels = (await decodeAll('lt_radiotap_wpa_eapol.pcapng')).map((p) => p.label);
    expect(new Set(labels)).toEqual(new Set(['ieee802_11_mgmt', 'eapol', 'ieee802_11_protected']));
  });
});
