import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDhcp } from './dhcp.js';
import { looksLikeHttpRequest, parseHttpRequest, parseHttpStatus } from './http.js';
import { applicationForPorts, identifyPayload } from './identify.js';
import { ja3String, ja4 } from './ja4.js';
import { CryptoStream, clientInitialKeys, QUIC_V1, QUIC_V2, readClientInitials } from './quic.js';
import { parseSshBanner } from './ssh.js';
import {
  alpnExtension,
  clientHello,
  cryptoFrame,
  extension,
  quicInitial,
  records,
  serverHello,
  sniExtension,
  supportedVersionsExtension,
  u16ListExtension,
} from './testing/hello-builder.js';
import type { ClientHello } from './tls.js';
import {
  BAD,
  firstHandshakeMessage,
  isGrease,
  NEED_MORE,
  parseClientHello,
  parseServerHello,
} from './tls.js';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** The ClientHello of JA4's specification example (technical_details/JA4.md), plus GREASE. */
const SPEC_CIPHERS = [
  0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
  0x009d, 0x002f, 0x0035,
];
const SPEC_EXTENSIONS = [
  0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
  0x000b, 0x000a, 0x0015,
];
const SPEC_SIGNATURES = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

function specHello(signatures: number[]): ClientHello {
  return {
    legacyVersion: 0x0303,
    ciphers: SPEC_CIPHERS,
    extensions: [0x2a2a, ...SPEC_EXTENSIONS],
    sni: 'example.com',
    alpn: ['h2', 'http/1.1'],
    firstAlpn: text('h2'),
    supportedVersions: [0x3a3a, 0x0304, 0x0303],
    groups: [0x4a4a, 0x001d, 0x0017],
    pointFormats: [0],
    signatureAlgorithms: signatures,
  };
}

describe('JA4 and JA3', () => {
  it('matches the JA4 specification example', () => {
    expect(ja4(specHello(SPEC_SIGNATURES), 't')).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('hashes the extensions alone when there are no signature algorithms', () => {
    expect(ja4(specHello([]), 'q')).toBe('q13d1516h2_8daaf6152771_6d807ffa2a79');
  });

  it('uses zeros for empty lists, "i" without SNI, the hex form for non-alphanumeric ALPN', () => {
    const hello: ClientHello = {
      ...specHello([]),
      ciphers: [],
      extensions: [0x0010],
      firstAlpn: Uint8Array.from([0x30, 0xab]),
      supportedVersions: [],
    };
    expect(ja4(hello, 't')).toBe('t12i00013b_000000000000_000000000000');
  });

  it('builds the JA3 string without GREASE', () => {
    expect(ja3String({ ...specHello([]), extensions: [0x2a2a, 0, 10, 11] })).toBe(
      '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,0-10-11,29-23,0',
    );
  });

  it('knows the sixteen GREASE values', () => {
    const grease = [];
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toHaveLength(16);
    expect(grease[0]).toBe(0x0a0a);
    expect(grease[15]).toBe(0xfafa);
  });
});

describe('TLS handshake', () => {
  const hello = clientHello({
    ciphers: [0x0a0a, 0x1301, 0xc02b],
    extensions: [
      sniExtension('www.example.org'),
      alpnExtension(['h2', 'http/1.1']),
      supportedVersionsExtension([0x0304, 0x0303]),
      u16ListExtension(0x000a, [0x001d]),
      extension(0x000b, [1, 0]),
      u16ListExtension(0x000d, [0x0403]),
    ],
  });

  it('reassembles a ClientHello split over records and parses its extensions', () => {
    const stream = records(hello, 50);
    const message = firstHandshakeMessage(stream, 0, stream.length);
    if (typeof message === 'number') throw new Error('no message');
    const parsed = parseClientHello(message.body)!;
    expect(parsed.sni).toBe('www.example.org');
    expect(parsed.alpn).toEqual(['h2', 'http/1.1']);
    expect(parsed.supportedVersions).toEqual([0x0304, 0x0303]);
    expect(parsed.ciphers).toEqual([0x0a0a, 0x1301, 0xc02b]);
    expect(parsed.signatureAlgorithms).toEqual([0x0403]);
    expect(firstHandshakeMessage(stream, 0, stream.length - 1)).toBe(NEED_MORE);
    expect(firstHandshakeMessage(text('GET / HTTP/1.1\r\n'), 0, 16)).toBe(BAD);
  });

  it('reads the negotiated version and ALPN from a ServerHello', () => {
    const message = serverHello({ selected: 0x0304, alpn: 'h2' });
    expect(parseServerHello(message.subarray(4))).toEqual({
      legacyVersion: 0x0303,
      selectedVersion: 0x0304,
      alpn: 'h2',
    });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        firstHandshakeMessage(b, 0, b.length);
        parseClientHello(b);
        parseServerHello(b);
        const withHeader = Uint8Array.from([22, 3, 1, b.length >> 8, b.length & 0xff, ...b]);
        const m = firstHandshakeMessage(withHeader, 0, withHeader.length);
        if (typeof m !== 'number') parseClientHello(m.body);
      }),
    );
  });
});

