/**
 * sFlow counter samples reach the store: `flowlens collect --from-pcap` on the corpus's sFlow
 * captures writes one `interface_counters` row per counter sample, with the counters the
 * decoder reads (itself checked against tshark's sflow dissector in oracle-flow-export.test.ts).
 * Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InterfaceCounterRecord } from '../src/model/index.js';
import { decodeExportCapture } from '../src/pipeline/index.js';
import { createDuckDbStore } from '../src/store/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-counters-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!corpusAvailable)('sFlow interface counters in the store', () => {
  it('stores every counter sample of the sFlow captures', async () => {
    let samples = 0;
    for (const name of corpusFiles((n) => n.startsWith('flow_sflow'))) {
      const expected: InterfaceCounterRecord[] = [];
      await decodeExportCapture({
        file: corpusPath(name),
        sink: { onFlow() {}, onCounters: (c) => expected.push(c) },
      });
      const data = path.join(tmp, name);
      const result = await runCli(['collect', '--from-pcap', corpusPath(name), '--data', data]);
      expect(result.code, result.stderr).toBe(0);
      const store = createDuckDbStore({ dataDir: data });
      await store.start();
      try {
        const rows = await store.query<{
          if_index: bigint;
          if_in_octets: bigint;
          if_out_octets: bigint;
          agent: string;
        }>(
          'SELECT if_index, if_in_octets, if_out_octets, agent FROM interface_counters ORDER BY ts, sequence, if_index',
        );
        const key = (r: { ifIndex: number; in: number; out: number; agent: string }) =>
          `${r.agent}|${r.ifIndex}|${r.in}|${r.out}`;
        expect(
          rows
            .map((r) =>
              key({
                ifIndex: Number(r.if_index),
                in: Number(r.if_in_octets),
                out: Number(r.if_out_octets),
                agent: r.agent,
              }),
            )
            .sort(),
          name,
        ).toEqual(
          expected
            .map((c) => key({ ifIndex: c.ifIndex, in: c.ifInOctets, out: c.ifOutOctets, agent: c.agent }))
            .sort(),
        );
      } finally {
        await store.stop();
      }
      samples += expected.length;
    }
    expect(samples).toBeGreaterThan(0);
  });
});
