import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRecordingSink } from '../../../test/support/recording-sink.js';
import { ERR, FlowlensError } from '../../shared/errors.js';
import { createCaptureParser, createPcapngWriter, createPcapWriter } from './index.js';

const ETHERNET = 1;
const RAW = 101;
const SLL = 113;
const packet = (n: number, length = 34): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (n * 7 + i) & 0xff);

/** Parses `bytes` pushed in chunks of the given sizes (cycled); the whole buffer by default. */
function parse(bytes: Uint8Array, chunkSizes: number[] = [bytes.length || 1], keepBytes = true) {
  const sink = createRecordingSink({ keepBytes });
  const parser = createCaptureParser(sink, 'test.pcap');
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]);
    parser.push(bytes.subarray(at, at + size));
    at += size;
  }
  const info = parser.finish();
  return { info, frames: sink.frames, warnings: sink.warnings };
}

function multiSectionPcapng(): Buffer {
  const w = createPcapngWriter({ comment: 'first section' });
  w.addInterface({ linkType: ETHERNET, snaplen: 0, name: 'eth0' });
  w.addInterface({ linkType: RAW, tsresol: 9, comment: 'nanoseconds' });
  w.addInterface({ linkType: SLL, tsresol: 0x80 | 20, tsoffset: 1000 });
  w.writeEnhanced(0, packet(1), 1700000000.25, { comment: 'a packet comment' });
  w.writeEnhanced(1, packet(2, 20), 1700000001.1234567);
  w.writeBlock(0x0bad, Uint8Array.of(1, 2, 3)); // custom block
  w.writeBlock(0x77777777, packet(3, 9)); // unknown block type
  w.writeEnhanced(2, packet(4), 1700000002.5);
  w.writeObsolete(0, packet(5), 1700000003.75, { originalLength: 60 });
  w.writeSimple(packet(6, 30));
  w.section({ bigEndian: true });
  w.addInterface({ linkType: RAW, snaplen: 10, tsresol: 3 });
  w.writeEnhanced(0, packet(7, 10), 1700000004.5, { originalLength: 40 });
  w.writeSimple(packet(8, 20));
  w.writeObsolete(0, packet(9, 10), 1700000005.25);
  w.section();
  w.addInterface({ linkType: ETHERNET });
  w.writePacket(packet(10), 1700000006.000001);
  return w.toBuffer();
}

