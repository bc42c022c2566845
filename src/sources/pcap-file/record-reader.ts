/**
 * The seam between the chunk/carry machinery (capture-parser.ts) and the two file formats
 * (pcap-records.ts, pcapng-blocks.ts): what a format reader must answer and the state it shares.
 */
import type { Frame } from '../../model/frame.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { FrameSink } from '../source.js';

/** No record or block may claim more than this, whatever its header says. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface ParseContext {
  readonly file: string;
  readonly sink: FrameSink;
  /** The one reused frame. */
  readonly frame: Frame;
  /** Frames emitted so far; the last emitted frame has `index === frames`. */
  frames: number;
  /** Link types seen, first-seen order, no duplicates. */
  readonly linkTypes: number[];
  /** Set by `fail`: nothing more is read from this file. */
  stopped: boolean;
  warn(code: ErrorCode, message: string, byteOffset: number, packetIndex: number | null): void;
  /** Warns, then stops the file: the results so far stand. */
  fail(code: ErrorCode, message: string, byteOffset: number, packetIndex: number | null): void;
  addLinkType(linkType: number): void;
}

/**
 * A format reader. `buf`/`view` are a pushed chunk or the carry buffer; `fileOffset` is the
 * offset of `buf[pos]` in the (decompressed) file. A reader never retains `buf`.
 */
export interface RecordReader {
  readonly format: 'pcap' | 'pcapng';
  /**
   * Length of the record at `pos`. When fewer than the header's bytes are available it returns
   * how many it needs (always more than `avail`). It returns -1 after `ctx.fail` when the header
   * is not believable; the caller then must not allocate anything for it.
   */
  sizeAt(buf: Uint8Array, view: DataView, pos: number, avail: number, fileOffset: number): number;
  /** Handles the whole record `buf[pos .. pos + size)` whose size `sizeAt` returned. */
  consume(buf: Uint8Array, view: DataView, pos: number, size: number, fileOffset: number): void;
  /**
   * Handles every whole record in `buf[pos .. end)` and returns where the first incomplete one
   * starts (or, once stopped, where the bad one starts). `base` is the file offset of `buf[0]`.
   */
  run(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number;
  /** Whether the reader is still in the file header (pcap) rather than between records. */
  readonly inFileHeader: boolean;
}
