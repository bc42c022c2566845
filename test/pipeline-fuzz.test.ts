/**
 * The whole capture path under hostile input: random frames under every supported link type,
 * mixed with valid-looking Ethernet/IPv4 headers carrying random bytes, go through
 * read → decode → flows. The pass must end with a summary whose totals match what was written
 * and flows that account for every IP packet, never with an exception other than FlowlensError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../src/model/index.js';
import { analyzeCaptures } from '../src/pipeline/index.js';
import { createPcapWriter } from '../src/sources/index.js';

const LINK_TYPES = [0, 1, 9, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 239, 276];
const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ethernet + IPv4 header (protocol from the arbitrary) followed by random bytes. */
const ipv4Frame = fc
  .record({ protocol: fc.constantFrom(1, 6, 17, 47, 58), tail: fc.uint8Array({ maxLength: 80 }) })
  .map(({ protocol, tail }) => {
    const frame = new Uint8Array(14 + 20 + tail.length);
    frame[12] = 0x08;
    frame[14] = 0x45;
    const total = 20 + tail.length;
    frame[16] = total >> 8;
    frame[17] = total & 0xff;
    frame[23] = protocol;
    frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
    frame.set(tail, 34);
    return frame;
  });

describe('capture path under random input', () => {
  it('never throws, and counts every frame and every IP packet', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...LINK_TYPES),
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 120 }), ipv4Frame), { maxLength: 60 }),
        async (linkType, frames) => {
          const writer = createPcapWriter({ linkType: frames.length % 2 === 0 ? 1 : linkType });
          for (const [i, frame] of frames.entries()) writer.writePacket(frame, 1_700_000_000 + i * 0.5);
          const file = path.join(dir, `fuzz-${run++}.pcap`);
          writeFileSync(file, writer.toBuffer());
          const flows: FlowRecord[] = [];
          const { summary } = await analyzeCaptures({ files: [file], onFlow: (r) => flows.push(r) });
          expect(summary.packets).toBe(frames.length);
          expect(summary.bytes).toBe(frames.reduce((sum, f) => sum + f.length, 0));
          const ipPackets = summary.ipv4Packets + summary.ipv6Packets;
          expect(flows.reduce((sum, f) => sum + f.packets, 0)).toBe(ipPackets);
          const nonIp = Object.values(summary.nonIp).reduce((a, b) => a + b, 0);
          expect(ipPackets + nonIp + summary.undecodable).toBe(frames.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