describe('pcap', () => {
  it('reads back what the writer wrote, in either byte order and precision', () => {
    for (const bigEndian of [false, true]) {
      for (const nanosecond of [false, true]) {
        const w = createPcapWriter({ linkType: ETHERNET, bigEndian, nanosecond });
        w.writePacket(packet(1), 1700000000.5);
        w.writePacket(packet(2, 60), 1700000001.000123, 1500);
        w.writePacket(packet(3, 0), 1700000002);
        const { info, frames, warnings } = parse(w.toBuffer());
        expect(warnings).toEqual([]);
        expect(info).toMatchObject({ format: 'pcap', linkTypes: [ETHERNET], frames: 3, truncated: false });
        expect(info.bytesParsed).toBe(w.toBuffer().length);
        expect(frames.map((f) => [f.index, f.capturedLength, f.originalLength, f.linkType])).toEqual([
          [1, 34, 34, ETHERNET],
          [2, 60, 1500, ETHERNET],
          [3, 0, 0, ETHERNET],
        ]);
        expect(frames[1].timestamp).toBeCloseTo(1700000001.000123, 6);
        expect(frames[1].bytes).toEqual(packet(2, 60));
      }
    }
  });

  it('treats a header without records as an empty capture', () => {
    const { info, frames, warnings } = parse(createPcapWriter({ linkType: RAW }).toBuffer(), [1]);
    expect([info.frames, frames.length, warnings.length, info.truncated]).toEqual([0, 0, 0, false]);
    expect(info.linkTypes).toEqual([RAW]);
  });

  it('emits frames as views into the pushed chunk, without copying', () => {
    const w = createPcapWriter({ linkType: ETHERNET });
    for (let i = 0; i < 5; i++) w.writePacket(packet(i), i);
    const chunk = w.toBuffer();
    const seen: Uint8Array[] = [];
    const parser = createCaptureParser(
      { onFrame: (frame) => void seen.push(frame.data), onWarning: () => {} },
      'views.pcap',
    );
    parser.push(chunk);
    parser.finish();
    expect(seen.length).toBe(5);
    for (const data of seen) {
      // The same memory as the chunk, seen as a plain Uint8Array (one array shape downstream).
      expect(data.buffer).toBe(chunk.buffer);
      expect(data.byteOffset).toBe(chunk.byteOffset);
      expect(data.length).toBe(chunk.length);
      expect(data.constructor).toBe(Uint8Array);
    }
  });

  it('warns when a record captures more than its original length, and goes on', () => {
    const w = createPcapWriter({ linkType: ETHERNET });
    w.writePacket(packet(1), 1, 20);
    w.writePacket(packet(2), 2);
    const { frames, warnings } = parse(w.toBuffer());
    expect(frames.length).toBe(2);
    expect(warnings).toEqual([
      expect.objectContaining({ code: ERR.PCAP_CAPLEN_EXCEEDS_LEN, packetIndex: 1, byteOffset: 24 }),
    ]);
  });

  it('reports a file cut short in the middle of a packet, with what came before', () => {
    const w = createPcapWriter({ linkType: ETHERNET });
    w.writePacket(packet(1), 1);
    w.writePacket(packet(2), 2);
    const whole = w.toBuffer();
    for (const chunks of [[whole.length], [1], [7, 3]]) {
      const { info, frames, warnings } = parse(whole.subarray(0, whole.length - 5), chunks);
      expect(frames.length).toBe(1);
      expect(info.truncated).toBe(true);
      expect(warnings).toEqual([
        expect.objectContaining({ code: ERR.PCAP_TRUNCATED, packetIndex: 2, byteOffset: 24 + 16 + 34 }),
      ]);
      expect(warnings[0].message).toContain('cut short in the middle of a packet');
    }
  });

  it('reports a file cut short inside its header', () => {
    const header = createPcapWriter({ linkType: ETHERNET }).toBuffer().subarray(0, 10);
    const { info, warnings } = parse(header, [3]);
    expect(info).toMatchObject({ format: 'pcap', frames: 0, truncated: true });
    expect(warnings.map((w) => w.code)).toEqual([ERR.PCAP_TRUNCATED]);
  });

  it('accepts records up to max(snaplen, 262144) bytes and stops at a larger one', () => {
    const w = createPcapWriter({ linkType: ETHERNET, snaplen: 100 });
    w.writePacket(packet(1, 200_000), 1);
    w.writePacket(packet(2, 262_145), 2);
    w.writePacket(packet(3), 3);
    const { info, frames, warnings } = parse(w.toBuffer(), [65536]);
    expect(frames.map((f) => f.capturedLength)).toEqual([200_000]);
    expect(info.bytesParsed).toBe(24 + 16 + 200_000);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: ERR.PCAP_RECORD_TOO_LARGE,
        packetIndex: 2,
        byteOffset: 24 + 16 + 200_000,
      }),
    ]);
  });

  it('does not allocate what a record header claims: 2 GB is refused before any copy', () => {
    const w = createPcapWriter({ linkType: ETHERNET, snaplen: 0xffffffff });
    w.writePacket(packet(1), 1);
    w.writePacket(packet(2), 2);
    const bytes = w.toBuffer();
    bytes.writeUInt32LE(0x80000000, 24 + 16 + 34 + 8); // caplen of record 2
    const before = process.memoryUsage().arrayBuffers;
    const sink = createRecordingSink();
    const parser = createCaptureParser(sink, 'huge.pcap');
    for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
    expect(parser.stopped).toBe(true);
    parser.push(new Uint8Array(1 << 20)); // ignored once stopped
    const info = parser.finish();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(info).toMatchObject({ frames: 1, truncated: false });
    expect(sink.warnings).toEqual([
      expect.objectContaining({ code: ERR.PCAP_RECORD_TOO_LARGE, packetIndex: 2, byteOffset: 74 }),
    ]);
    expect(sink.warnings[0].message).toContain('2147483648');
  });
});

