/**
 * Synthesized flow-export datagrams for the collector benches (collect-bench.mjs,
 * live-write-bench.mjs): 30 records per datagram numbered from `first` (src 10.x, dst
 * 198.51.100.x, ports, TCP, 10 packets, 1500 bytes). NetFlow v9 / IPFIX use one template (src,
 * dst, ports, protocol, flags, packets, bytes, start, end, interfaces: 34 bytes a record),
 * re-sent with every 50th datagram as real exporters do; NetFlow v5 the fixed 48-byte record.
 */

/** Records per datagram. */
export const PER = 30;
const RECORD = 34;

const templates = new Map();
function templateSet(protocol) {
  let b = templates.get(protocol);
  if (b) return b;
  const fields = [
    [8, 4],
    [12, 4],
    [7, 2],
    [11, 2],
    [4, 1],
    [6, 1],
    [2, 4],
    [1, 4],
    ...(protocol === 'ipfix'
      ? [
          [150, 4],
          [151, 4],
        ]
      : [
          [22, 4],
          [21, 4],
        ]),
    [10, 2],
    [14, 2],
  ];
  b = Buffer.alloc(8 + fields.length * 4);
  b.writeUInt16BE(protocol === 'ipfix' ? 2 : 0, 0);
  b.writeUInt16BE(b.length, 2);
  b.writeUInt16BE(256, 4);
  b.writeUInt16BE(fields.length, 6);
  fields.forEach(([id, len], i) => {
    b.writeUInt16BE(id, 8 + i * 4);
    b.writeUInt16BE(len, 10 + i * 4);
  });
  templates.set(protocol, b);
  return b;
}

/**
 * Datagram number `index` of an export ('v5', 'v9' or 'ipfix'), its records numbered from
 * `first`, exported at `nowMs` (ms since the epoch) with the exporter's uptime `uptimeMs`.
 */
export function exportDatagram(protocol, first, nowMs, uptimeMs, index) {
  const secs = Math.floor(nowMs / 1000);
  if (protocol === 'v5') {
    const d = Buffer.alloc(24 + PER * 48);
    d.writeUInt16BE(5, 0);
    d.writeUInt16BE(PER, 2);
    d.writeUInt32BE(uptimeMs >>> 0, 4);
    d.writeUInt32BE(secs, 8);
    d.writeUInt32BE(first >>> 0, 16);
    for (let i = 0; i < PER; i++) {
      const o = 24 + i * 48;
      const n = first + i;
      d.writeUInt32BE(0x0a000000 + (n % 50_000), o); // src 10.x
      d.writeUInt32BE(0xc6336400 + (n % 200), o + 4); // dst 198.51.100.x
      d.writeUInt32BE(10, o + 16); // packets
      d.writeUInt32BE(1500, o + 20); // octets
      d.writeUInt32BE(Math.max(0, uptimeMs - 1000) >>> 0, o + 24);
      d.writeUInt32BE(uptimeMs >>> 0, o + 28);
      d.writeUInt16BE(1024 + (n % 60_000), o + 32);
      d.writeUInt16BE(443, o + 34);
      d[o + 38] = 6;
    }
    return d;
  }
  const withTemplate = index % 50 === 0;
  const template = templateSet(protocol);
  const header = protocol === 'ipfix' ? 16 : 20;
  const dataLength = 4 + PER * RECORD + ((4 - ((PER * RECORD) % 4)) % 4);
  const d = Buffer.alloc(header + (withTemplate ? template.length : 0) + dataLength);
  if (protocol === 'ipfix') {
    d.writeUInt16BE(10, 0);
    d.writeUInt16BE(d.length, 2);
    d.writeUInt32BE(secs, 4);
    d.writeUInt32BE(first >>> 0, 8); // sequence: data records sent before this message
    d.writeUInt32BE(1, 12);
  } else {
    d.writeUInt16BE(9, 0);
    d.writeUInt16BE(PER + (withTemplate ? 1 : 0), 2);
    d.writeUInt32BE(uptimeMs >>> 0, 4);
    d.writeUInt32BE(secs, 8);
    d.writeUInt32BE(index >>> 0, 12); // sequence: export packets
    d.writeUInt32BE(1, 16);
  }
  let o = header;
  if (withTemplate) o += template.copy(d, o);
  d.writeUInt16BE(256, o);
  d.writeUInt16BE(dataLength, o + 2);
  o += 4;
  for (let i = 0; i < PER; i++, o += RECORD) {
    const n = first + i;
    d.writeUInt32BE(0x0a000000 + (n % 50_000), o);
    d.writeUInt32BE(0xc6336400 + (n % 200), o + 4);
    d.writeUInt16BE(1024 + (n % 60_000), o + 8);
    d.writeUInt16BE(443, o + 10);
    d[o + 12] = 6;
    d[o + 13] = 0x1b;
    d.writeUInt32BE(10, o + 14);
    d.writeUInt32BE(1500, o + 18);
    if (protocol === 'ipfix') {
      d.writeUInt32BE(secs - 1, o + 22);
      d.writeUInt32BE(secs, o + 26);
    } else {
      d.writeUInt32BE(Math.max(0, uptimeMs - 1000) >>> 0, o + 22);
      d.writeUInt32BE(uptimeMs >>> 0, o + 26);
    }
    d.writeUInt16BE(1, o + 30);
    d.writeUInt16BE(2, o + 32);
  }
  return d;
}
