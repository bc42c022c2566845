/**
 * UDP listeners for flow exports (NetFlow, IPFIX, sFlow): one socket per configured port,
 * IPv4 or IPv6 by the bind address, with a large kernel receive buffer so bursts wait in the
 * kernel instead of being dropped there.
 *
 * Contract: `onDatagram` is called synchronously from the socket's message event, once per
 * datagram, with the payload (a Buffer the listener no longer uses: the callee may keep it),
 * the exporter's address, and the arrival time in seconds. No await per packet. `start`
 * rejects with FlowlensError USAGE when a port cannot be bound (in use, no permission), saying
 * which and what to do. `stop` first reads on until no datagram has arrived for DRAIN_QUIET_MS
 * (at most DRAIN_MAX_MS), so datagrams already waiting in the kernel's buffers when a collector
 * is stopped are delivered, not lost; then it closes every socket.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ERR, FlowlensError } from '../../shared/errors.js';

export type ExportListenerKind = 'netflow' | 'ipfix' | 'sflow';

export interface ExportListenerConfig {
  /** Port per kind (0: any free port, which `start` reports); absent: that listener is off. */
  ports: Partial<Record<ExportListenerKind, number>>;
  /** Address to bind; default 127.0.0.1. '::' listens on every IPv6 and IPv4 address. */
  bind?: string;
  /** Requested SO_RCVBUF in bytes; default 32 MiB. The kernel may grant less (net.core.rmem_max). */
  receiveBufferBytes?: number;
}

export interface BoundListener {
  kind: ExportListenerKind;
  address: string;
  port: number;
  /** What the kernel granted for SO_RCVBUF (Linux reports twice the usable size). */
  receiveBufferBytes: number;
}

export interface ExportListeners {
  start(): Promise<BoundListener[]>;
  stop(): Promise<void>;
  /** Datagrams received per kind since start. */
  received(): Record<ExportListenerKind, number>;
}

export const DEFAULT_EXPORT_PORTS: Record<ExportListenerKind, number> = {
  netflow: 2055,
  ipfix: 4739,
  sflow: 6343,
};
const DEFAULT_RECEIVE_BUFFER = 32 * 1024 * 1024;
/** `stop` closes the sockets once none has delivered a datagram for this long, ms. */
export const DRAIN_QUIET_MS = 100;
/** … or once it has waited this long, whatever still arrives (a stop under a flood), ms. */
export const DRAIN_MAX_MS = 2000;

export function createExportListeners(
  config: ExportListenerConfig,
  onDatagram: (payload: Buffer, exporter: string, receivedAtSec: number, kind: ExportListenerKind) => void,
): ExportListeners {
  const bind = config.bind ?? '127.0.0.1';
  const sockets: dgram.Socket[] = [];
  const counts: Record<ExportListenerKind, number> = { netflow: 0, ipfix: 0, sflow: 0 };
  let lastDatagramAt = Number.NEGATIVE_INFINITY;

  async function open(kind: ExportListenerKind, port: number): Promise<BoundListener> {
    const socket = dgram.createSocket({
      type: isIPv6(bind) ? 'udp6' : 'udp4',
      recvBufferSize: config.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER,
    });
    socket.on('message', (payload, remote) => {
      counts[kind]++;
      lastDatagramAt = performance.now();
      onDatagram(payload, remote.address.replace(/^::ffff:/, ''), Date.now() / 1000, kind);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const why =
          error.code === 'EADDRINUSE'
            ? `the port is in use (another collector?): pick another with --${kind} PORT`
            : error.code === 'EACCES'
              ? 'permission denied: ports below 1024 need root'
              : error.message;
        reject(new FlowlensError(ERR.USAGE, `cannot listen for ${kind} on ${bind} port ${port}: ${why}`, 2));
      });
      socket.bind(port, bind, () => resolve());
    });
    // After binding, an error is a receive problem: count it in stats rather than crash.
    socket.on('error', () => {});
    sockets.push(socket);
    const address = socket.address();
    return {
      kind,
      address: address.address,
      port: address.port,
      receiveBufferBytes: socket.getRecvBufferSize(),
    };
  }

  /**
   * Resolves once no datagram has been delivered for DRAIN_QUIET_MS since it was asked, or after
   * DRAIN_MAX_MS. The event loop polls the sockets while it waits, so a quiet spell means their
   * kernel buffers were empty.
   */
  async function drained(): Promise<void> {
    const asked = performance.now();
    const deadline = asked + DRAIN_MAX_MS;
    for (;;) {
      const now = performance.now();
      const quietFor = now - Math.max(lastDatagramAt, asked);
      const wait = Math.min(DRAIN_QUIET_MS - quietFor, deadline - now);
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  return {
    async start() {
      const bound: BoundListener[] = [];
      try {
        for (const kind of ['netflow', 'ipfix', 'sflow'] as const) {
          const port = config.ports[kind];
          if (port !== undefined) bound.push(await open(kind, port));
        }
      } catch (error) {
        await this.stop();
        throw error;
      }
      return bound;
    },
    async stop() {
      if (sockets.length > 0) await drained();
      await Promise.all(
        sockets.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
    received: () => ({ ...counts }),
  };
}
