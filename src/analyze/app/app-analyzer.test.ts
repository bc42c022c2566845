import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, ipv4, PROTO, TCP, tcp, udp } from '../../../test/support/packet-builder.js';
import { decodeFrame } from '../../decode/index.js';
import type { FlowRecord } from '../../model/index.js';
import { createDecodedPacket, createFrame, LINKTYPE } from '../../model/index.js';
import { createAppAnalyzer } from './app-analyzer.js';
import type { AppInventory } from './inventory.js';
import {
  alpnExtension,
  clientHello,
  cryptoFrame,
  quicInitial,
  records,
  serverHello,
  sniExtension,
  supportedVersionsExtension,
} from './testing/hello-builder.js';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Feeds raw-IP packets of one flow (id 0) to an analyzer, then ends the flow. */
function runFlow(
  packets: { forward: boolean; bytes: Uint8Array }[],
  protocol: number,
  ports: [number, number],
  config = {},
) {
  const analyzer = createAppAnalyzer(config);
  const frame = createFrame();
  const packet = createDecodedPacket();
  frame.linkType = LINKTYPE.RAW;
  for (const { forward, bytes } of packets) {
    frame.data = bytes;
    frame.capturedLength = frame.originalLength = bytes.length;
    decodeFrame(frame, packet);
    analyzer.onPacket(packet, 0, bytes.length, 0, forward);
  }
  const record = {
    protocol,
    srcIp: CLIENT,
    dstIp: SERVER,
    srcPort: ports[0],
    dstPort: ports[1],
    endReason: 'tcp-fin',
  } as FlowRecord;
  analyzer.onFlowEnd(0, record);
  return { record, inventory: analyzer.finish() as AppInventory };
}

function segment(forward: boolean, seq: number, payload: Uint8Array, ports: [number, number] = [50000, 443]) {
  const [c, s] = ports;
  const body = tcp({
    srcPort: forward ? c : s,
    dstPort: forward ? s : c,
    seq,
    flags: TCP.ACK | TCP.PSH,
    payload,
  });
  return {
    forward,
    bytes: ipv4({
      src: forward ? CLIENT : SERVER,
      dst: forward ? SERVER : CLIENT,
      protocol: PROTO.TCP,
      payload: body,
    }),
  };
}

