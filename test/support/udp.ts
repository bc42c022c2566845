/** UDP helpers for the collector and server tests: a free port, and datagrams sent in order. */
import dgram from 'node:dgram';

/** A UDP port on 127.0.0.1 that was free a moment ago (the tools here have no "any free port"). */
export async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(r));
  return port;
}

/** Sends each datagram in turn (each send completes before the next) to `address:port`. */
export async function sendDatagrams(
  datagrams: readonly Uint8Array[],
  port: number,
  address = '127.0.0.1',
): Promise<void> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) =>
        socket.send(d, port, address, (error) => (error ? reject(error) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}
