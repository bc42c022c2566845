/**
 * Test-only builders: DNS messages (RFC 1035 §4.1, answers named by a pointer to the question)
 * and pcaps of hand-built frames run through the real engine with the given analyzers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FlowRecord } from '../../../model/index.js';
import { analyzeCaptures } from '../../../pipeline/index.js';
import { createPcapWriter } from '../../../sources/index.js';
import type { PacketAnalyzer } from '../../analyzer.js';

export interface DnsAnswer {
  type: number;
  rdata: Uint8Array;
}

export function dnsName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    out.push(label.length, ...[...label].map((c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

export function dnsMessage(o: {
  id: number;
  response?: boolean;
  rcode?: number;
  qname: string;
  qtype?: number;
  answers?: DnsAnswer[];
}): Uint8Array {
  const answers = o.answers ?? [];
  const flags = (o.response ? 0x8180 : 0x0100) | (o.rcode ?? 0);
  const bytes = [o.id >> 8, o.id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, answers.length, 0, 0, 0, 0];
  bytes.push(...dnsName(o.qname), 0, o.qtype ?? 1, 0, 1);
  for (const a of answers) {
    bytes.push(
      0xc0,
      12,
      a.type >> 8,
      a.type & 0xff,
      0,
      1,
      0,
      0,
      0x0e,
      0x10,
      a.rdata.length >> 8,
      a.rdata.length & 0xff,
    );
    bytes.push(...a.rdata);
  }
  return Uint8Array.from(bytes);
}

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-analyze-unit-'));
let files = 0;

/** Writes `frames` (Ethernet, time in seconds) to a pcap and runs the engine with `analyzers`. */
export async function runFrames(frames: { t: number; bytes: Uint8Array }[], analyzers: PacketAnalyzer[]) {
  const writer = createPcapWriter({ linkType: 1 });
  for (const frame of frames) writer.writePacket(frame.bytes, frame.t);
  const file = path.join(dir, `capture-${files++}.pcap`);
  writeFileSync(file, writer.toBuffer());
  const flows: FlowRecord[] = [];
  const { analysis } = await analyzeCaptures({
    files: [file],
    analyzers,
    onFlow: (record) => flows.push(record),
  });
  return { flows, analysis };
}
