/**
 * `flowlens devices` end to end: `flowlens ingest` fills the inventory, a second ingest merges
 * into it, `devices set` keeps user fields across ingests, and bad or unknown MACs are usage
 * errors. Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredDevice } from '../src/store/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flowlens-devices-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!corpusAvailable)('flowlens devices', () => {
  it('lists what ingests learnt, keeps what users set, and refuses unknown devices', async () => {
    const data = path.join(tmp, 'store');
    const first = await runCli(['ingest', corpusPath('dhcp_dora.pcap'), '--data', data, '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    const set = await runCli([
      'devices',
      'set',
      '90:B1:1C:99:49:29',
      '--name',
      'laptop',
      '--trusted',
      '--data',
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    const second = await runCli(['ingest', corpusPath('lt_sll_arp.pcap'), '--data', data, '--no-progress']);
    expect(second.code, second.stderr).toBe(0);

    const listed = await runCli(['devices', 'list', '--data', data, '--format', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const devices = JSON.parse(listed.stdout) as StoredDevice[];
    expect(devices.map((d) => d.mac).sort()).toEqual([
      '00:0c:29:40:0e:ef',
      '00:50:56:8b:3f:0d',
      '00:50:56:8b:cf:fa',
      '90:b1:1c:99:49:29',
      'cc:2d:e0:26:19:99',
    ]);
    const shown = await runCli(['devices', 'show', '90:b1:1c:99:49:29', '--data', data, '--format', 'json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      mac: '90:b1:1c:99:49:29',
      name: 'laptop',
      trusted: true,
      dhcp: { hostname: 'btest.is.cool' },
      addresses: [{ ip: '128.2.6.189', source: 'dhcp' }],
      packets: 6,
    });

    const unknown = await runCli(['devices', 'show', '11:22:33:44:55:66', '--data', data]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no device 11:22:33:44:55:66/);
    const bad = await runCli(['devices', 'set', 'not-a-mac', '--name', 'x', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a MAC address: not-a-mac/);
  });
});
