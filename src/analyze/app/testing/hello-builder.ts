/**
 * Builds TLS records and QUIC client Initial packets for the application analyzer's tests: a
 * ClientHello/ServerHello with chosen ciphers and extensions (RFC 8446 §4.1.2–4.1.3), wrapped
 * in handshake records, and a v1/v2 Initial encrypted as RFC 9001 §5 prescribes.
 */
import { createCipheriv } from 'node:crypto';
import { clientInitialKeys, QUIC_V1 } from '../quic.js';

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u24(n: number): number[] {
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}
function bytes(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}

export function extension(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

export function sniExtension(name: string): number[] {
  const entry = [0, ...u16(name.length), ...bytes(name)];
  return extension(0x0000, [...u16(entry.length), ...entry]);
}

export function alpnExtension(protocols: string[]): number[] {
  const list = protocols.flatMap((p) => [p.length, ...bytes(p)]);
  return extension(0x0010, [...u16(list.length), ...list]);
}

export function supportedVersionsExtension(versions: number[]): number[] {
  return extension(0x002b, [versions.length * 2, ...versions.flatMap(u16)]);
}

export function u16ListExtension(type: number, values: number[]): number[] {
  return extension(type, [...u16(values.length * 2), ...values.flatMap(u16)]);
}

/** A ClientHello handshake message (with its 4-byte header). */
export function clientHello(o: { version?: number; ciphers: number[]; extensions: number[][] }): Uint8Array {
  const ext = o.extensions.flat();
  const body = [
    ...u16(o.version ?? 0x0303),
    ...new Array(32).fill(7),
    0, // session id
    ...u16(o.ciphers.length * 2),
    ...o.ciphers.flatMap(u16),
    1,
    0, // compression: null
    ...u16(ext.length),
    ...ext,
  ];
  return Uint8Array.from([1, ...u24(body.length), ...body]);
}

/** A ServerHello handshake message with an optional supported_versions and ALPN choice. */
export function serverHello(o: { version?: number; selected?: number; alpn?: string }): Uint8Array {
  const ext: number[] = [];
  if (o.selected !== undefined) ext.push(...extension(0x002b, u16(o.selected)));
  if (o.alpn !== undefined) ext.push(...alpnExtension([o.alpn]));
  const body = [
    ...u16(o.version ?? 0x0303),
    ...new Array(32).fill(9),
    0,
    0x13,
    0x01,
    0,
    ...u16(ext.length),
    ...ext,
  ];
  return Uint8Array.from([2, ...u24(body.length), ...body]);
}

/** Handshake bytes in TLS records of at most `fragment` bytes each. */
export function records(handshake: Uint8Array, fragment = 16384): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < handshake.length; at += fragment) {
    const part = handshake.subarray(at, at + fragment);
    out.push(22, 3, 1, ...u16(part.length), ...part);
  }
  return Uint8Array.from(out);
}

/** CRYPTO frame (RFC 9000 §19.6) with 2-byte varints for offset and length. */
export function cryptoFrame(offset: number, data: Uint8Array): number[] {
  return [0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (data.length >> 8), data.length & 0xff, ...data];
}

/**
 * A client Initial packet (long header, 4-byte packet number), payload `frames` padded to
 * `size` bytes, encrypted and header-protected with the Initial keys of `dcid`.
 */
export function quicInitial(o: {
  version?: number;
  dcid: Uint8Array;
  packetNumber: number;
  frames: number[];
  size?: number;
}): Uint8Array {
  const version = o.version ?? QUIC_V1;
  const keys = clientInitialKeys(version, o.dcid)!;
  const type = version === QUIC_V1 ? 0 : 1;
  const plain = Buffer.alloc(Math.max(o.frames.length, (o.size ?? 1200) - 64));
  plain.set(o.frames);
  const length = 4 + plain.length + 16;
  const header = Buffer.from([
    0xc0 | (type << 4) | 3,
    ...[version >>> 24, (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff],
    o.dcid.length,
    ...o.dcid,
    0, // SCID
    0, // token length
    0x40 | (length >> 8),
    length & 0xff,
    ...[
      o.packetNumber >>> 24,
      (o.packetNumber >> 16) & 0xff,
      (o.packetNumber >> 8) & 0xff,
      o.packetNumber & 0xff,
    ],
  ]);
  const pnOffset = header.length - 4;
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] = nonce[11 - i]! ^ header[header.length - 1 - i]!;
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const sealed = Buffer.concat([gcm.update(plain), gcm.final(), gcm.getAuthTag()]);
  const packet = Buffer.concat([header, sealed]);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0] = packet[0]! ^ (mask[0]! & 0x0f);
  for (let i = 0; i < 4; i++) packet[pnOffset + i] = packet[pnOffset + i]! ^ mask[1 + i]!;
  return new Uint8Array(packet);
}
