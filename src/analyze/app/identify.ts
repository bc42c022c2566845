/**
 * Application identification: payload signatures of a direction's first bytes, and the
 * well-known port table used when no signature matched. Names are the stable values of
 * `FlowRecord.application` ('tls', 'http', 'dns', …).
 *
 * Contract: signatures read only within the bounds given and never throw; they are cheap checks
 * on a few leading bytes, run once per flow direction.
 */
import { looksLikeDhcp } from './dhcp.js';
import { looksLikeHttpRequest, looksLikeHttpResponse } from './http.js';
import { looksLikeQuicLongHeader } from './quic.js';
import { looksLikeSsh } from './ssh.js';
import { looksLikeTlsRecord } from './tls.js';

const TCP = 6;
const UDP = 17;

function startsWith(data: Uint8Array, off: number, len: number, text: string): boolean {
  if (len < text.length) return false;
  for (let i = 0; i < text.length; i++) if (data[off + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** True when `text` occurs (ASCII case-insensitively) in the first line of the bytes. */
function firstLineHas(data: Uint8Array, off: number, len: number, text: string): boolean {
  const end = off + Math.min(len, 256);
  const upper = text.toUpperCase();
  outer: for (let i = off; i + upper.length <= end; i++) {
    if (data[i] === 0x0a) return false;
    for (let j = 0; j < upper.length; j++) {
      const c = data[i + j]!;
      if ((c >= 0x61 && c <= 0x7a ? c - 32 : c) !== upper.charCodeAt(j)) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * A DNS message (RFC 1035 §4.1) at `off`: sane header counts and opcode, and a first question
 * whose name is well-formed labels followed by a type and a class.
 */
function looksLikeDns(data: Uint8Array, off: number, len: number): boolean {
  if (len < 17) return false;
  const opcode = (data[off + 2]! >> 3) & 0x0f;
  const qdcount = (data[off + 4]! << 8) | data[off + 5]!;
  const others =
    ((data[off + 6]! << 8) | data[off + 7]!) +
    ((data[off + 8]! << 8) | data[off + 9]!) +
    ((data[off + 10]! << 8) | data[off + 11]!);
  if (opcode > 6 || opcode === 3 || qdcount < 1 || qdcount > 8 || others > 512) return false;
  const end = off + len;
  let at = off + 12;
  for (let labels = 0; labels < 128; labels++) {
    if (at >= end) return false;
    const length = data[at]!;
    if (length === 0) {
      if (at + 5 > end) return false;
      const qclass = ((data[at + 3]! << 8) | data[at + 4]!) & 0x7fff;
      return qclass === 1 || qclass === 3 || qclass === 4 || qclass === 254 || qclass === 255;
    }
    if (length > 63) return false;
    at += 1 + length;
  }
  return false;
}

function dnsFlavour(srcPort: number, dstPort: number): string {
  if (srcPort === 5353 || dstPort === 5353) return 'mdns';
  if (srcPort === 5355 || dstPort === 5355) return 'llmnr';
  if (srcPort === 137 || dstPort === 137) return 'netbios-ns';
  return 'dns';
}

/**
 * The application whose signature the first payload bytes of a direction carry, or '' when none
 * matches. `srcPort`/`dstPort` only choose between flavours of one format (DNS vs mDNS).
 */
export function identifyPayload(
  data: Uint8Array,
  off: number,
  len: number,
  protocol: number,
  srcPort: number,
  dstPort: number,
): string {
  if (len <= 0) return '';
  if (protocol === TCP) {
    if (looksLikeTlsRecord(data, off, len)) return 'tls';
    if (looksLikeHttpRequest(data, off, len) || looksLikeHttpResponse(data, off, len)) return 'http';
    if (looksLikeSsh(data, off, len)) return 'ssh';
    // SMB1/SMB2/SMB3-transform behind a NetBIOS session message header (MS-SMB2 §2.1).
    if (
      len >= 8 &&
      data[off] === 0 &&
      (data[off + 4] === 0xff || data[off + 4] === 0xfe || data[off + 4] === 0xfd)
    )
      if (data[off + 5] === 0x53 && data[off + 6] === 0x4d && data[off + 7] === 0x42) return 'smb';
    if (startsWith(data, off, len, '\x13BitTorrent protocol')) return 'bittorrent';
    if (len >= 7 && data[off] === 3 && data[off + 1] === 0 && (data[off + 5]! & 0xf0) === 0xe0) return 'rdp';
    if (startsWith(data, off, len, '220')) {
      if (firstLineHas(data, off, len, 'FTP')) return 'ftp';
      if (firstLineHas(data, off, len, 'SMTP')) return 'smtp';
    }
    if (startsWith(data, off, len, '+OK')) return 'pop3';
    if (startsWith(data, off, len, '* OK')) return 'imap';
    if (len > 2 && looksLikeDns(data, off + 2, len - 2) && ((data[off]! << 8) | data[off + 1]!) >= len - 2)
      return dnsFlavour(srcPort, dstPort);
    return '';
  }
  if (protocol === UDP) {
    if (looksLikeDhcp(data, off, len)) return 'dhcp';
    if (looksLikeQuicLongHeader(data, off, len)) return 'quic';
    if (looksLikeDns(data, off, len)) return dnsFlavour(srcPort, dstPort);
    if (startsWith(data, off, len, 'SIP/2.0 ') || firstLineHas(data, off, len, ' SIP/2.0')) return 'sip';
    if (startsWith(data, off, len, 'M-SEARCH * HTTP/') || startsWith(data, off, len, 'NOTIFY * HTTP/'))
      return 'ssdp';
  }
  return '';
}

/** Well-known ports (IANA service names), per transport; the responder's port is tried first. */
const TCP_PORTS = new Map<number, string>(
  Object.entries({
    20: 'ftp-data',
    21: 'ftp',
    22: 'ssh',
    23: 'telnet',
    25: 'smtp',
    53: 'dns',
    80: 'http',
    88: 'kerberos',
    110: 'pop3',
    111: 'sunrpc',
    135: 'msrpc',
    139: 'netbios-ssn',
    143: 'imap',
    179: 'bgp',
    389: 'ldap',
    443: 'tls',
    445: 'smb',
    465: 'smtps',
    514: 'rsh',
    587: 'smtp',
    636: 'ldaps',
    853: 'dns-over-tls',
    993: 'imaps',
    995: 'pop3s',
    1433: 'mssql',
    1723: 'pptp',
    3306: 'mysql',
    3389: 'rdp',
    5060: 'sip',
    5432: 'postgresql',
    5900: 'vnc',
    6379: 'redis',
    8080: 'http',
    8443: 'tls',
  }).map(([port, name]) => [Number(port), name]),
);

const UDP_PORTS = new Map<number, string>(
  Object.entries({
    53: 'dns',
    67: 'dhcp',
    68: 'dhcp',
    69: 'tftp',
    88: 'kerberos',
    123: 'ntp',
    137: 'netbios-ns',
    138: 'netbios-dgm',
    161: 'snmp',
    162: 'snmp-trap',
    443: 'quic',
    500: 'isakmp',
    514: 'syslog',
    546: 'dhcpv6',
    547: 'dhcpv6',
    1900: 'ssdp',
    2055: 'netflow',
    3478: 'stun',
    4500: 'ipsec-nat-t',
    4739: 'ipfix',
    5060: 'sip',
    5353: 'mdns',
    5355: 'llmnr',
    6343: 'sflow',
    47808: 'bacnet',
  }).map(([port, name]) => [Number(port), name]),
);

/** The well-known application of a TCP/UDP port pair, responder's port first; '' when none. */
export function applicationForPorts(protocol: number, srcPort: number, dstPort: number): string {
  const table = protocol === TCP ? TCP_PORTS : protocol === UDP ? UDP_PORTS : null;
  if (table === null) return '';
  return table.get(dstPort) ?? table.get(srcPort) ?? '';
}
