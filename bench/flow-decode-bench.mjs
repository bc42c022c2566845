#!/usr/bin/env node
/**
 * Flow-export decode benchmark: records/s on one core for NetFlow v5, NetFlow v9 and IPFIX (and
 * sFlow v5 for reference), decode only: no sockets, no store. Datagrams are synthesised here
 * (softflowd-like templates, 1,000 datagrams of varied addresses per protocol) and decoded in a
 * loop by one `createFlowExportDecoder`; the sink only counts records. The target is at least
 * 1,000,000 records/s for v5, v9 and IPFIX (GoFlow2's decoder: about 0.5M/s per core).
 *
 * usage: npm run build && node bench/flow-decode-bench.mjs [--seconds S] [--json]
 * FLOWLENS_DIST=DIR points at another build of src/ (default dist/).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.FLOWLENS_DIST ?? path.join(ROOT, 'dist');
const { createFlowExportDecoder } = await import(
  pathToFileURL(path.join(DIST, 'decode', 'flow-export', 'index.js')).href
);

const { values: opts } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
});
const SECONDS = Number(opts.seconds);
const DATAGRAMS = 1000;

/** Big-endian writer over a growing byte array. */
function writer() {
  const bytes = [];
  const w = {
    bytes,
    u(value, width) {
      for (let i = width - 1; i >= 0; i--) bytes.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
      return w;
    },
    at(offset, value, width) {
      for (let i = width - 1, o = offset; i >= 0; i--, o++)
        bytes[o] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    },
    done: () => Uint8Array.from(bytes),
  };
  return w;
}

const addr = (n, i) => (10 << 24) + ((n * 7919 + i * 104729) % 0xffffff);

function v5(n) {
  const w = writer()
    .u(5, 2)
    .u(30, 2)
    .u(3_600_000, 4)
    .u(1_700_000_000, 4)
    .u(0, 4)
    .u(n * 30, 4)
    .u(0, 2)
    .u(0, 2);
  for (let i = 0; i < 30; i++) {
    w.u(addr(n, i), 4)
      .u(addr(n + 1, i), 4)
      .u(0, 4)
      .u(3, 2)
      .u(4, 2)
      .u(10 + i, 4)
      .u(1500 * (10 + i), 4);
    w.u(3_500_000, 4)
      .u(3_590_000, 4)
      .u(1024 + i, 2)
      .u(443, 2)
      .u(0, 1)
      .u(0x1b, 1)
      .u(6, 1)
      .u(0, 1);
    w.u(0, 2).u(0, 2).u(24, 1).u(24, 1).u(0, 2);
  }
  return w.done();
}

// softflowd's v9/IPFIX IPv4 template: addresses, counters, times, ports, flags, protocol, tos, ifs.
const FIELDS = [
  [8, 4],
  [12, 4],
  [2, 4],
  [1, 4],
  [22, 4],
  [21, 4],
  [7, 2],
  [11, 2],
  [6, 1],
  [4, 1],
  [5, 1],
  [10, 4],
  [14, 4],
];
const IPFIX_FIELDS = [
  [8, 4],
  [12, 4],
  [2, 8],
  [1, 8],
  [152, 8],
  [153, 8],
  [7, 2],
  [11, 2],
  [6, 1],
  [4, 1],
  [5, 1],
  [10, 4],
  [14, 4],
];
const RECORDS = 24;

function record(w, fields, n, i) {
  for (const [id, width] of fields) {
    let v = 0;
    if (id === 8) v = addr(n, i);
    else if (id === 12) v = addr(n + 1, i);
    else if (id === 2) v = 10 + i;
    else if (id === 1) v = 1500 * (10 + i);
    else if (id === 22 || id === 21) v = 3_500_000 + i;
    else if (id === 152 || id === 153) v = 1_700_000_000_000 + i;
    else if (id === 7) v = 1024 + i;
    else if (id === 11) v = 443;
    else if (id === 6) v = 0x1b;
    else if (id === 4) v = 6;
    else if (id === 10 || id === 14) v = 3;
    w.u(v, width);
  }
}

