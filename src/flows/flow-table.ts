/**
 * The bidirectional flow table: packets in, `FlowRecord`s out as flows end.
 *
 * Contract: `addPacket` is synchronous, allocates nothing per packet on the common path, and
 * never throws for any decoded packet. Flows are keyed by (IP version, protocol, VLAN, addresses,
 * ports) in either direction. Their keys, counters, hash index and timeout lists live in a
 * WebAssembly core (wasm/flow-core.ts) with its own memory per table; this module decides what a
 * packet's key is (ICMP types, fragments), builds the records and keeps what is not per packet
 * (tunnels, fragments waiting for their first fragment, statistics). Each timeout class keeps its
 * flows in a list ordered by last packet time, so expiry only looks at list heads. Time is the
 * packets' own time: the table never reads the clock. Records reach `onFlow` in the order flows
 * end; `flush` ends every remaining flow.
 */
import type { DecodedPacket, FlowEndReason, FlowRecord, FlowTunnel } from '../model/index.js';
import {
  communityIdFromDigest,
  formatIp,
  ICMP_V4_COUNTERPART,
  ICMP_V6_COUNTERPART,
  IP_PROTO,
  TUNNEL,
  TUNNEL_NAMES,
} from '../model/index.js';
import { createAddressNames } from './address-names.js';
import type { FlowTableConfig } from './config.js';
import { datagramConnState, tcpConnState } from './conn-state.js';
import { FLOW_CORE_WASM_BASE64 } from './flow-core-binary.js';
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
// Key layout (wasm/flow-core.ts): [0] ip version, [1] protocol, [2..3] vlan, [4..5] src port,
// [6..7] dst port, [8..23] src address, [24..39] dst address.
const K_SRC = 8;
const K_DST = 24;

// A row of the core's `hot` region: 8 doubles per flow.
const HOT = 8;
const H_LAST = 0;
const H_SEGMENT = 1;
const H_FWD_PACKETS = 2;
const H_FWD_BYTES = 3;
const H_REV_PACKETS = 4;
const H_REV_BYTES = 5;
const H_FRAME_BYTES = 6;
// Flag bytes, 4 per flow.
const F_FWD = 0;
const F_REV = 1;
const F_BITS = 2;
const F_LIST = 3;
const NO_LIST = 255;

const BIT_SYN = 1; // originator SYN (no ACK)
const BIT_SYNACK = 2; // responder SYN+ACK
const BIT_CLOSING = 4; // FIN from both sides, or RST
const BIT_RST = 8;
const BIT_TUNNEL = 128; // the flow has an entry in `tunnels`

// `track`'s packet bits and actions (wasm/flow-core.ts).
const PACKET_FRAGMENT = 1;
const PACKET_RELEASED = 2;
const PACKET_ONE_WAY = 4;
const PACKET_EVICTED = 8;
const ACTION_EVICT = -2;
const ACTION_REUSE = -3;
const ACTION_ACTIVE_TIMEOUT = -4;

const EXPIRY_CHECK_INTERVAL = 1; // seconds of packet time between expiry sweeps

/** What wasm/flow-core.ts exports. */
interface FlowCore {
  memory: WebAssembly.Memory;
  PROBE: WebAssembly.Global;
  DIGEST: WebAssembly.Global;
  LAYOUT: WebAssembly.Global;
  init(
    tcpTimeout: number,
    udpTimeout: number,
    icmpTimeout: number,
    otherTimeout: number,
    closeGrace: number,
    activeTimeout: number,
    maxFlows: number,
    memoryPages: number,
  ): void;
  activeFlowCount(): number;
  createdFlowCount(): number;
  usedSlots(): number;
  pendingFlow(): number;
  startedFlow(): number;
  startSegment(s: number, timestamp: number): void;
  track(
    timestamp: number,
    frameLength: number,
    ipBytes: number,
    tcpFlags: number,
    tcpSeq: number,
    packetBits: number,
    keyHead: number,
    ports: number,
    srcWord: number,
    dstWord: number,
  ): number;
  countHeld(s: number, forward: boolean, ipBytes: number, frameLength: number, timestamp: number): void;
  release(s: number): void;
  nextDue(now: number): number;
  oldestFlow(): number;
  startFlush(): void;
  nextFlushed(): number;
  clear(): void;
  communityIdDigest(s: number): void;
}