describe('HTTP, SSH, DHCP', () => {
  it('parses a request head and a status line', () => {
    const head = text('GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8\r\n\r\n');
    expect(looksLikeHttpRequest(head, 0, head.length)).toBe(true);
    expect(parseHttpRequest(head, 0, head.length, false, 256)).toEqual({
      method: 'GET',
      path: '/a?b=1',
      host: 'example.com',
      userAgent: 'curl/8',
    });
    expect(parseHttpRequest(head, 0, 30, false, 256)).toBe(NEED_MORE);
    expect(parseHttpRequest(head, 0, 30, true, 256)).toMatchObject({ method: 'GET', host: 'exa' });
    const status = text('HTTP/1.1 404 Not Found\r\n');
    expect(parseHttpStatus(status, 0, status.length)).toBe(404);
  });

  it('reads an SSH banner', () => {
    const b = text('SSH-2.0-OpenSSH_9.6 Debian\r\n');
    expect(parseSshBanner(b, 0, b.length, false)).toBe('SSH-2.0-OpenSSH_9.6 Debian');
    expect(parseSshBanner(b, 0, 10, false)).toBe(NEED_MORE);
  });

  it('reads DHCP options', () => {
    const bootp = new Uint8Array(236);
    bootp[0] = 1;
    const options = [
      99,
      130,
      83,
      99,
      53,
      1,
      3,
      12,
      4,
      ...text('host'),
      60,
      3,
      ...text('MSF'),
      55,
      3,
      1,
      3,
      6,
      255,
    ];
    const message = Uint8Array.from([...bootp, ...options]);
    expect(parseDhcp(message, 0, message.length, 256)).toEqual({
      messageType: 'request',
      hostname: 'host',
      vendorClass: 'MSF',
      parameterRequestList: [1, 3, 6],
    });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (b, final) => {
        parseHttpRequest(b, 0, b.length, final, 64);
        parseHttpStatus(b, 0, b.length);
        parseSshBanner(b, 0, b.length, final);
        const dhcp = Uint8Array.from([1, ...new Array(235).fill(0), 99, 130, 83, 99, ...b]);
        parseDhcp(dhcp, 0, dhcp.length, 64);
        identifyPayload(b, 0, b.length, 6, 1234, 80);
        identifyPayload(b, 0, b.length, 17, 1234, 53);
      }),
    );
  });
});

describe('identification', () => {
  it('prefers signatures and knows the well-known ports', () => {
    const tls = records(clientHello({ ciphers: [0x1301], extensions: [] }));
    expect(identifyPayload(tls, 0, tls.length, 6, 5555, 8080)).toBe('tls');
    const get = text('GET / HTTP/1.1\r\n');
    expect(identifyPayload(get, 0, get.length, 6, 5555, 443)).toBe('http');
    const smb = Uint8Array.from([0, 0, 0, 64, 0xfe, 0x53, 0x4d, 0x42]);
    expect(identifyPayload(smb, 0, smb.length, 6, 5555, 445)).toBe('smb');
    const dns = Uint8Array.from([
      0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 0, 0, 1, 0, 1,
    ]);
    expect(identifyPayload(dns, 0, dns.length, 17, 5555, 9999)).toBe('dns');
    expect(identifyPayload(dns, 0, dns.length, 17, 5353, 5353)).toBe('mdns');
    expect(applicationForPorts(17, 50000, 123)).toBe('ntp');
    expect(applicationForPorts(6, 443, 50000)).toBe('tls');
    expect(applicationForPorts(6, 50000, 50001)).toBe('');
  });
});

describe('QUIC Initial', () => {
  it('derives the client Initial keys of RFC 9001 Appendix A.1', () => {
    const keys = clientInitialKeys(QUIC_V1, Buffer.from('8394c8f03e515708', 'hex'))!;
    expect(keys.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(keys.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(keys.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('derives the client Initial keys of RFC 9369 Appendix A.1 (QUIC v2)', () => {
    const keys = clientInitialKeys(QUIC_V2, Buffer.from('8394c8f03e515708', 'hex'))!;
    expect(keys.key.toString('hex')).toBe('8b1a0bc121284290a29e0971b5cd045d');
    expect(keys.iv.toString('hex')).toBe('91f73e2351d8fa91660e909f');
    expect(keys.hp.toString('hex')).toBe('45b95e15235d6f45a6b19cbcb0294ba9');
  });

  it.each([QUIC_V1, QUIC_V2])(
    'decrypts Initials of version %s and reassembles out-of-order CRYPTO frames',
    (version) => {
      const hello = clientHello({
        ciphers: [0x1301],
        extensions: [sniExtension('quic.example'), alpnExtension(['h3'])],
      });
      const dcid = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      const first = quicInitial({
        version,
        dcid,
        packetNumber: 0,
        frames: cryptoFrame(20, hello.subarray(20)),
      });
      const second = quicInitial({
        version,
        dcid,
        packetNumber: 1,
        frames: cryptoFrame(0, hello.subarray(0, 20)),
      });
      const stream = new CryptoStream(4096);
      const keysFor = (v: number, d: Uint8Array) => clientInitialKeys(v, d);
      const add = (offset: number, bytes: Uint8Array) => stream.add(offset, bytes);
      expect(readClientInitials(first, 0, first.length, keysFor, add)).toEqual({ decrypted: 1, failed: 0 });
      expect(stream.contiguous).toBe(0);
      readClientInitials(second, 0, second.length, keysFor, add);
      expect(stream.contiguous).toBe(hello.length);
      expect(parseClientHello(stream.bytes.subarray(4, hello.length))!.sni).toBe('quic.example');
      const tampered = first.slice();
      tampered[tampered.length - 1]! ^= 1;
      expect(readClientInitials(tampered, 0, tampered.length, keysFor, add)).toEqual({
        decrypted: 0,
        failed: 1,
      });
    },
  );

  it('never throws on arbitrary datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const packet = Uint8Array.from([0xc3, 0, 0, 0, 1, ...b]);
        readClientInitials(packet, 0, packet.length, clientInitialKeys, () => {});
      }),
    );
  });
});
