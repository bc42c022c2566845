/**
 * A FrameSink for tests that copies what it is given: every frame's fields (and, on request, its
 * bytes) and every warning. It also checks the source's contract that a frame's bytes lie
 * within its buffer.
 */
import type { Frame } from '../../src/model/frame.js';
import type { InputWarning } from '../../src/model/warning.js';
import type { FrameSink } from '../../src/sources/source.js';

export interface RecordedFrame {
  index: number;
  timestamp: number;
  linkType: number;
  interfaceId: number;
  capturedLength: number;
  originalLength: number;
  /** A copy of the frame's bytes, when the sink was asked to keep them. */
  bytes?: Uint8Array;
  /** FNV-1a hash of the frame's bytes, when the sink was asked for digests. */
  digest?: number;
}

export interface RecordingSink extends FrameSink {
  frames: RecordedFrame[];
  warnings: InputWarning[];
  /** Last value passed to onProgress. */
  progress: number;
}

export function createRecordingSink(options: { keepBytes?: boolean; digest?: boolean } = {}): RecordingSink {
  const sink: RecordingSink = {
    frames: [],
    warnings: [],
    progress: 0,
    onFrame(frame: Frame) {
      if (frame.offset < 0 || frame.offset + frame.capturedLength > frame.data.length) {
        throw new Error(`frame ${frame.index} lies outside its buffer`);
      }
      sink.frames.push({
        index: frame.index,
        timestamp: frame.timestamp,
        linkType: frame.linkType,
        interfaceId: frame.interfaceId,
        capturedLength: frame.capturedLength,
        originalLength: frame.originalLength,
        bytes: options.keepBytes
          ? new Uint8Array(frame.data.subarray(frame.offset, frame.offset + frame.capturedLength))
          : undefined,
        digest: options.digest
          ? fnv1a(frame.data, frame.offset, frame.offset + frame.capturedLength)
          : undefined,
      });
    },
    onWarning(warning) {
      sink.warnings.push(warning);
    },
    onProgress(bytesRead) {
      sink.progress = bytesRead;
    },
  };
  return sink;
}

function fnv1a(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}
