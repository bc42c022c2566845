/**
 * The device inventory: one entry per MAC address on the local segment, built in the engine's
 * pass from ARP, DHCP, mDNS, NBNS, IPv6 neighbour discovery and the traffic itself, with an OS
 * guess and inventory events (new device, an IP moving to another MAC, ARP spoofing).
 *
 * Contract (PacketAnalyzer): per packet it reads the source MAC as a number and touches one map
 * entry; strings are built only when something new is learnt. At most `maxDevices` devices and
 * `maxEvents` events are kept; the rest are counted in `dropped`.
 */
import type { DecodedPacket, Device, DeviceEvent, DeviceOsGuess, FlowRecord } from '../../model/index.js';
import { formatIp, formatMac, IP_PROTO, isLocallyAdministeredMac } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import {
  parseArp,
  parseDhcp,
  parseMdnsAddresses,
  parseNbnsName,
  parseNeighborDiscovery,
} from './local-payloads.js';

export interface DeviceAnalyzerConfig {
  maxDevices: number;
  maxEvents: number;
  /** The vendor of a MAC (IEEE OUI registry), called once per device in `finish`; absent: none. */
  vendorOf?: (mac: string) => string | undefined;
}

export const DEFAULT_DEVICE_ANALYZER_CONFIG: DeviceAnalyzerConfig = { maxDevices: 10_000, maxEvents: 1_000 };

export interface DeviceInventory {
  devices: Device[];
  events: DeviceEvent[];
  dropped: { devices: number; events: number };
}

interface DeviceState {
  device: Device;
  /** Packets per initial-TTL class: ≤ 64, ≤ 128, ≤ 255. */
  ttlClasses: [number, number, number];
  /** IPv4 addresses this MAC claimed as ARP sender. */
  arpClaims: Set<string>;
  lastTrafficIp: number;
  high: number;
  low: number;
  /** Packets it sent from off-net IPv4 sources: it routes (or sits in the middle). */
  offNetPackets: number;
}

/** Well-known DHCP parameter request lists (option 55), as fingerbank and p0f-style tables list them. */
const DHCP_FINGERPRINTS: [string, string][] = [
  ['1,3,6,15,31,33,43,44,46,47,119,121,249,252', 'Windows'],
  ['1,15,3,6,44,46,47,31,33,121,249,43', 'Windows'],
  ['1,121,3,6,15,119,252,95,44,46', 'macOS'],
  ['1,121,3,6,15,114,119,252,95,44,46', 'macOS'],
  ['1,121,3,6,15,119,252', 'iOS'],
  ['1,3,6,15,26,28,51,58,59,43', 'Android'],
  ['1,3,6,15,26,28,51,58,59,43,114', 'Android'],
  ['1,28,2,3,15,6,119,12,44,47,26,121,42', 'Linux (dhclient)'],
  ['1,3,6,12,15,28,42', 'Linux (udhcpc)'],
];

/** The MAC's low 32 bits and high 16 bits. */
function macLow(data: Uint8Array, o: number): number {
  return (data[o + 2] << 24) | (data[o + 3] << 16) | (data[o + 4] << 8) | data[o + 5];
}
function macHigh(data: Uint8Array, o: number): number {
  return (data[o] << 8) | data[o + 1];
}
/** A small-integer map key for a MAC (equal MACs, equal keys; a collision is checked by the caller). */
function keyOf(high: number, low: number): number {
  return low ^ Math.imul(high, 0x9e3779b1);
}
function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((part) => Number.parseInt(part, 16)));
}

/** Private, shared, link-local and loopback IPv4; link-local and unique-local IPv6. */
function isLocalAddress(data: Uint8Array, o: number, ipVersion: number): boolean {
  if (ipVersion === 4) {
    const a = data[o];
    const b = data[o + 1];
    return (
      a === 10 ||
      (a === 172 && (b & 0xf0) === 16) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && (b & 0xc0) === 64)
    );
  }
  return (data[o] === 0xfe && (data[o + 1] & 0xc0) === 0x80) || (data[o] & 0xfe) === 0xfc;
}

