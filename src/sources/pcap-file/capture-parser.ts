/**
 * The push parser: takes a capture's bytes in chunks of any size, detects the format by its magic
 * number (never by file name) and hands frames to a `FrameSink`. Records that lie wholly inside
 * a chunk are emitted as views into it; only a record straddling chunks is copied, into a carry
 * buffer that is reused and grows to the largest such record (bounded by MAX_RECORD_BYTES).
 */
import { createFrame } from '../../model/frame.js';
import { ERR, FlowlensError } from '../../shared/errors.js';
import type { CaptureFileInfo, FrameSink } from '../source.js';
import { createPcapReader, pcapMagic } from './pcap-records.js';
import { createPcapngReader, PCAPNG_SHB } from './pcapng-blocks.js';
import type { ParseContext, RecordReader } from './record-reader.js';

export interface CaptureParser {
  /**
   * Parses the next bytes of the file. The chunk is only read during the call (frames point
   * into it until `onFrame` returns). Throws FlowlensError NOT_A_CAPTURE once the first 4 bytes
   * are known to be no capture magic; after a fatal warning it ignores further input.
   */
  push(chunk: Uint8Array): void;
  /** Ends the input: warns when it stopped mid-record. Throws NOT_A_CAPTURE if no magic was seen. */
  finish(): CaptureFileInfo;
  /** True once a fatal warning stopped the file: the caller may stop reading. */
  readonly stopped: boolean;
}

/** Carry buffers larger than this are released once their record has been handled. */
const CARRY_KEEP_BYTES = 1024 * 1024;
const EMPTY = new Uint8Array(0);

export function createCaptureParser(sink: FrameSink, fileLabel: string): CaptureParser {
  const linkTypes: number[] = [];
  const ctx: ParseContext = {
    file: fileLabel,
    sink,
    frame: createFrame(),
    frames: 0,
    linkTypes,
    stopped: false,
    warn(code, message, byteOffset, packetIndex) {
      sink.onWarning({ packetIndex, byteOffset, file: fileLabel, code, message });
    },
    fail(code, message, byteOffset, packetIndex) {
      ctx.warn(code, message, byteOffset, packetIndex);
      ctx.stopped = true;
    },
    addLinkType(linkType) {
      if (!linkTypes.includes(linkType)) linkTypes.push(linkType);
    },
  };

  let reader: RecordReader | null = null;
  let received = 0;
  let parsed = 0;
  let carry = EMPTY;
  let carryView = new DataView(carry.buffer);
  let carryLength = 0;
  /** File offset of carry[0]. */
  let carryStart = 0;

  function appendToCarry(chunk: Uint8Array, from: number, to: number): void {
    const needed = carryLength + (to - from);
    if (needed > carry.length) {
      const grown = new Uint8Array(Math.max(needed, carry.length * 2, 65536));
      grown.set(carry.subarray(0, carryLength));
      carry = grown;
      carryView = new DataView(carry.buffer);
    }
    carry.set(chunk.subarray(from, to), carryLength);
    carryLength = needed;
  }

  function byteAt(chunk: Uint8Array, i: number): number {
    return i < carryLength ? carry[i] : chunk[i - carryLength];
  }

  function detect(chunk: Uint8Array): RecordReader {
    const magic =
      (byteAt(chunk, 0) | (byteAt(chunk, 1) << 8) | (byteAt(chunk, 2) << 16) | (byteAt(chunk, 3) << 24)) >>>
      0;
    if (magic === PCAPNG_SHB) return createPcapngReader(ctx);
    const pcap = pcapMagic(magic);
    if (pcap) return createPcapReader(ctx, pcap.littleEndian, pcap.nanosecond);
    throw notACapture(
      fileLabel,
      [0, 1, 2, 3].map((i) => byteAt(chunk, i)),
    );
  }

  /** Completes the straddling record from `chunk`; returns how much of the chunk it took. */
  function finishCarried(chunk: Uint8Array, active: RecordReader): number {
    let pos = 0;
    for (;;) {
      const size = active.sizeAt(carry, carryView, 0, carryLength, carryStart);
      if (size < 0) return pos;
      if (size <= carryLength) {
        active.consume(carry, carryView, 0, size, carryStart);
        if (!ctx.stopped) parsed = carryStart + size;
        carryLength = 0;
        if (carry.length > CARRY_KEEP_BYTES) {
          carry = EMPTY;
          carryView = new DataView(carry.buffer);
        }
        return pos;
      }
      const take = Math.min(size - carryLength, chunk.length - pos);
      appendToCarry(chunk, pos, pos + take);
      pos += take;
      if (carryLength < size) return pos;
    }
  }

  return {
    get stopped() {
      return ctx.stopped;
    },

    push(input) {
      if (ctx.stopped || input.length === 0) return;
      // Frames are views into plain Uint8Arrays only, never Buffers: one array shape keeps the
      // decoders' and flow table's property accesses monomorphic.
      const chunk =
        input.constructor === Uint8Array
          ? input
          : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      const base = received;
      received += chunk.length;
      if (reader === null) {
        if (carryLength + chunk.length < 4) {
          if (carryLength === 0) carryStart = base;
          appendToCarry(chunk, 0, chunk.length);
          return;
        }
        reader = detect(chunk);
      }
      let pos = 0;
      if (carryLength > 0) {
        pos = finishCarried(chunk, reader);
        if (ctx.stopped || carryLength > 0) return;
      }
      if (pos === chunk.length) return;
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const next = reader.run(chunk, view, pos, chunk.length, base);
      parsed = base + next;
      if (!ctx.stopped && next < chunk.length) {
        carryStart = base + next;
        appendToCarry(chunk, next, chunk.length);
      }
    },

    finish() {
      if (reader === null) throw notACapture(fileLabel, Array.from(carry.subarray(0, carryLength)));
      let truncated = false;
      if (!ctx.stopped && carryLength > 0) {
        truncated = true;
        const where = reader.inFileHeader
          ? 'in its file header'
          : `in the middle of a ${reader.format === 'pcap' ? 'packet' : 'block'}`;
        ctx.warn(
          ERR.PCAP_TRUNCATED,
          `${fileLabel}: cut short ${where} at byte ${carryStart} (${carryLength} bytes left over after ${ctx.frames} packets)`,
          carryStart,
          reader.inFileHeader ? null : ctx.frames + 1,
        );
        carryLength = 0;
      }
      return {
        file: fileLabel,
        format: reader.format,
        compressed: false,
        sizeBytes: undefined,
        linkTypes: [...linkTypes],
        frames: ctx.frames,
        bytesParsed: parsed,
        truncated,
      };
    },
  };
}

export function notACapture(fileLabel: string, firstBytes: number[]): FlowlensError {
  const shown =
    firstBytes.length === 0
      ? 'none, the file is empty'
      : firstBytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return new FlowlensError(
    ERR.NOT_A_CAPTURE,
    `${fileLabel}: not a pcap or pcapng capture (first bytes: ${shown})`,
    2,
  );
}
