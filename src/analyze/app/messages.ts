/**
 * The messages of one flow direction, as the application analyzer reads them: which parser a
 * direction needs (from its first bytes and the flow's application), the TCP stream assembled in
 * order in a bounded buffer, and each protocol's message turned into `AppMetadata`.
 *
 * Contract: parsing functions return true when the direction is done (message read, malformed,
 * or given up); they never throw on packet bytes and count what they skip in `counters`.
 */
import type { AppMetadata, DecodedPacket } from '../../model/index.js';
import { parseDhcp } from './dhcp.js';
import { looksLikeHttpRequest, looksLikeHttpResponse, parseHttpRequest, parseHttpStatus } from './http.js';
import type { AppCounters } from './inventory.js';
import { ja3, ja4 } from './ja4.js';
import type { InitialKeys } from './quic.js';
import { CryptoStream, clientInitialKeys, looksLikeQuicLongHeader, readClientInitials } from './quic.js';
import { looksLikeSsh, parseSshBanner } from './ssh.js';
import type { ClientHello } from './tls.js';
import {
  BAD,
  firstHandshakeMessage,
  HANDSHAKE_CLIENT_HELLO,
  HANDSHAKE_SERVER_HELLO,
  looksLikeTlsRecord,
  NEED_MORE,
  parseClientHello,
  parseServerHello,
  tlsVersionName,
} from './tls.js';

const TCP = 6;

/** Which message a direction waits for. */
export const Parser = {
  NONE: 0,
  TLS: 1,
  HTTP_REQUEST: 2,
  HTTP_RESPONSE: 3,
  SSH: 4,
  DHCP: 5,
  QUIC: 6,
} as const;
export type Parser = (typeof Parser)[keyof typeof Parser];

/** State of a flow with a message to parse (a minority: most flows need only `directions`). */
export interface FlowState {
  meta: AppMetadata;
  parser: [Parser, Parser];
  buffer: [Uint8Array | null, Uint8Array | null];
  length: [number, number];
  nextSeq: [number, number];
  packets: [number, number];
  quicKeys: InitialKeys | null;
  crypto: CryptoStream | null;
}

export function newState(): FlowState {
  return {
    meta: {},
    parser: [Parser.NONE, Parser.NONE],
    buffer: [null, null],
    length: [0, 0],
    nextSeq: [0, 0],
    packets: [0, 0],
    quicKeys: null,
    crypto: null,
  };
}

/** Picks a direction's parser from its first payload bytes and the flow's application. */
export function chooseParser(p: DecodedPacket, app: string, d: number): Parser {
  const { data, payloadOffset: off, payloadLength: len } = p;
  if (p.protocol === TCP) {
    if (looksLikeTlsRecord(data, off, len)) return Parser.TLS;
    if (looksLikeHttpRequest(data, off, len)) return Parser.HTTP_REQUEST;
    if (looksLikeHttpResponse(data, off, len)) return Parser.HTTP_RESPONSE;
    if (looksLikeSsh(data, off, len)) return Parser.SSH;
    return Parser.NONE;
  }
  if (app === 'dhcp') return Parser.DHCP;
  // SSDP is HTTP over UDP (UPnP Device Architecture §1.3): one head per datagram.
  if (app === 'ssdp')
    return looksLikeHttpResponse(data, off, len) ? Parser.HTTP_RESPONSE : Parser.HTTP_REQUEST;
  if (app === 'quic' && looksLikeQuicLongHeader(data, off, len)) return d === 0 ? Parser.QUIC : Parser.NONE;
  return Parser.NONE;
}

export interface MessageSettings {
  maxBufferBytes: number;
  maxStringLength: number;
  ja3: boolean;
}

