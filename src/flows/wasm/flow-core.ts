/**
 * The flow table's per-packet core, in AssemblyScript, compiled to WebAssembly by
 * scripts/build-flow-core.mjs (into ../flow-core-binary.ts). WebAssembly runs compiled from the
 * first packet: the JavaScript it replaces ran interpreted, then half-compiled, for the first
 * tens of thousands of packets of every run.
 *
 * Contract (what ../flow-table.ts relies on):
 * - Keys, counters and lists live in this module's memory, in the layout `LAYOUT` publishes:
 *   key bytes [0] version, [1] protocol, [2..3] VLAN, [4..5] source port, [6..7] destination port
 *   (big-endian), [8..23] source and [24..39] destination address (IPv4: first 4 bytes); a row of
 *   8 doubles per flow (`H_*`); 4 flag bytes per flow (`F_*`); a double per flow counting
 *   fragments. Regions move when the table grows (`grow`); `LAYOUT` then holds the new addresses.
 * - `track` counts a packet, or returns an action the caller must take first (end a flow, emit
 *   an interim record, evict one) and then call `track` again: it changes nothing before
 *   returning an action.
 * - Slots are the flow ids analyzers key their state on, handed out in a fixed order: ended
 *   flows' slots, last ended first, then never-used slots in ascending order. Bit 128 of a
 *   flow's F_BITS byte is the caller's (it marks flows with a tunnel); `track` keeps it.
 * - Memory grows, never shrinks: the regions a table outgrew are not reused (at most as much
 *   again as the current regions). It stays under the limit `init` sets.
 */
import { compressBlock } from './sha1-compress';

// Bytes of a row of `hot`: last packet, record start, fwd packets, fwd bytes, rev packets, rev
// bytes, frame bytes, when the flow was last appended to its list.
const H_LAST: u32 = 0;
const H_SEGMENT: u32 = 8;
const H_FWD_PACKETS: u32 = 16;
const H_FWD_BYTES: u32 = 24;
const H_REV_PACKETS: u32 = 32;
const H_REV_BYTES: u32 = 40;
const H_FRAME_BYTES: u32 = 48;
const H_QUEUED: u32 = 56;
const F_FWD: u32 = 0;
const F_REV: u32 = 1;
const F_BITS: u32 = 2;
const F_LIST: u32 = 3;
const NO_LIST: u8 = 255;

const LIST_TCP: i32 = 0;
const LIST_UDP: i32 = 1;
const LIST_ICMP: i32 = 2;
const LIST_OTHER: i32 = 3;
const LIST_CLOSING: i32 = 4;
const LIST_COUNT: i32 = 5;

const BIT_SYN: u8 = 1;
const BIT_SYNACK: u8 = 2;
const BIT_CLOSING: u8 = 4;
const BIT_RST: u8 = 8;
const BIT_FWD_BASE: u8 = 16;
const BIT_REV_BASE: u8 = 32;
const BIT_ONE_WAY: u8 = 64;

const TCP_FIN: i32 = 1;
const TCP_SYN: i32 = 2;
const TCP_RST: i32 = 4;
const TCP_ACK: i32 = 16;

// `track`'s `packetBits`.
const PACKET_FRAGMENT: i32 = 1; // the packet is an IP fragment
const PACKET_RELEASED: i32 = 2; // a held fragment counted without its ports
const PACKET_ONE_WAY: i32 = 4; // an ICMP type without counterpart
const PACKET_EVICTED: i32 = 8; // the caller already evicted for this packet

// `track`'s actions (negative; `pending` names the flow).
const ACTION_EVICT: i32 = -2;
const ACTION_REUSE: i32 = -3;
const ACTION_ACTIVE_TIMEOUT: i32 = -4;

const INITIAL_CAPACITY: u32 = 1 << 16;

