/**
 * The bidirectional flow table: packets in, `FlowRecord`s out as flows end.
 *
 * Contract: `addPacket` is synchronous, allocates nothing per packet on the common path, and
 * never throws for any decoded packet. Flows are keyed by (IP version, protocol, VLAN, addresses,
 * ports) in either direction; their state lives in typed arrays indexed by slot, found through an
 * open-addressing hash index. Each timeout class keeps its flows in a list ordered by last packet
 * time, so expiry only looks at list heads. Time is the packets' own time: the table never reads
 * the clock. Records reach `onFlow` in the order flows end; `flush` ends every remaining flow.
 */
import type { DecodedPacket, FlowEndReason, FlowRecord, FlowTunnel } from '../model/index.js';
import {
  communityIdAt,
  formatIp,
  grownArray,
  ICMP_V4_COUNTERPART,
  ICMP_V6_COUNTERPART,
  IP_PROTO,
  TCP_FLAG,
  TUNNEL,
  TUNNEL_NAMES,
} from '../model/index.js';
import { createAddressNames } from './address-names.js';
import type { FlowTableConfig } from './config.js';
import { datagramConnState, tcpConnState } from './conn-state.js';
import { createFragmentTracker, type HeldDatagram, type HeldFragment } from './fragments.js';

export interface FlowTableStats {
  activeFlows: number;
  flowsCreated: number;
  recordsEmitted: number;
  interimRecords: number;
  evictedFlows: number;
  /** Non-first fragments whose first fragment never arrived; counted in a port-less flow. */
  orphanFragments: number;
}

/**
 * Receives each record as its flow ends (or, for 'active-timeout', as an interim record).
 * `flowId` is the flow's small integer id, as returned by `addPacket`; after a record whose
 * reason is not 'active-timeout' the id is free and a later flow may reuse it.
 */
export type FlowSink = (record: FlowRecord, flowId: number) => void;

export interface FlowTable {
  /**
   * Counts a packet. Returns the flow's id times 2, plus 1 when the packet travels responder →
   * originator; -1 when the packet is held (a fragment waiting for its first fragment).
   */
  addPacket(packet: DecodedPacket, timestamp: number, frameLength: number): number;
  /** Ends flows whose timeout has passed at `now` (seconds). */
  expire(now: number): void;
  /** Ends every flow: closed TCP flows as 'tcp-fin'/'tcp-rst', others with `reason` ('end-of-input'). */
  flush(reason?: FlowEndReason): void;
  stats(): FlowTableStats;
  /**
   * A snapshot of the `limit` active flows with the most bytes per second over their current
   * record (seconds to `now`, at least 1). O(active flows): for periodic views, not per packet.
   * The records' `endReason` is meaningless ('end-of-input'): the flows go on.
   */
  busiest(limit: number, now: number): ActiveFlow[];
}

/** An active flow as `busiest` sees it. */
export interface ActiveFlow extends FlowRecord {
  bytesPerSecond: number;
}

const KEY_BYTES = 40;
const KEY_WORDS = KEY_BYTES / 4;
// Key layout: [0] ip version, [1] protocol, [2..3] vlan, [4..5] src port, [6..7] dst port,
// [8..23] src address, [24..39] dst address.
const K_SRC = 8;
const K_DST = 24;
const W_SRC = K_SRC / 4;
const W_DST = K_DST / 4;

// Row layout of `hot` (HOT doubles per flow).
const HOT = 8; // one 64-byte row per flow
const H_LAST = 0;
const H_SEGMENT = 1; // first packet of the current record
const H_FWD_PACKETS = 2;
const H_FWD_BYTES = 3;
const H_REV_PACKETS = 4;
const H_REV_BYTES = 5;
const H_FRAME_BYTES = 6;
const H_QUEUED = 7; // when the flow was last appended to its timeout list
// Byte layout of `flagBytes` (4 per flow).
const F_FWD = 0;
const F_REV = 1;
const F_BITS = 2;
const F_LIST = 3;

const LIST_TCP = 0;
const LIST_UDP = 1;
const LIST_ICMP = 2;
const LIST_OTHER = 3;
const LIST_CLOSING = 4;
const LIST_COUNT = 5;