describe('app analyzer', () => {
  const hello = clientHello({
    ciphers: [0x1301, 0x1302],
    extensions: [
      sniExtension('example.com'),
      alpnExtension(['h2']),
      supportedVersionsExtension([0x0304, 0x0303]),
    ],
  });

  it('assembles a ClientHello over segments, out of order retransmissions included', () => {
    const stream = records(hello);
    const a = stream.subarray(0, 30);
    const b = stream.subarray(30);
    const server = records(serverHello({ selected: 0x0304, alpn: 'h2' }));
    const { record, inventory } = runFlow(
      [
        segment(true, 1000, a),
        segment(true, 1000, a), // retransmission
        segment(true, 1030, b),
        segment(false, 5000, server),
      ],
      6,
      [50000, 443],
    );
    expect(record.application).toBe('tls');
    expect(record.sni).toBe('example.com');
    expect(record.app?.tls).toMatchObject({ version: 'TLS 1.3', alpn: ['h2'], serverAlpn: 'h2' });
    expect(record.app?.tls?.ja4).toMatch(/^t13d0203h2_/);
    expect(inventory.counters).toMatchObject({ tlsClientHellos: 1, tlsServerHellos: 1, tcpGaps: 0 });
    expect(inventory.topSni).toEqual([{ value: 'example.com', flows: 1 }]);
    expect(inventory.identifiedBy).toEqual({ payload: 1, port: 0, none: 0 });
  });

  it('stops at a gap and counts it', () => {
    const stream = records(hello);
    const { record, inventory } = runFlow(
      [segment(true, 1000, stream.subarray(0, 30)), segment(true, 1040, stream.subarray(40))],
      6,
      [50000, 443],
    );
    expect(record.sni).toBeUndefined();
    expect(record.application).toBe('tls');
    expect(inventory.counters.tcpGaps).toBe(1);
  });

  it('reads HTTP request and response heads, on any port', () => {
    const ports: [number, number] = [50000, 8888];
    const { record } = runFlow(
      [
        segment(true, 1, text('POST /upload HTTP/1.1\r\nHost: files.example\r\n'), ports),
        segment(true, 45, text('User-Agent: test/1\r\n\r\nbody'), ports),
        segment(false, 9, text('HTTP/1.1 201 Created\r\n\r\n'), ports),
      ],
      6,
      ports,
    );
    expect(record.application).toBe('http');
    expect(record.httpHost).toBe('files.example');
    expect(record.app?.http).toEqual({
      method: 'POST',
      path: '/upload',
      host: 'files.example',
      userAgent: 'test/1',
      status: 201,
    });
  });

  it('falls back to the port when no signature matches, only for flows with payload', () => {
    const ntp = ipv4({
      src: CLIENT,
      dst: SERVER,
      protocol: PROTO.UDP,
      payload: udp({ srcPort: 40000, dstPort: 123, payload: new Uint8Array(48).fill(0x23) }),
    });
    const { record, inventory } = runFlow([{ forward: true, bytes: ntp }], 17, [40000, 123]);
    expect(record.application).toBe('ntp');
    expect(record.app).toBeUndefined();
    expect(inventory.identifiedBy.port).toBe(1);
    const empty = runFlow([], 6, [40000, 80]);
    expect(empty.record.application).toBeUndefined();
    expect(empty.inventory.identifiedBy.none).toBe(1);
  });

  it('decrypts a QUIC client Initial and reads its ClientHello', () => {
    const quicHello = clientHello({
      ciphers: [0x1301],
      extensions: [sniExtension('h3.example'), alpnExtension(['h3']), supportedVersionsExtension([0x0304])],
    });
    const dcid = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]);
    const datagram = concat(quicInitial({ dcid, packetNumber: 0, frames: cryptoFrame(0, quicHello) }));
    const bytes = ipv4({
      src: CLIENT,
      dst: SERVER,
      protocol: PROTO.UDP,
      payload: udp({ srcPort: 50000, dstPort: 443, payload: datagram }),
    });
    const { record, inventory } = runFlow([{ forward: true, bytes }], 17, [50000, 443]);
    expect(record.application).toBe('quic');
    expect(record.sni).toBe('h3.example');
    expect(record.app?.quic).toMatchObject({ version: 'v1', sni: 'h3.example', alpn: ['h3'] });
    expect(record.app?.quic?.ja4).toMatch(/^q13d0103h3_/);
    expect(inventory.counters).toMatchObject({ quicInitialsDecrypted: 1, quicClientHellos: 1 });
    expect(inventory.quicVersions).toEqual({ v1: 1 });
  });

  it('caps inventory lists and counts what it dropped', () => {
    const analyzer = createAppAnalyzer({ maxDistinctNames: 1 });
    const frame = createFrame();
    const packet = createDecodedPacket();
    frame.linkType = LINKTYPE.RAW;
    for (const [id, name] of ['a.example', 'b.example', 'a.example'].entries()) {
      const h = records(clientHello({ ciphers: [0x1301], extensions: [sniExtension(name)] }));
      const { bytes } = segment(true, 1, h);
      frame.data = bytes;
      frame.capturedLength = frame.originalLength = bytes.length;
      decodeFrame(frame, packet);
      analyzer.onPacket(packet, 0, bytes.length, id, true);
      analyzer.onFlowEnd(id, {
        protocol: 6,
        srcPort: 50000,
        dstPort: 443,
        endReason: 'tcp-fin',
      } as FlowRecord);
    }
    const inventory = analyzer.finish() as AppInventory;
    expect(inventory.topSni).toEqual([{ value: 'a.example', flows: 2 }]);
    expect(inventory.dropped).toEqual({ sni: 1 }); // one fingerprint: SNI is not part of JA4's hashes
  });

  it('fills interim records with a copy and counts the flow once, at its final record', () => {
    const analyzer = createAppAnalyzer();
    const frame = createFrame();
    const packet = createDecodedPacket();
    frame.linkType = LINKTYPE.RAW;
    const feed = ({ forward, bytes }: { forward: boolean; bytes: Uint8Array }) => {
      frame.data = bytes;
      frame.capturedLength = frame.originalLength = bytes.length;
      decodeFrame(frame, packet);
      analyzer.onPacket(packet, 0, bytes.length, 7, forward);
    };
    const base = { protocol: 6, srcPort: 50000, dstPort: 22 };
    feed(segment(true, 1, text('SSH-2.0-client\r\n'), [50000, 22]));
    const interim = { ...base, endReason: 'active-timeout' } as FlowRecord;
    analyzer.onFlowEnd(7, interim);
    feed(segment(false, 1, text('SSH-2.0-server\r\n'), [50000, 22]));
    const last = { ...base, endReason: 'tcp-fin' } as FlowRecord;
    analyzer.onFlowEnd(7, last);
    expect(interim.app).toEqual({ ssh: { clientBanner: 'SSH-2.0-client' } });
    expect(last.app).toEqual({ ssh: { clientBanner: 'SSH-2.0-client', serverBanner: 'SSH-2.0-server' } });
    const inventory = analyzer.finish() as AppInventory;
    expect(inventory.flows).toBe(1);
    expect(inventory.topSshBanners).toHaveLength(2);
  });

  it('never throws on arbitrary payloads, whatever the protocol and port', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ forward: fc.boolean(), payload: fc.uint8Array({ maxLength: 300 }) }), {
          maxLength: 6,
        }),
        fc.constantFrom(80, 443, 22, 67, 53),
        fc.boolean(),
        (items, port, isTcp) => {
          let seq = 1;
          const packets = items.map(({ forward, payload }) => {
            if (isTcp) {
              const p = segment(forward, seq, payload, [50000, port]);
              seq += payload.length;
              return p;
            }
            const body = udp({ srcPort: forward ? 50000 : port, dstPort: forward ? port : 50000, payload });
            return { forward, bytes: ipv4({ src: CLIENT, dst: SERVER, protocol: PROTO.UDP, payload: body }) };
          });
          runFlow(packets, isTcp ? 6 : 17, [50000, port]);
        },
      ),
    );
  });
});