/** The key of the packet being tracked (`track` writes it; the caller adds IPv6's last 12 bytes). */
export const PROBE: usize = memory.data(40, 8);
/** The last `communityIdDigest`: five 32-bit words. */
export const DIGEST: usize = memory.data(20, 8);
/** Region addresses: keys, hot rows, flag bytes, fragment counts (u32 each). */
export const LAYOUT: usize = memory.data(16, 8);
const BLOCK: usize = memory.data(64, 8);
const HEAD: usize = memory.data(LIST_COUNT * 4, 8);
const TAIL: usize = memory.data(LIST_COUNT * 4, 8);
const CURSOR: usize = memory.data(LIST_COUNT * 4, 8);
const TIMEOUT: usize = memory.data(LIST_COUNT * 8, 8);

let heapTop: usize = 0;
let pageLimit: i32 = 0;
let capacity: u32 = 0;
let indexMask: u32 = 0;
let used: u32 = 0;
let freeCount: u32 = 0;
let activeFlows: u32 = 0;
let flowsCreated: u32 = 0;
let maxFlows: u32 = 0;
let activeTimeout: f64 = 0;
let pending: i32 = -1;
let created: bool = false;
let headList: i32 = -1; // the list of the head `dueHead` or `earliestHead` returned

let keys: usize = 0;
let hashes: usize = 0;
let hot: usize = 0;
let flagBytes: usize = 0;
let links: usize = 0;
let fragmentCount: usize = 0;
let fwdBaseSeq: usize = 0;
let revBaseSeq: usize = 0;
let freeSlots: usize = 0;
let index: usize = 0;

// Bytes per slot in each region. The index has two 8-byte entries per slot (half empty at most).
const HOT_BYTES: usize = 64;
const FRAGMENTS_BYTES: usize = 8;
const SEQ_BYTES: usize = 8;
const KEY_BYTES: usize = 40;
const HASH_BYTES: usize = 4;
const FLAGS_BYTES: usize = 4;
const LINKS_BYTES: usize = 8;
const FREE_BYTES: usize = 4;
const INDEX_BYTES: usize = 16;
/** Bytes a slot takes in all ten regions (see takeRegions), and the regions' alignment slack. */
const SLOT_BYTES: usize =
  HOT_BYTES +
  FRAGMENTS_BYTES +
  2 * SEQ_BYTES +
  KEY_BYTES +
  HASH_BYTES +
  FLAGS_BYTES +
  LINKS_BYTES +
  FREE_BYTES +
  INDEX_BYTES;
const REGION_SLACK: usize = 10 * 16;

/** Grows the memory so that `slots` more slots fit under `pageLimit`; false when they do not. */
function makeRoomFor(slots: u32): bool {
  const needed = heapTop + (slots as usize) * SLOT_BYTES + REGION_SLACK;
  const pages = ((needed + 0xffff) >> 16) as i32;
  if (pages > pageLimit) return false;
  const have = memory.size();
  return pages <= have || memory.grow(pages - have) >= 0;
}

/** `bytes` at the top of the heap; the memory holds them (makeRoomFor came first). */
function reserve(bytes: usize): usize {
  const at = (heapTop + 15) & ~(15 as usize);
  heapTop = at + bytes;
  return at;
}

function takeRegions(slots: u32): void {
  const n = slots as usize;
  hot = reserve(n * HOT_BYTES);
  fragmentCount = reserve(n * FRAGMENTS_BYTES);
  fwdBaseSeq = reserve(n * SEQ_BYTES);
  revBaseSeq = reserve(n * SEQ_BYTES);
  keys = reserve(n * KEY_BYTES);
  hashes = reserve(n * HASH_BYTES);
  flagBytes = reserve(n * FLAGS_BYTES);
  links = reserve(n * LINKS_BYTES);
  freeSlots = reserve(n * FREE_BYTES);
  index = reserve(n * INDEX_BYTES);
  store<u32>(LAYOUT, keys as u32);
  store<u32>(LAYOUT, hot as u32, 4);
  store<u32>(LAYOUT, flagBytes as u32, 8);
  store<u32>(LAYOUT, fragmentCount as u32, 12);
}

/**
 * Starts an empty table; timeouts in seconds, `activeAfter` 0 for none. The memory never grows
 * past `memoryPages` (64 KiB each): a full table then evicts instead of growing.
 */
