/**
 * A large synthetic pcap for interruption tests: `packets` UDP datagrams, each its own flow
 * (source address and port vary), written in one pass from one template packet. Generated at
 * test time into a temp dir; at 400k packets it is about 23 MB.
 */
import { writeFileSync } from 'node:fs';
import { ETHERTYPE, ethernet, ipv4, udp } from './packet-builder.js';

export function writeBigCapture(path: string, packets: number): void {
  const template = ethernet({
    etherType: ETHERTYPE.IPV4,
    payload: ipv4({
      src: '10.0.0.1',
      dst: '192.0.2.1',
      protocol: 17,
      payload: udp({ srcPort: 1024, dstPort: 53 }),
    }),
  });
  const record = 16 + template.length;
  const out = Buffer.alloc(24 + packets * record);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20);
  for (let i = 0; i < packets; i++) {
    const at = 24 + i * record;
    out.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), at);
    out.writeUInt32LE((i % 1000) * 1000, at + 4);
    out.writeUInt32LE(template.length, at + 8);
    out.writeUInt32LE(template.length, at + 12);
    out.set(template, at + 16);
    // Source 10.x.y.z (IPv4 header at 14, source at +12) and source port (UDP at 34).
    out.writeUInt8((i >> 16) & 0xff, at + 16 + 14 + 13);
    out.writeUInt16BE(i & 0xffff, at + 16 + 14 + 14);
    out.writeUInt16BE(1024 + (i % 60_000), at + 16 + 34);
  }
  writeFileSync(path, out);
}
