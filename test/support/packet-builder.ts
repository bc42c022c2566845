/**
 * Crafts packet bytes for synthetic captures: Ethernet (with 802.1Q/802.1ad tags), IPv4, IPv6
 * (with extension headers), TCP, UDP, ICMP/ICMPv6, GRE and VXLAN.
 *
 * Contract: every length field (IPv4 total length, IPv6 payload length, UDP length, GRE/VXLAN
 * framing) is computed from the bytes actually built, so each layer is consistent with what
 * it carries. Checksums are correct: the IPv4 header's, and those of TCP, UDP, ICMP and ICMPv6
 * when `ipv4`/`ipv6` wrap an unfragmented segment (`ipv4Fragments` checksums the whole datagram
 * before splitting it). Each builder returns a fresh `Uint8Array`; layers nest by passing the
 * inner bytes as `payload`.
 */

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, IPV6: 0x86dd } as const;
export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, IPV6_FRAGMENT: 44, GRE: 47, ICMPV6: 58 } as const;
export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
export const VXLAN_PORT = 4789;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` bytes of deterministic filler (0, 1, 2, … mod 256, shifted by `seed`). */
export function filler(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) & 0xff;
  return out;
}

function parseMac(mac: string): number[] {
  return mac.split(':').map((h) => Number.parseInt(h, 16));
}

function parseIpv4(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`bad IPv4 ${ip}`);
  return parts;
}

/** Parses an IPv6 address written with at most one `::` and no embedded IPv4. */
function parseIpv6(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${ip}`);
  return groups.flatMap((g) => {
    const v = Number.parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

function u16(view: DataView, at: number, value: number): void {
  view.setUint16(at, value);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** RFC 1071 one's-complement sum of 16-bit words, folded, not inverted. */
function onesSum(bytes: Uint8Array | number[], start = 0): number {
  let sum = start;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Offset of the checksum field in a transport header, or -1 for protocols without one here. */
function checksumOffset(protocol: number): number {
  if (protocol === PROTO.TCP) return 16;
  if (protocol === PROTO.UDP) return 6;
  if (protocol === PROTO.ICMP || protocol === PROTO.ICMPV6) return 2;
  return -1;
}

/**
 * A copy of `segment` with its checksum set; `pseudo` is the pseudo-header (RFC 9293 §3.1,
 * RFC 768, RFC 8200 §8.1) or empty for ICMPv4, which has none (RFC 792).
 */
function withChecksum(segment: Uint8Array, protocol: number, pseudo: number[]): Uint8Array {
  const at = checksumOffset(protocol);
  if (at < 0 || segment.length < at + 2) return segment;
  const out = Uint8Array.from(segment);
  out[at] = 0;
  out[at + 1] = 0;
  let sum = ~onesSum(out, onesSum(pseudo)) & 0xffff;
  if (sum === 0 && protocol === PROTO.UDP) sum = 0xffff;
  viewOf(out).setUint16(at, sum);
  return out;
}

function pseudoHeader(src: number[], dst: number[], protocol: number, length: number): number[] {
  if (protocol === PROTO.ICMP) return [];
  if (src.length === 4) return [...src, ...dst, 0, protocol, length >> 8, length & 0xff];
  return [...src, ...dst, 0, 0, length >> 8, length & 0xff, 0, 0, 0, protocol];
}

export interface VlanTag {
  /** 0x8100 (802.1Q, the default) or 0x88a8 (802.1ad service tag). */
  tpid?: number;
  id: number;
  pcp?: number;
}

export interface EthernetOptions {
  src?: string;
  dst?: string;
  /** Outermost first. */
  vlans?: VlanTag[];
  etherType: number;
  payload: Uint8Array;
}

export function ethernet(o: EthernetOptions): Uint8Array {
  const tags = o.vlans ?? [];
  const header = new Uint8Array(14 + 4 * tags.length);
  const view = viewOf(header);
  header.set(parseMac(o.dst ?? '02:00:00:00:00:02'), 0);
  header.set(parseMac(o.src ?? '02:00:00:00:00:01'), 6);
  let at = 12;
  for (const tag of tags) {
    u16(view, at, tag.tpid ?? ETHERTYPE.VLAN);
    u16(view, at + 2, ((tag.pcp ?? 0) << 13) | (tag.id & 0x0fff));
    at += 4;
  }
  u16(view, at, o.etherType);
  return concat(header, o.payload);
}

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  id?: number;
  ttl?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
}

/** RFC 791 §3.1; header of 20 bytes (no options). */
export function ipv4(o: Ipv4Options): Uint8Array {
  const header = new Uint8Array(20);
  const view = viewOf(header);
  header[0] = 0x45;
  u16(view, 2, 20 + o.payload.length);
  u16(view, 4, o.id ?? 0);
  const offset = o.fragmentOffset ?? 0;
  if (offset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
  u16(view, 6, (o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0) | (offset / 8));
  header[8] = o.ttl ?? 64;
  header[9] = o.protocol;
  const src = parseIpv4(o.src);
  const dst = parseIpv4(o.dst);
  header.set(src, 12);
  header.set(dst, 16);
  u16(view, 10, ~onesSum(header) & 0xffff);
  const whole = !o.moreFragments && offset === 0;
  const payload = whole
    ? withChecksum(o.payload, o.protocol, pseudoHeader(src, dst, o.protocol, o.payload.length))
    : o.payload;
  return concat(header, payload);
}

/**
 * Splits an IPv4 datagram's payload (transport header included) into fragments whose payloads
 * hold at most `maxPayload` bytes (rounded down to a multiple of 8), in offset order.
 */
export function ipv4Fragments(o: Omit<Ipv4Options, 'moreFragments' | 'fragmentOffset'>, maxPayload: number) {
  const step = maxPayload - (maxPayload % 8);
  const pseudo = pseudoHeader(parseIpv4(o.src), parseIpv4(o.dst), o.protocol, o.payload.length);
  const datagram = withChecksum(o.payload, o.protocol, pseudo);
  const out: Uint8Array[] = [];
  for (let at = 0; at < datagram.length; at += step) {
    const last = at + step >= datagram.length;
    const payload = datagram.subarray(at, at + step);
    out.push(ipv4({ ...o, payload, moreFragments: !last, fragmentOffset: at }));
  }
  return out;
}

export interface Ipv6ExtensionHeader {
  /** Extension header type as a Next Header value (0 hop-by-hop, 43 routing, 44 fragment, 60 dest). */
  type: number;
  /** Header bytes after the next-header byte; padded with zeros to a multiple of 8 in total. */
  body: Uint8Array;
}

export interface Ipv6Options {
  src: string;
  dst: string;
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
  /** In wire order; `nextHeader` is the protocol after the last of them. */
  extensions?: Ipv6ExtensionHeader[];
}

/** RFC 8200 §3 (and §4 for extension headers; fragment headers are 8 bytes, others padded). */
export function ipv6(o: Ipv6Options): Uint8Array {
  const exts = o.extensions ?? [];
  const encoded = exts.map((ext, i) => {
    const total = Math.max(8, Math.ceil((2 + ext.body.length) / 8) * 8);
    const out = new Uint8Array(total);
    out[0] = i + 1 < exts.length ? exts[i + 1].type : o.nextHeader;
    if (ext.type === PROTO.IPV6_FRAGMENT) out.set(ext.body.subarray(0, 7), 1);
    else {
      out[1] = total / 8 - 1;
      out.set(ext.body, 2);
    }
    return out;
  });
  const src = parseIpv6(o.src);
  const dst = parseIpv6(o.dst);
  const fragmented = exts.some((ext) => ext.type === PROTO.IPV6_FRAGMENT);
  const segment = fragmented
    ? o.payload
    : withChecksum(o.payload, o.nextHeader, pseudoHeader(src, dst, o.nextHeader, o.payload.length));
  const payload = concat(...encoded, segment);
  const header = new Uint8Array(40);
  const view = viewOf(header);
  view.setUint32(0, 0x60000000);
  u16(view, 4, payload.length);
  header[6] = exts.length > 0 ? exts[0].type : o.nextHeader;
  header[7] = o.hopLimit ?? 64;
  header.set(src, 8);
  header.set(dst, 24);
  return concat(header, payload);
}

/** The 7 bytes after Next Header of an IPv6 Fragment header (RFC 8200 §4.5). */
export function ipv6FragmentBody(offset: number, more: boolean, id: number): Uint8Array {
  const body = new Uint8Array(7);
  const view = viewOf(body);
  view.setUint16(1, (offset & ~7) | (more ? 1 : 0));
  view.setUint32(3, id);
  return body;
}

export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Uint8Array;
}

/** RFC 9293 §3.1, 20-byte header without options. */
export function tcp(o: TcpOptions): Uint8Array {
  const header = new Uint8Array(20);
  const view = viewOf(header);
  u16(view, 0, o.srcPort);
  u16(view, 2, o.dstPort);
  view.setUint32(4, (o.seq ?? 0) >>> 0);
  view.setUint32(8, (o.ack ?? 0) >>> 0);
  header[12] = 5 << 4;
  header[13] = o.flags;
  u16(view, 14, o.window ?? 65535);
  return concat(header, o.payload ?? new Uint8Array(0));
}

export function udp(o: { srcPort: number; dstPort: number; payload?: Uint8Array }): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const header = new Uint8Array(8);
  const view = viewOf(header);
  u16(view, 0, o.srcPort);
  u16(view, 2, o.dstPort);
  u16(view, 4, 8 + payload.length);
  return concat(header, payload);
}

/** ICMP (RFC 792) or ICMPv6 (RFC 4443): type, code, zero checksum, 4 bytes `rest`, payload. */
export function icmp(o: { type: number; code?: number; rest?: number; payload?: Uint8Array }): Uint8Array {
  const header = new Uint8Array(8);
  const view = viewOf(header);
  header[0] = o.type;
  header[1] = o.code ?? 0;
  view.setUint32(4, (o.rest ?? 0) >>> 0);
  return concat(header, o.payload ?? new Uint8Array(0));
}

/** ICMP echo request/reply: `rest` carries identifier and sequence number. */
export function icmpEcho(o: {
  reply?: boolean;
  v6?: boolean;
  id: number;
  seq: number;
  payload?: Uint8Array;
}) {
  const type = o.v6 ? (o.reply ? 129 : 128) : o.reply ? 0 : 8;
  return icmp({ type, rest: ((o.id << 16) | o.seq) >>> 0, payload: o.payload });
}

/** GRE (RFC 2784, key per RFC 2890). `protocol` is the EtherType of the payload. */
export function gre(o: { protocol: number; key?: number; payload: Uint8Array }): Uint8Array {
  const header = new Uint8Array(o.key === undefined ? 4 : 8);
  const view = viewOf(header);
  if (o.key !== undefined) {
    header[0] = 0x20;
    view.setUint32(4, o.key >>> 0);
  }
  u16(view, 2, o.protocol);
  return concat(header, o.payload);
}

/** VXLAN header (RFC 7348 §5) with the I flag set; the payload is an Ethernet frame. */
export function vxlan(o: { vni: number; payload: Uint8Array }): Uint8Array {
  const header = new Uint8Array(8);
  header[0] = 0x08;
  viewOf(header).setUint32(4, (o.vni << 8) >>> 0);
  return concat(header, o.payload);
}
