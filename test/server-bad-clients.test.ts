/**
 * Clients that misbehave: garbage and oversized bodies, a file that is not a capture, a
 * connection dropped mid-upload, and path tricks in file names. Each gets a clear error (or, for
 * names, a harmless display name), leaves no file behind, and the server keeps serving.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  requireBuiltWorker,
  startTestServer,
  type TestServer,
  upload,
  waitForJob,
} from './support/server-harness.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const CAPTURE = path.join(FIXTURES, 'tcp-handshake-and-close.pcap');
const NOT_A_CAPTURE = path.join(FIXTURES, 'not-a-capture.pcap');
const UPLOAD_LIMIT = 64 * 1024;

describe('bad clients', () => {
  let t: TestServer;
  const uploads = () => readdirSync(path.join(t.dataDir, 'uploads'));
  const post = (body: string | Buffer, contentType: string) =>
    fetch(`${t.url}/api/v1/captures`, { method: 'POST', body, headers: { 'content-type': contentType } });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    requireBuiltWorker();
    t = await startTestServer({ uploadLimit: UPLOAD_LIMIT, keepUploads: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses garbage bodies with 4xx and a stable code', async () => {
    const garbage = await post(
      Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]),
      'multipart/form-data; boundary=zzz',
    );
    expect(garbage.status).toBe(400);
    expect(await errorOf(garbage)).toBe('FLOWLENS_ERR_VALIDATION');
    const noBoundary = await post('hello', 'multipart/form-data');
    expect(noBoundary.status).toBeGreaterThanOrEqual(400);
    expect(noBoundary.status).toBeLessThan(500);
    const json = await post('{"not": json', 'application/json');
    expect(json.status).toBe(400);
    const text = await post('just text', 'text/plain');
    expect(text.status).toBe(415);
    expect(await errorOf(text)).toBe('FLOWLENS_ERR_UNSUPPORTED_MEDIA_TYPE');
    const form = new FormData();
    form.append('comment', 'no file here');
    const noFile = await fetch(`${t.url}/api/v1/captures`, { method: 'POST', body: form });
    expect(noFile.status).toBe(400);
    expect(uploads()).toEqual([]);
  });

  it('refuses oversized bodies with 413', async () => {
    const json = await post(JSON.stringify({ pad: 'x'.repeat(2 << 20) }), 'application/json');
    expect(json.status).toBe(413);
    expect(await errorOf(json)).toBe('FLOWLENS_ERR_PAYLOAD_TOO_LARGE');

    // A valid capture header followed by more bytes than the upload limit.
    const big = Buffer.alloc(UPLOAD_LIMIT * 3);
    readFileSync(CAPTURE).copy(big);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.pcap');
    const response = await fetch(`${t.url}/api/v1/captures`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toBe('FLOWLENS_ERR_PAYLOAD_TOO_LARGE');
    expect(uploads()).toEqual([]);
  });

  it('refuses files that are not captures by their magic bytes, whatever their name', async () => {
    for (const [file, name] of [
      [NOT_A_CAPTURE, 'not-a-capture.pcap'],
      [path.join(FIXTURES, '..', 'server-bad-clients.test.ts'), 'capture.pcapng'],
    ]) {
      const response = await upload(t.url, file, { fileName: name });
      expect(response.status).toBe(422);
      expect(await errorOf(response)).toBe('FLOWLENS_ERR_NOT_A_CAPTURE');
    }
    expect(uploads()).toEqual([]);
    expect(t.server.jobs.waiting).toBe(0);
  });

  it('removes the partial file when the client drops the connection mid-upload', async () => {
    const { port } = new URL(t.url);
    const boundary = 'dropboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pcap"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/v1/captures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${head.length + 60_000}\r\n\r\n`,
    );
    socket.write(head);
    socket.write(readFileSync(CAPTURE));
    socket.write(Buffer.alloc(20_000));
    // Wait until the server has started writing the upload, then vanish.
    const until = Date.now() + 10_000;
    while (uploads().length === 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(uploads()).toHaveLength(1);
    socket.destroy();
    // The partial file goes first, then the route gives back its waiting place: wait for both.
    const gone = Date.now() + 10_000;
    while ((uploads().length > 0 || t.server.jobs.waiting > 0) && Date.now() < gone)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(uploads()).toEqual([]);
    expect(t.server.jobs.waiting).toBe(0);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it('never uses the client file name as a path', async () => {
    const names: [string, string][] = [
      ['../../../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['a/b/../../c.pcap', 'c.pcap'],
      ['evil\u0000.pcap\u0007', 'evil.pcap'],
      ['..', 'upload'],
      ['/', 'upload'],
    ];
    for (const [name, shown] of names) {
      const response = await upload(t.url, CAPTURE, { fileName: name });
      expect(response.status, name).toBe(202);
      const job = (await response.json()) as { id: string; fileName: string };
      expect(job.fileName).toBe(shown);
      await waitForJob(t.url, job.id, (j) => j.status === 'succeeded');
    }
    // Kept uploads (keepUploads) carry random names, inside the private directory only.
    const kept = uploads();
    expect(kept).toHaveLength(names.length);
    for (const file of kept) expect(file).toMatch(/^[0-9a-f-]{36}\.upload$/);
    expect(readdirSync(t.dataDir).sort()).toEqual(expect.arrayContaining(['jobs', 'reports', 'uploads']));
    expect(
      readdirSync(t.dataDir).filter((f) => !/^(jobs|reports|uploads|flowlens\.duckdb.*)$/.test(f)),
    ).toEqual([]);
  });
});
