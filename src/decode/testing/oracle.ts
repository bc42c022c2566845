/**
 * Test-only oracle: what tshark says about the innermost IP packet of every frame of a capture,
 * reduced to the fields `DecodedPacket` carries. "Innermost" stops at ICMP, whose error messages
 * quote an IP header that is not the packet's own.
 */
import { spawnSync } from 'node:child_process';

export interface OracleFrame {
  index: number;
  protocols: string[];
  /** 0 when tshark found no IP layer. */
  ipVersion: number;
  src: string;
  dst: string;
  /** Upper-layer protocol when tshark names it (tcp/udp/icmp/icmpv6/gre/sctp), else -1. */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** -1 when tshark shows none. */
  vlanId: number;
  ipBytes: number;
  /** Tunnel names tshark saw before the innermost IP layer ('ipip' for IP directly in IP). */
  tunnels: string[];
  /** Addresses of the outermost IP layer and the outermost tunnel's id, when tunnelled. */
  outerSrc: string;
  outerDst: string;
  tunnelId: number;
  tcpFlags: number;
}

const FIELDS = [
  'frame.number',
  'frame.encap_type',
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ip.len',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.plen',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'sctp.srcport',
  'sctp.dstport',
  'vlan.id',
  'tcp.flags',
  'vxlan.vni',
  'geneve.vni',
  'gre.key',
  'gre.key.call_id',
] as const;

const TRANSPORTS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, gre: 47, sctp: 132 };
const TUNNEL_TOKENS = new Set(['gre', 'vxlan', 'geneve', 'teredo']);

export function tsharkFrames(file: string): OracleFrame[] {
  // tshark exits non-zero on damaged files after printing what it could read: keep that.
  const text = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=|',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] },
  ).stdout;
  const frames: OracleFrame[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const get = (name: (typeof FIELDS)[number]): string[] => {
      const value = cols[FIELDS.indexOf(name)] ?? '';
      return value === '' ? [] : value.split('|');
    };
    // pcapng blocks that are not packets (custom blocks) show up as frames without encapsulation.
    if (get('frame.encap_type').length === 0) continue;
    frames.push(reduce(get));
  }
  return frames;
}

function reduce(get: (name: (typeof FIELDS)[number]) => string[]): OracleFrame {
  const protocols = get('frame.protocols')[0]?.split(':') ?? [];
  const frame: OracleFrame = {
    index: Number(get('frame.number')[0]),
    protocols,
    ipVersion: 0,
    src: '',
    dst: '',
    protocol: -1,
    srcPort: 0,
    dstPort: 0,
    vlanId: get('vlan.id').length > 0 ? Number(get('vlan.id')[0]) : -1,
    ipBytes: 0,
    tunnels: [],
    outerSrc: '',
    outerDst: '',
    tunnelId: 0,
    tcpFlags: 0,
  };
  // Find the innermost IP layer before any ICMP.
  let ip4 = 0;
  let ip6 = 0;
  let inner = -1;
  const counts: Record<string, number> = {};
  for (let i = 0; i < protocols.length; i++) {
    const p = protocols[i];
    if (p === 'icmp' || p === 'icmpv6') break;
    // After a transport header only a tunnel leads to another IP layer (sFlow samples do not).
    if ((p === 'udp' || p === 'tcp' || p === 'sctp') && !TUNNEL_TOKENS.has(protocols[i + 1] ?? '')) break;
    if (p === 'ip') ip4++;
    if (p === 'ipv6') ip6++;
    if (p === 'ip' || p === 'ipv6') inner = i;
  }
  if (inner < 0) return frame;
  for (let i = 0; i < inner; i++) {
    const p = protocols[i];
    if (TUNNEL_TOKENS.has(p)) frame.tunnels.push(p);
    // IP-in-IP shows as an IP layer followed (after IPv6 extension headers) by another.
    if (p === 'ip' || p === 'ipv6') {
      let j = i + 1;
      while (protocols[j]?.startsWith('ipv6.')) j++;
      if (protocols[j] === 'ip' || protocols[j] === 'ipv6') frame.tunnels.push('ipip');
    }
  }
  if (frame.tunnels.length > 0) {
    const outer = protocols.findIndex((p) => p === 'ip' || p === 'ipv6');
    frame.outerSrc = get(protocols[outer] === 'ip' ? 'ip.src' : 'ipv6.src')[0] ?? '';
    frame.outerDst = get(protocols[outer] === 'ip' ? 'ip.dst' : 'ipv6.dst')[0] ?? '';
    const id = { vxlan: 'vxlan.vni', geneve: 'geneve.vni', gre: 'gre.key' } as const;
    const name = frame.tunnels[0] as keyof typeof id;
    frame.tunnelId = Number(get(id[name] ?? 'gre.key.call_id')[0] ?? get('gre.key.call_id')[0] ?? 0);
  }
  if (protocols[inner] === 'ip') {
    frame.ipVersion = 4;
    frame.src = get('ip.src')[ip4 - 1] ?? '';
    frame.dst = get('ip.dst')[ip4 - 1] ?? '';
    frame.ipBytes = Number(get('ip.len')[ip4 - 1] ?? 0);
  } else {
    frame.ipVersion = 6;
    frame.src = get('ipv6.src')[ip6 - 1] ?? '';
    frame.dst = get('ipv6.dst')[ip6 - 1] ?? '';
    frame.ipBytes = Number(get('ipv6.plen')[ip6 - 1] ?? 0) + 40;
  }
  for (let i = 0; i < inner; i++) counts[protocols[i]] = (counts[protocols[i]] ?? 0) + 1;
  let t = inner + 1;
  while (t < protocols.length && protocols[t].startsWith('ipv6.')) t++;
  const transport = protocols[t];
  if (transport === undefined || TRANSPORTS[transport] === undefined) return frame;
  frame.protocol = TRANSPORTS[transport];
  const n = counts[transport] ?? 0;
  const pick = (name: (typeof FIELDS)[number]): number => Number(get(name)[n] ?? 0);
  if (transport === 'tcp' || transport === 'udp' || transport === 'sctp') {
    frame.srcPort = pick(`${transport}.srcport` as (typeof FIELDS)[number]);
    frame.dstPort = pick(`${transport}.dstport` as (typeof FIELDS)[number]);
    if (transport === 'tcp') frame.tcpFlags = Number(get('tcp.flags')[n] ?? 0) & 0xff;
  } else if (transport === 'icmp' || transport === 'icmpv6') {
    frame.srcPort = pick(`${transport}.type` as (typeof FIELDS)[number]);
    frame.dstPort = pick(`${transport}.code` as (typeof FIELDS)[number]);
  }
  return frame;
}

/** RFC 5952 text of an address, the way tshark prints it. */
export function formatAddress(data: Uint8Array, offset: number, version: number): string {
  if (version === 4) return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((data[offset + i] << 8) | data[offset + i + 1]).toString(16));
  return normalizeIpv6(groups.join(':'));
}

export function normalizeIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}
