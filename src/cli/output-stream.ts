/**
 * Buffered writing to stdout with backpressure: many small writes become few large ones, and a
 * producer can wait for `drain` instead of buffering without bound. A closed pipe (`| head`)
 * ends the process quietly, as Unix tools do.
 */
import type { Writable } from 'node:stream';

export interface OutputStream {
  write(text: string): void;
  /** A promise while the destination is saturated, else undefined. */
  backpressure(): Promise<void> | undefined;
  end(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

export function createOutputStream(destination: Writable = process.stdout): OutputStream {
  let pending: string[] = [];
  let pendingLength = 0;
  let drain: Promise<void> | undefined;

  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

  function flush(): void {
    if (pendingLength === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingLength = 0;
    if (!destination.write(chunk) && drain === undefined) {
      drain = new Promise((resolve) => {
        destination.once('drain', () => {
          drain = undefined;
          resolve();
        });
      });
    }
  }

  return {
    write(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= FLUSH_AT) flush();
    },
    backpressure() {
      return drain;
    },
    async end() {
      flush();
      if (drain) await drain;
    },
  };
}
