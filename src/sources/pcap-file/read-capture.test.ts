import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, corpusAvailable, corpusFiles, corpusPath } from '../../../test/support/corpus.js';
import { createRecordingSink } from '../../../test/support/recording-sink.js';
import { ERR } from '../../shared/errors.js';
import { createCaptureParser, createPcapWriter, readCapture } from './index.js';

const TSHARK = '/usr/bin/tshark';

/** capinfos' facts per corpus file, from MANIFEST.tsv's last column. */
function manifest(): Map<string, { type: string; packets: number }> {
  const rows = readFileSync(path.join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  const facts = new Map<string, { type: string; packets: number }>();
  for (const row of rows) {
    const columns = row.split('\t');
    const capinfos = columns[columns.length - 1];
    const packets = /packets=(\d+)/.exec(capinfos)?.[1] ?? /after reading (\d+) packets/.exec(capinfos)?.[1];
    facts.set(columns[0], { type: /type=(\w+)/.exec(capinfos)?.[1] ?? '', packets: Number(packets) });
  }
  return facts;
}

/**
 * Where our count differs from capinfos, and why. bad_corrupt_record_length.pcap: read as
 * standard pcap (as libpcap does), record 2 claims 1,409,179,648 bytes, so 1 packet. Wireshark
 * reads 2 because, once standard parsing fails, it guesses a patched-libpcap layout with 24-byte
 * record headers ("ss990417"); its packet 2 is then 1 byte dated 1925.
 */
const COUNT_EXCEPTIONS: Record<string, number> = { 'bad_corrupt_record_length.pcap': 1 };

const EXPECTED_WARNINGS: Record<string, string[]> = {
  'bad_cut_short_http.pcap': [ERR.PCAP_TRUNCATED],
  'bad_corrupt_record_length.pcap': [ERR.PCAP_RECORD_TOO_LARGE],
};

describe.skipIf(!corpusAvailable)('corpus', () => {
  const facts = corpusAvailable ? manifest() : new Map();

  it.each(corpusFiles())('%s reads to the packet count capinfos reports', async (name) => {
    const sink = createRecordingSink();
    const info = await readCapture(corpusPath(name), sink);
    const fact = facts.get(name);
    expect(fact, 'listed in MANIFEST.tsv').toBeDefined();
    expect(info.frames).toBe(COUNT_EXCEPTIONS[name] ?? fact?.packets);
    expect(sink.frames.length).toBe(info.frames);
    expect(info.format).toBe(fact?.type === 'pcapng' ? 'pcapng' : 'pcap');
    expect(info.compressed).toBe(name.endsWith('.gz'));
    expect(info.sizeBytes).toBe(statSync(corpusPath(name)).size);
    expect(sink.progress).toBe(info.sizeBytes);
    expect(sink.warnings.map((w) => w.code)).toEqual(EXPECTED_WARNINGS[name] ?? []);
    expect(info.truncated).toBe(name === 'bad_cut_short_http.pcap');
    if (!name.startsWith('bad_') && !info.compressed) expect(info.bytesParsed).toBe(info.sizeBytes);
    expect(sink.frames.map((f) => f.index)).toEqual(Array.from({ length: info.frames }, (_, i) => i + 1));
  });

  it('says where the damage is in bad_ files', async () => {
    const cut = createRecordingSink();
    await readCapture(corpusPath('bad_cut_short_http.pcap'), cut);
    expect(cut.warnings[0]).toMatchObject({ packetIndex: 2697, byteOffset: 2715459 });
    expect(cut.warnings[0].message).toContain('cut short in the middle of a packet');
    const corrupt = createRecordingSink();
    await readCapture(corpusPath('bad_corrupt_record_length.pcap'), corrupt);
    expect(corrupt.warnings[0]).toMatchObject({ packetIndex: 2, byteOffset: 228 });
  });

  it.each([
    'fmt_pcapng_be_allblocks_testvector.pcapng',
    'fmt_pcapng_126if_shbcomment_ldap.pcapng',
    'fmt_pcap_nsec_sll_tcp_handshake.pcap',
    'bad_cut_short_http.pcap',
    'lt_sll2_http_download.pcap',
  ])('%s gives the same frames whatever the chunk sizes', (name) => {
    const bytes = readFileSync(corpusPath(name));
    const parse = (chunk: (i: number) => number) => {
      const sink = createRecordingSink({ digest: true });
      const parser = createCaptureParser(sink, name);
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = chunk(i);
        parser.push(bytes.subarray(at, at + size));
        at += size;
      }
      return { info: parser.finish(), frames: sink.frames, warnings: sink.warnings };
    };
    const whole = parse(() => bytes.length);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 1 + (seed % 5000);
    };
    expect(parse(random)).toEqual(whole);
    if (bytes.length < 100_000) expect(parse(() => 1)).toEqual(whole);
  });
});

