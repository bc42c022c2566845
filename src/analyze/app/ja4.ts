/**
 * TLS client fingerprints of a parsed ClientHello: FoxIO JA4 (technical_details/JA4.md of
 * github.com/FoxIO-LLC/ja4) and Salesforce JA3 (github.com/salesforce/ja3). GREASE values
 * (RFC 8701) are left out of both, as their specifications say.
 */
import { createHash } from 'node:crypto';
import type { ClientHello } from './tls.js';
import { clientHelloVersion, isGrease } from './tls.js';

/** JA4's two-character version code. */
function ja4Version(version: number): string {
  switch (version) {
    case 0x0304:
      return '13';
    case 0x0303:
      return '12';
    case 0x0302:
      return '11';
    case 0x0301:
      return '10';
    case 0x0300:
      return 's3';
    case 0x0002:
      return 's2';
    case 0xfeff:
      return 'd1';
    case 0xfefd:
      return 'd2';
    case 0xfefc:
      return 'd3';
    default:
      return '00';
  }
}

function isAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** First and last characters of the first ALPN value; its hex form's when either is not alphanumeric. */
function ja4Alpn(first: Uint8Array | undefined): string {
  if (first === undefined || first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlphanumeric(a) && isAlphanumeric(z)) return String.fromCharCode(a, z);
  const hex = Buffer.from(first).toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

function twoDigits(count: number): string {
  return count > 99 ? '99' : count.toString().padStart(2, '0');
}

function sha256Prefix(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** JA4 of a ClientHello; `transport` is 't' (TLS over TCP), 'q' (QUIC) or 'd' (DTLS). */
export function ja4(hello: ClientHello, transport: 't' | 'q' | 'd'): string {
  const ciphers = hello.ciphers.filter((c) => !isGrease(c));
  const extensions = hello.extensions.filter((e) => !isGrease(e));
  const sni = hello.extensions.includes(0x0000) ? 'd' : 'i';
  const a =
    transport +
    ja4Version(clientHelloVersion(hello)) +
    sni +
    twoDigits(ciphers.length) +
    twoDigits(extensions.length) +
    ja4Alpn(hello.firstAlpn);
  const b = ciphers.length === 0 ? '000000000000' : sha256Prefix(ciphers.map(hex4).sort().join(','));
  const hashed = extensions.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex4);
  let c = '000000000000';
  if (hashed.length > 0) {
    const signatures = hello.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4);
    const text = hashed.sort().join(',') + (signatures.length > 0 ? `_${signatures.join(',')}` : '');
    c = sha256Prefix(text);
  }
  return `${a}_${b}_${c}`;
}

/** JA3 string: version,ciphers,extensions,groups,point formats (decimal, '-'-joined, no GREASE). */
export function ja3String(hello: ClientHello): string {
  const list = (values: number[]) => values.filter((v) => !isGrease(v)).join('-');
  return `${hello.legacyVersion},${list(hello.ciphers)},${list(hello.extensions)},${list(hello.groups)},${hello.pointFormats.join('-')}`;
}

/** JA3 fingerprint: MD5 of the JA3 string, lower-case hex. */
export function ja3(hello: ClientHello): string {
  return createHash('md5').update(ja3String(hello)).digest('hex');
}
