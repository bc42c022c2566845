/**
 * Streams one capture file (or stdin for '-') through the push parser, gunzipping it on the fly
 * when it starts with the gzip magic (1f 8b). Memory stays flat whatever the file size: two read
 * buffers (one parsed, one being read), one decompressed chunk and the parser's carry buffer.
 */
import { once } from 'node:events';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { ERR, FlowlensError } from '../../shared/errors.js';
import type { CaptureFileInfo, FrameSink } from '../source.js';
import { createCaptureParser } from './capture-parser.js';

export interface ReadCaptureOptions {
  /** Aborting stops reading; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

const READ_CHUNK_BYTES = 1024 * 1024;
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/** Decompressed chunks waiting for the parser before zlib is paused. */
const GUNZIP_QUEUE_CHUNKS = 4;

/**
 * Reads `file` into `sink` and resolves with what was read. Damaged input becomes warnings on
 * the sink (including a corrupt or truncated gzip stream, which also sets `truncated`). It
 * rejects with a FlowlensError (exit code 2): FILE_OPEN when the file cannot be read,
 * NOT_A_CAPTURE when it is no capture, GZIP_CORRUPT when gzip fails before any capture byte.
 */
export async function readCapture(
  file: string,
  sink: FrameSink,
  options: ReadCaptureOptions = {},
): Promise<CaptureFileInfo> {
  const { signal } = options;
  signal?.throwIfAborted();
  // The file reader may reuse its buffers once the head is known and is not gzip: zlib may still
  // read a chunk after taking it, and the head's chunks are kept while more are read.
  let reuseBuffers = false;
  const { input, close, sizeBytes } = await openInput(file, () => reuseBuffers);
  let rawBytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      rawBytes += chunk.length;
      sink.onProgress?.(rawBytes);
      yield chunk;
    }
  }
  const raw = counted();
  const parser = createCaptureParser(sink, file);
  let pushed = 0;
  let compressed = false;
  let gzipFailed = false;
  try {
    const head = await readHead(raw);
    compressed = head.length > 0 && head[0].length >= 2 && head[0][0] === 0x1f && head[0][1] === 0x8b;
    reuseBuffers = !compressed;
    async function* rest(): AsyncGenerator<Buffer> {
      yield* head;
      yield* raw;
    }
    const chunks: AsyncIterable<Uint8Array> = compressed ? gunzip(rest()) : rest();
    try {
      for await (const chunk of chunks) {
        signal?.throwIfAborted();
        parser.push(chunk);
        pushed += chunk.length;
        if (parser.stopped) break;
        const wait = sink.backpressure?.();
        if (wait) await wait;
      }
    } catch (error) {
      if (!isZlibError(error)) throw error;
      gzipFailed = true;
      if (pushed < 4) {
        const reason = (error as Error).message;
        throw new FlowlensError(ERR.GZIP_CORRUPT, `${file}: the gzip stream is corrupt (${reason})`, 2);
      }
      sink.onWarning({
        packetIndex: null,
        byteOffset: pushed,
        file,
        code: ERR.GZIP_CORRUPT,
        message: `${file}: the gzip stream is corrupt or cut short after ${pushed} decompressed bytes (${(error as Error).message}): results cover what came before`,
      });
    }
  } catch (error) {
    throw readFailure(file, error);
  } finally {
    // Closing the input first ends any read still pending inside `raw`.
    close();
    raw.return(undefined).catch(() => {});
  }
  const info = parser.finish();
  return { ...info, compressed, sizeBytes, truncated: info.truncated || gzipFailed };
}

interface Input {
  input: AsyncIterable<Buffer>;
  /** Ends reading (a pending read ends too) and releases the file. */
  close(): void;
  sizeBytes: number | undefined;
}

