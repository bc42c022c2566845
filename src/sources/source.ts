/**
 * The contract every packet source (capture files, live capture) fulfils towards the pipeline.
 *
 * Contract: a source calls `onFrame` synchronously, once per frame, in file order, with one reused
 * `Frame` (see model/frame.ts). It reports damaged input through `onWarning` and goes on with
 * whatever can still be read; only input that is not a capture at all is thrown, as a
 * `FlowlensError` (code FLOWLENS_ERR_NOT_A_CAPTURE, exit code 2). It never allocates what a
 * record header claims before checking it against a sane bound.
 */
import type { Frame } from '../model/frame.js';
import type { InputWarning } from '../model/warning.js';

export interface FrameSink {
  onFrame(frame: Frame): void;
  onWarning(warning: InputWarning): void;
  /** Raw (possibly compressed) bytes consumed so far; for progress only. */
  onProgress?(bytesRead: number): void;
  /**
   * Called between chunks. When it returns a promise the source waits for it before reading on:
   * this is how a slow consumer (a piped stdout) keeps memory flat.
   */
  backpressure?(): Promise<void> | undefined;
}

export interface CaptureFileInfo {
  /** Path as given ('-' for stdin). */
  file: string;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  /** Raw size on disk; undefined for stdin. */
  sizeBytes: number | undefined;
  /** Link types seen (pcap: the header's; pcapng: every interface's), in first-seen order. */
  linkTypes: number[];
  /** Frames emitted. */
  frames: number;
  /** Decompressed bytes parsed. */
  bytesParsed: number;
  /** True when the input ended inside a record or block. */
  truncated: boolean;
}
