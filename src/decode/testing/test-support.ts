/**
 * Test-only helpers: a minimal classic-pcap reader (both byte orders, µs and ns magics, gzip),
 * so the decoder tests see exactly the bytes of the file and do not depend on the capture
 * reader (built in parallel). pcapng files are converted by `editcap -F pcap` first; those that
 * mix link types (which classic pcap cannot hold) are read with the project's capture reader.
 * Not part of the product and not exported from index.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createFrame, type Frame } from '../../model/frame.js';
import { readCapture } from '../../sources/pcap-file/index.js';

let tempDir: string | undefined;

/** Every frame of a capture file, in order; resolves with the frame count. */
export async function readFrames(file: string, onFrame: (frame: Frame) => void): Promise<number> {
  let source = file;
  if (file.endsWith('.pcapng')) {
    tempDir ??= mkdtempSync(path.join(tmpdir(), 'flowlens-decode-'));
    source = path.join(tempDir, `${path.basename(file)}.pcap`);
    try {
      execFileSync('editcap', ['-F', 'pcap', file, source], { stdio: 'ignore' });
    } catch {
      const info = await readCapture(file, { onFrame, onWarning: () => {} });
      return info.frames;
    }
  }
  return readPcap(source, onFrame);
}

/** Classic pcap; `frame.data` is the whole file, so frame offsets are realistic (not 0). */
function readPcap(source: string, onFrame: (frame: Frame) => void): number {
  let bytes: Uint8Array = readFileSync(source);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const frame = createFrame();
  frame.data = bytes;
  frame.linkType = view.getUint32(20, little) & 0x0fffffff;
  let o = 24;
  let index = 0;
  while (o + 16 <= bytes.length) {
    const captured = view.getUint32(o + 8, little);
    if (o + 16 + captured > bytes.length) break;
    frame.timestamp = view.getUint32(o, little) + view.getUint32(o + 4, little) / (nano ? 1e9 : 1e6);
    frame.offset = o + 16;
    frame.capturedLength = captured;
    frame.originalLength = view.getUint32(o + 12, little);
    frame.index = ++index;
    onFrame(frame);
    o += 16 + captured;
  }
  return index;
}
