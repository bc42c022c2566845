/**
 * Alerts end to end: `flowlens ingest` stores the device inventory's alerts with the ingest,
 * `flowlens alerts list` shows and filters them, `ack` and `dismiss` move them through their
 * lifecycle with who did it, and an unknown id is a usage error. Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAlert } from '../src/store/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-alerts-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function list(data: string, ...args: string[]): Promise<StoredAlert[]> {
  const result = await runCli(['alerts', 'list', '--data', data, '--format', 'json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StoredAlert[];
}

describe.skipIf(!corpusAvailable)('flowlens alerts', () => {
  it('stores the ARP-spoofing alert of arp_poison_mitm.pcapng and walks it through its lifecycle', async () => {
    const data = path.join(tmp, 'store');
    const ingest = await runCli([
      'ingest',
      corpusPath('arp_poison_mitm.pcapng'),
      '--data',
      data,
      '--no-progress',
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);

    const all = await list(data);
    expect(all.map((a) => a.type).sort()).toEqual(['arp-spoofing', 'new-device', 'new-device', 'new-device']);
    const high = await list(data, '--severity', 'high');
    expect(high).toHaveLength(1);
    expect(high[0]).toMatchObject({
      type: 'arp-spoofing',
      severity: 'high',
      state: 'new',
      mitre: ['T1557.002'],
      srcIp: '172.16.0.1',
      count: 1,
    });
    expect(high[0].summary).toContain('00:25:b3:bf:91:ee');
    expect(high[0].ingestId).toBeTruthy();

    const ack = await runCli(['alerts', 'ack', high[0].id, '--by', 'tester', '--data', data]);
    expect(ack.code, ack.stderr).toBe(0);
    const [acknowledged] = await list(data, '--state', 'acknowledged');
    expect(acknowledged).toMatchObject({ id: high[0].id, state: 'acknowledged', stateBy: 'tester' });
    expect(acknowledged.stateAt).toBeGreaterThan(Date.now() / 1000 - 600);

    const dismiss = await runCli(['alerts', 'dismiss', high[0].id, '--data', data]);
    expect(dismiss.code).toBe(0);
    expect((await list(data, '--state', 'dismissed')).map((a) => a.id)).toEqual([high[0].id]);
    expect(await list(data, '--state', 'new', '--type', 'arp-spoofing')).toEqual([]);

    const unknown = await runCli(['alerts', 'ack', 'no-such-id', '--data', data]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no alert with id no-such-id/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});