function v9(n) {
  const w = writer().u(9, 2).u(2, 2).u(3_600_000, 4).u(1_700_000_000, 4).u(n, 4).u(1, 4);
  w.u(0, 2)
    .u(8 + FIELDS.length * 4, 2)
    .u(256, 2)
    .u(FIELDS.length, 2);
  for (const [id, width] of FIELDS) w.u(id, 2).u(width, 2);
  const start = w.bytes.length;
  w.u(256, 2).u(0, 2);
  for (let i = 0; i < RECORDS; i++) record(w, FIELDS, n, i);
  while ((w.bytes.length - start) % 4 !== 0) w.u(0, 1);
  w.at(start + 2, w.bytes.length - start, 2);
  return w.done();
}

function ipfix(n) {
  const w = writer()
    .u(10, 2)
    .u(0, 2)
    .u(1_700_000_000, 4)
    .u(n * RECORDS, 4)
    .u(1, 4);
  w.u(2, 2)
    .u(8 + IPFIX_FIELDS.length * 4, 2)
    .u(256, 2)
    .u(IPFIX_FIELDS.length, 2);
  for (const [id, width] of IPFIX_FIELDS) w.u(id, 2).u(width, 2);
  const start = w.bytes.length;
  w.u(256, 2).u(0, 2);
  for (let i = 0; i < RECORDS; i++) record(w, IPFIX_FIELDS, n, i);
  w.at(start + 2, w.bytes.length - start, 2);
  w.at(2, w.bytes.length, 2);
  return w.done();
}

function sflow(n) {
  const w = writer().u(5, 4).u(1, 4).u(0xc0000201, 4).u(0, 4).u(n, 4).u(1000, 4).u(8, 4);
  for (let i = 0; i < 8; i++) {
    // Flow sample with one raw header record: Ethernet + IPv4 + TCP (54 bytes, padded to 56).
    const header = writer().u(0x020000000001, 6).u(0x020000000002, 6).u(0x0800, 2);
    header
      .u(0x45, 1)
      .u(0, 1)
      .u(1500, 2)
      .u(0, 4)
      .u(64, 1)
      .u(6, 1)
      .u(0, 2)
      .u(addr(n, i), 4)
      .u(addr(n + 1, i), 4);
    header
      .u(1024 + i, 2)
      .u(443, 2)
      .u(1, 4)
      .u(0, 4)
      .u(0x50, 1)
      .u(0x18, 1)
      .u(1024, 2)
      .u(0, 4);
    const h = header.done();
    w.u(1, 4)
      .u(32 + 8 + 16 + 56, 4)
      .u(i, 4)
      .u(3, 4)
      .u(1000, 4)
      .u(100000, 4)
      .u(0, 4)
      .u(3, 4)
      .u(4, 4)
      .u(1, 4);
    w.u(1, 4)
      .u(16 + 56, 4)
      .u(1, 4)
      .u(1518, 4)
      .u(4, 4)
      .u(h.length, 4);
    for (const b of h) w.u(b, 1);
    w.u(0, 2);
  }
  return w.done();
}

function bench(name, make) {
  const datagrams = Array.from({ length: DATAGRAMS }, (_, n) => make(n));
  let records = 0;
  const sink = {
    onFlow() {
      records++;
    },
  };
  const decoder = createFlowExportDecoder();
  // Warm-up, then timed rounds until SECONDS have passed.
  for (let r = 0; r < 20; r++) for (const d of datagrams) decoder.decode(d, '192.0.2.1', 1_700_000_000, sink);
  const errors = decoder.exporterCounters('192.0.2.1').decodeErrors;
  if (errors > 0) throw new Error(`${name}: ${errors} decode errors in synthetic datagrams`);
  records = 0;
  let datagramCount = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    for (const d of datagrams) decoder.decode(d, '192.0.2.1', 1_700_000_000, sink);
    datagramCount += datagrams.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return {
    protocol: name,
    records,
    datagrams: datagramCount,
    seconds: elapsed,
    recordsPerSec: records / elapsed,
  };
}

const results = [
  bench('netflow-v5', v5),
  bench('netflow-v9', v9),
  bench('ipfix', ipfix),
  bench('sflow-v5', sflow),
];
if (opts.json) console.log(JSON.stringify({ node: process.version, results }, null, 2));
else {
  console.log(`node ${process.version}, ${SECONDS}s per protocol, one core`);
  for (const r of results) {
    const target =
      r.protocol === 'sflow-v5'
        ? ''
        : r.recordsPerSec >= 1e6
          ? '  (≥ 1M/s target met)'
          : '  (below 1M/s target)';
    console.log(
      `${r.protocol.padEnd(11)} ${Math.round(r.recordsPerSec).toLocaleString('en').padStart(12)} records/s${target}`,
    );
  }
}
