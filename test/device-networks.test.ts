/**
 * Inventory events against the store: a laptop ingested from two captures, first on one office
 * network and then on another. The second ingest raises "new network" for it and no second
 * "new device"; a device that stays on its network raises nothing new. The stored devices carry
 * their vendor (the IEEE registry) unless locally administered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Device } from '../src/model/index.js';
import { networkOf, newNetworkEvents } from '../src/pipeline/index.js';
import { createPcapWriter } from '../src/sources/index.js';
import { ETHERTYPE, ethernet, ipv4, PROTO, udp } from './support/packet-builder.js';
import { runCli } from './support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-device-networks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LAPTOP = '02:11:22:33:44:55';
const PRINTER = '00:0c:29:40:0e:ef';

/** One capture: the laptop at `laptopIp` and the printer at 192.168.1.9 each send a few datagrams. */
function capture(name: string, laptopIp: string, t0: number): string {
  const writer = createPcapWriter({ linkType: 1 });
  for (let i = 0; i < 5; i++) {
    for (const [mac, ip] of [
      [LAPTOP, laptopIp],
      [PRINTER, '192.168.1.9'],
    ]) {
      const frame = ethernet({
        src: mac,
        dst: '00:1a:2b:3c:4d:01',
        etherType: ETHERTYPE.IPV4,
        payload: ipv4({
          src: ip,
          dst: '192.168.1.1',
          protocol: PROTO.UDP,
          payload: udp({ srcPort: 40000 + i, dstPort: 5000, payload: new Uint8Array(20) }),
        }),
      });
      writer.writePacket(frame, t0 + i);
    }
  }
  const file = path.join(dir, name);
  writeFileSync(file, writer.toBuffer());
  return file;
}

describe('device networks', () => {
  it('names networks by /24 and /64, never by link-local addresses', () => {
    expect(networkOf('192.168.1.77')).toBe('192.168.1.0/24');
    expect(networkOf('2001:db8:0:1:2:3:4:5')).toBe('2001:db8:0:1::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('fe80::1')).toBeUndefined();
    expect(networkOf('169.254.3.4')).toBeUndefined();
  });

  it('reports each new network once, with the networks known before', () => {
    const device = (ips: string[]): Device => ({
      mac: LAPTOP,
      randomizedMac: true,
      addresses: ips.map((ip, i) => ({ ip, source: 'traffic', firstSeen: 100 + i, lastSeen: 100 + i })),
      names: [],
      firstSeen: 100,
      lastSeen: 200,
      packets: 1,
      bytes: 1,
    });
    const events = newNetworkEvents(
      device(['192.168.1.50', 'fe80::1']),
      device(['10.0.5.20', '10.0.5.21', 'fe80::2', '192.168.1.51']),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'new-network', mac: LAPTOP, ip: '10.0.5.20', severity: 'low' });
    expect(events[0].explanation).toMatch(/appeared on 10\.0\.5\.0\/24 .* only seen on 192\.168\.1\.0\/24/);
  });

  it('raises "new network" on the second ingest, and no second "new device"', async () => {
    const data = path.join(dir, 'data');
    const first = await runCli([
      'ingest',
      capture('office.pcap', '192.168.1.50', 1_700_000_000),
      '--data',
      data,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli([
      'ingest',
      capture('branch.pcap', '10.0.5.20', 1_700_100_000),
      '--data',
      data,
    ]);
    expect(second.code, second.stderr).toBe(0);
    const listed = await runCli(['alerts', 'list', '--format', 'json', '--data', data]);
    expect(listed.code, listed.stderr).toBe(0);
    const alerts = JSON.parse(listed.stdout) as {
      type: string;
      count: number;
      evidence: { mac: string; ip?: string };
    }[];
    const of = (type: string, mac: string) => alerts.filter((a) => a.type === type && a.evidence.mac === mac);
    expect(of('new-device', LAPTOP)).toHaveLength(1);
    expect(of('new-device', LAPTOP)[0].count).toBe(1);
    expect(of('new-device', PRINTER)[0].count).toBe(1);
    expect(of('new-network', LAPTOP).map((a) => a.evidence.ip)).toEqual(['10.0.5.20']);
    expect(of('new-network', PRINTER)).toEqual([]);

    // The inventory names a device's vendor from the IEEE registry; a locally
    // administered MAC has none.
    const devices = await runCli(['devices', 'list', '--format', 'json', '--data', data]);
    expect(devices.code, devices.stderr).toBe(0);
    const vendors = new Map(
      (JSON.parse(devices.stdout) as { mac: string; vendor?: string }[]).map((d) => [d.mac, d.vendor]),
    );
    expect(vendors.get(PRINTER)).toBe('VMware, Inc.');
    expect(vendors.has(LAPTOP)).toBe(true);
    expect(vendors.get(LAPTOP)).toBeUndefined();
  }, 60_000);
});