describe('format detection', () => {
  it('throws NOT_A_CAPTURE (exit code 2) for an empty input', () => {
    const parser = createCaptureParser(createRecordingSink(), 'empty.pcap');
    const error = (() => {
      try {
        parser.finish();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FlowlensError);
    expect(error).toMatchObject({ code: ERR.NOT_A_CAPTURE, exitCode: 2 });
    expect((error as Error).message).toBe(
      'empty.pcap: not a pcap or pcapng capture (first bytes: none, the file is empty)',
    );
  });

  it('throws NOT_A_CAPTURE naming the first bytes, whatever the chunking', () => {
    const zip = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00);
    for (const chunks of [[6], [1], [2, 3]]) {
      expect(() => parse(zip, chunks)).toThrow(
        'test.pcap: not a pcap or pcapng capture (first bytes: 50 4b 03 04)',
      );
    }
    expect(() => parse(Uint8Array.of(0xd4, 0xc3))).toThrow('(first bytes: d4 c3)');
  });

  it('detects pcapng by its magic, not by the name it is given', () => {
    const { info, frames } = parse(multiSectionPcapng(), [5]);
    expect(info.format).toBe('pcapng');
    expect(frames.length).toBe(9);
  });
});

describe('pcapng', () => {
  it('reads several sections of both byte orders, their interfaces and every packet block', () => {
    const { info, frames, warnings } = parse(multiSectionPcapng());
    expect(warnings).toEqual([]);
    expect(info).toMatchObject({
      format: 'pcapng',
      linkTypes: [ETHERNET, RAW, SLL],
      frames: 9,
      truncated: false,
    });
    const summary = frames.map((f) => [
      f.index,
      f.interfaceId,
      f.linkType,
      f.capturedLength,
      f.originalLength,
    ]);
    expect(summary).toEqual([
      [1, 0, ETHERNET, 34, 34],
      [2, 1, RAW, 20, 20],
      [3, 2, SLL, 34, 34],
      [4, 0, ETHERNET, 34, 60], // obsolete Packet Block
      [5, 0, ETHERNET, 30, 30], // SPB
      [6, 0, RAW, 10, 40], // second section (big-endian): interface ids start again
      [7, 0, RAW, 10, 20], // SPB: caplen limited by the interface's snaplen
      [8, 0, RAW, 10, 10],
      [9, 0, ETHERNET, 34, 34], // third section
    ]);
    const expected: [number, number][] = [
      [0, 1700000000.25],
      [1, 1700000001.1234567],
      [2, 1700000002.5], // 2^-20 resolution and a 1000 s offset
      [3, 1700000003.75],
      [4, 1700000003.75], // SPB has no timestamp: the previous frame's
      [5, 1700000004.5], // millisecond resolution
      [6, 1700000004.5],
      [7, 1700000005.25],
      [8, 1700000006.000001],
    ];
    for (const [i, ts] of expected) expect(frames[i].timestamp).toBeCloseTo(ts, 6);
    expect(frames[1].bytes).toEqual(packet(2, 20));
    expect(frames[4].bytes).toEqual(packet(6, 30));
    expect(frames[6].bytes).toEqual(packet(8, 10));
  });

  it('skips a packet naming an unknown interface, with a warning', () => {
    const w = createPcapngWriter({ linkType: ETHERNET });
    w.writeEnhanced(3, packet(1), 1);
    w.writeEnhanced(0, packet(2), 2);
    const { frames, warnings } = parse(w.toBuffer());
    expect(frames.map((f) => f.index)).toEqual([1]);
    expect(warnings.map((x) => x.code)).toEqual([ERR.PCAPNG_UNKNOWN_INTERFACE]);
  });

  it('stops at a block whose length is impossible, keeping what came before', () => {
    for (const badLength of [8, 38, 0x7ffffffc, 16 * 1024 * 1024 + 4]) {
      const w = createPcapngWriter({ linkType: ETHERNET, bigEndian: true });
      w.writePacket(packet(1), 1);
      const good = w.toBuffer().length;
      w.writePacket(packet(2), 2);
      w.writePacket(packet(3), 3);
      const bytes = w.toBuffer();
      bytes.writeUInt32BE(badLength, good + 4);
      const { info, frames, warnings } = parse(bytes, [1]);
      expect(frames.length).toBe(1);
      expect(info).toMatchObject({ frames: 1, truncated: false, bytesParsed: good });
      expect(warnings).toEqual([
        expect.objectContaining({ code: ERR.PCAPNG_BAD_BLOCK, byteOffset: good, packetIndex: 2 }),
      ]);
    }
  });

  it('stops at a block whose trailing length differs from its leading one', () => {
    const w = createPcapngWriter({ linkType: ETHERNET });
    w.writePacket(packet(1), 1);
    const bytes = w.toBuffer();
    bytes.writeUInt32LE(64, bytes.length - 4);
    const { frames, warnings } = parse(bytes);
    expect(frames.length).toBe(0);
    expect(warnings.map((x) => x.code)).toEqual([ERR.PCAPNG_BAD_BLOCK]);
  });

  it('reports a file cut short in the middle of a block', () => {
    const bytes = multiSectionPcapng();
    const { info, frames, warnings } = parse(bytes.subarray(0, bytes.length - 3), [100]);
    expect(frames.length).toBe(8);
    expect(info.truncated).toBe(true);
    expect(warnings.map((x) => x.code)).toEqual([ERR.PCAP_TRUNCATED]);
  });

  it('stops at a section header without a byte-order magic or of another major version', () => {
    const noMagic = createPcapngWriter({ linkType: ETHERNET }).toBuffer();
    noMagic.writeUInt32LE(0x12345678, 8);
    const otherVersion = createPcapngWriter({ linkType: ETHERNET }).toBuffer();
    otherVersion.writeUInt16LE(2, 12);
    for (const bytes of [noMagic, otherVersion]) {
      const { info, warnings } = parse(bytes);
      expect(info).toMatchObject({ format: 'pcapng', frames: 0, bytesParsed: 0 });
      expect(warnings).toEqual([expect.objectContaining({ code: ERR.PCAPNG_BAD_BLOCK, byteOffset: 0 })]);
    }
  });

  it('warns about an interface option that overruns its block', () => {
    const w = createPcapngWriter();
    const idb = new Uint8Array(12);
    const view = new DataView(idb.buffer);
    view.setUint16(0, ETHERNET, true);
    view.setUint16(8, 9, true); // if_tsresol claiming 200 bytes
    view.setUint16(10, 200, true);
    w.writeBlock(1, idb);
    w.writeEnhanced(0, packet(1), 1.5);
    const { frames, warnings } = parse(w.toBuffer());
    expect(frames.length).toBe(1);
    expect(frames[0].timestamp).toBe(1.5); // microseconds assumed
    expect(warnings.map((x) => x.code)).toEqual([ERR.PCAPNG_BAD_OPTION]);
  });
});

describe('chunking', () => {
  const pcap = (() => {
    const w = createPcapWriter({ linkType: ETHERNET, nanosecond: true });
    for (let i = 0; i < 40; i++) w.writePacket(packet(i, (i * 37) % 300), 1700000000 + i / 7);
    return w.toBuffer();
  })();
  const inputs = { pcap, pcapng: multiSectionPcapng() };

  for (const [name, bytes] of Object.entries(inputs)) {
    it(`gives the same frames and warnings whatever the chunk sizes (${name})`, () => {
      const reference = parse(bytes);
      expect(parse(bytes, [1])).toEqual(reference);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), (chunks) => {
          expect(parse(bytes, chunks)).toEqual(reference);
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('any input', () => {
  /** Parses and returns the outcome; only FlowlensError may be thrown. */
  function outcome(bytes: Uint8Array, chunks: number[]) {
    try {
      return parse(bytes, chunks, false);
    } catch (error) {
      if (!(error instanceof FlowlensError)) throw error;
      return { error: error.code };
    }
  }
  const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });
  const pcapHeader = createPcapWriter({ linkType: ETHERNET }).toBuffer();
  const pcapngHeader = createPcapngWriter({ linkType: ETHERNET }).toBuffer();
  const pcapngBigEndianHeader = createPcapngWriter({ linkType: ETHERNET, bigEndian: true }).toBuffer();
  const concat = (a: Uint8Array, b: Uint8Array) => Buffer.concat([a, b]);

  it('gives frames and warnings or a FlowlensError for any bytes, chunked any way', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), chunkSizes, (bytes, chunks) => {
        expect(outcome(bytes, chunks)).toEqual(outcome(bytes, [bytes.length || 1]));
      }),
      { numRuns: 500 },
    );
  });

  for (const [name, header] of Object.entries({ pcapHeader, pcapngHeader, pcapngBigEndianHeader })) {
    it(`never throws, hangs or reads outside a buffer on any bytes after a ${name}`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), chunkSizes, (tail, chunks) => {
          const bytes = concat(header, tail);
          const result = outcome(bytes, chunks);
          expect(result).not.toHaveProperty('error');
          expect(result).toEqual(outcome(bytes, [bytes.length]));
        }),
        { numRuns: 500 },
      );
    });
  }

  it('never throws on records with arbitrary header fields', () => {
    const record = fc.record({
      ts: fc.integer({ min: 0, max: 0xffffffff }),
      sub: fc.integer({ min: 0, max: 0xffffffff }),
      caplen: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 0xffffffff })),
      len: fc.integer({ min: 0, max: 0xffffffff }),
      body: fc.uint8Array({ maxLength: 80 }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 10 }), chunkSizes, (records, chunks) => {
        const parts: Uint8Array[] = [pcapHeader];
        for (const r of records) {
          const head = Buffer.alloc(16);
          head.writeUInt32LE(r.ts, 0);
          head.writeUInt32LE(r.sub, 4);
          head.writeUInt32LE(r.caplen, 8);
          head.writeUInt32LE(r.len, 12);
          parts.push(head, r.body);
        }
        const result = outcome(Buffer.concat(parts), chunks);
        expect(result).not.toHaveProperty('error');
      }),
      { numRuns: 500 },
    );
  });
});
