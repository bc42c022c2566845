/**
 * QUIC client Initial packets, decrypted as any on-path observer can (RFC 9001 §5): the Initial
 * secrets come from the client's first Destination Connection ID and a version-specific salt
 * (§5.2; RFC 9369 §3.3.1 for v2), header protection is AES-ECB over a payload sample (§5.4.3),
 * and the payload is AES-128-GCM (§5.3). CRYPTO frames (RFC 9000 §19.6) are collected by offset
 * into a bounded buffer so that the ClientHello can be parsed once its bytes are contiguous.
 *
 * Contract: never throws on packet bytes; a packet that cannot be decrypted is skipped and counted
 * by the caller. Allocates only while decrypting (a handful of packets per QUIC flow).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

interface VersionParams {
  salt: Buffer;
  /** Label prefix: 'quic' (v1, drafts) or 'quicv2' (RFC 9369 §3.3.2). */
  labels: string;
  /** Long-header packet type of Initial packets (0 in v1, 1 in v2). */
  initialType: number;
}

const V1: VersionParams = {
  salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'),
  labels: 'quic',
  initialType: 0,
};
const V2: VersionParams = {
  salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'),
  labels: 'quicv2',
  initialType: 1,
};
const DRAFT_29: VersionParams = {
  salt: Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex'),
  labels: 'quic',
  initialType: 0,
};
const DRAFT_23: VersionParams = {
  salt: Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex'),
  labels: 'quic',
  initialType: 0,
};

function versionParams(version: number): VersionParams | null {
  if (version === QUIC_V1) return V1;
  if (version === QUIC_V2) return V2;
  if (version >= 0xff00001d && version <= 0xff000020) return DRAFT_29;
  if (version >= 0xff000017 && version <= 0xff00001c) return DRAFT_23;
  return null;
}

/** 'v1', 'v2', 'draft-29', or the version in hex. */
export function quicVersionName(version: number): string {
  if (version === QUIC_V1) return 'v1';
  if (version === QUIC_V2) return 'v2';
  if (version >>> 8 === 0xff0000) return `draft-${version & 0xff}`;
  return `0x${version.toString(16).padStart(8, '0')}`;
}

/**
 * Versions that count as QUIC for identification: v1, v2, IETF drafts 1–34 (0xff0000xx), Google QUIC
 * (Q0xx, T0xx) and Facebook mvfst (0xfaceb00x). Other values are too likely to be other protocols.
 */
function isKnownVersion(version: number): boolean {
  const top = version >>> 8;
  return (
    version === QUIC_V1 ||
    version === QUIC_V2 ||
    (top === 0xff0000 && (version & 0xff) >= 1 && (version & 0xff) <= 34) ||
    (version >>> 16 === 0x5130 && (version & 0xf000) === 0x3000) ||
    (version >>> 16 === 0x5430 && (version & 0xf000) === 0x3000) ||
    top === 0xfaceb0
  );
}

/** True for a QUIC long header (RFC 9000 §17.2) of a known version with a plausible DCID length. */
export function looksLikeQuicLongHeader(data: Uint8Array, off: number, len: number): boolean {
  if (len < 7 || (data[off]! & 0xc0) !== 0xc0) return false;
  return isKnownVersion(readU32(data, off + 1)) && data[off + 5]! <= 20;
}

export function readU32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

/** HKDF-Expand-Label of RFC 8446 §7.1 with an empty context, for outputs of at most 32 bytes. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([0, length, full.length]), full, Buffer.from([0, 1])]);
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

export interface InitialKeys {
  version: number;
  dcid: Buffer;
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** Client Initial keys for `version` and the client's Destination Connection ID; null for unknown versions. */
export function clientInitialKeys(version: number, dcid: Uint8Array): InitialKeys | null {
  const params = versionParams(version);
  if (params === null) return null;
  const initial = createHmac('sha256', params.salt).update(dcid).digest();
  const secret = expandLabel(initial, 'client in', 32);
  return {
    version,
    dcid: Buffer.from(dcid),
    key: expandLabel(secret, `${params.labels} key`, 16),
    iv: expandLabel(secret, `${params.labels} iv`, 12),
    hp: expandLabel(secret, `${params.labels} hp`, 16),
  };
}

/** A variable-length integer (RFC 9000 §16) at `at`; sets `varintEnd`. -1 past `end`. */
let varintEnd = 0;
function varint(data: Uint8Array, at: number, end: number): number {
  if (at >= end) return -1;
  const first = data[at]!;
  const size = 1 << (first >> 6);
  if (at + size > end) return -1;
  let value = first & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + data[at + i]!;
  varintEnd = at + size;
  return value;
}

/** Receives a CRYPTO frame's bytes at their offset in the Initial crypto stream. */
export type CryptoSink = (offset: number, bytes: Uint8Array) => void;

export interface InitialResult {
  /** Client Initial packets decrypted in this datagram. */
  decrypted: number;
  /** Initial packets that failed (truncated, unknown version, authentication failure). */
  failed: number;
}

/**
 * Decrypts the client Initial packets of one UDP datagram (coalesced packets included, RFC 9000
 * §12.2) and hands their CRYPTO frames to `sink`. `keysFor` gives the keys for a packet's version
 * and Destination Connection ID (the caller keeps the flow's first ones), or null.
 */
