/**
 * `createExportListeners` with the sockets in a worker thread (receive-worker.ts): the same
 * contract, but `onDatagram` runs on the caller's thread as chunks arrive, and a busy caller
 * delays nothing but itself. `dropped()` counts datagrams the receive thread had to drop
 * because the caller fell 64 MiB behind.
 */
import { Worker } from 'node:worker_threads';
import { ERR, type ErrorCode, FlowlensError } from '../../shared/errors.js';
import type {
  BoundListener,
  ExportListenerConfig,
  ExportListenerKind,
  ExportListeners,
} from './export-listener.js';

const KINDS: readonly ExportListenerKind[] = ['netflow', 'ipfix', 'sflow'];

export interface ThreadedExportListeners extends ExportListeners {
  dropped(): number;
}

export function createThreadedExportListeners(
  config: ExportListenerConfig,
  onDatagram: (payload: Buffer, exporter: string, receivedAtSec: number, kind: ExportListenerKind) => void,
): ThreadedExportListeners {
  const counts: Record<ExportListenerKind, number> = { netflow: 0, ipfix: 0, sflow: 0 };
  let dropped = 0;
  let worker: Worker | undefined;
  let stopped: Promise<void> | undefined;

  // Chunks are taken one per turn of the event loop (setImmediate), never straight from the
  // message handler: Node delivers a port's queued messages in one go (a thousand or more per
  // turn), and a receive thread that keeps the port full would then starve every other callback
  // on this thread (store writes, timers) for as long as traffic lasts. Measured: at 100,000
  // records/s, no store write completed in 40 s.
  const pending: { buffer: ArrayBuffer; used: number }[] = [];
  let scheduled = false;
  const takeOne = () => {
    const next = pending.shift();
    if (!next || !worker) return;
    receive(next.buffer, next.used);
    worker.postMessage({ type: 'ack' });
  };
  const work = () => {
    takeOne();
    scheduled = pending.length > 0;
    if (scheduled) setImmediate(work);
  };
  const receive = (buffer: ArrayBuffer, used: number) => {
    const bytes = Buffer.from(buffer, 0, used);
    for (let o = 0; o < used; ) {
      const length = bytes.readUInt16BE(o);
      const kind = KINDS[bytes[o + 2]];
      const exporterLength = bytes[o + 3];
      const at = bytes.readDoubleBE(o + 4);
      const exporter = bytes.toString('latin1', o + 12, o + 12 + exporterLength);
      const start = o + 12 + exporterLength;
      counts[kind]++;
      onDatagram(bytes.subarray(start, start + length), exporter, at, kind);
      o = start + length;
    }
  };

  return {
    start() {
      worker = new Worker(new URL('./receive-worker.js', import.meta.url), { workerData: config });
      const current = worker;
      return new Promise<BoundListener[]>((resolve, reject) => {
        current.on('message', (message) => {
          if (message.type === 'bound') resolve(message.bound as BoundListener[]);
          else if (message.type === 'error') {
            reject(
              new FlowlensError(
                (message.code as ErrorCode) ?? ERR.USAGE,
                message.message,
                message.exitCode ?? 2,
              ),
            );
          } else if (message.type === 'datagrams') {
            pending.push({ buffer: message.buffer as ArrayBuffer, used: message.used as number });
            if (!scheduled) {
              scheduled = true;
              setImmediate(work);
            }
          }
        });
        current.once('error', reject);
      });
    },
    stop() {
      const current = worker;
      if (!current) return Promise.resolve();
      stopped ??= new Promise<void>((resolve) => {
        current.on('message', (message) => {
          if (message.type !== 'stopped') return;
          // Every chunk came before this message: the rest is taken now.
          while (pending.length > 0) takeOne();
          dropped = message.dropped as number;
          void current.terminate().then(() => resolve());
        });
        current.postMessage({ type: 'stop' });
      });
      return stopped;
    },
    received: () => ({ ...counts }),
    dropped: () => dropped,
  };
}