// Per-flow bits.
const BIT_SYN = 1; // originator SYN (no ACK)
const BIT_SYNACK = 2; // responder SYN+ACK
const BIT_CLOSING = 4; // FIN from both sides, or RST
const BIT_RST = 8;
const BIT_FWD_BASE = 16; // fwd base sequence number set
const BIT_REV_BASE = 32;
const BIT_ONE_WAY = 64; // ICMP type without counterpart
const BIT_TUNNEL = 128; // the flow has an entry in \`tunnels\`

const EXPIRY_CHECK_INTERVAL = 1; // seconds of packet time between expiry sweeps

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A counter read from a Float64Array, as a small integer when it fits. V8 reads typed-array
 * doubles as heap numbers; stored in a record they would make every counter field of the record
 * shape a boxed double (16 bytes more per field per record). The value is the same.
 */
function count(value: number): number {
  return value <= 0x3fffffff ? value | 0 : value;
}

/** Whether this machine stores 32-bit words little-endian (how an Int32Array sees bytes). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The 4 bytes at `d[o]` as an Int32Array element holding them would read: platform order. */
function wordAt(d: Uint8Array, o: number): number {
  return LITTLE_ENDIAN
    ? d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)
    : (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
}

/**
 * Hash of one endpoint: its port and its address words `words[at ..]`, one for IPv4, four for
 * IPv6 (`v6`). Written out, not looped: straight code is quicker for the JIT to compile.
 */
function hashEndpoint(words: Int32Array, at: number, v6: boolean, port: number): number {
  let h = Math.imul(Math.imul(port + 1, 0x9e3779b1) ^ words[at], 0x01000193) + 0x7f4a7c15;
  if (v6) {
    h = Math.imul(h ^ words[at + 1], 0x01000193) + 0x7f4a7c15;
    h = Math.imul(h ^ words[at + 2], 0x01000193) + 0x7f4a7c15;
    h = Math.imul(h ^ words[at + 3], 0x01000193) + 0x7f4a7c15;
  }
  return fmix32(h);
}