export function createDeviceAnalyzer(config: Partial<DeviceAnalyzerConfig> = {}): PacketAnalyzer & {
  finish(): DeviceInventory;
} {
  const { maxDevices, maxEvents, vendorOf } = { ...DEFAULT_DEVICE_ANALYZER_CONFIG, ...config };
  const devices = new Map<number, DeviceState>();
  /** MACs whose key collides with another MAC's, by text. */
  const collided = new Map<string, DeviceState>();
  const events: DeviceEvent[] = [];
  const dropped = { devices: 0, events: 0 };
  /** IP → MAC key of its last claim through ARP, ND or DHCP. */
  const claims = new Map<string, string>();

  const event = (e: DeviceEvent) => {
    if (events.length < maxEvents) events.push(e);
    else dropped.events++;
  };

  /** The device of the MAC at `data[offset]`, created on first sight (undefined when full or not unicast). */
  function stateAt(data: Uint8Array, offset: number, ts: number): DeviceState | undefined {
    const high = macHigh(data, offset);
    const low = macLow(data, offset);
    // Broadcast, multicast (group bit) and all-zero addresses are no device.
    if ((high & 0x0100) !== 0 || (high === 0 && low === 0)) return undefined;
    const key = keyOf(high, low);
    const state = devices.get(key);
    if (state !== undefined && state.high === high && state.low === low) return state;
    const mac = formatMac(data, offset);
    if (state !== undefined) return collided.get(mac) ?? create(mac, high, low, ts, true);
    return create(mac, high, low, ts, false);
  }

  function stateOfMac(mac: string, ts: number): DeviceState | undefined {
    const bytes = macBytes(mac);
    return bytes.length === 6 ? stateAt(bytes, 0, ts) : undefined;
  }

  function create(
    mac: string,
    high: number,
    low: number,
    ts: number,
    collision: boolean,
  ): DeviceState | undefined {
    if (devices.size + collided.size >= maxDevices) {
      dropped.devices++;
      return undefined;
    }
    const state: DeviceState = {
      device: {
        mac,
        randomizedMac: isLocallyAdministeredMac(mac),
        addresses: [],
        names: [],
        firstSeen: ts,
        lastSeen: ts,
        packets: 0,
        bytes: 0,
      },
      ttlClasses: [0, 0, 0],
      arpClaims: new Set(),
      lastTrafficIp: -1,
      high,
      low,
      offNetPackets: 0,
    };
    if (collision) collided.set(mac, state);
    else devices.set(keyOf(high, low), state);
    event({ type: 'new-device', severity: 'low', ts, mac, explanation: `new device ${mac} on the network` });
    return state;
  }

  const allStates = () => [...devices.values(), ...collided.values()];

  function bind(state: DeviceState, ip: string, source: string, ts: number, claim: boolean): void {
    const addresses = state.device.addresses;
    const known = addresses.find((a) => a.ip === ip);
    if (known) known.lastSeen = ts;
    else if (addresses.length < 64) addresses.push({ ip, source, firstSeen: ts, lastSeen: ts });
    if (!claim || ip === '0.0.0.0') return;
    const previousMac = claims.get(ip);
    if (previousMac !== undefined && previousMac !== state.device.mac) {
      event({
        type: 'ip-mac-change',
        severity: 'medium',
        ts,
        mac: state.device.mac,
        ip,
        previousMac,
        explanation: `${ip} moved from ${previousMac} to ${state.device.mac} (${source})`,
      });
    }
    claims.set(ip, state.device.mac);
  }

  function name(state: DeviceState, value: string, source: string): void {
    const names = state.device.names;
    if (names.length < 16 && !names.some((n) => n.name === value && n.source === source)) {
      names.push({ name: value, source });
    }
  }

  function onUdp(packet: DecodedPacket, state: DeviceState, ts: number): void {
    const { data, payloadOffset: o, payloadLength: n, srcPort, dstPort } = packet;
    if ((srcPort === 68 && dstPort === 67) || (srcPort === 67 && dstPort === 68)) {
      const dhcp = parseDhcp(data, o, n);
      if (!dhcp) return;
      const client = stateOfMac(dhcp.clientMac, ts);
      if (!client) return;
      if (dhcp.op === 1) {
        client.device.dhcp ??= {};
        const info = client.device.dhcp;
        if (dhcp.hostname) {
          info.hostname = dhcp.hostname;
          name(client, dhcp.hostname, 'dhcp');
        }
        if (dhcp.vendorClass) info.vendorClass = dhcp.vendorClass;
        if (dhcp.parameterRequestList) info.parameterRequestList = dhcp.parameterRequestList;
      } else if (dhcp.messageType === 5 && dhcp.yourIp !== '0.0.0.0') {
        bind(client, dhcp.yourIp, 'dhcp', ts, true);
      }
    } else if (srcPort === 5353) {
      const source = formatIp(data, packet.srcAddrOffset, packet.ipVersion);
      for (const answer of parseMdnsAddresses(data, o, n)) {
        if (answer.ip === source) name(state, answer.name, 'mdns');
      }
    } else if (srcPort === 137 || dstPort === 137) {
      const nbns = parseNbnsName(data, o, n);
      if (nbns) name(state, nbns, 'nbns');
    }
  }

  return {
    name: 'devices',
    onPacket(packet, ts, frameLength) {
      if (packet.srcMacOffset < 0) return;
      const data = packet.data;
      const state = stateAt(data, packet.srcMacOffset, ts);
      if (!state) return;
      const device = state.device;
      device.packets++;
      device.bytes += frameLength;
      if (ts > device.lastSeen) device.lastSeen = ts;
      const so = packet.srcAddrOffset;
      if (isLocalAddress(data, so, packet.ipVersion)) {
        const ttl = packet.ttl;
        state.ttlClasses[ttl <= 64 ? 0 : ttl <= 128 ? 1 : 2]++;
        const ipKey =
          packet.ipVersion === 4
            ? (data[so] << 24) | (data[so + 1] << 16) | (data[so + 2] << 8) | data[so + 3]
            : -2;
        // A MAC with 64 addresses already (a router, a spoofed flood) learns no more from traffic.
        if (ipKey !== state.lastTrafficIp && device.addresses.length < 64) {
          state.lastTrafficIp = ipKey;
          bind(state, formatIp(data, so, packet.ipVersion), 'traffic', ts, false);
        }
      } else if (packet.ipVersion === 4) {
        state.offNetPackets++;
      }
      if (!packet.hasPorts) return;
      if (packet.protocol === IP_PROTO.UDP) onUdp(packet, state, ts);
      else if (packet.protocol === IP_PROTO.ICMPV6 && (packet.srcPort === 135 || packet.srcPort === 136)) {
        const source = formatIp(data, so, 6);
        const nd = parseNeighborDiscovery(
          data,
          packet.payloadOffset,
          packet.payloadLength,
          packet.srcPort,
          source,
        );
        if (!nd) return;
        const owner = stateOfMac(nd.mac, ts);
        if (owner) bind(owner, nd.ip, 'ndp', ts, true);
      }
    },
    onNonIpFrame(packet, ts, frameLength) {
      if (packet.nonIpProtocol !== 'arp') return;
      const arp = parseArp(packet.data, packet.payloadOffset, packet.payloadLength);
      if (!arp) return;
      const state = stateOfMac(arp.senderMac, ts);
      if (!state) return;
      if (packet.srcMacOffset < 0 || formatMac(packet.data, packet.srcMacOffset) === arp.senderMac) {
        state.device.packets++;
        state.device.bytes += frameLength;
      }
      if (ts > state.device.lastSeen) state.device.lastSeen = ts;
      if (arp.senderIp !== '0.0.0.0') {
        state.arpClaims.add(arp.senderIp);
        bind(state, arp.senderIp, 'arp', ts, true);
      }
    },
    onFlowEnd(_flowId: number, _record: FlowRecord) {},
    finish(): DeviceInventory {
      // Two MACs forward the same off-net traffic and one of them claims several IPv4
      // addresses through ARP: the classic ARP-poisoning man in the middle.
      const routers = allStates().filter((st) => st.offNetPackets > 0);
      if (routers.length >= 2) {
        for (const state of routers) {
          if (state.arpClaims.size < 2) continue;
          const otherMac = routers.find((st) => st !== state)?.device.mac;
          event({
            type: 'arp-spoofing-suspected',
            severity: 'high',
            ts: state.device.lastSeen,
            mac: state.device.mac,
            ip: [...state.arpClaims].join(', '),
            previousMac: otherMac,
            explanation: `${state.device.mac} claimed ${state.arpClaims.size} IPv4 addresses through ARP (${[...state.arpClaims].join(', ')}) and forwards off-net traffic that ${otherMac ?? 'another MAC'} also forwards: a man in the middle by ARP poisoning is likely`,
          });
        }
      }
      const list = allStates().map((state) => {
        const guess = osGuess(state);
        if (guess) state.device.osGuess = guess;
        const [a, b, c] = state.ttlClasses;
        if (a + b + c > 0) state.device.ttl = a >= b && a >= c ? 64 : b >= c ? 128 : 255;
        const vendor = state.device.randomizedMac ? undefined : vendorOf?.(state.device.mac);
        if (vendor) state.device.vendor = vendor;
        return state.device;
      });
      list.sort((x, y) => (x.mac < y.mac ? -1 : 1));
      return { devices: list, events, dropped };
    },
  };
}

function osGuess(state: DeviceState): DeviceOsGuess | undefined {
  const evidence: string[] = [];
  let os: string | undefined;
  const list = state.device.dhcp?.parameterRequestList;
  if (list) {
    const joined = list.join(',');
    const match = DHCP_FINGERPRINTS.find(([fingerprint]) => fingerprint === joined);
    if (match) {
      os = match[1];
      evidence.push(`DHCP parameter request list ${joined}`);
    }
  }
  const vendor = state.device.dhcp?.vendorClass;
  if (vendor) {
    if (/^MSFT/.test(vendor)) os ??= 'Windows';
    else if (/^android-dhcp/i.test(vendor)) os ??= 'Android';
    evidence.push(`DHCP vendor class "${vendor}"`);
  }
  const [a, b, c] = state.ttlClasses;
  if (a + b + c > 0) {
    const family =
      a >= b && a >= c ? 'Linux/Unix (incl. Android, macOS, iOS)' : b >= c ? 'Windows' : 'Network device';
    os ??= family;
    evidence.push(`initial TTL ${a >= b && a >= c ? 64 : b >= c ? 128 : 255} in ${a + b + c} packets`);
  }
  return os === undefined ? undefined : { os, evidence };
}