export function readClientInitials(
  data: Uint8Array,
  off: number,
  len: number,
  keysFor: (version: number, dcid: Uint8Array) => InitialKeys | null,
  sink: CryptoSink,
): InitialResult {
  const result: InitialResult = { decrypted: 0, failed: 0 };
  const end = off + len;
  let at = off;
  while (at + 7 <= end && (data[at]! & 0x80) !== 0) {
    const version = readU32(data, at + 1);
    const params = versionParams(version);
    if (version === 0 || params === null) {
      if (version !== 0) result.failed++;
      break;
    }
    let p = at + 5;
    const dcidLength = data[p]!;
    if (dcidLength > 20 || p + 1 + dcidLength >= end) break;
    const dcid = data.subarray(p + 1, p + 1 + dcidLength);
    p += 1 + dcidLength;
    p += 1 + data[p]!; // SCID
    const type = (data[at]! >> 4) & 3;
    const isInitial = type === params.initialType;
    if (type === (params.initialType + 3) % 4) break; // Retry (v1: 3, v2: 0): no length field.
    if (isInitial) {
      const tokenLength = varint(data, p, end);
      if (tokenLength < 0) break;
      p = varintEnd + tokenLength;
    }
    const length = varint(data, p, end);
    if (length < 0) break;
    const pnOffset = varintEnd;
    const packetEnd = pnOffset + length;
    if (isInitial) {
      const keys = keysFor(version, dcid);
      if (packetEnd > end || keys === null || !decryptInitial(data, at, pnOffset, packetEnd, keys, sink))
        result.failed++;
      else result.decrypted++;
    }
    if (packetEnd > end) break;
    at = packetEnd;
  }
  return result;
}

function decryptInitial(
  data: Uint8Array,
  start: number,
  pnOffset: number,
  packetEnd: number,
  keys: InitialKeys,
  sink: CryptoSink,
): boolean {
  if (pnOffset + 4 + 16 > packetEnd) return false;
  const sample = data.subarray(pnOffset + 4, pnOffset + 20);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(sample);
  const first = data[start]! ^ (mask[0]! & 0x0f);
  const pnLength = (first & 3) + 1;
  const header = Buffer.from(data.subarray(start, pnOffset + pnLength));
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLength; i++) {
    const byte = header[pnOffset - start + i]! ^ mask[1 + i]!;
    header[pnOffset - start + i] = byte;
    pn = pn * 256 + byte;
  }
  // The nonce is the IV XORed with the packet number, right-aligned (RFC 9001 §5.3). Early client
  // Initials carry small packet numbers, so the truncated number is the full one.
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] = nonce[11 - i]! ^ ((pn / 2 ** (8 * i)) & 0xff);
  const cipherEnd = packetEnd - 16;
  if (cipherEnd <= pnOffset + pnLength) return false;
  let plain: Buffer;
  try {
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(data.subarray(cipherEnd, packetEnd));
    plain = Buffer.concat([gcm.update(data.subarray(pnOffset + pnLength, cipherEnd)), gcm.final()]);
  } catch {
    return false;
  }
  readFrames(plain, sink);
  return true;
}

/** Walks the frames allowed in Initial packets (RFC 9000 §12.4); stops at any other frame type. */
function readFrames(plain: Uint8Array, sink: CryptoSink): void {
  const end = plain.length;
  let at = 0;
  while (at < end) {
    const type = plain[at]!;
    if (type === 0x00 || type === 0x01) {
      at++;
    } else if (type === 0x06) {
      const offset = varint(plain, at + 1, end);
      if (offset < 0) return;
      const length = varint(plain, varintEnd, end);
      if (length < 0 || varintEnd + length > end) return;
      sink(offset, plain.subarray(varintEnd, varintEnd + length));
      at = varintEnd + length;
    } else if (type === 0x02 || type === 0x03) {
      // ACK: largest, delay, range count, first range, then (gap, length) pairs, then ECN counts.
      let p = at + 1;
      if (varint(plain, p, end) < 0 || varint(plain, varintEnd, end) < 0) return;
      const ranges = varint(plain, varintEnd, end);
      if (ranges < 0 || varint(plain, varintEnd, end) < 0) return;
      p = varintEnd;
      const extra = ranges * 2 + (type === 0x03 ? 3 : 0);
      for (let i = 0; i < extra; i++) {
        if (varint(plain, p, end) < 0) return;
        p = varintEnd;
      }
      at = p;
    } else {
      return;
    }
  }
}

/**
 * The Initial crypto stream of one direction, assembled by offset up to `capacity` bytes.
 * `contiguous` is how many bytes from offset 0 are present.
 */
export class CryptoStream {
  /** Grows on demand up to `capacity`. */
  bytes: Uint8Array = new Uint8Array(2048);
  contiguous = 0;
  /** Byte ranges [start, end) received beyond `contiguous`, kept sorted and merged. */
  private pending: number[] = [];

  constructor(readonly capacity: number) {}

  add(offset: number, data: Uint8Array): void {
    const end = Math.min(offset + data.length, this.capacity);
    if (end <= offset) return;
    if (end > this.bytes.length) {
      const bigger = new Uint8Array(Math.min(this.capacity, Math.max(end, this.bytes.length * 2)));
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes.set(data.subarray(0, end - offset), offset);
    const ranges = this.pending;
    ranges.push(offset, end);
    const pairs: [number, number][] = [];
    for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    let contiguous = this.contiguous;
    for (const [s, e] of pairs) {
      if (s <= contiguous) contiguous = Math.max(contiguous, e);
      else if (merged.length > 0 && s <= merged[merged.length - 1]!)
        merged[merged.length - 1] = Math.max(merged[merged.length - 1]!, e);
      else merged.push(s, e);
    }
    // A later range may now touch the grown prefix.
    const rest: number[] = [];
    for (let i = 0; i < merged.length; i += 2) {
      if (merged[i]! <= contiguous) contiguous = Math.max(contiguous, merged[i + 1]!);
      else rest.push(merged[i]!, merged[i + 1]!);
    }
    this.contiguous = contiguous;
    this.pending = rest.length > 64 ? rest.slice(0, 64) : rest;
  }
}
