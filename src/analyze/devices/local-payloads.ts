/**
 * The few payloads the device inventory reads, parsed in place: ARP (RFC 826), DHCP options
 * (RFC 2131/2132), mDNS answers (RFC 6762, DNS wire format RFC 1035 §4.1), NBNS names
 * (RFC 1002 §4.2) and IPv6 neighbour discovery options (RFC 4861 §4.3–4.4, §4.6.1).
 *
 * Contract: every function reads only inside `[offset, offset + length)` and returns undefined
 * (or an empty result) on anything malformed; none throws.
 */
import { formatIp, formatMac } from '../../model/index.js';

export interface ArpMessage {
  opcode: number;
  senderMac: string;
  senderIp: string;
  targetIp: string;
}

/** Ethernet/IPv4 ARP only (hardware length 6, protocol length 4). */
export function parseArp(data: Uint8Array, offset: number, length: number): ArpMessage | undefined {
  if (length < 28 || data[offset + 4] !== 6 || data[offset + 5] !== 4) return undefined;
  if (((data[offset + 2] << 8) | data[offset + 3]) !== 0x0800) return undefined;
  return {
    opcode: (data[offset + 6] << 8) | data[offset + 7],
    senderMac: formatMac(data, offset + 8),
    senderIp: formatIp(data, offset + 14, 4),
    targetIp: formatIp(data, offset + 24, 4),
  };
}

export interface DhcpMessage {
  op: number;
  clientMac: string;
  yourIp: string;
  messageType?: number;
  hostname?: string;
  vendorClass?: string;
  parameterRequestList?: number[];
  requestedIp?: string;
}

const DHCP_MAGIC = 0x63825363;
const MAX_TEXT = 128;

function text(data: Uint8Array, offset: number, length: number): string {
  let out = '';
  for (let i = 0; i < Math.min(length, MAX_TEXT); i++) {
    const c = data[offset + i];
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return out;
}

export function parseDhcp(data: Uint8Array, offset: number, length: number): DhcpMessage | undefined {
  if (length < 240 || data[offset + 1] !== 1 || data[offset + 2] !== 6) return undefined;
  const magic =
    ((data[offset + 236] << 24) |
      (data[offset + 237] << 16) |
      (data[offset + 238] << 8) |
      data[offset + 239]) >>>
    0;
  if (magic !== DHCP_MAGIC) return undefined;
  const message: DhcpMessage = {
    op: data[offset],
    clientMac: formatMac(data, offset + 28),
    yourIp: formatIp(data, offset + 16, 4),
  };
  const end = offset + length;
  for (let o = offset + 240; o < end; ) {
    const code = data[o];
    if (code === 255) break;
    if (code === 0) {
      o++;
      continue;
    }
    if (o + 2 > end) break;
    const size = data[o + 1];
    const value = o + 2;
    if (value + size > end) break;
    if (code === 53 && size >= 1) message.messageType = data[value];
    else if (code === 12 && size > 0) message.hostname = text(data, value, size);
    else if (code === 60 && size > 0) message.vendorClass = text(data, value, size);
    else if (code === 55) message.parameterRequestList = Array.from(data.subarray(value, value + size));
    else if (code === 50 && size === 4) message.requestedIp = formatIp(data, value, 4);
    o = value + size;
  }
  return message;
}

/** A DNS name at `at` (compression pointers followed, at most 16 jumps); undefined if malformed. */
function dnsName(
  data: Uint8Array,
  start: number,
  end: number,
  at: number,
): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let next = -1;
  let o = at;
  for (let jumps = 0; jumps < 16; ) {
    if (o >= end) return undefined;
    const size = data[o];
    if (size === 0) {
      if (next < 0) next = o + 1;
      return { name: labels.join('.'), next };
    }
    if ((size & 0xc0) === 0xc0) {
      if (o + 1 >= end) return undefined;
      if (next < 0) next = o + 2;
      o = start + (((size & 0x3f) << 8) | data[o + 1]);
      jumps++;
      continue;
    }
    if (size > 63 || o + 1 + size > end) return undefined;
    labels.push(text(data, o + 1, size));
    o += 1 + size;
  }
  return undefined;
}

/** mDNS response answers of type A/AAAA: name → address. */
export function parseMdnsAddresses(
  data: Uint8Array,
  offset: number,
  length: number,
): { name: string; ip: string }[] {
  const end = offset + length;
  const found: { name: string; ip: string }[] = [];
  if (length < 12 || (data[offset + 2] & 0x80) === 0) return found;
  const questions = (data[offset + 4] << 8) | data[offset + 5];
  const records =
    ((data[offset + 6] << 8) | data[offset + 7]) +
    ((data[offset + 8] << 8) | data[offset + 9]) +
    ((data[offset + 10] << 8) | data[offset + 11]);
  let o = offset + 12;
  for (let q = 0; q < questions; q++) {
    const name = dnsName(data, offset, end, o);
    if (!name) return found;
    o = name.next + 4;
  }
  for (let r = 0; r < Math.min(records, 64); r++) {
    const name = dnsName(data, offset, end, o);
    if (!name || name.next + 10 > end) return found;
    const type = (data[name.next] << 8) | data[name.next + 1];
    const size = (data[name.next + 8] << 8) | data[name.next + 9];
    const rdata = name.next + 10;
    if (rdata + size > end) return found;
    if (type === 1 && size === 4) found.push({ name: name.name, ip: formatIp(data, rdata, 4) });
    if (type === 28 && size === 16) found.push({ name: name.name, ip: formatIp(data, rdata, 6) });
    o = rdata + size;
  }
  return found;
}

/** The NetBIOS name of an NBNS registration or response (first-level decoded, suffix dropped). */
export function parseNbnsName(data: Uint8Array, offset: number, length: number): string | undefined {
  // Header (12), then a 32-character encoded name label.
  if (length < 12 + 34 || data[offset + 12] !== 32) return undefined;
  const opcode = (data[offset + 2] >> 3) & 0x0f;
  // 5: registration, 0 with QR: a positive query response, 8: refresh.
  const isResponse = (data[offset + 2] & 0x80) !== 0;
  if (!(opcode === 5 || opcode === 8 || (opcode === 0 && isResponse))) return undefined;
  let name = '';
  for (let i = 0; i < 15; i++) {
    const hi = data[offset + 13 + i * 2] - 0x41;
    const lo = data[offset + 14 + i * 2] - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return undefined;
    const c = (hi << 4) | lo;
    name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '';
  }
  name = name.trim();
  return name === '' || name === '*' ? undefined : name;
}

/**
 * IPv6 neighbour discovery: the address and MAC a solicitation (source link-layer option) or an
 * advertisement (target link-layer option) binds. `icmpType` is 135 or 136; the payload starts
 * after the 4-byte ICMPv6 header.
 */
export function parseNeighborDiscovery(
  data: Uint8Array,
  offset: number,
  length: number,
  icmpType: number,
  sourceIp: string,
): { ip: string; mac: string } | undefined {
  if (length < 20) return undefined;
  const end = offset + length;
  const wanted = icmpType === 135 ? 1 : 2;
  for (let o = offset + 20; o + 8 <= end; ) {
    const type = data[o];
    const size = data[o + 1] * 8;
    if (size === 0 || o + size > end) return undefined;
    if (type === wanted && size >= 8) {
      const ip = icmpType === 135 ? sourceIp : formatIp(data, offset + 4, 6);
      return ip === '::' ? undefined : { ip, mac: formatMac(data, o + 2) };
    }
    o += size;
  }
  return undefined;
}
