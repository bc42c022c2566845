/** Flow-export datagrams with known counters, for the collector, status and serve tests. */
import {
  bytes,
  concat,
  ipv4,
  netflowV5,
  netflowV9,
  set,
  v9TemplateSet,
} from '../../src/decode/flow-export/testing/export-builder.js';

/**
 * Seven datagrams from 127.0.0.1: v5 engine 0 with 3 then 2 records (sequence 0 then 10: one gap
 * of 7 missing flows), v9 source id 7 with data for template 300 before the template (pending,
 * then decoded: 4 records), 3 more records of template 300, 2 records of template 301 that
 * never comes (pending), and one datagram of an unknown version. Export time `unixSecs`.
 */
export function exportDatagrams(unixSecs = Math.floor(Date.now() / 1000)): Uint8Array[] {
  const v5 = (sequence: number, count: number) =>
    netflowV5(
      { sequence, unixSecs },
      Array.from({ length: count }, (_, i) => ({
        src: `10.5.0.${i + 1}`,
        dst: '192.0.2.1',
        srcPort: 40_000 + i,
        dstPort: 443,
        protocol: 6,
      })),
    );
  const template = v9TemplateSet([
    {
      id: 300,
      fields: [
        { id: 8, length: 4 },
        { id: 12, length: 4 },
        { id: 2, length: 4 },
        { id: 1, length: 4 },
      ],
    },
  ]);
  const record = (src: string) => concat([ipv4(src), ipv4('192.0.2.9'), bytes([2, 4], [120, 4])]);
  const data = (id: number, n: number) =>
    set(id, concat(Array.from({ length: n }, (_, i) => record(`10.9.${id - 300}.${i + 1}`))));
  const v9 = (sequence: number, flowSet: Uint8Array) =>
    netflowV9({ sequence, sourceId: 7, unixSecs }, [flowSet]);
  return [
    v5(0, 3),
    v5(10, 2),
    v9(0, data(300, 4)),
    v9(1, template),
    v9(2, data(300, 3)),
    v9(3, data(301, 2)),
    new Uint8Array([0, 99, 1, 2, 3, 4]),
  ];
}

/**
 * One NetFlow v5 datagram (export time now): a completed TCP connection from 10.0.0.5 to port
 * 443 of each of `servers` (10 packets, 4000 bytes), source ports 40000 + sequence·10 + i.
 */
export function connectionsTo(servers: readonly string[], sequence = 0): Uint8Array {
  return netflowV5(
    { unixSecs: Math.floor(Date.now() / 1000), sysUptime: 100_000, sequence },
    servers.map((dst, i) => ({
      src: '10.0.0.5',
      dst,
      srcPort: 40_000 + sequence * 10 + i,
      dstPort: 443,
      protocol: 6,
      tcpFlags: 0x1b,
      packets: 10,
      bytes: 4000,
      first: 90_000,
      last: 99_000,
    })),
  );
}
