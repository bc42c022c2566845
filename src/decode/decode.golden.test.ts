/**
 * Golden summary of what the decoder reports for every corpus file: kinds, non-IP labels,
 * tunnels (with their ids) and error codes, counted per file. tshark has no equivalent of our
 * labels and error codes, so these are reviewed by hand when they change
 * (`FLOWLENS_UPDATE_GOLDEN=1 npx vitest run src/decode` rewrites the file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusFiles, corpusPath } from '../../test/support/corpus.js';
import { createDecodedPacket, PACKET_KIND, TUNNEL_NAMES } from '../model/packet.js';
import { decodeFrame } from './index.js';
import { readFrames } from './testing/test-support.js';

const GOLDEN = fileURLToPath(new URL('./testdata/corpus-summary.json', import.meta.url));

type Summary = Record<string, number>;

function bump(summary: Summary, key: string): void {
  summary[key] = (summary[key] ?? 0) + 1;
}

async function summarize(file: string): Promise<Summary> {
  const out = createDecodedPacket();
  const summary: Summary = {};
  await readFrames(file, (frame) => {
    decodeFrame(frame, out);
    if (out.kind === PACKET_KIND.IP) bump(summary, `ip${out.ipVersion}`);
    if (out.kind === PACKET_KIND.NON_IP) bump(summary, `non_ip:${out.nonIpProtocol}`);
    if (out.kind === PACKET_KIND.UNDECODABLE) bump(summary, 'undecodable');
    if (out.tunnel !== 0) bump(summary, `tunnel:${TUNNEL_NAMES[out.tunnel]}:${out.tunnelId}`);
    if (out.errorCode !== '') bump(summary, `error:${out.errorCode}`);
    if (out.vlanId !== 0) bump(summary, `vlan:${out.vlanId}`);
    if (out.isFragment) bump(summary, 'fragment');
  });
  return Object.fromEntries(Object.entries(summary).sort(([a], [b]) => a.localeCompare(b)));
}

describe.skipIf(!corpusAvailable)('decodeFrame corpus summary', () => {
  it('matches the reviewed golden file', async () => {
    const actual: Record<string, Summary> = {};
    for (const name of corpusFiles()) actual[name] = await summarize(corpusPath(name));
    if (process.env.FLOWLENS_UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });
});
