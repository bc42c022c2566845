/**
 * Buffered writing to stdout with backpressure. Text goes into one chunk buffer that is handed to the destination when full, so many small writes become few large
 * ones; a producer can wait for `drain` instead of buffering without bound. A closed pipe
 * (`| head`) ends the process quietly, as Unix tools do.
 * Chunks are never reused after they are handed over.
 */
import type { Writable } from 'node:stream';

export interface OutputStream {
  write(text: string): void;
  /** Hands what is buffered to the destination now (for output that must not lag, e.g. live). */
  flush(): void;
  /** A promise while the destination is saturated, else undefined. */
  backpressure(): Promise<void> | undefined;
  end(): Promise<void>;
}

const CHUNK = 256 * 1024;

export function createOutputStream(destination: Writable = process.stdout): OutputStream {
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  let drain: Promise<void> | undefined;

  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

  function flush(): void {
    if (used === 0) return;
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(CHUNK);
    used = 0;
    if (!destination.write(full) && drain === undefined) {
      drain = new Promise((resolve) => {
        destination.once('drain', () => {
          drain = undefined;
          resolve();
        });
      });
    }
  }

  function reserve(bytes: number): { buffer: Buffer; offset: number } {
    if (used + bytes > chunk.length) {
      flush();
      if (bytes > chunk.length) chunk = Buffer.allocUnsafe(bytes);
    }
    return { buffer: chunk, offset: used };
  }

  return {
    write(text) {
      // A UTF-16 code unit takes at most 3 bytes of UTF-8: text that surely fits is written
      // without measuring it first (measuring costs as much as encoding).
      if (used + text.length * 3 <= chunk.length) {
        used += chunk.write(text, used);
        return;
      }
      const room = reserve(Buffer.byteLength(text));
      used = room.offset + room.buffer.write(text, room.offset);
    },
    flush,
    backpressure() {
      return drain;
    },
    async end() {
      flush();
      if (drain) await drain;
    },
  };
}