async function openInput(file: string, mayReuseBuffers: () => boolean): Promise<Input> {
  if (file === '-') {
    return { input: process.stdin, close: () => process.stdin.destroy(), sizeBytes: undefined };
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const opened = handle;
    let closed = false;
    return {
      input: fileChunks(opened, mayReuseBuffers, () => closed),
      close: () => {
        if (closed) return;
        closed = true;
        opened.close().catch(() => {});
      },
      sizeBytes: stat.size,
    };
  } catch (error) {
    await handle?.close();
    throw cannotOpen(file, error);
  }
}

/**
 * A file's bytes in chunks of READ_CHUNK_BYTES, read straight from its handle, the next chunk
 * read while the caller works on the current one. While `mayReuseBuffers()` holds, two buffers
 * take turns: a chunk's buffer is read into again as soon as the caller asks for the next chunk,
 * so a chunk is valid only until then (the parser copies what it keeps). This is cheaper than a
 * read stream, which allocates a buffer per chunk and runs its own machinery, noticeably so
 * before the JIT has compiled it.
 */
async function* fileChunks(
  handle: FileHandle,
  mayReuseBuffers: () => boolean,
  isClosed: () => boolean,
): AsyncGenerator<Buffer> {
  let current = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  const read = (into: Buffer) => {
    const started = handle.read(into, 0, READ_CHUNK_BYTES, null);
    // A read still pending when the caller stops early fails on the closed handle: not an error.
    started.catch(() => {});
    return started;
  };
  let pending = read(current);
  for (;;) {
    const { bytesRead } = await pending;
    if (bytesRead === 0 || isClosed()) return;
    const chunk = current;
    current = spare;
    pending = read(current);
    spare = mayReuseBuffers() ? chunk : Buffer.allocUnsafe(READ_CHUNK_BYTES);
    yield chunk.subarray(0, bytesRead);
  }
}

/** Buffers the first chunks until 2 bytes are known (enough to see the gzip magic). */
async function readHead(raw: AsyncGenerator<Buffer>): Promise<Buffer[]> {
  const head: Buffer[] = [];
  let length = 0;
  while (length < 2) {
    const next = await raw.next();
    if (next.done) break;
    if (next.value.length === 0) continue;
    head.push(next.value);
    length += next.value.length;
  }
  return length >= 2 && head[0].length < 2 ? [Buffer.concat(head)] : head;
}

/**
 * Decompresses `source`. Unlike iterating the gunzip stream, which drops output still buffered
 * when zlib fails, this yields every byte zlib produced before it throws the zlib error.
 */
async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const zlib = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  const queue: Buffer[] = [];
  let failure: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  zlib.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= GUNZIP_QUEUE_CHUNKS) zlib.pause();
    notify();
  });
  zlib.on('end', () => {
    ended = true;
    notify();
  });
  zlib.on('error', (error) => {
    failure ??= error;
    notify();
  });
  const feed = async () => {
    try {
      for await (const chunk of source) {
        if (failure !== null || zlib.destroyed) return;
        if (!zlib.write(chunk)) await once(zlib, 'drain');
      }
      zlib.end();
    } catch (error) {
      failure ??= error;
      notify();
    }
  };
  void feed();
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length === 0) zlib.resume();
        yield chunk;
      } else if (failure !== null) {
        throw failure;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    zlib.destroy();
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
};

export function cannotOpen(file: string, error: unknown): FlowlensError {
  const code = (error as { code?: string } | null)?.code ?? '';
  const reason = REASONS[code] ?? (error as Error).message;
  return new FlowlensError(
    ERR.FILE_OPEN,
    `${file}: cannot open the capture (${reason}): check the path and that you may read it`,
    2,
  );
}

/** An I/O error mid-read becomes FILE_OPEN; anything else (ours, aborts, the sink's) passes. */
function readFailure(file: string, error: unknown): unknown {
  if (error instanceof FlowlensError || (error as Error | null)?.name === 'AbortError') return error;
  if (typeof (error as { syscall?: unknown } | null)?.syscall !== 'string') return error;
  const reason = (error as Error).message;
  return new FlowlensError(ERR.FILE_OPEN, `${file}: reading the capture failed (${reason})`, 2);
}