export function createFlowTable(config: FlowTableConfig, onFlow: FlowSink): FlowTable {
  let capacity = 1 << 16;
  let keys = new Uint8Array(capacity * KEY_BYTES);
  let hashes = new Uint32Array(capacity);
  // Per-packet fields of a flow share one 64-byte row (one cache line), flags share 4 bytes:
  // a packet touches a few cache lines, not one per field.
  let hot = new Float64Array(capacity * HOT);
  let flagBytes = new Uint8Array(capacity * 4);
  let links = new Int32Array(capacity * 2);
  let fragmentCount = new Float64Array(capacity);
  let fwdBaseSeq = new Float64Array(capacity);
  let revBaseSeq = new Float64Array(capacity);
  // Slots not in use, taken from the top: ended flows' slots (last ended first), then the
  // never-used slots in ascending order. Every allocation takes the same path from the first
  // flow on, so the JIT does not compile a "no slot was ever freed" assumption into it.
  let freeSlots = new Int32Array(capacity);
  let freeCount = 0;
  let used = 0; // high-water mark: slots [0, used) have been handed out
  stackFresh(0, capacity);
  const tunnels = new Map<number, FlowTunnel>();
  const addressNames = createAddressNames();

  let indexMask = capacity * 2 - 1;
  // Open addressing, interleaved [hash, slot + 1] pairs (slot 0 = empty): a probe compares
  // hashes without touching the flow's own arrays.
  let index = new Int32Array(capacity * 4);

  const head = new Int32Array(LIST_COUNT).fill(-1);
  const tail = new Int32Array(LIST_COUNT).fill(-1);
  const listTimeout = new Float64Array(LIST_COUNT);
  listTimeout[LIST_TCP] = config.tcpIdleTimeout;
  listTimeout[LIST_UDP] = config.udpIdleTimeout;
  listTimeout[LIST_ICMP] = config.icmpIdleTimeout;
  listTimeout[LIST_OTHER] = config.otherIdleTimeout;
  listTimeout[LIST_CLOSING] = config.tcpCloseGrace;

  const stats: FlowTableStats = {
    activeFlows: 0,
    flowsCreated: 0,
    recordsEmitted: 0,
    interimRecords: 0,
    evictedFlows: 0,
    orphanFragments: 0,
  };
  const fragments = createFragmentTracker(config.fragmentTimeout, config.maxFragmentEntries);
  let nextExpiryCheck = Number.NEGATIVE_INFINITY;

  // Scratch key of the packet being added, in the packet's own direction.
  const probe = new Uint8Array(KEY_BYTES);
  // The same keys as 32-bit words (platform order), so a lookup compares 4 or 10 words, not bytes.
  const probeWords = new Int32Array(probe.buffer);
  let keyWords = new Int32Array(keys.buffer);

  function grow(): void {
    const newCapacity = capacity * 2;
    keys = grownArray(keys, newCapacity * KEY_BYTES);
    keyWords = new Int32Array(keys.buffer);
    hashes = grownArray(hashes, newCapacity);
    hot = grownArray(hot, newCapacity * HOT);
    flagBytes = grownArray(flagBytes, newCapacity * 4);
    links = grownArray(links, newCapacity * 2);
    fragmentCount = grownArray(fragmentCount, newCapacity);
    fwdBaseSeq = grownArray(fwdBaseSeq, newCapacity);
    revBaseSeq = grownArray(revBaseSeq, newCapacity);
    freeSlots = grownArray(freeSlots, newCapacity);
    stackFresh(capacity, newCapacity);
    capacity = newCapacity;
    indexMask = capacity * 2 - 1;
    index = new Int32Array(capacity * 4);
    for (let s = 0; s < used; s++) {
      if (flagBytes[s * 4 + F_LIST] !== 255) indexInsert(hashes[s], s);
    }
  }

  /** Stacks the never-used slots [from, to) so that `from` comes out first. */
  function stackFresh(from: number, to: number): void {
    for (let s = to - 1; s >= from; s--) freeSlots[freeCount++] = s;
  }

  function indexInsert(hash: number, s: number): void {
    let b = hash & indexMask;
    while (index[b * 2 + 1] !== 0) b = (b + 1) & indexMask;
    index[b * 2] = hash;
    index[b * 2 + 1] = s + 1;
  }

  function listUnlink(s: number): void {
    const l = flagBytes[s * 4 + F_LIST];
    const p = links[s * 2];
    const n = links[s * 2 + 1];
    if (p >= 0) links[p * 2 + 1] = n;
    else head[l] = n;
    if (n >= 0) links[n * 2] = p;
    else tail[l] = p;
  }

  /**
   * Lists are ordered by H_QUEUED, not by last packet: a packet does not move its flow (that
   * would touch two neighbours' rows per packet). `expire` requeues a flow whose head position
   * is stale, so each flow moves at most once per timeout period. Since H_QUEUED ≤ H_LAST, a
   * head that is not due yet means no flow in its list is due.
   */
  function listAppend(s: number, l: number, queuedAt: number): void {
    hot[s * HOT + H_QUEUED] = queuedAt;
    flagBytes[s * 4 + F_LIST] = l;
    links[s * 2] = tail[l];
    links[s * 2 + 1] = -1;
    if (tail[l] >= 0) links[tail[l] * 2 + 1] = s;
    else head[l] = s;
    tail[l] = s;
  }

  function indexRemove(s: number): void {
    let i = hashes[s] & indexMask;
    while (index[i * 2 + 1] !== s + 1) i = (i + 1) & indexMask;
    // Backward-shift deletion keeps linear probing chains intact.
    let j = i;
    for (;;) {
      j = (j + 1) & indexMask;
      const entry = index[j * 2 + 1];
      if (entry === 0) break;
      const home = index[j * 2] & indexMask;
      const distanceJ = (j - home) & indexMask;
      const distanceI = (j - i) & indexMask;
      if (distanceJ >= distanceI) {
        index[i * 2] = index[j * 2];
        index[i * 2 + 1] = entry;
        i = j;
      }
    }
    index[i * 2] = 0;
    index[i * 2 + 1] = 0;
  }

  /**
   * Word layout of a key: [0] version, protocol, VLAN; [1] the two ports; [2..5] source and
   * [6..9] destination address (IPv4 uses words 2 and 6 only).
   */
  function keyEquals(s: number, reversed: boolean): boolean {
    const w = s * KEY_WORDS;
    const kw = keyWords;
    const pw = probeWords;
    if (kw[w] !== pw[0]) return false;
    if (!reversed) {
      if (kw[w + 1] !== pw[1] || kw[w + 2] !== pw[2] || kw[w + 6] !== pw[6]) return false;
      if (probe[0] === 4) return true;
      return (
        kw[w + 3] === pw[3] &&
        kw[w + 4] === pw[4] &&
        kw[w + 5] === pw[5] &&
        kw[w + 7] === pw[7] &&
        kw[w + 8] === pw[8] &&
        kw[w + 9] === pw[9]
      );
    }
    const ports = pw[1];
    // Ports are two 16-bit big-endian fields side by side: swapping them swaps the word's halves.
    if (kw[w + 1] !== ((ports >>> 16) | (ports << 16)) || kw[w + 2] !== pw[6] || kw[w + 6] !== pw[2]) {
      return false;
    }
    if (probe[0] === 4) return true;
    return (
      kw[w + 3] === pw[7] &&
      kw[w + 4] === pw[8] &&
      kw[w + 5] === pw[9] &&
      kw[w + 7] === pw[3] &&
      kw[w + 8] === pw[4] &&
      kw[w + 9] === pw[5]
    );
  }

  function emit(s: number, reason: FlowEndReason): void {
    const record = recordOf(s, reason);
    stats.recordsEmitted++;
    if (reason === 'active-timeout') stats.interimRecords++;
    onFlow(record, s);
  }

  /** The record of slot `s` as it stands (its current segment), ended for `reason`. */
  function recordOf(s: number, reason: FlowEndReason): FlowRecord {
    const row = s * HOT;
    const fwdPackets = count(hot[row + H_FWD_PACKETS]);
    const fwdBytes = count(hot[row + H_FWD_BYTES]);
    const revPackets = count(hot[row + H_REV_PACKETS]);
    const revBytes = count(hot[row + H_REV_BYTES]);
    const base = s * KEY_BYTES;
    const ipVersion = keys[base] === 4 ? 4 : 6;
    const length = ipVersion === 4 ? 4 : 16;
    const protocol = keys[base + 1];
    const srcPort = (keys[base + 4] << 8) | keys[base + 5];
    const dstPort = (keys[base + 6] << 8) | keys[base + 7];
    const fwdF = flagBytes[s * 4 + F_FWD];
    const revF = flagBytes[s * 4 + F_REV];
    const b = flagBytes[s * 4 + F_BITS];
    const state =
      protocol === IP_PROTO.TCP
        ? tcpConnState(fwdF, revF, (b & BIT_SYN) !== 0, (b & BIT_SYNACK) !== 0)
        : datagramConnState(hot[s * HOT + H_REV_PACKETS]);
    const record: FlowRecord = {
      communityId: communityIdAt(
        protocol,
        keys,
        base + K_SRC,
        base + K_DST,
        length,
        srcPort,
        dstPort,
        (b & BIT_ONE_WAY) !== 0,
      ),
      protocol,
      ipVersion,
      srcIp: addressNames.nameOf(keys, base + K_SRC, ipVersion),
      srcPort,
      dstIp: addressNames.nameOf(keys, base + K_DST, ipVersion),
      dstPort,
      vlan: (keys[base + 2] << 8) | keys[base + 3],
      firstTs: hot[s * HOT + H_SEGMENT],
      lastTs: hot[s * HOT + H_LAST],
      packets: count(fwdPackets + revPackets),
      bytes: count(fwdBytes + revBytes),
      frameBytes: count(hot[row + H_FRAME_BYTES]),
      fwdPackets,
      fwdBytes,
      revPackets,
      revBytes,
      tcpFlags: fwdF | revF,
      fwdTcpFlags: fwdF,
      revTcpFlags: revF,
      state,
      endReason: reason,
      fragments: count(fragmentCount[s]),
    };
    if ((b & BIT_TUNNEL) !== 0) {
      const tunnel = tunnels.get(s);
      if (tunnel !== undefined) record.tunnel = tunnel;
    }
    return record;
  }

  /** Active flows by bytes per second over their current record, highest first. */
  function busiest(limit: number, now: number): ActiveFlow[] {
    const rates: { slot: number; rate: number }[] = [];
    for (let s = 0; s < used; s++) {
      if (flagBytes[s * 4 + F_LIST] === 255) continue;
      const bytes = hot[s * HOT + H_FWD_BYTES] + hot[s * HOT + H_REV_BYTES];
      const seconds = Math.max(now - hot[s * HOT + H_SEGMENT], 1);
      rates.push({ slot: s, rate: bytes / seconds });
    }
    rates.sort((a, b) => b.rate - a.rate);
    return rates.slice(0, limit).map(({ slot, rate }) => ({
      ...recordOf(slot, 'end-of-input'),
      bytesPerSecond: rate,
    }));
  }

  function release(s: number): void {
    listUnlink(s);
    indexRemove(s);
    flagBytes[s * 4 + F_LIST] = 255;
    if ((flagBytes[s * 4 + F_BITS] & BIT_TUNNEL) !== 0) tunnels.delete(s);
    freeSlots[freeCount++] = s;
    stats.activeFlows--;
  }

  function end(s: number, reason: FlowEndReason): void {
    emit(s, reason);
    release(s);
  }

  function endReasonOf(s: number): FlowEndReason {
    const b = flagBytes[s * 4 + F_BITS];
    if ((b & BIT_CLOSING) === 0) return 'idle-timeout';
    return (b & BIT_RST) !== 0 ? 'tcp-rst' : 'tcp-fin';
  }

  function expire(now: number): void {
    fragments.expire(now, releaseHeld);
    // Flows end in the order their list positions fall due, across lists.
    for (;;) {
      let due = -1;
      let dueList = -1;
      let dueAt = now;
      for (let l = 0; l < LIST_COUNT; l++) {
        const s = head[l];
        if (s < 0) continue;
        const at = hot[s * HOT + H_QUEUED] + listTimeout[l];
        if (at < dueAt) {
          due = s;
          dueList = l;
          dueAt = at;
        }
      }
      if (due < 0) return;
      const last = hot[due * HOT + H_LAST];
      if (last + listTimeout[dueList] < now) end(due, endReasonOf(due));
      else {
        listUnlink(due);
        listAppend(due, dueList, last);
      }
    }
  }

  /** Ends the least recently seen flow: requeues stale list heads until the oldest head is current. */
  function evictOldest(): void {
    for (;;) {
      let victim = -1;
      let victimList = -1;
      for (let l = 0; l < LIST_COUNT; l++) {
        const s = head[l];
        if (s >= 0 && (victim < 0 || hot[s * HOT + H_QUEUED] < hot[victim * HOT + H_QUEUED])) {
          victim = s;
          victimList = l;
        }
      }
      if (victim < 0) return;
      const last = hot[victim * HOT + H_LAST];
      if (last > hot[victim * HOT + H_QUEUED]) {
        listUnlink(victim);
        listAppend(victim, victimList, last);
        continue;
      }
      stats.evictedFlows++;
      end(victim, 'evicted');
      return;
    }
  }

  function listForProtocol(protocol: number): number {
    if (protocol === IP_PROTO.TCP) return LIST_TCP;
    if (protocol === IP_PROTO.UDP) return LIST_UDP;
    if (protocol === IP_PROTO.ICMP || protocol === IP_PROTO.ICMPV6) return LIST_ICMP;
    return LIST_OTHER;
  }

  function allocate(hash: number, reversed: boolean, timestamp: number, packet: DecodedPacket): number {
    if (stats.activeFlows >= config.maxFlows) evictOldest();
    if (freeCount === 0) grow();
    const s = freeSlots[--freeCount];
    if (s >= used) used = s + 1;
    // Word copies (see keyEquals for the layout): no subarray, no call into the runtime. A key
    // first seen in reverse swaps the ports (the halves of word 1) and the addresses, through the
    // same operations as a forward one, so neither kind throws away code compiled for the other.
    const w = s * KEY_WORDS;
    const kw = keyWords;
    const pw = probeWords;
    const turn = reversed ? 16 : 0;
    const from = reversed ? W_DST : W_SRC;
    const to = reversed ? W_SRC : W_DST;
    const ports = pw[1];
    kw[w] = pw[0];
    kw[w + 1] = (ports >>> turn) | (ports << (32 - turn)); // a shift by 32 shifts by 0
    kw[w + W_SRC] = pw[from];
    kw[w + W_SRC + 1] = pw[from + 1];
    kw[w + W_SRC + 2] = pw[from + 2];
    kw[w + W_SRC + 3] = pw[from + 3];
    kw[w + W_DST] = pw[to];
    kw[w + W_DST + 1] = pw[to + 1];
    kw[w + W_DST + 2] = pw[to + 2];
    kw[w + W_DST + 3] = pw[to + 3];
    hashes[s] = hash;
    hot[s * HOT + H_LAST] = timestamp;
    startSegment(s, timestamp);
    flagBytes[s * 4 + F_FWD] = 0;
    flagBytes[s * 4 + F_REV] = 0;
    flagBytes[s * 4 + F_BITS] = 0;
    indexInsert(hash, s);
    listAppend(s, listForProtocol(probe[1]), timestamp);
    if (packet.tunnel !== TUNNEL.NONE) {
      const tunnel: FlowTunnel = {
        type: TUNNEL_NAMES[packet.tunnel],
        outerSrcIp: formatIp(packet.data, packet.outerSrcAddrOffset, packet.outerIpVersion),
        outerDstIp: formatIp(packet.data, packet.outerDstAddrOffset, packet.outerIpVersion),
      };
      if (packet.tunnelId !== 0) tunnel.id = packet.tunnelId;
      tunnels.set(s, tunnel);
      flagBytes[s * 4 + F_BITS] = BIT_TUNNEL;
    }
    stats.flowsCreated++;
    stats.activeFlows++;
    return s;
  }

  /** Starts a record at `timestamp` with zero counters; key, handshake bits and list stay. */
  function startSegment(s: number, timestamp: number): void {
    hot[s * HOT + H_SEGMENT] = timestamp;
    hot[s * HOT + H_FWD_PACKETS] = 0;
    hot[s * HOT + H_REV_PACKETS] = 0;
    hot[s * HOT + H_FWD_BYTES] = 0;
    hot[s * HOT + H_REV_BYTES] = 0;
    hot[s * HOT + H_FRAME_BYTES] = 0;
    fragmentCount[s] = 0;
  }

  /** Counts fragments that arrived before their datagram's first fragment into flow `s`. */
  function countHeld(s: number, forward: boolean, held: HeldFragment[]): void {
    for (const f of held) {
      if (forward) {
        hot[s * HOT + H_FWD_PACKETS]++;
        hot[s * HOT + H_FWD_BYTES] += f.ipBytes;
      } else {
        hot[s * HOT + H_REV_PACKETS]++;
        hot[s * HOT + H_REV_BYTES] += f.ipBytes;
      }
      hot[s * HOT + H_FRAME_BYTES] += f.frameLength;
      fragmentCount[s]++;
      if (f.timestamp < hot[s * HOT + H_SEGMENT]) {
        hot[s * HOT + H_SEGMENT] = f.timestamp;
      }
    }
  }

  /** Held fragments whose first fragment never came count in a port-less flow. */
  function releaseHeld(datagram: HeldDatagram): void {
    const packet = datagram.packet;
    for (const f of datagram.fragments) {
      stats.orphanFragments++;
      packet.ipBytes = f.ipBytes;
      track(packet, f.timestamp, f.frameLength, true);
    }
  }

  function addPacket(packet: DecodedPacket, timestamp: number, frameLength: number): number {
    if (timestamp >= nextExpiryCheck) {
      expire(timestamp);
      nextExpiryCheck = timestamp + EXPIRY_CHECK_INTERVAL;
    }
    return track(packet, timestamp, frameLength, false);
  }

  /**
   * Counts one packet and returns its flow handle (see FlowTable.addPacket); `released` marks a
   * held fragment counted without its ports.
   */
  function track(packet: DecodedPacket, timestamp: number, frameLength: number, released: boolean): number {
    const d = packet.data;
    const version = packet.ipVersion;
    const protocol = packet.protocol;
    let srcPort = 0;
    let dstPort = 0;
    let oneWay = false;
    if (packet.hasPorts) {
      if (protocol === IP_PROTO.ICMP || protocol === IP_PROTO.ICMPV6) {
        const type = packet.srcPort;
        const counterpart = (protocol === IP_PROTO.ICMP ? ICMP_V4_COUNTERPART : ICMP_V6_COUNTERPART)[type];
        srcPort = type;
        if (counterpart >= 0) dstPort = counterpart;
        else {
          dstPort = packet.dstPort;
          oneWay = true;
        }
      } else {
        srcPort = packet.srcPort;
        dstPort = packet.dstPort;
      }
    }
    let heldBefore: HeldFragment[] | null = null;
    if (packet.isFragment && !released) {
      if (packet.hasPorts) {
        heldBefore = fragments.rememberFirst(packet, srcPort, dstPort, timestamp);
      } else {
        const ports = fragments.portsOf(packet, timestamp);
        if (ports >= 0) {
          srcPort = ports >>> 16;
          dstPort = ports & 0xffff;
        } else if (fragments.hold(packet, timestamp, frameLength)) return -1;
        else stats.orphanFragments++;
      }
    }

    probe[0] = version;
    probe[1] = protocol;
    probe[2] = packet.vlanId >>> 8;
    probe[3] = packet.vlanId & 0xff;
    probe[4] = srcPort >>> 8;
    probe[5] = srcPort & 0xff;
    probe[6] = dstPort >>> 8;
    probe[7] = dstPort & 0xff;
    // Addresses are copied a word at a time, in platform order (as keyWords compares them).
    const so = packet.srcAddrOffset;
    const dso = packet.dstAddrOffset;
    const v6 = version !== 4;
    probeWords[W_SRC] = wordAt(d, so);
    probeWords[W_DST] = wordAt(d, dso);
    if (v6) {
      probeWords[W_SRC + 1] = wordAt(d, so + 4);
      probeWords[W_SRC + 2] = wordAt(d, so + 8);
      probeWords[W_SRC + 3] = wordAt(d, so + 12);
      probeWords[W_DST + 1] = wordAt(d, dso + 4);
      probeWords[W_DST + 2] = wordAt(d, dso + 8);
      probeWords[W_DST + 3] = wordAt(d, dso + 12);
    }
    const hash = fmix32(
      (hashEndpoint(probeWords, W_SRC, v6, srcPort) + hashEndpoint(probeWords, W_DST, v6, dstPort)) ^
        Math.imul((protocol << 16) | packet.vlanId, 0x27d4eb2d),
    );

    let s = -1;
    let forward = true;
    const hashBits = hash | 0;
    for (let i = hash & indexMask; ; i = (i + 1) & indexMask) {
      const entry = index[i * 2 + 1];
      if (entry === 0) break;
      if (index[i * 2] !== hashBits) continue;
      const candidate = entry - 1;
      if (keyEquals(candidate, false)) {
        s = candidate;
        break;
      }
      if (keyEquals(candidate, true)) {
        s = candidate;
        forward = false;
        break;
      }
    }

    const flags = protocol === IP_PROTO.TCP && packet.hasPorts ? packet.tcpFlags : 0;
    const pureSyn = (flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN;
    if (s >= 0 && pureSyn && !packet.isFragment) {
      // Port reuse, as Wireshark splits tcp.stream: a SYN whose sequence number differs from
      // the base sequence of its direction starts a new connection.
      const baseBit = forward ? BIT_FWD_BASE : BIT_REV_BASE;
      const base = forward ? fwdBaseSeq[s] : revBaseSeq[s];
      if ((flagBytes[s * 4 + F_BITS] & baseBit) !== 0 && base !== packet.tcpSeq) {
        const closed = (flagBytes[s * 4 + F_BITS] & BIT_CLOSING) !== 0;
        end(s, closed ? endReasonOf(s) : 'tcp-reuse');
        s = -1;
      }
    }
    if (s < 0) {
      // A flow first seen through its SYN-ACK belongs to the SYN-ACK's receiver.
      const reversed = (flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === (TCP_FLAG.SYN | TCP_FLAG.ACK);
      s = allocate(hash, reversed, timestamp, packet);
      forward = !reversed;
      if (oneWay) flagBytes[s * 4 + F_BITS] |= BIT_ONE_WAY;
    } else {
      if (config.activeTimeout > 0 && timestamp - hot[s * HOT + H_SEGMENT] >= config.activeTimeout) {
        emit(s, 'active-timeout');
        startSegment(s, timestamp);
      }
      if (timestamp > hot[s * HOT + H_LAST]) hot[s * HOT + H_LAST] = timestamp;
    }

    const ipBytes = packet.ipBytes;
    if (forward) {
      hot[s * HOT + H_FWD_PACKETS]++;
      hot[s * HOT + H_FWD_BYTES] += ipBytes;
      flagBytes[s * 4 + F_FWD] |= flags;
    } else {
      hot[s * HOT + H_REV_PACKETS]++;
      hot[s * HOT + H_REV_BYTES] += ipBytes;
      flagBytes[s * 4 + F_REV] |= flags;
    }
    hot[s * HOT + H_FRAME_BYTES] += frameLength;
    if (packet.isFragment || released) {
      fragmentCount[s]++;
      if (heldBefore !== null) countHeld(s, forward, heldBefore);
    }

    if (flags !== 0) {
      let b = flagBytes[s * 4 + F_BITS];
      if (forward) {
        if ((b & BIT_FWD_BASE) === 0) {
          fwdBaseSeq[s] = packet.tcpSeq;
          b |= BIT_FWD_BASE;
        }
        if (pureSyn) b |= BIT_SYN;
      } else {
        if ((b & BIT_REV_BASE) === 0) {
          revBaseSeq[s] = packet.tcpSeq;
          b |= BIT_REV_BASE;
        }
        if ((flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === (TCP_FLAG.SYN | TCP_FLAG.ACK)) b |= BIT_SYNACK;
      }
      if ((flags & TCP_FLAG.RST) !== 0) b |= BIT_RST | BIT_CLOSING;
      else if (
        (flagBytes[s * 4 + F_FWD] & TCP_FLAG.FIN) !== 0 &&
        (flagBytes[s * 4 + F_REV] & TCP_FLAG.FIN) !== 0
      )
        b |= BIT_CLOSING;
      if ((b & BIT_CLOSING) !== 0 && flagBytes[s * 4 + F_LIST] !== LIST_CLOSING) {
        listUnlink(s);
        listAppend(s, LIST_CLOSING, timestamp);
      }
      flagBytes[s * 4 + F_BITS] = b;
    }
    return forward ? s * 2 : s * 2 + 1;
  }

  function flush(reason: FlowEndReason = 'end-of-input'): void {
    fragments.drain(releaseHeld);
    // Every flow ends: emit them oldest first across lists, then clear the table in one go
    // instead of unlinking each flow from the index.
    const cursor = new Int32Array(LIST_COUNT);
    cursor.set(head);
    for (;;) {
      let oldest = -1;
      let list = -1;
      for (let l = 0; l < LIST_COUNT; l++) {
        const s = cursor[l];
        if (s >= 0 && (oldest < 0 || hot[s * HOT + H_LAST] < hot[oldest * HOT + H_LAST])) {
          oldest = s;
          list = l;
        }
      }
      if (oldest < 0) break;
      cursor[list] = links[oldest * 2 + 1];
      // A TCP flow already closed by FIN or RST says so, even inside its grace period.
      emit(oldest, (flagBytes[oldest * 4 + F_BITS] & BIT_CLOSING) !== 0 ? endReasonOf(oldest) : reason);
    }
    index.fill(0);
    head.fill(-1);
    tail.fill(-1);
    for (let slot = 0; slot < used; slot++) flagBytes[slot * 4 + F_LIST] = 255;
    tunnels.clear();
    freeCount = 0;
    used = 0;
    stackFresh(0, capacity);
    stats.activeFlows = 0;
  }

  return {
    addPacket,
    expire,
    flush,
    stats: () => ({ ...stats }),
    busiest,
  };
}