let flowCoreModule: WebAssembly.Module | undefined;

/** A fresh core with its own memory; the module is compiled once per thread. */
function instantiateFlowCore(): FlowCore {
  flowCoreModule ??= new WebAssembly.Module(Buffer.from(FLOW_CORE_WASM_BASE64, 'base64'));
  return new WebAssembly.Instance(flowCoreModule, {}).exports as unknown as FlowCore;
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

/**
 * The 4 bytes at `d[o]` as an Int32Array element holding them would read: platform order, so
 * that the word stored through an Int32Array puts the bytes in memory in packet order.
 */
function wordAt(d: Uint8Array, o: number): number {
  return LITTLE_ENDIAN
    ? d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)
    : (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
}

/** The 4 bytes at `d[o]`, the first in the low bits: what WebAssembly's little-endian load reads. */
function littleEndianWordAt(d: Uint8Array, o: number): number {
  return d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24);
}

/** WebAssembly's 32-bit memory: 65,536 pages of 64 KiB. */
const MAX_MEMORY_BYTES = 4 * 1024 ** 3;

export interface FlowTableLimits {
  /**
   * The most memory the table's keys, counters and index may take (default and at most 4 GiB,
   * what WebAssembly can address). A table that needs more evicts its least recently seen flow,
   * as at `maxFlows`. At least 16 MiB.
   */
  memoryBytes?: number;
}

