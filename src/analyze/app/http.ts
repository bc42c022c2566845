/**
 * HTTP/1.x message heads for the application analyzer: the request line and the Host and
 * User-Agent headers (RFC 9112 §3, RFC 9110 §7.2), and the status line of a response
 * (RFC 9112 §4).
 *
 * Contract: reads only within the bounds given, never throws; strings are capped at `maxLength`.
 */
import type { HttpMetadata } from '../../model/index.js';
import { latin1, NEED_MORE } from './tls.js';

const METHODS = new Set([
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'PATCH',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
]);

/** True when the bytes start with a known method and a space (`GET /`, `POST /`, …). */
export function looksLikeHttpRequest(data: Uint8Array, off: number, len: number): boolean {
  let i = 0;
  while (i < len && i < 10) {
    const c = data[off + i]!;
    if (c === 0x20) break;
    if (c < 0x41 || c > 0x5a) return false;
    i++;
  }
  return i >= 3 && i < len && data[off + i] === 0x20 && METHODS.has(latin1(data, off, off + i));
}

/** True when the bytes start with `HTTP/1.`. */
export function looksLikeHttpResponse(data: Uint8Array, off: number, len: number): boolean {
  return (
    len >= 8 &&
    data[off] === 0x48 &&
    data[off + 1] === 0x54 &&
    data[off + 2] === 0x54 &&
    data[off + 3] === 0x50 &&
    data[off + 4] === 0x2f &&
    data[off + 5] === 0x31 &&
    data[off + 6] === 0x2e
  );
}

/** Offset just past the blank line that ends the head, or -1. */
function headEnd(data: Uint8Array, off: number, end: number): number {
  for (let i = off; i + 1 < end; i++) {
    if (data[i] !== 0x0a) continue;
    if (data[i + 1] === 0x0a) return i + 2;
    if (data[i + 1] === 0x0d && i + 2 < end && data[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

function cap(text: string, maxLength: number): string {
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}

/** Lines of the head (CRLF or LF), the last possibly cut short. */
function headLines(data: Uint8Array, off: number, len: number, final: boolean): string[] | typeof NEED_MORE {
  const end = off + len;
  const stop = headEnd(data, off, end);
  if (stop < 0 && !final) return NEED_MORE;
  return latin1(data, off, stop < 0 ? end : stop).split(/\r?\n/);
}

/**
 * Parses a request head: method, target, Host, User-Agent. NEED_MORE until the blank line ending
 * the head is there, unless `final` (no more bytes will come), when the lines so far are used.
 */
export function parseHttpRequest(
  data: Uint8Array,
  off: number,
  len: number,
  final: boolean,
  maxLength: number,
): HttpMetadata | typeof NEED_MORE {
  const lines = headLines(data, off, len, final);
  if (lines === NEED_MORE) return NEED_MORE;
  const [method, target] = lines[0]!.split(' ');
  const http: HttpMetadata = { method: method!, path: cap(target ?? '', maxLength) };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'host' && http.host === undefined) http.host = cap(line.slice(colon + 1).trim(), maxLength);
    else if (name === 'user-agent' && http.userAgent === undefined)
      http.userAgent = cap(line.slice(colon + 1).trim(), maxLength);
  }
  return http;
}

/** Status code of a response's status line (`HTTP/1.1 200 OK`), or 0 when it has none. */
export function parseHttpStatus(data: Uint8Array, off: number, len: number): number {
  if (len < 12 || data[off + 8] !== 0x20) return 0;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = data[off + i]! - 0x30;
    if (d < 0 || d > 9) return 0;
    status = status * 10 + d;
  }
  return status;
}