export function init(
  tcpTimeout: f64,
  udpTimeout: f64,
  icmpTimeout: f64,
  otherTimeout: f64,
  closeGrace: f64,
  activeAfter: f64,
  flowLimit: u32,
  memoryPages: i32,
): void {
  heapTop = __heap_base;
  pageLimit = memoryPages;
  store<f64>(TIMEOUT + (LIST_TCP << 3), tcpTimeout);
  store<f64>(TIMEOUT + (LIST_UDP << 3), udpTimeout);
  store<f64>(TIMEOUT + (LIST_ICMP << 3), icmpTimeout);
  store<f64>(TIMEOUT + (LIST_OTHER << 3), otherTimeout);
  store<f64>(TIMEOUT + (LIST_CLOSING << 3), closeGrace);
  activeTimeout = activeAfter;
  maxFlows = flowLimit;
  capacity = INITIAL_CAPACITY;
  if (!makeRoomFor(capacity)) unreachable();
  takeRegions(capacity);
  clear();
}

export function activeFlowCount(): u32 {
  return activeFlows;
}
export function createdFlowCount(): u32 {
  return flowsCreated;
}
/** Slots [0, usedSlots) have been handed out. */
export function usedSlots(): u32 {
  return used;
}
/** The flow an action names. */
export function pendingFlow(): i32 {
  return pending;
}
/** Whether the last `track` started a new flow. */
export function startedFlow(): bool {
  return created;
}

function flagAt(s: u32, field: u32): usize {
  return flagBytes + ((s as usize) << 2) + field;
}
function rowAt(s: u32): usize {
  return hot + ((s as usize) << 6);
}

function stackFresh(from: u32, to: u32): void {
  for (let s = to; s > from; s--) {
    store<u32>(freeSlots + ((freeCount as usize) << 2), s - 1);
    freeCount++;
  }
}

function indexInsert(hash: u32, s: u32): void {
  let b = hash & indexMask;
  while (load<u32>(index + ((b as usize) << 3), 4) !== 0) b = (b + 1) & indexMask;
  store<u32>(index + ((b as usize) << 3), hash);
  store<u32>(index + ((b as usize) << 3), s + 1, 4);
}

function indexRemove(s: u32): void {
  let i = load<u32>(hashes + ((s as usize) << 2)) & indexMask;
  while (load<u32>(index + ((i as usize) << 3), 4) !== s + 1) i = (i + 1) & indexMask;
  // Backward-shift deletion keeps linear probing chains intact.
  let j = i;
  for (;;) {
    j = (j + 1) & indexMask;
    const entry = load<u32>(index + ((j as usize) << 3), 4);
    if (entry === 0) break;
    const home = load<u32>(index + ((j as usize) << 3)) & indexMask;
    if (((j - home) & indexMask) >= ((j - i) & indexMask)) {
      store<u32>(index + ((i as usize) << 3), load<u32>(index + ((j as usize) << 3)));
      store<u32>(index + ((i as usize) << 3), entry, 4);
      i = j;
    }
  }
  store<u64>(index + ((i as usize) << 3), 0);
}

/** Doubles the table; false (and nothing changed) when the memory cannot hold it. */
function grow(): bool {
  if (capacity >= 1 << 30 || !makeRoomFor(capacity << 1)) return false;
  const old = capacity as usize;
  const oldHot = hot;
  const oldFragments = fragmentCount;
  const oldFwdSeq = fwdBaseSeq;
  const oldRevSeq = revBaseSeq;
  const oldKeys = keys;
  const oldHashes = hashes;
  const oldFlags = flagBytes;
  const oldLinks = links;
  capacity <<= 1;
  takeRegions(capacity);
  memory.copy(hot, oldHot, old * HOT_BYTES);
  memory.copy(fragmentCount, oldFragments, old * FRAGMENTS_BYTES);
  memory.copy(fwdBaseSeq, oldFwdSeq, old * SEQ_BYTES);
  memory.copy(revBaseSeq, oldRevSeq, old * SEQ_BYTES);
  memory.copy(keys, oldKeys, old * KEY_BYTES);
  memory.copy(hashes, oldHashes, old * HASH_BYTES);
  memory.copy(flagBytes, oldFlags, old * FLAGS_BYTES);
  memory.copy(links, oldLinks, old * LINKS_BYTES);
  // Called with no free slot: the new free stack holds only the new slots.
  stackFresh(old as u32, capacity);
  indexMask = capacity * 2 - 1;
  for (let s: u32 = 0; s < used; s++) {
    if (load<u8>(flagAt(s, F_LIST)) !== NO_LIST) indexInsert(load<u32>(hashes + ((s as usize) << 2)), s);
  }
  return true;
}

