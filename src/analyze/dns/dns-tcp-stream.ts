/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message follows a 2-byte length.
 * One `DnsTcpStream` per direction of a flow follows the sequence numbers and hands each whole
 * message to `onMessage`, read in place from the packet when a segment holds whole messages and
 * from the stream's own buffer when a message spans segments.
 *
 * Contract: bounded: the buffer holds at most one unfinished message (≤ 65,537 bytes) plus the
 * segment being added. A gap in sequence numbers drops the unfinished message and resumes at
 * the next segment, assumed to start a message (`push` returns false then); retransmitted bytes
 * are skipped. `onMessage`'s bytes are valid only during the call.
 */

export type DnsTcpMessageSink = (data: Uint8Array, offset: number, length: number) => void;

export interface DnsTcpStream {
  /** Next expected sequence number, or -1 before the first segment. */
  next: number;
  buffer: Uint8Array | null;
  buffered: number;
}

export function createDnsTcpStream(): DnsTcpStream {
  return { next: -1, buffer: null, buffered: 0 };
}

const SYN = 0x02;

/** Adds one segment; returns false when it starts after a gap in sequence numbers. */
export function pushDnsTcpSegment(
  stream: DnsTcpStream,
  flags: number,
  seq: number,
  data: Uint8Array,
  offset: number,
  length: number,
  onMessage: DnsTcpMessageSink,
): boolean {
  let ok = true;
  if ((flags & SYN) !== 0) {
    stream.next = (seq + 1) >>> 0;
    stream.buffered = 0;
    return true;
  }
  if (length <= 0) return true;
  if (stream.next < 0) stream.next = seq >>> 0;
  const ahead = (seq - stream.next) | 0;
  let from = offset;
  let count = length;
  if (ahead > 0) {
    ok = false;
    stream.buffered = 0;
    stream.next = seq >>> 0;
  } else if (ahead < 0) {
    // Retransmitted bytes: keep only what is new.
    if (-ahead >= count) return true;
    from -= ahead;
    count += ahead;
  }
  stream.next = (stream.next + count) >>> 0;

  if (stream.buffered === 0) {
    const end = from + count;
    let o = from;
    while (end - o >= 2) {
      const size = (data[o] << 8) | data[o + 1];
      if (end - o < 2 + size) break;
      onMessage(data, o + 2, size);
      o += 2 + size;
    }
    if (o < end) append(stream, data, o, end - o);
    return ok;
  }
  append(stream, data, from, count);
  const buffer = stream.buffer as Uint8Array;
  let o = 0;
  while (stream.buffered - o >= 2) {
    const size = (buffer[o] << 8) | buffer[o + 1];
    if (stream.buffered - o < 2 + size) break;
    onMessage(buffer, o + 2, size);
    o += 2 + size;
  }
  if (o > 0) {
    buffer.copyWithin(0, o, stream.buffered);
    stream.buffered -= o;
  }
  return ok;
}

function append(stream: DnsTcpStream, data: Uint8Array, from: number, count: number): void {
  const needed = stream.buffered + count;
  let buffer = stream.buffer;
  if (buffer === null || buffer.length < needed) {
    const grown = new Uint8Array(Math.max(needed, 2 * (buffer?.length ?? 0), 512));
    if (buffer !== null) grown.set(buffer.subarray(0, stream.buffered));
    buffer = grown;
    stream.buffer = buffer;
  }
  buffer.set(data.subarray(from, from + count), stream.buffered);
  stream.buffered = needed;
}
