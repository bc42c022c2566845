/**
 * Remembers the ports carried by first IP fragments so that the fragments after them count in
 * the same flow (RFC 791 §3.2 / RFC 8200 §4.5: a datagram is identified by source, destination,
 * protocol and identification).
 *
 * Contract: bounded: at most `maxEntries` datagrams are remembered, each for `timeout` seconds
 * of packet time; the oldest entry makes room for a new one. Only fragments pay for the string
 * key built here.
 */
import type { DecodedPacket } from '../model/index.js';
import { formatIp } from '../model/index.js';

export interface FragmentTracker {
  rememberFirst(packet: DecodedPacket, srcPort: number, dstPort: number, timestamp: number): void;
  /** `(srcPort << 16) | dstPort` of the datagram's first fragment, or -1 when unknown. */
  portsOf(packet: DecodedPacket, timestamp: number): number;
  clear(): void;
}

function datagramKey(p: DecodedPacket): string {
  return `${p.protocol}|${p.fragmentId}|${formatIp(p.data, p.srcAddrOffset, p.ipVersion)}|${formatIp(p.data, p.dstAddrOffset, p.ipVersion)}`;
}

export function createFragmentTracker(timeout: number, maxEntries: number): FragmentTracker {
  // Map keeps insertion order: the first entry is the oldest.
  const entries = new Map<string, { ports: number; seen: number }>();

  function prune(now: number): void {
    for (const [key, entry] of entries) {
      if (now - entry.seen <= timeout && entries.size < maxEntries) break;
      entries.delete(key);
    }
  }

  return {
    rememberFirst(packet, srcPort, dstPort, timestamp) {
      prune(timestamp);
      const key = datagramKey(packet);
      entries.delete(key);
      entries.set(key, { ports: ((srcPort << 16) | dstPort) >>> 0, seen: timestamp });
    },
    portsOf(packet, timestamp) {
      const entry = entries.get(datagramKey(packet));
      if (entry === undefined || timestamp - entry.seen > timeout) return -1;
      return entry.ports;
    },
    clear() {
      entries.clear();
    },
  };
}