function listUnlink(s: u32): void {
  const l = load<u8>(flagAt(s, F_LIST)) as usize;
  const p = load<i32>(links + ((s as usize) << 3));
  const n = load<i32>(links + ((s as usize) << 3), 4);
  if (p >= 0) store<i32>(links + ((p as usize) << 3), n, 4);
  else store<i32>(HEAD + (l << 2), n);
  if (n >= 0) store<i32>(links + ((n as usize) << 3), p);
  else store<i32>(TAIL + (l << 2), p);
}

/**
 * Lists are ordered by H_QUEUED, not by last packet: a packet does not move its flow. `nextDue`
 * requeues a flow whose head position is stale, so each flow moves at most once per timeout.
 */
function listAppend(s: u32, l: i32, queuedAt: f64): void {
  store<f64>(rowAt(s) + H_QUEUED, queuedAt);
  store<u8>(flagAt(s, F_LIST), l as u8);
  const tail = load<i32>(TAIL + ((l as usize) << 2));
  store<i32>(links + ((s as usize) << 3), tail);
  store<i32>(links + ((s as usize) << 3), -1, 4);
  if (tail >= 0) store<i32>(links + ((tail as usize) << 3), s as i32, 4);
  else store<i32>(HEAD + ((l as usize) << 2), s as i32);
  store<i32>(TAIL + ((l as usize) << 2), s as i32);
}