export function createMessageReader(cfg: MessageSettings, counters: AppCounters) {
  function tlsClientHello(st: FlowState, hello: ClientHello, transport: 't' | 'q'): void {
    if (transport === 'q') {
      counters.quicClientHellos++;
      const quic = st.meta.quic!;
      if (hello.sni !== undefined) quic.sni = hello.sni;
      if (hello.alpn.length > 0) quic.alpn = hello.alpn;
      quic.ja4 = ja4(hello, 'q');
      return;
    }
    counters.tlsClientHellos++;
    st.meta.tls ??= {};
    const tls = st.meta.tls;
    if (hello.sni !== undefined) tls.sni = hello.sni;
    if (hello.alpn.length > 0) tls.alpn = hello.alpn;
    tls.ja4 = ja4(hello, 't');
    if (cfg.ja3) tls.ja3 = ja3(hello);
    tls.version ??= tlsVersionName(hello.legacyVersion);
  }

  /** Parses a direction's bytes; true when this direction is done. */
  function parse(
    st: FlowState,
    d: number,
    data: Uint8Array,
    off: number,
    len: number,
    final: boolean,
  ): boolean {
    switch (st.parser[d]) {
      case Parser.TLS: {
        const message = firstHandshakeMessage(data, off, len);
        if (message === NEED_MORE) {
          if (final) counters.tlsUnparsed++;
          return final;
        }
        if (message === BAD) {
          counters.tlsUnparsed++;
          return true;
        }
        if (message.type === HANDSHAKE_CLIENT_HELLO) {
          const hello = parseClientHello(message.body);
          if (hello === null) counters.tlsUnparsed++;
          else tlsClientHello(st, hello, 't');
        } else if (message.type === HANDSHAKE_SERVER_HELLO) {
          const hello = parseServerHello(message.body);
          if (hello === null) counters.tlsUnparsed++;
          else {
            counters.tlsServerHellos++;
            st.meta.tls ??= {};
            const tls = st.meta.tls;
            tls.version = tlsVersionName(hello.selectedVersion || hello.legacyVersion);
            if (hello.alpn !== undefined) tls.serverAlpn = hello.alpn;
          }
        }
        return true;
      }
      case Parser.HTTP_REQUEST: {
        const http = parseHttpRequest(data, off, len, final, cfg.maxStringLength);
        if (http === NEED_MORE) return false;
        counters.httpRequests++;
        st.meta.http = { ...http, ...st.meta.http };
        return true;
      }
      case Parser.HTTP_RESPONSE: {
        if (len < 12 && !final) return false;
        const status = parseHttpStatus(data, off, len);
        if (status > 0) {
          counters.httpResponses++;
          st.meta.http ??= {};
          st.meta.http.status = status;
        }
        return true;
      }
      case Parser.SSH: {
        const banner = parseSshBanner(data, off, len, final);
        if (banner === NEED_MORE) return false;
        counters.sshBanners++;
        st.meta.ssh ??= {};
        const ssh = st.meta.ssh;
        if (d === 0) ssh.clientBanner = banner;
        else ssh.serverBanner = banner;
        return true;
      }
      case Parser.DHCP: {
        const message = parseDhcp(data, off, len, cfg.maxStringLength);
        if (message === null) return false;
        counters.dhcpMessages++;
        st.meta.dhcp ??= { messageTypes: [] };
        const dhcp = st.meta.dhcp;
        if (message.messageType !== '' && !dhcp.messageTypes.includes(message.messageType))
          dhcp.messageTypes.push(message.messageType);
        if (message.hostname !== undefined) dhcp.hostname ??= message.hostname;
        if (message.vendorClass !== undefined) dhcp.vendorClass ??= message.vendorClass;
        if (message.parameterRequestList !== undefined)
          dhcp.parameterRequestList ??= message.parameterRequestList;
        return false;
      }
      case Parser.QUIC:
        return parseQuic(st, data, off, len);
      default:
        return true;
    }
  }

  function parseQuic(st: FlowState, data: Uint8Array, off: number, len: number): boolean {
    if (len < 1 || (data[off]! & 0x80) === 0) return true; // short header: the handshake is over
    st.crypto ??= new CryptoStream(cfg.maxBufferBytes);
    const crypto = st.crypto;
    const result = readClientInitials(
      data,
      off,
      len,
      (version, dcid) => {
        const keys = st.quicKeys;
        if (keys !== null && keys.version === version) return keys;
        st.quicKeys = clientInitialKeys(version, dcid);
        return st.quicKeys;
      },
      (offset, bytes) => crypto.add(offset, bytes),
    );
    counters.quicInitialsDecrypted += result.decrypted;
    counters.quicInitialsFailed += result.failed;
    const b = crypto.bytes;
    if (crypto.contiguous < 4) return false;
    if (b[0] !== HANDSHAKE_CLIENT_HELLO) return true;
    const need = 4 + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
    if (need > crypto.capacity) {
      counters.limitReached++;
      return true;
    }
    if (crypto.contiguous < need) return false;
    const hello = parseClientHello(b.subarray(4, need));
    if (hello !== null) tlsClientHello(st, hello, 'q');
    return true;
  }

  /** Continues a TCP direction's stream with one segment; true when the direction is done. */
  function onSegment(st: FlowState, d: number, p: DecodedPacket): boolean {
    const len = p.payloadLength;
    let buffer = st.buffer[d];
    if (buffer === null) {
      if (parse(st, d, p.data, p.payloadOffset, len, false)) return true;
      buffer = new Uint8Array(Math.min(cfg.maxBufferBytes, Math.max(4096, len * 2)));
      const kept = Math.min(len, buffer.length);
      buffer.set(p.data.subarray(p.payloadOffset, p.payloadOffset + kept));
      st.buffer[d] = buffer;
      st.length[d] = kept;
      st.nextSeq[d] = (p.tcpSeq + len) >>> 0;
      return false;
    }
    const rel = (p.tcpSeq - st.nextSeq[d]) | 0;
    if (rel > 0) {
      counters.tcpGaps++;
      return finalParse(st, d);
    }
    if (rel + len <= 0) return false; // a retransmission of bytes we have
    const skip = -rel;
    let length = st.length[d];
    const want = length + len - skip;
    if (want > buffer.length && buffer.length < cfg.maxBufferBytes) {
      const bigger = new Uint8Array(Math.min(cfg.maxBufferBytes, Math.max(want, buffer.length * 2)));
      bigger.set(buffer.subarray(0, length));
      buffer = bigger;
      st.buffer[d] = buffer;
    }
    const copy = Math.min(len - skip, buffer.length - length);
    buffer.set(p.data.subarray(p.payloadOffset + skip, p.payloadOffset + skip + copy), length);
    length += copy;
    st.length[d] = length;
    st.nextSeq[d] = (p.tcpSeq + len) >>> 0;
    if (length >= cfg.maxBufferBytes) {
      counters.limitReached++;
      return finalParse(st, d);
    }
    return parse(st, d, buffer, 0, length, false);
  }

  function finalParse(st: FlowState, d: number): boolean {
    const buffer = st.buffer[d];
    if (buffer !== null) parse(st, d, buffer, 0, st.length[d], true);
    st.buffer[d] = null;
    return true;
  }

  return { parse, onSegment, finalParse };
}
