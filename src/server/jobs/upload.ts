/**
 * Receiving one capture upload: the multipart file part is streamed to a new file with a random
 * name in the private uploads directory (mode 0600; the client's name is never used as a path),
 * hashed on the way, then checked by its magic bytes. Any failure, including the client going
 * away mid-upload, deletes the partial file before the error propagates.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { ERR, FlowlensError } from '../../shared/index.js';
import { checkCaptureFile } from '../../sources/index.js';
import { ApiError } from '../api-error.js';
import { displayName } from './job.js';

export interface ReceivedUpload {
  path: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
}

/** Reads the request's first file part into `uploadsDir`. Throws ApiError (400, 413, 415, 422). */
export async function receiveUpload(
  request: FastifyRequest,
  uploadsDir: string,
  uploadLimit: number,
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new ApiError(
      415,
      ERR.API_UNSUPPORTED_MEDIA_TYPE,
      'send the capture as multipart/form-data, field "file"',
    );
  }
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    part = await request.file({ limits: { fileSize: uploadLimit, files: 1, fields: 10, parts: 11 } });
  } catch (error) {
    throw malformed(error);
  }
  if (part === undefined) {
    throw new ApiError(
      400,
      ERR.API_VALIDATION,
      'no file in the upload: send the capture in a multipart field "file"',
    );
  }
  const target = path.join(uploadsDir, `${randomUUID()}.upload`);
  const hash = createHash('sha256');
  let kept = false;
  try {
    await pipeline(
      part.file,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback(null, chunk);
        },
      }),
      createWriteStream(target, { flags: 'wx', mode: 0o600 }),
    );
    if (part.file.truncated) throw tooLarge(uploadLimit);
    try {
      await checkCaptureFile(target);
    } catch (error) {
      if (error instanceof FlowlensError && error.code === ERR.NOT_A_CAPTURE) {
        throw new ApiError(
          422,
          ERR.NOT_A_CAPTURE,
          'not a capture file: expected pcap, pcapng or gzip-compressed pcap/pcapng',
        );
      }
      throw error;
    }
    const { size } = await stat(target);
    kept = true;
    return {
      path: target,
      fileName: displayName(part.filename),
      sizeBytes: size,
      sha256: hash.digest('hex'),
    };
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(uploadLimit);
    throw malformed(error);
  } finally {
    if (!kept) await rm(target, { force: true });
  }
}

/**
 * The multipart parser throws plain Errors for bodies it cannot parse: those are the client's
 * fault (400). Our own errors and system errors (disk full, permissions) pass through.
 */
function malformed(error: unknown): unknown {
  if (error instanceof ApiError || error instanceof FlowlensError || !(error instanceof Error)) return error;
  if ('syscall' in error || 'statusCode' in error) return error;
  return new ApiError(400, ERR.API_VALIDATION, `malformed multipart body: ${error.message}`);
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    ERR.API_PAYLOAD_TOO_LARGE,
    `the upload is larger than the limit of ${limit} bytes`,
    {
      limit,
    },
  );
}
