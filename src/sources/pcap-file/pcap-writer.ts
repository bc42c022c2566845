/**
 * Writes classic pcap files (draft-ietf-opsawg-pcap): in memory for tests and fixtures, or
 * streamed to a writable for large benchmark captures. Either byte order, micro- or nanosecond
 * timestamps.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export interface PcapWriterOptions {
  /** LINKTYPE_* value of every record. */
  linkType: number;
  /** Header snaplen; default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds (a1b2c3d4). */
  nanosecond?: boolean;
  /** Write big-endian; default little-endian. */
  bigEndian?: boolean;
}

export interface PcapWriter {
  /**
   * Appends one record. `originalLength` defaults to `bytes.length`; a smaller value writes a
   * record whose caplen exceeds its len (damaged input for tests). The bytes are copied.
   */
  writePacket(bytes: Uint8Array, timestampSeconds: number, originalLength?: number): void;
  /** The file so far: header plus every record written. */
  toBuffer(): Buffer;
  readonly packets: number;
}

export interface PcapStreamWriter {
  /** As `PcapWriter.writePacket`; resolves at once unless the stream asks to wait (drain). */
  writePacket(
    bytes: Uint8Array,
    timestampSeconds: number,
    originalLength?: number,
  ): Promise<void> | undefined;
  /** Ends the stream and resolves once it has flushed. */
  end(): Promise<void>;
  readonly packets: number;
}

const PCAP_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

/** The 24-byte file header (draft-ietf-opsawg-pcap section 4). */
export function pcapFileHeader(options: PcapWriterOptions): Buffer {
  const header = Buffer.alloc(PCAP_HEADER_LENGTH);
  const le = !options.bigEndian;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  view.setUint32(0, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  view.setUint16(4, 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, options.snaplen ?? 262144, le);
  view.setUint32(20, options.linkType, le);
  return header;
}

/** One record: 16-byte header (seconds, sub-second units, caplen, len) followed by the bytes. */
function pcapRecord(
  options: PcapWriterOptions,
  bytes: Uint8Array,
  timestampSeconds: number,
  originalLength = bytes.length,
): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + bytes.length);
  const le = !options.bigEndian;
  const units = options.nanosecond ? 1e9 : 1e6;
  let seconds = Math.floor(timestampSeconds);
  let fraction = Math.round((timestampSeconds - seconds) * units);
  if (fraction >= units) {
    seconds += 1;
    fraction -= units;
  }
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint32(0, seconds >>> 0, le);
  view.setUint32(4, fraction, le);
  view.setUint32(8, bytes.length, le);
  view.setUint32(12, originalLength >>> 0, le);
  record.set(bytes, RECORD_HEADER_LENGTH);
  return record;
}

export function createPcapWriter(options: PcapWriterOptions): PcapWriter {
  const parts: Buffer[] = [pcapFileHeader(options)];
  return {
    writePacket(bytes, timestampSeconds, originalLength) {
      parts.push(pcapRecord(options, bytes, timestampSeconds, originalLength));
    },
    toBuffer: () => Buffer.concat(parts),
    get packets() {
      return parts.length - 1;
    },
  };
}

/** Streams a pcap to `out` (e.g. `fs.createWriteStream`), honouring its backpressure. */
export function createPcapStreamWriter(out: Writable, options: PcapWriterOptions): PcapStreamWriter {
  let packets = 0;
  out.write(pcapFileHeader(options));
  return {
    writePacket(bytes, timestampSeconds, originalLength) {
      packets++;
      if (out.write(pcapRecord(options, bytes, timestampSeconds, originalLength))) return undefined;
      return once(out, 'drain').then(() => undefined);
    },
    async end() {
      const finished = once(out, 'finish');
      out.end();
      await finished;
    },
    get packets() {
      return packets;
    },
  };
}
