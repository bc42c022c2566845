/**
 * Fuzzing the flow-export decoder (fast-check): arbitrary bytes, arbitrary bytes behind a valid
 * version field, and mutated real and hand-built datagrams (byte flips, cuts, splices) all give
 * either no error or a typed FLOWLENS_ERR_FLOW_EXPORT_* error, never an exception, and every
 * record emitted is well formed. The real datagrams are the corpus's flow_*.pcap payloads.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js';
import {
  createDecodedPacket,
  type ExportedFlowRecord,
  type Frame,
  IP_PROTO,
  PACKET_KIND,
} from '../../model/index.js';
import { readCapture } from '../../sources/index.js';
import { decodeFrame } from '../index.js';
import { createFlowExportDecoder, type FlowExportSink } from './index.js';
import {
  bytes,
  ipfix,
  ipfixOptionsTemplateSet,
  ipfixTemplateSet,
  ipv4,
  ipv4Packet,
  netflowV5,
  netflowV9,
  set,
  sflowCounterSample,
  sflowFlowSample,
  sflowGenericCounters,
  sflowRawHeader,
  sflowV5,
  v9TemplateSet,
} from './testing/export-builder.js';

const decoder = createFlowExportDecoder({ maxPendingSets: 64 });

function checkFlow(f: ExportedFlowRecord): void {
  for (const key of [
    'packets',
    'bytes',
    'rawPackets',
    'rawBytes',
    'firstTs',
    'lastTs',
    'samplingRate',
    'srcPort',
    'dstPort',
  ] as const) {
    if (!Number.isFinite(f[key])) throw new Error(`${key} is ${f[key]}`);
  }
  if (f.ipVersion !== 4 && f.ipVersion !== 6) throw new Error(`ipVersion ${f.ipVersion}`);
  if (!f.communityId.startsWith('1:')) throw new Error('communityId');
}

const sink: FlowExportSink = { onFlow: checkFlow, onCounters() {} };

function decodeChecked(d: Uint8Array, exporter: string): void {
  const error = decoder.decode(d, exporter, 1_700_000_000, sink);
  if (error !== undefined) {
    expect(error.code).toMatch(/^FLOWLENS_ERR_FLOW_EXPORT_/);
    expect(Number.isInteger(error.offset)).toBe(true);
  }
}

const T = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 2, length: 4 },
    { id: 82, length: 0xffff },
  ],
};
const BUILT = [
  netflowV5({}, [{ src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, srcPort: 1, dstPort: 2 }]),
  netflowV9({}, [
    v9TemplateSet([{ id: 256, fields: T.fields.slice(0, 3) }]),
    set(256, bytes(ipv4('1.1.1.1'), ipv4('2.2.2.2'), [3, 4])),
  ]),
  ipfix({}, [
    ipfixTemplateSet([T]),
    set(256, bytes(ipv4('1.1.1.1'), ipv4('2.2.2.2'), [3, 4], [2, 1], [0x4142, 2]), false),
  ]),
  ipfix({}, [
    ipfixOptionsTemplateSet([
      {
        id: 257,
        scopeCount: 1,
        fields: [
          { id: 302, length: 4 },
          { id: 34, length: 4 },
        ],
      },
    ]),
  ]),
  sflowV5({}, [
    sflowFlowSample({
      rate: 10,
      records: [sflowRawHeader(11, 60, ipv4Packet('1.1.1.1', '2.2.2.2', 6, 1, 2))],
    }),
    sflowCounterSample([sflowGenericCounters({ ifIndex: 1 })]),
  ]),
];

const real: Uint8Array[] = [];

beforeAll(async () => {
  const packet = createDecodedPacket();
  for (const name of corpusFiles((n) => n.startsWith('flow_'))) {
    await readCapture(corpusPath(name), {
      onFrame(frame: Frame) {
        decodeFrame(frame, packet);
        if (packet.kind !== PACKET_KIND.IP || packet.protocol !== IP_PROTO.UDP || !packet.hasPorts) return;
        real.push(packet.data.slice(packet.payloadOffset, packet.payloadOffset + packet.payloadLength));
      },
      onWarning() {},
    });
  }
});

/** A datagram with some bytes overwritten, cut at some length, maybe doubled. */
const mutated = (pool: () => Uint8Array[]) =>
  fc
    .record({
      index: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.nat(),
      tail: fc.uint8Array({ maxLength: 32 }),
    })
    .map(({ index, flips, cut, tail }) => {
      const all = pool();
      const base = all[index % all.length];
      const d = new Uint8Array(base.length + tail.length);
      d.set(base);
      d.set(tail, base.length);
      for (const [at, value] of flips) d[at % d.length] = value;
      return d.subarray(0, d.length - (cut % (d.length + 1)));
    });

describe('flow-export decoder on arbitrary input', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (d) => decodeChecked(d, 'random')),
      { numRuns: 5000 },
    );
  });

  it('never throws on random bytes behind each version field', () => {
    const heads = [bytes([5, 2]), bytes([9, 2]), bytes([10, 2]), bytes([5, 4])];
    fc.assert(
      fc.property(fc.nat(3), fc.uint8Array({ maxLength: 400 }), fc.nat(4), (h, tail, exporter) => {
        const d = new Uint8Array(heads[h].length + tail.length);
        d.set(heads[h]);
        d.set(tail, heads[h].length);
        // IPFIX: make the length field agree often enough to get past the header.
        if (h === 2 && d.length >= 4 && tail[0] % 2 === 0) {
          d[2] = d.length >> 8;
          d[3] = d.length & 0xff;
        }
        decodeChecked(d, `v${exporter}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('never throws on mutated hand-built datagrams', () => {
    fc.assert(
      fc.property(
        mutated(() => BUILT),
        (d) => decodeChecked(d, 'built'),
      ),
      { numRuns: 20_000 },
    );
  });

  it('never throws on mutated corpus datagrams', () => {
    if (real.length === 0) return;
    fc.assert(
      fc.property(
        mutated(() => real),
        fc.nat(3),
        (d, e) => decodeChecked(d, `real${e}`),
      ),
      { numRuns: 20_000 },
    );
  });

  it('keeps its counters consistent', () => {
    for (const c of decoder.counters()) {
      expect(c.pendingRecords).toBeLessThanOrEqual(64);
      expect(c.templates).toBeGreaterThanOrEqual(0);
      expect(c.decodeErrors).toBeLessThanOrEqual(c.packets);
      // The per-domain counters split the exporter's (datagrams cut before their header have no domain).
      const domains = c.domains ?? [];
      const sum = (key: 'packets' | 'records' | 'templateMisses' | 'sequenceGaps' | 'templates') =>
        domains.reduce((n, d) => n + d[key], 0);
      expect(sum('records')).toBe(c.records);
      expect(sum('templateMisses')).toBe(c.templateMisses);
      expect(sum('sequenceGaps')).toBe(c.sequenceGaps);
      expect(sum('templates')).toBe(c.templates);
      expect(sum('packets')).toBeLessThanOrEqual(c.packets);
    }
    decoder.flushPending();
    for (const c of decoder.counters()) expect(c.pendingRecords).toBe(0);
  });
});