export function createFlowTable(
  config: FlowTableConfig,
  onFlow: FlowSink,
  limits: FlowTableLimits = {},
): FlowTable {
  const core = instantiateFlowCore();
  const memoryBytes = Math.min(
    Math.max(limits.memoryBytes ?? MAX_MEMORY_BYTES, 16 * 1024 ** 2),
    MAX_MEMORY_BYTES,
  );
  core.init(
    config.tcpIdleTimeout,
    config.udpIdleTimeout,
    config.icmpIdleTimeout,
    config.otherIdleTimeout,
    config.tcpCloseGrace,
    config.activeTimeout,
    Math.min(config.maxFlows, 0xffffffff), // --max-flows 0 means no limit (Infinity)
    Math.floor(memoryBytes / 65536),
  );
  const probeWord = (core.PROBE.value as number) >> 2;
  const digestWord = (core.DIGEST.value as number) >> 2;
  const layoutWord = (core.LAYOUT.value as number) >> 2;
  // Views of the core's memory. Growing the memory detaches them (their length becomes 0), and
  // growing the table moves its regions: `viewMemory` renews both.
  let bytes = new Uint8Array(0);
  let words = new Int32Array(0);
  let doubles = new Float64Array(0);
  let keysAt = 0;
  let hotAt = 0;
  let flagsAt = 0;
  let fragmentsAt = 0;
  function viewMemory(): void {
    const buffer = core.memory.buffer;
    bytes = new Uint8Array(buffer);
    words = new Int32Array(buffer);
    doubles = new Float64Array(buffer);
    keysAt = words[layoutWord];
    hotAt = words[layoutWord + 1] / 8;
    flagsAt = words[layoutWord + 2];
    fragmentsAt = words[layoutWord + 3] / 8;
  }
  viewMemory();

  const tunnels = new Map<number, FlowTunnel>();
  const addressNames = createAddressNames();
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

  function emit(s: number, reason: FlowEndReason): void {
    const record = recordOf(s, reason);
    stats.recordsEmitted++;
    if (reason === 'active-timeout') stats.interimRecords++;
    onFlow(record, s);
  }

  /** The record of slot `s` as it stands (its current segment), ended for `reason`. */
  function recordOf(s: number, reason: FlowEndReason): FlowRecord {
    const keys = bytes;
    const row = hotAt + s * HOT;
    const hot = doubles;
    const fwdPackets = count(hot[row + H_FWD_PACKETS]);
    const fwdBytes = count(hot[row + H_FWD_BYTES]);
    const revPackets = count(hot[row + H_REV_PACKETS]);
    const revBytes = count(hot[row + H_REV_BYTES]);
    const base = keysAt + s * KEY_BYTES;
    const ipVersion = keys[base] === 4 ? 4 : 6;
    const protocol = keys[base + 1];
    const srcPort = (keys[base + 4] << 8) | keys[base + 5];
    const dstPort = (keys[base + 6] << 8) | keys[base + 7];
    const flagAt = flagsAt + s * 4;
    const fwdF = keys[flagAt + F_FWD];
    const revF = keys[flagAt + F_REV];
    const b = keys[flagAt + F_BITS];
    const state =
      protocol === IP_PROTO.TCP
        ? tcpConnState(fwdF, revF, (b & BIT_SYN) !== 0, (b & BIT_SYNACK) !== 0)
        : datagramConnState(hot[row + H_REV_PACKETS]);
    core.communityIdDigest(s);
    const record: FlowRecord = {
      communityId: communityIdFromDigest(words, digestWord),
      protocol,
      ipVersion,
      srcIp: addressNames.nameOf(keys, base + K_SRC, ipVersion),
      srcPort,
      dstIp: addressNames.nameOf(keys, base + K_DST, ipVersion),
      dstPort,
      vlan: (keys[base + 2] << 8) | keys[base + 3],
      firstTs: hot[row + H_SEGMENT],
      lastTs: hot[row + H_LAST],
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
      fragments: count(doubles[fragmentsAt + s]),
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
    const used = core.usedSlots();
    for (let s = 0; s < used; s++) {
      if (bytes[flagsAt + s * 4 + F_LIST] === NO_LIST) continue;
      const row = hotAt + s * HOT;
      const flowBytes = doubles[row + H_FWD_BYTES] + doubles[row + H_REV_BYTES];
      const seconds = Math.max(now - doubles[row + H_SEGMENT], 1);
      rates.push({ slot: s, rate: flowBytes / seconds });
    }
    rates.sort((a, b) => b.rate - a.rate);
    return rates.slice(0, limit).map(({ slot, rate }) => ({
      ...recordOf(slot, 'end-of-input'),
      bytesPerSecond: rate,
    }));
  }

  function end(s: number, reason: FlowEndReason): void {
    emit(s, reason);
    if ((bytes[flagsAt + s * 4 + F_BITS] & BIT_TUNNEL) !== 0) tunnels.delete(s);
    core.release(s);
  }

  function endReasonOf(s: number): FlowEndReason {
    const b = bytes[flagsAt + s * 4 + F_BITS];
    if ((b & BIT_CLOSING) === 0) return 'idle-timeout';
    return (b & BIT_RST) !== 0 ? 'tcp-rst' : 'tcp-fin';
  }

  function expire(now: number): void {
    fragments.expire(now, releaseHeld);
    // Flows end in the order their list positions fall due, across lists.
    for (let s = core.nextDue(now); s >= 0; s = core.nextDue(now)) end(s, endReasonOf(s));
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
    const protocol = packet.protocol;
    let srcPort = 0;
    let dstPort = 0;
    let packetBits = released ? PACKET_RELEASED : 0;
    if (packet.hasPorts) {
      if (protocol === IP_PROTO.ICMP || protocol === IP_PROTO.ICMPV6) {
        const type = packet.srcPort;
        const counterpart = (protocol === IP_PROTO.ICMP ? ICMP_V4_COUNTERPART : ICMP_V6_COUNTERPART)[type];
        srcPort = type;
        if (counterpart >= 0) dstPort = counterpart;
        else {
          dstPort = packet.dstPort;
          packetBits |= PACKET_ONE_WAY;
        }
      } else {
        srcPort = packet.srcPort;
        dstPort = packet.dstPort;
      }
    }
    let heldBefore: HeldFragment[] | null = null;
    if (packet.isFragment) {
      packetBits |= PACKET_FRAGMENT;
      if (!released) {
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
    }

    const so = packet.srcAddrOffset;
    const dso = packet.dstAddrOffset;
    if (packet.ipVersion !== 4) {
      // IPv6 addresses' last 12 bytes, a word at a time in platform order (so they land in order).
      if (words.length === 0) viewMemory();
      const w = probeWord;
      words[w + 3] = wordAt(d, so + 4);
      words[w + 4] = wordAt(d, so + 8);
      words[w + 5] = wordAt(d, so + 12);
      words[w + 7] = wordAt(d, dso + 4);
      words[w + 8] = wordAt(d, dso + 8);
      words[w + 9] = wordAt(d, dso + 12);
    }
    const keyHead = packet.ipVersion | (protocol << 8) | (packet.vlanId << 16);
    const ports = (srcPort << 16) | dstPort;
    const srcWord = littleEndianWordAt(d, so);
    const dstWord = littleEndianWordAt(d, dso);
    const tcpFlags = protocol === IP_PROTO.TCP && packet.hasPorts ? packet.tcpFlags : 0;
    const ipBytes = packet.ipBytes;
    const tcpSeq = packet.tcpSeq;
    let handle: number;
    for (;;) {
      handle = core.track(
        timestamp,
        frameLength,
        ipBytes,
        tcpFlags,
        tcpSeq,
        packetBits,
        keyHead,
        ports,
        srcWord,
        dstWord,
      );
      if (handle >= 0) break;
      // The core asks for something to be done first, then for the packet again.
      if (handle === ACTION_REUSE) {
        const s = core.pendingFlow();
        const closed = (bytes[flagsAt + s * 4 + F_BITS] & BIT_CLOSING) !== 0;
        end(s, closed ? endReasonOf(s) : 'tcp-reuse');
      } else if (handle === ACTION_ACTIVE_TIMEOUT) {
        const s = core.pendingFlow();
        emit(s, 'active-timeout');
        core.startSegment(s, timestamp);
      } else if (handle === ACTION_EVICT) {
        const victim = core.oldestFlow();
        // A table without flows has free slots: this only guards against looping.
        if (victim < 0 && (packetBits & PACKET_EVICTED) !== 0) return -1;
        if (victim >= 0) {
          stats.evictedFlows++;
          end(victim, 'evicted');
        }
        packetBits |= PACKET_EVICTED;
      } else return -1;
    }
    // A new flow may have grown the table (moved regions, detached views).
    if (words[layoutWord] !== keysAt) viewMemory();
    if (packet.tunnel !== TUNNEL.NONE && core.startedFlow() !== 0) {
      const s = handle >>> 1;
      const tunnel: FlowTunnel = {
        type: TUNNEL_NAMES[packet.tunnel],
        outerSrcIp: formatIp(packet.data, packet.outerSrcAddrOffset, packet.outerIpVersion),
        outerDstIp: formatIp(packet.data, packet.outerDstAddrOffset, packet.outerIpVersion),
      };
      if (packet.tunnelId !== 0) tunnel.id = packet.tunnelId;
      tunnels.set(s, tunnel);
      bytes[flagsAt + s * 4 + F_BITS] |= BIT_TUNNEL;
    }
    if (heldBefore !== null) {
      const s = handle >>> 1;
      const forward = (handle & 1) === 0;
      for (const f of heldBefore) core.countHeld(s, forward, f.ipBytes, f.frameLength, f.timestamp);
    }
    return handle;
  }

  function flush(reason: FlowEndReason = 'end-of-input'): void {
    fragments.drain(releaseHeld);
    // Every flow ends: emitted oldest first across lists, then the table is cleared in one go.
    core.startFlush();
    for (let s = core.nextFlushed(); s >= 0; s = core.nextFlushed()) {
      // A TCP flow already closed by FIN or RST says so, even inside its grace period.
      emit(s, (bytes[flagsAt + s * 4 + F_BITS] & BIT_CLOSING) !== 0 ? endReasonOf(s) : reason);
    }
    core.clear();
    tunnels.clear();
  }

  return {
    addPacket,
    expire,
    flush,
    stats: () => ({
      ...stats,
      activeFlows: core.activeFlowCount(),
      flowsCreated: core.createdFlowCount(),
    }),
    busiest,
  };
}
