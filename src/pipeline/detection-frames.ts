/**
 * Datagrams framed into one buffer for the detection thread: u16 payload length, u8 exporter
 * length, a spare byte, f64 arrival time (seconds), the exporter text (ASCII), the payload.
 * The writer copies each datagram in (the caller keeps its buffer); the reader hands out views
 * into the buffer, valid during the callback.
 */

export const FRAME_HEADER = 12;

export class DetectionFrameWriter {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  used = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Whether a datagram of `payloadLength` bytes from `exporter` still fits. */
  fits(payloadLength: number, exporter: string): boolean {
    return this.used + FRAME_HEADER + exporter.length + payloadLength <= this.capacity;
  }

  /** The caller checked `fits` first; exporters longer than 255 characters are not framed. */
  write(payload: Uint8Array, exporter: string, receivedAtSec: number): void {
    const at = this.used;
    this.view.setUint16(at, payload.length);
    this.bytes[at + 2] = exporter.length;
    this.view.setFloat64(at + 4, receivedAtSec);
    for (let i = 0; i < exporter.length; i++) this.bytes[at + FRAME_HEADER + i] = exporter.charCodeAt(i);
    this.bytes.set(payload, at + FRAME_HEADER + exporter.length);
    this.used = at + FRAME_HEADER + exporter.length + payload.length;
    this.count++;
  }

  /** A copy of the filled part, to hand over; the writer starts again, empty. */
  take(): { buffer: ArrayBuffer; used: number } {
    const taken = { buffer: this.bytes.slice(0, this.used).buffer, used: this.used };
    this.used = 0;
    this.count = 0;
    return taken;
  }
}

export function readDetectionFrames(
  buffer: ArrayBuffer,
  used: number,
  onDatagram: (payload: Buffer, exporter: string, receivedAtSec: number) => void,
): void {
  const bytes = Buffer.from(buffer, 0, used);
  for (let o = 0; o + FRAME_HEADER <= used; ) {
    const length = bytes.readUInt16BE(o);
    const exporterLength = bytes[o + 2];
    const at = bytes.readDoubleBE(o + 4);
    const start = o + FRAME_HEADER + exporterLength;
    const exporter = bytes.toString('latin1', o + FRAME_HEADER, start);
    onDatagram(bytes.subarray(start, start + length), exporter, at);
    o = start + length;
  }
}
