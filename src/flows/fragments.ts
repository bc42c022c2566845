/**
 * Puts IP fragments in the flow of their datagram (RFC 791 §3.2 / RFC 8200 §4.5: a datagram is
 * identified by source, destination, protocol and identification). The first fragment carries
 * the ports; its ports are remembered for the fragments after it, and fragments that arrive
 * before it are held (as counts, not bytes) until it comes.
 *
 * Contract: bounded: at most `maxEntries` datagrams, each remembered for `timeout` seconds of
 * packet time, and at most MAX_HELD fragments held per datagram. Held fragments whose first
 * fragment never comes are handed back through `expire`/`drain`, never dropped. Only fragments
 * pay for the string key built here.
 */
import type { DecodedPacket } from '../model/index.js';
import { createDecodedPacket, PACKET_KIND } from '../model/index.js';

/** A fragment seen before its datagram's first fragment. */
export interface HeldFragment {
  timestamp: number;
  ipBytes: number;
  frameLength: number;
}

/** Where held fragments belong when their first fragment never came: a port-less packet. */
export interface HeldDatagram {
  /** A detached packet with the datagram's addresses, protocol, VLAN and tunnel; no ports. */
  packet: DecodedPacket;
  fragments: HeldFragment[];
}

interface DatagramEntry {
  /** `(srcPort << 16) | dstPort` once the first fragment was seen, else -1. */
  ports: number;
  seen: number;
  held: HeldDatagram | null;
}

export interface FragmentTracker {
  /** Records the first fragment's ports; returns fragments held for it (to count), or null. */
  rememberFirst(
    packet: DecodedPacket,
    srcPort: number,
    dstPort: number,
    timestamp: number,
  ): HeldFragment[] | null;
  /** `(srcPort << 16) | dstPort` of the datagram's first fragment, or -1 when unknown. */
  portsOf(packet: DecodedPacket, timestamp: number): number;
  /** Holds a fragment whose first fragment is unknown; false when the bounds are reached. */
  hold(packet: DecodedPacket, timestamp: number, frameLength: number): boolean;
  /** Hands back, oldest first, datagrams whose held fragments waited longer than the timeout. */
  expire(now: number, release: (datagram: HeldDatagram) => void): void;
  /** Hands back every held datagram and forgets everything. */
  drain(release: (datagram: HeldDatagram) => void): void;
}

const MAX_HELD = 64;

const V6_KEY_UNITS: number[] = new Array<number>(20).fill(0);

/**
 * The datagram's identity as a short string of 16-bit units (not text): protocol, VLAN,
 * identification (16 bits in IPv4, 32 in IPv6), then both addresses. IPv4 keys are 7 units long,
 * IPv6 keys 20, so the two never collide.
 */
function datagramKey(p: DecodedPacket): string {
  const d = p.data;
  const s = p.srcAddrOffset;
  const t = p.dstAddrOffset;
  if (p.ipVersion === 4) {
    return String.fromCharCode(
      p.protocol,
      p.vlanId,
      p.fragmentId & 0xffff,
      (d[s] << 8) | d[s + 1],
      (d[s + 2] << 8) | d[s + 3],
      (d[t] << 8) | d[t + 1],
      (d[t + 2] << 8) | d[t + 3],
    );
  }
  const units = V6_KEY_UNITS;
  units[0] = p.protocol;
  units[1] = p.vlanId;
  units[2] = p.fragmentId >>> 16;
  units[3] = p.fragmentId & 0xffff;
  for (let i = 0; i < 8; i++) {
    units[4 + i] = (d[s + 2 * i] << 8) | d[s + 2 * i + 1];
    units[12 + i] = (d[t + 2 * i] << 8) | d[t + 2 * i + 1];
  }
  return String.fromCharCode(...units);
}

function detach(p: DecodedPacket): DecodedPacket {
  const copy = createDecodedPacket();
  const length = p.ipVersion === 4 ? 4 : 16;
  const outerLength = p.outerIpVersion === 4 ? 4 : 16;
  const data = new Uint8Array(2 * length + 2 * outerLength);
  data.set(p.data.subarray(p.srcAddrOffset, p.srcAddrOffset + length), 0);
  data.set(p.data.subarray(p.dstAddrOffset, p.dstAddrOffset + length), length);
  copy.data = data;
  copy.kind = PACKET_KIND.IP;
  copy.ipVersion = p.ipVersion;
  copy.srcAddrOffset = 0;
  copy.dstAddrOffset = length;
  copy.protocol = p.protocol;
  copy.vlanId = p.vlanId;
  copy.tunnel = p.tunnel;
  copy.tunnelId = p.tunnelId;
  if (p.tunnel !== 0) {
    copy.outerIpVersion = p.outerIpVersion;
    copy.outerSrcAddrOffset = 2 * length;
    copy.outerDstAddrOffset = 2 * length + outerLength;
    data.set(
      p.data.subarray(p.outerSrcAddrOffset, p.outerSrcAddrOffset + outerLength),
      copy.outerSrcAddrOffset,
    );
    data.set(
      p.data.subarray(p.outerDstAddrOffset, p.outerDstAddrOffset + outerLength),
      copy.outerDstAddrOffset,
    );
  }
  return copy;
}

export function createFragmentTracker(timeout: number, maxEntries: number): FragmentTracker {
  // Map keeps insertion order: the first entry is the oldest.
  const entries = new Map<string, DatagramEntry>();

  function expire(now: number, release: (datagram: HeldDatagram) => void): void {
    for (const [key, entry] of entries) {
      if (now - entry.seen <= timeout && entries.size < maxEntries) break;
      entries.delete(key);
      if (entry.held !== null) release(entry.held);
    }
  }

  return {
    rememberFirst(packet, srcPort, dstPort, timestamp) {
      const key = datagramKey(packet);
      const entry = entries.get(key);
      entries.delete(key);
      entries.set(key, { ports: ((srcPort << 16) | dstPort) >>> 0, seen: timestamp, held: null });
      return entry?.held?.fragments ?? null;
    },
    portsOf(packet, timestamp) {
      const entry = entries.get(datagramKey(packet));
      if (entry === undefined || entry.ports < 0 || timestamp - entry.seen > timeout) return -1;
      return entry.ports;
    },
    hold(packet, timestamp, frameLength) {
      const key = datagramKey(packet);
      let entry = entries.get(key);
      if (entry === undefined) {
        if (entries.size >= maxEntries) return false;
        entry = { ports: -1, seen: timestamp, held: null };
        entries.set(key, entry);
      }
      if (entry.held === null) entry.held = { packet: detach(packet), fragments: [] };
      if (entry.held.fragments.length >= MAX_HELD) return false;
      entry.held.fragments.push({ timestamp, ipBytes: packet.ipBytes, frameLength });
      return true;
    },
    expire,
    drain(release) {
      for (const entry of entries.values()) if (entry.held !== null) release(entry.held);
      entries.clear();
    },
  };
}