describe.skipIf(!corpusAvailable || !existsSync(TSHARK))('timestamps agree with tshark', () => {
  it.each([
    'fmt_pcap_be_pptp_gre.pcap',
    'fmt_pcap_nsec_sll_tcp_handshake.pcap',
    'fmt_pcapng_126if_shbcomment_ldap.pcapng',
    'fmt_pcapng_2if_comments_rtp.pcapng',
    'fmt_pcapng_multi_interface.pcapng',
    'fmt_gzip_loopback_echo_82k.pcap.gz',
    'lt_radiotap_wpa_eapol.pcapng',
    'bulk_mixed_apps_1kxun.pcap',
    'bad_snaplen256_quic.pcap',
  ])('%s', async (name) => {
    const { stdout } = await promisify(execFile)(TSHARK, [
      '-r',
      corpusPath(name),
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'frame.len',
      '-e',
      'frame.cap_len',
      '-c',
      '5',
    ]);
    const oracle = stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t').map(Number));
    const sink = createRecordingSink();
    await readCapture(corpusPath(name), sink);
    const ours = sink.frames.slice(0, 5);
    expect(ours.map((f) => [f.originalLength, f.capturedLength])).toEqual(
      oracle.map(([, len, cap]) => [len, cap]),
    );
    for (let i = 0; i < ours.length; i++) {
      expect(Math.abs(ours[i].timestamp - oracle[i][0])).toBeLessThan(1e-6);
    }
  });
});

