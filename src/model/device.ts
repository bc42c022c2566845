/**
 * Devices on the local network, as the inventory sees them: one per MAC address, with the
 * addresses, names and hints gathered from ARP, DHCP, mDNS, NBNS, IPv6 neighbour discovery and
 * the flows themselves. Field names are a public contract (`analysis.devices`).
 */

export interface DeviceAddress {
  ip: string;
  /** Where the binding was seen: 'arp', 'dhcp', 'ndp', 'mdns', 'nbns' or 'traffic'. */
  source: string;
  firstSeen: number;
  lastSeen: number;
}

export interface DeviceName {
  name: string;
  /** 'dhcp', 'mdns' or 'nbns'. */
  source: string;
}

export interface DeviceOsGuess {
  /** e.g. 'Windows', 'Linux/Unix (Android, macOS, iOS)', 'Network device'. */
  os: string;
  /** The facts behind the guess, e.g. 'DHCP parameter request list 1,3,6,15,31,33,43,44,46,47,119,121,249,252'. */
  evidence: string[];
}

export interface Device {
  /** Lower-case colon form, e.g. "00:0c:29:40:0e:ef". */
  mac: string;
  /** Locally administered (the U/L bit set): randomised by the OS, or assigned by software. */
  randomizedMac: boolean;
  /** Filled by enrichment (IEEE OUI registry) when available. */
  vendor?: string;
  addresses: DeviceAddress[];
  names: DeviceName[];
  dhcp?: { hostname?: string; vendorClass?: string; parameterRequestList?: number[] };
  osGuess?: DeviceOsGuess;
  /** The most common IP TTL/hop limit in its own packets (64, 128, 255 hint at the OS). */
  ttl?: number;
  firstSeen: number;
  lastSeen: number;
  packets: number;
  bytes: number;
}

export type DeviceEventType =
  /** A MAC never seen before. */
  | 'new-device'
  /** A known device with an address in a network (IPv4 /24, IPv6 /64) it was never seen in before. */
  | 'new-network'
  /** An IP address claimed (ARP/ND) by a MAC other than the one that held it. */
  | 'ip-mac-change'
  /** One MAC claims several IPv4 addresses through ARP while another MAC also forwards the same off-net traffic. */
  | 'arp-spoofing-suspected';

export interface DeviceEvent {
  type: DeviceEventType;
  severity: 'info' | 'low' | 'medium' | 'high';
  ts: number;
  mac: string;
  ip?: string;
  /** The MAC that held `ip` before, or the other MAC forwarding the same traffic. */
  previousMac?: string;
  /** Plain-language explanation with the facts behind it. */
  explanation: string;
}

/** "aa:bb:cc:dd:ee:ff" from 6 bytes at `offset`. */
export function formatMac(data: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < 6; i++) {
    const byte = data[offset + i];
    text += (i === 0 ? '' : ':') + (byte < 16 ? '0' : '') + byte.toString(16);
  }
  return text;
}

/** True for locally administered addresses (IEEE 802 U/L bit), which randomised MACs use. */
export function isLocallyAdministeredMac(mac: string): boolean {
  return (Number.parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}
