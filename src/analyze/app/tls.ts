/**
 * TLS handshake parsing for the application analyzer: the first handshake message of a stream
 * (reassembled from TLS records, RFC 8446 §5.1), the ClientHello (§4.1.2) and the ServerHello
 * (§4.1.3) with the extensions that metadata and fingerprints need.
 *
 * Contract: parsers read at offsets within the bounds they are given and never throw; malformed
 * input gives null (or BAD), input that stops early gives NEED_MORE.
 */

export const NEED_MORE = -1;
export const BAD = -2;

export const HANDSHAKE_CLIENT_HELLO = 1;
export const HANDSHAKE_SERVER_HELLO = 2;

/** Largest handshake message we assemble; a ClientHello with post-quantum key shares is ~1.8 KB. */
const MAX_HANDSHAKE = 16384;

export interface ClientHello {
  legacyVersion: number;
  /** Cipher suites in order, GREASE included. */
  ciphers: number[];
  /** Extension types in order, GREASE included. */
  extensions: number[];
  sni: string | undefined;
  alpn: string[];
  /** First ALPN protocol as raw bytes (JA4 looks at its first and last byte). */
  firstAlpn: Uint8Array | undefined;
  supportedVersions: number[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
}

export interface ServerHello {
  legacyVersion: number;
  /** supported_versions' selected version, 0 when absent. */
  selectedVersion: number;
  alpn: string | undefined;
}

/** True for the 16 GREASE values of RFC 8701 (0x0a0a, 0x1a1a, …, 0xfafa). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** True when the bytes start like a TLS record (content type 20–23, version 3.0–3.4). */
export function looksLikeTlsRecord(data: Uint8Array, off: number, len: number): boolean {
  if (len < 3) return false;
  const type = data[off]!;
  return type >= 20 && type <= 23 && data[off + 1] === 3 && data[off + 2]! <= 4;
}

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
}

/**
 * The first handshake message of a TLS stream that starts at `off`: handshake record fragments
 * are concatenated until the message is complete. NEED_MORE when the bytes end first, BAD when
 * the stream does not start with handshake records.
 */