function fmix(x: u32): u32 {
  let h = x;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

function mixWord(h: u32, word: u32): u32 {
  return (h ^ word) * 0x01000193 + 0x7f4a7c15;
}

/** Hash of one endpoint: port and address words at PROBE + `at` (4 of them for IPv6). */
function hashEndpoint(at: usize, v6: bool, port: u32): u32 {
  let h = mixWord((port + 1) * 0x9e3779b1, load<u32>(PROBE + at));
  if (v6) {
    h = mixWord(h, load<u32>(PROBE + at, 4));
    h = mixWord(h, load<u32>(PROBE + at, 8));
    h = mixWord(h, load<u32>(PROBE + at, 12));
  }
  return fmix(h);
}

function keyEquals(s: u32, reversed: bool, v6: bool): bool {
  const k = keys + (s as usize) * KEY_BYTES;
  const p = PROBE;
  if (load<u32>(k) !== load<u32>(p)) return false;
  if (!reversed) {
    if (load<u32>(k, 4) !== load<u32>(p, 4)) return false;
    if (!v6) return load<u32>(k, 8) === load<u32>(p, 8) && load<u32>(k, 24) === load<u32>(p, 24);
    return (
      load<u64>(k, 8) === load<u64>(p, 8) &&
      load<u64>(k, 16) === load<u64>(p, 16) &&
      load<u64>(k, 24) === load<u64>(p, 24) &&
      load<u64>(k, 32) === load<u64>(p, 32)
    );
  }
  // Port bytes are two 16-bit fields side by side: rotating the word swaps them.
  if (load<u32>(k, 4) !== rotr<u32>(load<u32>(p, 4), 16)) return false;
  if (!v6) return load<u32>(k, 8) === load<u32>(p, 24) && load<u32>(k, 24) === load<u32>(p, 8);
  return (
    load<u64>(k, 8) === load<u64>(p, 24) &&
    load<u64>(k, 16) === load<u64>(p, 32) &&
    load<u64>(k, 24) === load<u64>(p, 8) &&
    load<u64>(k, 32) === load<u64>(p, 16)
  );
}

function listForProtocol(protocol: u32): i32 {
  if (protocol === 6) return LIST_TCP;
  if (protocol === 17) return LIST_UDP;
  if (protocol === 1 || protocol === 58) return LIST_ICMP;
  return LIST_OTHER;
}

/** Starts a record at `timestamp` with zero counters; key, handshake bits and list stay. */
export function startSegment(s: u32, timestamp: f64): void {
  const r = rowAt(s);
  store<f64>(r + H_SEGMENT, timestamp);
  store<f64>(r + H_FWD_PACKETS, 0);
  store<f64>(r + H_REV_PACKETS, 0);
  store<f64>(r + H_FWD_BYTES, 0);
  store<f64>(r + H_REV_BYTES, 0);
  store<f64>(r + H_FRAME_BYTES, 0);
  store<f64>(fragmentCount + ((s as usize) << 3), 0);
}

/** Takes a free slot for the key at PROBE; the caller made sure one is free. */
function allocate(hash: u32, reversed: bool, timestamp: f64): u32 {
  freeCount--;
  const s = load<u32>(freeSlots + ((freeCount as usize) << 2));
  if (s >= used) used = s + 1;
  const k = keys + (s as usize) * KEY_BYTES;
  const p = PROBE;
  if (!reversed) memory.copy(k, p, KEY_BYTES);
  else {
    store<u32>(k, load<u32>(p));
    store<u32>(k, rotr<u32>(load<u32>(p, 4), 16), 4);
    memory.copy(k + 8, p + 24, 16);
    memory.copy(k + 24, p + 8, 16);
  }
  store<u32>(hashes + ((s as usize) << 2), hash);
  store<f64>(rowAt(s) + H_LAST, timestamp);
  startSegment(s, timestamp);
  store<u8>(flagAt(s, F_FWD), 0);
  store<u8>(flagAt(s, F_REV), 0);
  store<u8>(flagAt(s, F_BITS), 0);
  indexInsert(hash, s);
  listAppend(s, listForProtocol(load<u8>(p, 1)), timestamp);
  flowsCreated++;
  activeFlows++;
  return s;
}

/**
 * Counts a packet. Its key is `keyHead` (IP version, protocol << 8, VLAN << 16), `ports`
 * (source << 16, destination) and its addresses: the first 4 bytes of each as `srcWord` and
 * `dstWord` (little-endian: the first byte in the low bits), the other 12 bytes of IPv6
 * addresses written by the caller at PROBE + 12 and PROBE + 28. Returns the flow's slot times 2,
 * plus 1 when the packet travels responder → originator; or an action (`pendingFlow` names its
 * flow): ACTION_REUSE (a SYN starts a new connection on a flow's ports: end that flow),
 * ACTION_ACTIVE_TIMEOUT (emit an interim record and `startSegment`), ACTION_EVICT (the table is
 * full, at `maxFlows` or at its memory limit: evict one flow, then call again with
 * PACKET_EVICTED).
 */
export function track(
  timestamp: f64,
  frameLength: f64,
  ipBytes: f64,
  tcpFlags: i32,
  tcpSeq: f64,
  packetBits: i32,
  keyHead: u32,
  ports: u32,
  srcWord: u32,
  dstWord: u32,
): i32 {
  created = false;
  const p = PROBE;
  store<u8>(p, keyHead as u8);
  store<u8>(p, (keyHead >> 8) as u8, 1);
  store<u16>(p, bswap<u16>((keyHead >> 16) as u16), 2);
  store<u32>(p, bswap<u32>(ports), 4);
  store<u32>(p, srcWord, 8);
  store<u32>(p, dstWord, 24);
  const v6 = (keyHead & 0xff) !== 4;
  const protocolVlan = (((keyHead >> 8) & 0xff) << 16) | (keyHead >> 16);
  const hash = fmix(
    (hashEndpoint(8, v6, ports >> 16) + hashEndpoint(24, v6, ports & 0xffff)) ^ (protocolVlan * 0x27d4eb2d),
  );

  let found: i32 = -1;
  let forward = true;
  for (let i = hash & indexMask; ; i = (i + 1) & indexMask) {
    const at = index + ((i as usize) << 3);
    const entry = load<u32>(at, 4);
    if (entry === 0) break;
    if (load<u32>(at) !== hash) continue;
    if (keyEquals(entry - 1, false, v6)) {
      found = (entry - 1) as i32;
      break;
    }
    if (keyEquals(entry - 1, true, v6)) {
      found = (entry - 1) as i32;
      forward = false;
      break;
    }
  }

  const pureSyn = (tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
  if (found >= 0 && pureSyn && (packetBits & PACKET_FRAGMENT) === 0) {
    // Port reuse, as Wireshark splits tcp.stream: a SYN whose sequence number differs from the
    // base sequence of its direction starts a new connection.
    const s = found as u32;
    const baseBit = forward ? BIT_FWD_BASE : BIT_REV_BASE;
    const base = load<f64>((forward ? fwdBaseSeq : revBaseSeq) + ((s as usize) << 3));
    if ((load<u8>(flagAt(s, F_BITS)) & baseBit) !== 0 && base !== tcpSeq) {
      pending = found;
      return ACTION_REUSE;
    }
  }
  let s: u32;
  if (found < 0) {
    if (activeFlows >= maxFlows && (packetBits & PACKET_EVICTED) === 0) return ACTION_EVICT;
    // No free slot and no memory to grow into: the table is full, evict as at `maxFlows`.
    if (freeCount === 0 && !grow()) return ACTION_EVICT;
    // A flow first seen through its SYN-ACK belongs to the SYN-ACK's receiver.
    const reversed = (tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    s = allocate(hash, reversed, timestamp);
    forward = !reversed;
    if ((packetBits & PACKET_ONE_WAY) !== 0) store<u8>(flagAt(s, F_BITS), BIT_ONE_WAY);
    created = true;
  } else {
    s = found as u32;
    const r = rowAt(s);
    if (activeTimeout > 0 && timestamp - load<f64>(r + H_SEGMENT) >= activeTimeout) {
      pending = found;
      return ACTION_ACTIVE_TIMEOUT;
    }
    if (timestamp > load<f64>(r + H_LAST)) store<f64>(r + H_LAST, timestamp);
  }

  countPacket(s, forward, ipBytes, frameLength, (packetBits & (PACKET_FRAGMENT | PACKET_RELEASED)) !== 0);
  const sideFlags = flagAt(s, forward ? F_FWD : F_REV);
  store<u8>(sideFlags, load<u8>(sideFlags) | (tcpFlags as u8));

  if (tcpFlags !== 0) {
    let b = load<u8>(flagAt(s, F_BITS));
    if (forward) {
      if ((b & BIT_FWD_BASE) === 0) {
        store<f64>(fwdBaseSeq + ((s as usize) << 3), tcpSeq);
        b |= BIT_FWD_BASE;
      }
      if (pureSyn) b |= BIT_SYN;
    } else {
      if ((b & BIT_REV_BASE) === 0) {
        store<f64>(revBaseSeq + ((s as usize) << 3), tcpSeq);
        b |= BIT_REV_BASE;
      }
      if ((tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) b |= BIT_SYNACK;
    }
    if ((tcpFlags & TCP_RST) !== 0) b |= BIT_RST | BIT_CLOSING;
    else if ((load<u8>(flagAt(s, F_FWD)) & load<u8>(flagAt(s, F_REV)) & (TCP_FIN as u8)) !== 0) {
      b |= BIT_CLOSING;
    }
    if ((b & BIT_CLOSING) !== 0 && (load<u8>(flagAt(s, F_LIST)) as i32) !== LIST_CLOSING) {
      listUnlink(s);
      listAppend(s, LIST_CLOSING, timestamp);
    }
    store<u8>(flagAt(s, F_BITS), b);
  }
  return forward ? ((s << 1) as i32) : (((s << 1) | 1) as i32);
}

/** Adds one packet to flow `s`'s counters in its direction (and to its fragments). */
function countPacket(s: u32, forward: bool, ipBytes: f64, frameLength: f64, fragment: bool): void {
  const r = rowAt(s);
  const packets = r + (forward ? H_FWD_PACKETS : H_REV_PACKETS);
  const bytes = r + (forward ? H_FWD_BYTES : H_REV_BYTES);
  store<f64>(packets, load<f64>(packets) + 1);
  store<f64>(bytes, load<f64>(bytes) + ipBytes);
  store<f64>(r + H_FRAME_BYTES, load<f64>(r + H_FRAME_BYTES) + frameLength);
  if (fragment) {
    const at = fragmentCount + ((s as usize) << 3);
    store<f64>(at, load<f64>(at) + 1);
  }
}

/** Counts a fragment that arrived before its datagram's first fragment into flow `s`. */
export function countHeld(s: u32, forward: bool, ipBytes: f64, frameLength: f64, timestamp: f64): void {
  countPacket(s, forward, ipBytes, frameLength, true);
  const segment = rowAt(s) + H_SEGMENT;
  if (timestamp < load<f64>(segment)) store<f64>(segment, timestamp);
}

/** Frees flow `s` (after its record was emitted). */
export function release(s: u32): void {
  listUnlink(s);
  indexRemove(s);
  store<u8>(flagAt(s, F_LIST), NO_LIST);
  store<u32>(freeSlots + ((freeCount as usize) << 2), s);
  freeCount++;
  activeFlows--;
}

/**
 * The next flow whose timeout has passed at `now`, in the order list positions fall due across
 * lists, or -1. Requeues stale list heads on the way. The caller ends and `release`s it.
 */
export function nextDue(now: f64): i32 {
  let due = dueHead(now);
  while (due >= 0) {
    const last = load<f64>(rowAt(due as u32) + H_LAST);
    if (last + load<f64>(TIMEOUT + ((headList as usize) << 3)) < now) return due;
    listUnlink(due as u32);
    listAppend(due as u32, headList, last);
    due = dueHead(now);
  }
  return -1;
}

/** The list head that falls due first before `now` (its list in `headList`), or -1. */
function dueHead(now: f64): i32 {
  let due: i32 = -1;
  let dueAt = now;
  for (let l = 0; l < LIST_COUNT; l++) {
    const s = load<i32>(HEAD + ((l as usize) << 2));
    if (s < 0) continue;
    const at = load<f64>(rowAt(s as u32) + H_QUEUED) + load<f64>(TIMEOUT + ((l as usize) << 3));
    if (at < dueAt) {
      due = s;
      headList = l;
      dueAt = at;
    }
  }
  return due;
}

/** The least recently seen flow (requeuing stale list heads until the oldest head is current), or -1. */
export function oldestFlow(): i32 {
  let victim = oldestHead();
  while (victim >= 0) {
    const last = load<f64>(rowAt(victim as u32) + H_LAST);
    if (last <= load<f64>(rowAt(victim as u32) + H_QUEUED)) return victim;
    listUnlink(victim as u32);
    listAppend(victim as u32, headList, last);
    victim = oldestHead();
  }
  return -1;
}

/** The list head queued longest ago (its list in `headList`), or -1. */
function oldestHead(): i32 {
  return earliestHead(HEAD, H_QUEUED);
}

/**
 * Of the list heads stored at `heads` (one i32 per list), the one whose f64 row field at `field`
 * is smallest (the first list wins ties; its list in `headList`), or -1 when every list is empty.
 */
function earliestHead(heads: usize, field: usize): i32 {
  let earliest: i32 = -1;
  for (let l = 0; l < LIST_COUNT; l++) {
    const s = load<i32>(heads + ((l as usize) << 2));
    if (
      s >= 0 &&
      (earliest < 0 || load<f64>(rowAt(s as u32) + field) < load<f64>(rowAt(earliest as u32) + field))
    ) {
      earliest = s;
      headList = l;
    }
  }
  return earliest;
}

/** Starts walking every flow oldest first (`nextFlushed`); the table is unchanged until `clear`. */
export function startFlush(): void {
  memory.copy(CURSOR, HEAD, LIST_COUNT * 4);
}

/** The next flow by last packet across lists (the first list wins ties), or -1. */
export function nextFlushed(): i32 {
  const oldest = earliestHead(CURSOR, H_LAST);
  if (oldest >= 0) {
    store<i32>(CURSOR + ((headList as usize) << 2), load<i32>(links + ((oldest as usize) << 3), 4));
  }
  return oldest;
}

/** Forgets every flow; capacity stays. */
export function clear(): void {
  memory.fill(index, 0, (capacity as usize) * INDEX_BYTES);
  for (let l = 0; l < LIST_COUNT; l++) {
    store<i32>(HEAD + ((l as usize) << 2), -1);
    store<i32>(TAIL + ((l as usize) << 2), -1);
  }
  for (let s: u32 = 0; s < used; s++) store<u8>(flagAt(s, F_LIST), NO_LIST);
  indexMask = capacity * 2 - 1;
  freeCount = 0;
  used = 0;
  stackFresh(0, capacity);
  activeFlows = 0;
}

/**
 * The Community ID v1 digest (seed 0) of flow `s` into DIGEST, as ../../model/community-id.ts
 * computes it: the smaller endpoint first unless the flow is one-way ICMP; ports for TCP, UDP,
 * SCTP, ICMP and ICMPv6.
 */
export function communityIdDigest(s: u32): void {
  const k = keys + (s as usize) * KEY_BYTES;
  const length: usize = load<u8>(k) === 4 ? 4 : 16;
  const protocol = load<u8>(k, 1);
  const oneWay = (load<u8>(flagAt(s, F_BITS)) & BIT_ONE_WAY) !== 0;
  let order: i32 = 0;
  for (let i: usize = 0; i < length && order === 0; i++) {
    order = (load<u8>(k + 8 + i) as i32) - (load<u8>(k + 24 + i) as i32);
  }
  const srcPort = ((load<u8>(k, 4) as u32) << 8) | load<u8>(k, 5);
  const dstPort = ((load<u8>(k, 6) as u32) << 8) | load<u8>(k, 7);
  let a = k + 8;
  let b = k + 24;
  let pa = srcPort;
  let pb = dstPort;
  if (!oneWay && (order > 0 || (order === 0 && pa > pb))) {
    a = k + 24;
    b = k + 8;
    pa = dstPort;
    pb = srcPort;
  }
  memory.fill(BLOCK, 0, 64);
  let o: usize = 2; // the seed, zero
  memory.copy(BLOCK + o, a, length);
  o += length;
  memory.copy(BLOCK + o, b, length);
  o += length;
  store<u8>(BLOCK + o, protocol);
  o += 2; // the protocol and a zero padding byte
  if (protocol === 6 || protocol === 17 || protocol === 132 || protocol === 1 || protocol === 58) {
    store<u8>(BLOCK + o, (pa >> 8) as u8);
    store<u8>(BLOCK + o, pa as u8, 1);
    store<u8>(BLOCK + o, (pb >> 8) as u8, 2);
    store<u8>(BLOCK + o, pb as u8, 3);
    o += 4;
  }
  store<u8>(BLOCK + o, 0x80);
  // FIPS 180-4 §5.1.1: the message length in bits, big-endian, ends the block.
  store<u8>(BLOCK + 62, (o >> 5) as u8);
  store<u8>(BLOCK + 63, (o << 3) as u8);
  store<u32>(DIGEST, 0x67452301);
  store<u32>(DIGEST, 0xefcdab89, 4);
  store<u32>(DIGEST, 0x98badcfe, 8);
  store<u32>(DIGEST, 0x10325476, 12);
  store<u32>(DIGEST, 0xc3d2e1f0, 16);
  compressBlock(BLOCK, DIGEST);
}
