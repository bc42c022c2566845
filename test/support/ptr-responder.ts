/**
 * A real DNS server on 127.0.0.1 (UDP) answering PTR queries, for reverse-DNS tests:
 * `d.c.b.a.in-addr.arpa` → `host-d.example.test` after `delayMs`; `5.3.2.1.in-addr.arpa`
 * (1.2.3.5) → NXDOMAIN; `6.3.2.1.in-addr.arpa` (1.2.3.6) → never answered. Counts the questions
 * per name and the most open at once.
 */
import { createSocket } from 'node:dgram';

export interface PtrResponder {
  readonly port: number;
  /** Questions received, by query name. */
  readonly asked: Map<string, number>;
  /** The most questions open (received, not yet answered) at once. */
  readonly maxConcurrent: number;
  resetMaxConcurrent(): void;
  close(): Promise<void>;
}

function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let o = 12;
  while (msg[o] !== 0) {
    labels.push(msg.toString('latin1', o + 1, o + 1 + msg[o]));
    o += msg[o] + 1;
  }
  return { name: labels.join('.'), end: o + 5 };
}

function encodeName(name: string): Buffer {
  return Buffer.concat([
    ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

export async function startPtrResponder(delayMs = 20): Promise<PtrResponder> {
  const server = createSocket('udp4');
  const asked = new Map<string, number>();
  let open = 0;
  let maxConcurrent = 0;
  server.on('message', (msg, peer) => {
    const { name, end } = questionName(msg);
    asked.set(name, (asked.get(name) ?? 0) + 1);
    open++;
    maxConcurrent = Math.max(maxConcurrent, open);
    const question = msg.subarray(12, end);
    if (name === '6.3.2.1.in-addr.arpa') {
      open--;
      return; // never answers
    }
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(1, 4);
    let reply: Buffer;
    if (name === '5.3.2.1.in-addr.arpa') {
      header.writeUInt16BE(0x8183, 2); // NXDOMAIN
      reply = Buffer.concat([header, question]);
    } else {
      header.writeUInt16BE(0x8180, 2);
      header.writeUInt16BE(1, 6);
      const target = encodeName(`host-${name.split('.')[0]}.example.test`);
      const answer = Buffer.alloc(12);
      answer.writeUInt16BE(0xc00c, 0);
      answer.writeUInt16BE(12, 2); // PTR
      answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(60, 6);
      answer.writeUInt16BE(target.length, 10);
      reply = Buffer.concat([header, question, answer, target]);
    }
    // Answered a little later, so concurrent queries overlap.
    setTimeout(() => {
      open--;
      server.send(reply, peer.port, peer.address);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    asked,
    get maxConcurrent() {
      return maxConcurrent;
    },
    resetMaxConcurrent() {
      maxConcurrent = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
