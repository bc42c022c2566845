/**
 * Device inventory events as store alerts: a new device (low), a known device on a network it
 * was never seen on (low), an IP address moving to another MAC (medium), suspected ARP spoofing
 * (high, MITRE ATT&CK T1557.002 "ARP Cache Poisoning"). The fingerprint is the event type plus
 * the MAC (and IP), so a repeat in a later capture or ingest counts on the same alert.
 *
 * `recordInventory` merges one run's inventory into the store against what the store already
 * knows: "new device" only for a MAC the store has never held, "new network" for a stored
 * device seen with an address outside every network it had.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceInventory } from '../analyze/index.js';
import type { Device, DeviceEvent } from '../model/index.js';
import type { FlowStore, StoredAlert } from '../store/index.js';

const ALERT_TYPES: Record<DeviceEvent['type'], { type: string; score: number; mitre: string[] }> = {
  'new-device': { type: 'new-device', score: 20, mitre: [] },
  'new-network': { type: 'new-network', score: 25, mitre: [] },
  'ip-mac-change': { type: 'ip-mac-change', score: 50, mitre: ['T1557.002'] },
  'arp-spoofing-suspected': { type: 'arp-spoofing', score: 85, mitre: ['T1557.002'] },
};

export function deviceEventAlerts(events: readonly DeviceEvent[], ingestId?: string): StoredAlert[] {
  return events.map((event) => {
    const kind = ALERT_TYPES[event.type];
    return {
      id: randomUUID(),
      ts: event.ts,
      type: kind.type,
      severity: event.severity,
      state: 'new',
      srcIp: event.ip?.split(', ')[0],
      summary: event.explanation,
      evidence: { mac: event.mac, ip: event.ip, previousMac: event.previousMac },
      mitre: kind.mitre,
      ingestId,
      fingerprint: [kind.type, event.mac, event.ip ?? ''].join('|'),
      score: kind.score,
      firstSeen: event.ts,
      lastSeen: event.ts,
      targets: event.previousMac ? [event.previousMac] : undefined,
    };
  });
}

/**
 * The network of an address: IPv4 /24 ("192.168.1.0/24"), IPv6 /64 ("2001:db8:0:1::/64");
 * undefined for link-local addresses (every device has one, so they name no network).
 */
export function networkOf(ip: string): string | undefined {
  if (ip.includes(':')) {
    const lower = ip.toLowerCase();
    if (/^fe[89ab]/.test(lower)) return undefined;
    const [head] = lower.split('::');
    const groups = head.split(':');
    const prefix = [...groups, '0', '0', '0', '0'].slice(0, 4).map((g) => g || '0');
    return `${prefix.map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
  }
  if (ip.startsWith('169.254.')) return undefined;
  const octets = ip.split('.');
  return octets.length === 4 ? `${octets.slice(0, 3).join('.')}.0/24` : undefined;
}

/** "New network" events: addresses of `device` in networks none of `known`'s addresses were in. */
export function newNetworkEvents(known: Device, device: Device): DeviceEvent[] {
  const networks = new Set(known.addresses.map((a) => networkOf(a.ip)));
  const events: DeviceEvent[] = [];
  const reported = new Set<string>();
  for (const address of device.addresses) {
    const network = networkOf(address.ip);
    if (network === undefined || networks.has(network) || reported.has(network)) continue;
    reported.add(network);
    const before = [...networks].filter((n) => n !== undefined).join(', ');
    events.push({
      type: 'new-network',
      severity: 'low',
      ts: address.firstSeen,
      mac: device.mac,
      ip: address.ip,
      explanation: `device ${device.mac} appeared on ${network} as ${address.ip}; before, it was only seen on ${before || 'link-local addresses'}`,
    });
  }
  return events;
}

export interface RecordedInventory {
  devices: number;
  alerts: number;
}

/**
 * Merges an inventory into the store and records its events as alerts (see the file comment).
 * `vendorOf` (enrichment's MAC registry) names the vendor of each device that has none yet.
 */
export async function recordInventory(
  store: FlowStore,
  inventory: DeviceInventory,
  ingestId?: string,
  vendorOf?: (mac: string) => string | undefined,
): Promise<RecordedInventory> {
  const known = new Map<string, Device>();
  for (const device of inventory.devices) {
    const stored = await store.getDevice(device.mac);
    if (stored) known.set(device.mac, stored);
  }
  const events = inventory.events.filter((e) => e.type !== 'new-device' || !known.has(e.mac));
  for (const device of inventory.devices) {
    const before = known.get(device.mac);
    if (before) events.push(...newNetworkEvents(before, device));
  }
  const devices =
    vendorOf === undefined
      ? inventory.devices
      : inventory.devices.map((d) => (d.vendor === undefined ? { ...d, vendor: vendorOf(d.mac) } : d));
  if (devices.length > 0) await store.upsertDevices(devices);
  const alerts = deviceEventAlerts(events, ingestId);
  if (alerts.length > 0) await store.recordAlerts(alerts);
  return { devices: inventory.devices.length, alerts: alerts.length };
}
