/**
 * The receive thread of the flow-export listeners: owns the UDP sockets, so their receive
 * loop never waits for the main thread (decoding, store writes, garbage collection). Datagrams
 * are framed into 1 MiB chunks, handed over (transferred, not copied) every 5 ms or when full.
 *
 * Frame: u16 payload length, u8 listener kind, u8 exporter-text length, f64 arrival time, the
 * exporter text (ASCII), the payload. Bounded: at most MAX_UNACKED chunks wait for the main
 * thread; past that, datagrams are dropped here and counted (`dropped` in the stop report).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createExportListeners,
  type ExportListenerConfig,
  type ExportListenerKind,
} from './export-listener.js';

export const KIND_CODES: readonly ExportListenerKind[] = ['netflow', 'ipfix', 'sflow'];
const CHUNK = 1 << 20;
const MAX_UNACKED = 64;
const FLUSH_MS = 5;

const port = parentPort;
if (port) {
  let chunk = new Uint8Array(CHUNK);
  let view = new DataView(chunk.buffer);
  let used = 0;
  let count = 0;
  let unacked = 0;
  let dropped = 0;
  const flush = () => {
    if (count === 0) return;
    port.postMessage({ type: 'datagrams', buffer: chunk.buffer, used, count }, [chunk.buffer]);
    unacked++;
    chunk = new Uint8Array(CHUNK);
    view = new DataView(chunk.buffer);
    used = 0;
    count = 0;
  };
  const listeners = createExportListeners(
    workerData as ExportListenerConfig,
    (payload, exporter, at, kind) => {
      const need = 12 + exporter.length + payload.length;
      if (need > CHUNK || (used + need > CHUNK && unacked >= MAX_UNACKED)) {
        dropped++;
        return;
      }
      if (used + need > CHUNK) flush();
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
    if (message.type === 'ack') unacked--;
    else if (message.type === 'stop') {
      clearInterval(timer);
      void listeners.stop().then(() => {
        flush();
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