describe('files', () => {
  let dir = '';
  const capture = () => {
    const w = createPcapWriter({ linkType: 1 });
    for (let i = 0; i < 2000; i++) w.writePacket(Buffer.alloc(100 + (i % 50), i), 1700000000 + i / 100);
    return w.toBuffer();
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'flowlens-read-capture-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!corpusAvailable)('detects the format by content, not by extension', async () => {
    const misnamed: [string, string, string, boolean][] = [
      ['tcp_handshake.pcapng', 'looks-like.pcap', 'pcapng', false],
      ['tcp_rst_inject.pcap', 'looks-like.pcapng', 'pcap', false],
      ['fmt_gzip_loopback_echo_82k.pcap.gz', 'no-gz-extension.pcap', 'pcap', true],
    ];
    for (const [source, alias, format, compressed] of misnamed) {
      const link = path.join(dir, alias);
      await symlink(corpusPath(source), link);
      const info = await readCapture(link, createRecordingSink());
      expect(info).toMatchObject({ format, compressed });
    }
    const plain = path.join(dir, 'not-compressed.pcap.gz');
    await writeFile(plain, capture());
    expect(await readCapture(plain, createRecordingSink())).toMatchObject({
      compressed: false,
      frames: 2000,
    });
  });

  it('reads gzip, and reports a corrupt or cut-short gzip stream with the frames before it', async () => {
    const plain = capture();
    const gz = gzipSync(plain);
    const file = path.join(dir, 'ok.pcap.gz');
    await writeFile(file, gz);
    const ok = createRecordingSink({ keepBytes: true });
    expect(await readCapture(file, ok)).toMatchObject({
      compressed: true,
      frames: 2000,
      sizeBytes: gz.length,
    });
    expect(ok.warnings).toEqual([]);

    // A cut-short stream yields all that zlib can recover from it.
    const cutGz = gz.subarray(0, Math.floor(gz.length / 2));
    const recoverable = createRecordingSink();
    const parser = createCaptureParser(recoverable, 'recoverable');
    parser.push(gunzipSync(cutGz, { finishFlush: constants.Z_SYNC_FLUSH }));
    parser.finish();
    const cutFile = path.join(dir, 'cut.pcap.gz');
    await writeFile(cutFile, cutGz);
    const cut = createRecordingSink({ keepBytes: true });
    const cutInfo = await readCapture(cutFile, cut);
    expect(cutInfo).toMatchObject({ frames: recoverable.frames.length, truncated: true });
    expect(cut.frames).toEqual(ok.frames.slice(0, cutInfo.frames));
    expect(cut.warnings[0]).toMatchObject({ code: ERR.GZIP_CORRUPT, file: cutFile });

    const corrupt = Buffer.from(gz);
    corrupt[gz.length - 8] ^= 1; // CRC32
    const corruptFile = path.join(dir, 'corrupt.pcap.gz');
    await writeFile(corruptFile, corrupt);
    const badCrc = createRecordingSink({ keepBytes: true });
    const badCrcInfo = await readCapture(corruptFile, badCrc);
    // zlib drops the output of the call that fails, so the tail may be missing.
    expect(badCrcInfo.frames).toBeGreaterThan(0);
    expect(badCrc.frames).toEqual(ok.frames.slice(0, badCrcInfo.frames));
    expect(badCrc.warnings.map((w) => w.code)).toContain(ERR.GZIP_CORRUPT);

    // Damage mid-stream shows as a gzip error or as damaged records, whichever comes first.
    corrupt.fill(0xff, gz.length >> 1, (gz.length >> 1) + 40);
    await writeFile(corruptFile, corrupt);
    const bad = createRecordingSink();
    expect((await readCapture(corruptFile, bad)).frames).toBeLessThan(2000);
    expect(bad.warnings.length).toBeGreaterThan(0);

    corrupt.fill(0xff, 12, 40); // before any capture byte: nothing to report but the error
    await writeFile(corruptFile, corrupt);
    await expect(readCapture(corruptFile, createRecordingSink())).rejects.toMatchObject({
      code: ERR.GZIP_CORRUPT,
      exitCode: 2,
    });
  });

  it('fails with FILE_OPEN (exit code 2) for a missing file or a directory', async () => {
    const missing = path.join(dir, 'missing.pcap');
    await expect(readCapture(missing, createRecordingSink())).rejects.toMatchObject({
      code: ERR.FILE_OPEN,
      exitCode: 2,
      message: `${missing}: cannot open the capture (no such file): check the path and that you may read it`,
    });
    await expect(readCapture(dir, createRecordingSink())).rejects.toMatchObject({
      code: ERR.FILE_OPEN,
      message: expect.stringContaining('it is a directory'),
    });
  });

  it('fails with NOT_A_CAPTURE for an empty file or another format', async () => {
    const empty = path.join(dir, 'empty.pcap');
    await writeFile(empty, '');
    await expect(readCapture(empty, createRecordingSink())).rejects.toMatchObject({
      code: ERR.NOT_A_CAPTURE,
      exitCode: 2,
      message: `${empty}: not a pcap or pcapng capture (first bytes: none, the file is empty)`,
    });
    const text = path.join(dir, 'notes.pcap');
    await writeFile(text, 'hello world\n');
    await expect(readCapture(text, createRecordingSink())).rejects.toMatchObject({
      code: ERR.NOT_A_CAPTURE,
      message: `${text}: not a pcap or pcapng capture (first bytes: 68 65 6c 6c)`,
    });
  });

  it('waits for backpressure between chunks and reports raw bytes read', async () => {
    const file = path.join(dir, 'big.pcap');
    const bytes = Buffer.concat([capture(), ...Array(12).fill(capture().subarray(24))]);
    await writeFile(file, bytes);
    let waits = 0;
    const sink = createRecordingSink();
    sink.backpressure = () => {
      waits++;
      return new Promise((resolve) => setImmediate(resolve));
    };
    const info = await readCapture(file, sink);
    expect(info.frames).toBe(13 * 2000);
    expect(waits).toBeGreaterThan(1);
    expect(sink.progress).toBe(bytes.length);
  });

  it('hands over every frame intact across many read chunks (the reader reuses its buffers)', async () => {
    // ≈5 MB: five 1 MiB read chunks, records straddling each boundary. Every byte of frame i is
    // derived from i, so a buffer read into while it is still being parsed shows up.
    const w = createPcapWriter({ linkType: 1 });
    const count = 7000;
    for (let i = 0; i < count; i++) {
      const frame = Buffer.alloc(60 + ((i * 37) % 1400));
      frame.writeUInt32BE(i, 0);
      for (let j = 4; j < frame.length; j++) frame[j] = (i + j) & 0xff;
      w.writePacket(frame, 1700000000 + i / 1000);
    }
    const file = path.join(dir, 'many-chunks.pcap');
    await writeFile(file, w.toBuffer());
    let seen = 0;
    let damaged = 0;
    const info = await readCapture(file, {
      onFrame(frame) {
        const bytes = frame.data.subarray(frame.offset, frame.offset + frame.capturedLength);
        const i = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
        let intact = i === seen && bytes.length === 60 + ((i * 37) % 1400);
        for (let j = 4; j < bytes.length && intact; j++) intact = bytes[j] === ((i + j) & 0xff);
        if (!intact) damaged++;
        seen++;
      },
      onWarning() {},
      backpressure: () => (seen % 3 === 0 ? new Promise((resolve) => setTimeout(resolve, 1)) : undefined),
    });
    expect(info.frames).toBe(count);
    expect(info.bytesParsed).toBeGreaterThan(5 * 1024 * 1024);
    expect(damaged).toBe(0);
  });

  it('stops when aborted', async () => {
    const file = path.join(dir, 'abort.pcap');
    await writeFile(file, Buffer.concat([capture(), ...Array(12).fill(capture().subarray(24))]));
    const controller = new AbortController();
    const sink = createRecordingSink();
    sink.backpressure = () => {
      controller.abort();
      return undefined;
    };
    await expect(readCapture(file, sink, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(sink.frames.length).toBeLessThan(13 * 2000);
  });

  it("reads stdin for '-'", async () => {
    const plain = capture();
    const original = Object.getOwnPropertyDescriptor(process, 'stdin');
    Object.defineProperty(process, 'stdin', {
      configurable: true,
      value: Readable.from([gzipSync(plain).subarray(0, 1), gzipSync(plain).subarray(1)]),
    });
    try {
      const info = await readCapture('-', createRecordingSink());
      expect(info).toMatchObject({ file: '-', frames: 2000, compressed: true, sizeBytes: undefined });
    } finally {
      if (original) Object.defineProperty(process, 'stdin', original);
    }
  });
});
