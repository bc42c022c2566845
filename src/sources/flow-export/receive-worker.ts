/**
 * The receive thread of the flow-export listeners: owns the UDP sockets, so their receive
 * loop never waits for the main thread (decoding, store writes, garbage collection). Datagrams
 * are framed into a 1 MiB chunk; every 5 ms, or when it is full, a copy of its used part is
 * handed over (transferred) and the chunk is reused.
 *
 * Frame: u16 payload length, u8 listener kind, u8 exporter-text length, f64 arrival time, the
 * exporter text (ASCII), the payload. Bounded: at most 64 MiB of datagrams wait for the main
 * thread (posted and not yet acknowledged); past that the chunk keeps filling, and once it is
 * full datagrams are dropped here and counted (`dropped` in the stop report).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createExportListeners,
  type ExportListenerConfig,
  type ExportListenerKind,
} from './export-listener.js';

export const KIND_CODES: readonly ExportListenerKind[] = ['netflow', 'ipfix', 'sflow'];
const CHUNK = 1 << 20;
/** Bytes posted to the main thread and not yet taken (acknowledged) by it, at most. */
const MAX_UNACKED_BYTES = 64 << 20;
const FLUSH_MS = 5;

const port = parentPort;
if (port) {
  const chunk = new Uint8Array(CHUNK);
  const view = new DataView(chunk.buffer);
  let used = 0;
  let count = 0;
  // Sizes of the posted chunks not yet acknowledged, oldest first (the main thread takes them
  // in order and acknowledges each).
  const unacked: number[] = [];
  let unackedBytes = 0;
  let dropped = 0;
  /** Posts what the chunk holds (a copy of its used part) unless the main thread is too far behind. */
  const flush = (): boolean => {
    if (count === 0) return true;
    if (unackedBytes + used > MAX_UNACKED_BYTES) return false;
    const posted = chunk.slice(0, used).buffer;
    port.postMessage({ type: 'datagrams', buffer: posted, used, count }, [posted]);
    unacked.push(used);
    unackedBytes += used;
    used = 0;
    count = 0;
    return true;
  };
  const listeners = createExportListeners(
    workerData as ExportListenerConfig,
    (payload, exporter, at, kind) => {
      const need = 12 + exporter.length + payload.length;
      if (need > CHUNK || (used + need > CHUNK && !flush())) {
        dropped++;
        return;
      }
      view.setUint16(used, payload.length);
      chunk[used + 2] = KIND_CODES.indexOf(kind);
      chunk[used + 3] = exporter.length;
      view.setFloat64(used + 4, at);
      for (let i = 0; i < exporter.length; i++) chunk[used + 12 + i] = exporter.charCodeAt(i);
      chunk.set(payload, used + 12 + exporter.length);
      used += need;
      count++;
    },
  );
  const timer = setInterval(flush, FLUSH_MS);
  port.on('message', (message: { type: string }) => {
    if (message.type === 'ack') unackedBytes -= unacked.shift() ?? 0;
    else if (message.type === 'stop') {
      clearInterval(timer);
      void listeners.stop().then(() => {
        // The main thread takes everything at stop: the last chunk goes whatever the bound.
        if (count > 0) {
          unackedBytes = 0;
          flush();
        }
        port.postMessage({ type: 'stopped', received: listeners.received(), dropped });
      });
    }
  });
  listeners.start().then(
    (bound) => port.postMessage({ type: 'bound', bound }),
    (error: Error & { code?: string; exitCode?: number }) =>
      port.postMessage({ type: 'error', message: error.message, code: error.code, exitCode: error.exitCode }),
  );
}
