/**
 * The device inventory on real captures (../shared/pcaps): DHCP hostnames, ARP and IPv6
 * neighbour-discovery bindings over Ethernet and Linux SLL, and the ARP-spoofing alert on an
 * ARP-poisoning capture. Expected values were read with tshark (eth.src, arp.src.*, dhcp.option.*,
 * icmpv6.opt.linkaddr) on the same files.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createDeviceAnalyzer, type DeviceInventory } from '../src/analyze/index.js';
import { analyzeCaptures, createDiagnosisAnalyzers } from '../src/pipeline/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { toolsAvailable } from './support/run.js';

async function inventory(name: string): Promise<DeviceInventory> {
  const analyzer = createDeviceAnalyzer();
  const { analysis } = await analyzeCaptures({
    files: [corpusPath(name)],
    analyzers: [analyzer],
    onFlow() {},
  });
  return analysis.devices as DeviceInventory;
}

function byMac(inv: DeviceInventory, mac: string) {
  const device = inv.devices.find((d) => d.mac === mac);
  if (!device) throw new Error(`no device ${mac}; have ${inv.devices.map((d) => d.mac).join(', ')}`);
  return device;
}

describe.skipIf(!corpusAvailable)('device inventory on real captures', () => {
  it('dhcp_dora.pcap: the client with its DHCP hostname and acknowledged address, and the server', async () => {
    const inv = await inventory('dhcp_dora.pcap');
    expect(inv.devices.map((d) => d.mac)).toEqual(['00:0c:29:40:0e:ef', '90:b1:1c:99:49:29']);
    const client = byMac(inv, '90:b1:1c:99:49:29');
    expect(client.dhcp?.hostname).toBe('btest.is.cool');
    expect(client.names).toEqual([{ name: 'btest.is.cool', source: 'dhcp' }]);
    expect(client.addresses.map((a) => [a.ip, a.source])).toEqual([['128.2.6.189', 'dhcp']]);
    expect(client.randomizedMac).toBe(false);
    expect(
      inv.events
        .filter((e) => e.type === 'new-device')
        .map((e) => e.mac)
        .sort(),
    ).toEqual(['00:0c:29:40:0e:ef', '90:b1:1c:99:49:29']);
  });

  it('arp_poison_mitm.pcapng: the poisoner claims the gateway address and raises the ARP-spoofing alert', async () => {
    const inv = await inventory('arp_poison_mitm.pcapng');
    expect(inv.devices.map((d) => d.mac)).toEqual([
      '00:21:70:c0:56:f0',
      '00:25:b3:bf:91:ee',
      '00:26:0b:31:07:33',
    ]);
    const attacker = byMac(inv, '00:25:b3:bf:91:ee');
    expect(attacker.addresses.map((a) => a.ip).sort()).toEqual(['172.16.0.1', '172.16.0.105']);
    expect(byMac(inv, '00:21:70:c0:56:f0').addresses.map((a) => a.ip)).toEqual(['172.16.0.107']);
    const spoofing = inv.events.filter((e) => e.type === 'arp-spoofing-suspected');
    expect(spoofing).toHaveLength(1);
    expect(spoofing[0]).toMatchObject({
      severity: 'high',
      mac: '00:25:b3:bf:91:ee',
      previousMac: '00:26:0b:31:07:33',
    });
    expect(spoofing[0].explanation).toContain('172.16.0.1');
  });

  it('icmpv6_neighbor_solicitation.pcapng: solicitation and advertisement bind IPv6 addresses to MACs', async () => {
    const inv = await inventory('icmpv6_neighbor_solicitation.pcapng');
    expect(byMac(inv, '00:0c:29:2f:80:31').addresses.map((a) => [a.ip, a.source])).toEqual([
      ['2001:db8:1:2::1003', 'ndp'],
    ]);
    expect(byMac(inv, '00:0c:29:1f:a7:55').addresses.map((a) => [a.ip, a.source])).toEqual([
      ['2001:db8:1:2::1000', 'ndp'],
    ]);
  });

  it('lt_sll_arp.pcap: ARP senders over Linux cooked capture', async () => {
    const inv = await inventory('lt_sll_arp.pcap');
    expect(inv.devices.map((d) => [d.mac, d.addresses.map((a) => a.ip)])).toEqual([
      ['00:50:56:8b:3f:0d', ['192.168.22.81']],
      ['00:50:56:8b:cf:fa', ['10.1.10.100']],
      ['cc:2d:e0:26:19:99', ['192.168.22.1']],
    ]);
    expect(inv.events.filter((e) => e.type !== 'new-device')).toEqual([]);
  });
});

describe.skipIf(!corpusAvailable)(
  'device vendors (the diagnosis analyzers, as analyze and ingest build them)',
  () => {
    async function vendors(name: string): Promise<[string, string | undefined][]> {
      const { analysis } = await analyzeCaptures({
        files: [corpusPath(name)],
        analyzers: createDiagnosisAnalyzers(['devices']),
        onFlow() {},
      });
      return (analysis.devices as DeviceInventory).devices.map((d) => [d.mac, d.vendor]);
    }

    /** tshark's eth.src.oui_resolved: the IEEE registry's organisation names, as Wireshark ships them. */
    function tsharkVendors(name: string): [string, string | undefined][] {
      const out = spawnSync(
        'tshark',
        ['-r', corpusPath(name), '-T', 'fields', '-e', 'eth.src', '-e', 'eth.src.oui_resolved'],
        {
          encoding: 'utf8',
        },
      ).stdout;
      const seen = new Map<string, string | undefined>();
      for (const line of out.trim().split('\n')) {
        const [mac, vendor] = line.split('\t');
        if (mac) seen.set(mac, vendor || undefined);
      }
      return [...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    }

    it.skipIf(!toolsAvailable(['tshark']))(
      'Ethernet captures: every device has the vendor tshark resolves for its MAC',
      async () => {
        for (const name of [
          'dhcp_dora.pcap',
          'arp_poison_mitm.pcapng',
          'icmpv6_neighbor_solicitation.pcapng',
        ]) {
          const expected = tsharkVendors(name);
          expect(expected.length).toBeGreaterThan(1);
          expect(await vendors(name)).toEqual(expected);
        }
      },
    );

    it('lt_sll_arp.pcap (Linux cooked capture, which tshark does not resolve): VMware guests and a MikroTik router', async () => {
      expect(await vendors('lt_sll_arp.pcap')).toEqual([
        ['00:50:56:8b:3f:0d', 'VMware, Inc.'],
        ['00:50:56:8b:cf:fa', 'VMware, Inc.'],
        ['cc:2d:e0:26:19:99', 'Routerboard.com'],
      ]);
    });
  },
);