export function firstHandshakeMessage(
  data: Uint8Array,
  off: number,
  len: number,
): HandshakeMessage | typeof NEED_MORE | typeof BAD {
  const end = off + len;
  const parts: Uint8Array[] = [];
  let have = 0;
  let need = -1;
  let at = off;
  while (true) {
    if (need >= 0 && have >= need) break;
    if (at + 5 > end) return NEED_MORE;
    if (data[at] !== 22 || data[at + 1] !== 3) return BAD;
    const recordLength = (data[at + 3]! << 8) | data[at + 4]!;
    if (recordLength === 0 || recordLength > 18432) return BAD;
    const fragmentEnd = Math.min(at + 5 + recordLength, end);
    parts.push(data.subarray(at + 5, fragmentEnd));
    have += fragmentEnd - at - 5;
    if (need < 0 && have >= 4) {
      const first = parts.length === 1 ? parts[0]! : concat(parts);
      need = 4 + ((first[1]! << 16) | (first[2]! << 8) | first[3]!);
      if (need > MAX_HANDSHAKE) return BAD;
    }
    if (fragmentEnd < at + 5 + recordLength) {
      if (need >= 0 && have >= need) break;
      return NEED_MORE;
    }
    at = fragmentEnd;
  }
  const all = parts.length === 1 ? parts[0]! : concat(parts);
  return { type: all[0]!, body: all.subarray(4, need) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const decoder = new TextDecoder('latin1');

/** Bytes as text, one character per byte (ASCII-safe, never throws). */
export function latin1(data: Uint8Array, start: number, end: number): string {
  return decoder.decode(data.subarray(start, end));
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u16List(b: Uint8Array, start: number, end: number, out: number[]): void {
  for (let i = start; i + 1 < end; i += 2) out.push(u16(b, i));
}

/**
 * Calls `visit` for each extension of the list whose 2-byte length is at `at` (RFC 8446 §4.2);
 * false when an extension overruns the list.
 */
function forEachExtension(
  b: Uint8Array,
  at: number,
  visit: (type: number, start: number, stop: number) => void,
): boolean {
  const listEnd = Math.min(b.length, at + 2 + u16(b, at));
  for (let p = at + 2; p + 4 <= listEnd; ) {
    const start = p + 4;
    const stop = start + u16(b, p + 2);
    if (stop > listEnd) return false;
    visit(u16(b, p), start, stop);
    p = stop;
  }
  return true;
}

/** Parses a ClientHello body (after the 4-byte handshake header); null when malformed. */
export function parseClientHello(b: Uint8Array): ClientHello | null {
  const end = b.length;
  if (end < 38) return null;
  const hello: ClientHello = {
    legacyVersion: u16(b, 0),
    ciphers: [],
    extensions: [],
    sni: undefined,
    alpn: [],
    firstAlpn: undefined,
    supportedVersions: [],
    groups: [],
    pointFormats: [],
    signatureAlgorithms: [],
  };
  let at = 34;
  at += 1 + b[at]!; // legacy_session_id
  if (at + 2 > end) return null;
  const cipherBytes = u16(b, at);
  at += 2;
  if (at + cipherBytes > end) return null;
  u16List(b, at, at + cipherBytes, hello.ciphers);
  at += cipherBytes;
  if (at + 1 > end) return null;
  at += 1 + b[at]!; // legacy_compression_methods
  if (at > end) return null;
  if (at + 2 > end) return hello; // no extensions (SSL 3.0 style)
  const ok = forEachExtension(b, at, (type, start, stop) => {
    hello.extensions.push(type);
    readClientExtension(b, type, start, stop, hello);
  });
  return ok ? hello : null;
}

function readClientExtension(b: Uint8Array, type: number, start: number, stop: number, hello: ClientHello) {
  switch (type) {
    case 0x0000: {
      // server_name (RFC 6066 §3): list of (type, length, name); host_name is type 0.
      let at = start + 2;
      while (at + 3 <= stop) {
        const nameLength = u16(b, at + 1);
        if (b[at] === 0 && at + 3 + nameLength <= stop) {
          hello.sni = latin1(b, at + 3, at + 3 + nameLength);
          return;
        }
        at += 3 + nameLength;
      }
      return;
    }
    case 0x0010: {
      // application_layer_protocol_negotiation (RFC 7301 §3.1).
      let at = start + 2;
      while (at < stop) {
        const length = b[at]!;
        if (at + 1 + length > stop) return;
        if (hello.firstAlpn === undefined) hello.firstAlpn = b.slice(at + 1, at + 1 + length);
        if (hello.alpn.length < 16) hello.alpn.push(latin1(b, at + 1, at + 1 + length));
        at += 1 + length;
      }
      return;
    }
    case 0x002b: // supported_versions (RFC 8446 §4.2.1): 1-byte length, then versions.
      u16List(b, start + 1, Math.min(stop, start + 1 + (b[start] ?? 0)), hello.supportedVersions);
      return;
    case 0x000a: // supported_groups (RFC 8446 §4.2.7).
      u16List(b, start + 2, stop, hello.groups);
      return;
    case 0x000b: // ec_point_formats (RFC 8422 §5.1.2).
      for (let i = start + 1; i < stop; i++) hello.pointFormats.push(b[i]!);
      return;
    case 0x000d: // signature_algorithms (RFC 8446 §4.2.3).
      u16List(b, start + 2, stop, hello.signatureAlgorithms);
      return;
  }
}

/** Parses a ServerHello body (after the 4-byte handshake header); null when malformed. */
export function parseServerHello(b: Uint8Array): ServerHello | null {
  const end = b.length;
  if (end < 38) return null;
  const hello: ServerHello = { legacyVersion: u16(b, 0), selectedVersion: 0, alpn: undefined };
  let at = 34;
  at += 1 + b[at]!; // legacy_session_id_echo
  at += 3; // cipher_suite, legacy_compression_method
  if (at + 2 > end) return at <= end ? hello : null;
  const ok = forEachExtension(b, at, (type, start, stop) => {
    if (type === 0x002b && stop - start >= 2) hello.selectedVersion = u16(b, start);
    if (type === 0x0010 && stop - start >= 3) {
      const n = b[start + 2]!;
      if (start + 3 + n <= stop) hello.alpn = latin1(b, start + 3, start + 3 + n);
    }
  });
  return ok ? hello : null;
}

/** 'TLS 1.3', 'TLS 1.2', 'SSL 3.0', … or the version in hex. */
export function tlsVersionName(version: number): string {
  switch (version) {
    case 0x0304:
      return 'TLS 1.3';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0301:
      return 'TLS 1.0';
    case 0x0300:
      return 'SSL 3.0';
    case 0x0002:
      return 'SSL 2.0';
    default:
      return `0x${version.toString(16).padStart(4, '0')}`;
  }
}

/** Highest non-GREASE supported_versions entry, else the legacy version (as JA4 defines it). */
export function clientHelloVersion(hello: ClientHello): number {
  let best = 0;
  for (const v of hello.supportedVersions) if (!isGrease(v) && v > best) best = v;
  return best !== 0 ? best : hello.legacyVersion;
}
