/**
 * Top talkers: frames and frame bytes per host (sent and received) and per address pair
 * (conversation), like Wireshark's Endpoints and Conversations (IPv4/IPv6) tables.
 *
 * Contract: per packet, only the frame bytes of each direction of the flow are added into two
 * typed arrays indexed by flow id; hosts and conversations are updated from each flow record
 * (interim records are segments, so nothing is counted twice). Memory is bounded: each map holds
 * at most 2 × `maxEntries`; past that it is pruned to the `maxEntries` with the most bytes, and the
 * pruned entries and bytes are counted. Counts are exact while nothing was pruned (`exact`).
 */
import type { FlowRecord, TalkerConversation, TalkerHost, TopTalkers } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';

export interface TalkersAnalyzerConfig {
  /** Hosts and conversations listed in the result. */
  top: number;
  /** Entries each map keeps after pruning (it grows to twice this before pruning). */
  maxEntries: number;
}

export const DEFAULT_TALKERS_CONFIG: TalkersAnalyzerConfig = { top: 20, maxEntries: 10_000 };

export interface Pruning {
  entries: number;
  bytes: number;
}

/**
 * Keeps the `keep` entries with the most bytes; adds what it drops to `pruned`. Ties at the
 * threshold keep the earlier inserted entries: the same entries a stable sort by bytes would keep,
 * found by sorting the byte counts alone (a typed-array sort) instead of the entries.
 */
export function prune<T extends { bytes: number }>(map: Map<string, T>, keep: number, pruned: Pruning): void {
  if (map.size <= keep) return;
  const sizes = new Float64Array(map.size);
  let i = 0;
  for (const entry of map.values()) sizes[i++] = entry.bytes;
  sizes.sort();
  const first = sizes.length - keep;
  const threshold = sizes[first];
  let tiesKept = 0;
  for (let j = first; j < sizes.length && sizes[j] === threshold; j++) tiesKept++;
  // forEach visits in insertion order and allows deleting the entry it is on.
  map.forEach((entry, key) => {
    if (entry.bytes > threshold) return;
    if (entry.bytes === threshold && tiesKept > 0) {
      tiesKept--;
      return;
    }
    map.delete(key);
    pruned.entries++;
    pruned.bytes += entry.bytes;
  });
}

function top<T extends { bytes: number; packets: number }>(values: Iterable<T>, n: number): T[] {
  return [...values].sort((a, b) => b.bytes - a.bytes || b.packets - a.packets).slice(0, n);
}

export function createTalkersAnalyzer(config: Partial<TalkersAnalyzerConfig> = {}): PacketAnalyzer {
  const { top: topN, maxEntries } = { ...DEFAULT_TALKERS_CONFIG, ...config };
  let fwdFrameBytes = new Float64Array(1024);
  let revFrameBytes = new Float64Array(1024);
  const hosts = new Map<string, TalkerHost>();
  const conversations = new Map<string, TalkerConversation>();
  const prunedHosts: Pruning = { entries: 0, bytes: 0 };
  const prunedConversations: Pruning = { entries: 0, bytes: 0 };
  let hostsSeen = 0;
  let conversationsSeen = 0;

  function grow(flowId: number): void {
    let size = fwdFrameBytes.length;
    while (size <= flowId) size *= 2;
    const fwd = new Float64Array(size);
    const rev = new Float64Array(size);
    fwd.set(fwdFrameBytes);
    rev.set(revFrameBytes);
    fwdFrameBytes = fwd;
    revFrameBytes = rev;
  }

  function host(address: string): TalkerHost {
    let h = hosts.get(address);
    if (h === undefined) {
      if (hosts.size >= 2 * maxEntries) prune(hosts, maxEntries, prunedHosts);
      h = { address, packets: 0, bytes: 0, txPackets: 0, txBytes: 0, rxPackets: 0, rxBytes: 0, flows: 0 };
      hosts.set(address, h);
      hostsSeen++;
    }
    return h;
  }

  function addHost(address: string, txPackets: number, txBytes: number, rxPackets: number, rxBytes: number) {
    const h = host(address);
    h.flows++;
    h.packets += txPackets + rxPackets;
    h.bytes += txBytes + rxBytes;
    h.txPackets += txPackets;
    h.txBytes += txBytes;
    h.rxPackets += rxPackets;
    h.rxBytes += rxBytes;
  }

  function addConversation(r: FlowRecord, fwdBytes: number, revBytes: number): void {
    const srcIsA = r.srcIp <= r.dstIp;
    const a = srcIsA ? r.srcIp : r.dstIp;
    const b = srcIsA ? r.dstIp : r.srcIp;
    const key = `${a} ${b}`;
    let c = conversations.get(key);
    if (c === undefined) {
      if (conversations.size >= 2 * maxEntries) prune(conversations, maxEntries, prunedConversations);
      c = {
        addressA: a,
        addressB: b,
        packets: 0,
        bytes: 0,
        packetsAToB: 0,
        bytesAToB: 0,
        packetsBToA: 0,
        bytesBToA: 0,
        flows: 0,
        firstTs: r.firstTs,
        lastTs: r.lastTs,
      };
      conversations.set(key, c);
      conversationsSeen++;
    }
    c.flows++;
    c.packets += r.packets;
    c.bytes += fwdBytes + revBytes;
    c.packetsAToB += srcIsA ? r.fwdPackets : r.revPackets;
    c.packetsBToA += srcIsA ? r.revPackets : r.fwdPackets;
    c.bytesAToB += srcIsA ? fwdBytes : revBytes;
    c.bytesBToA += srcIsA ? revBytes : fwdBytes;
    if (r.firstTs < c.firstTs) c.firstTs = r.firstTs;
    if (r.lastTs > c.lastTs) c.lastTs = r.lastTs;
  }

  return {
    name: 'talkers',
    onPacket(_packet, _timestamp, frameLength, flowId, forward) {
      if (flowId >= fwdFrameBytes.length) grow(flowId);
      if (forward) fwdFrameBytes[flowId] += frameLength;
      else revFrameBytes[flowId] += frameLength;
    },
    onFlowEnd(flowId, record) {
      let fwd = 0;
      let rev = 0;
      if (flowId < fwdFrameBytes.length) {
        fwd = fwdFrameBytes[flowId];
        rev = revFrameBytes[flowId];
        fwdFrameBytes[flowId] = 0;
        revFrameBytes[flowId] = 0;
      }
      // Frames this analyzer did not see (fragments the flow table held) are split by IP bytes.
      const unseen = record.frameBytes - fwd - rev;
      if (unseen > 0) {
        const share = record.bytes > 0 ? record.fwdBytes / record.bytes : 0.5;
        fwd += Math.round(unseen * share);
        rev = record.frameBytes - fwd;
      }
      addHost(record.srcIp, record.fwdPackets, fwd, record.revPackets, rev);
      addHost(record.dstIp, record.revPackets, rev, record.fwdPackets, fwd);
      addConversation(record, fwd, rev);
    },
    finish(): TopTalkers {
      return {
        hosts: top(hosts.values(), topN),
        conversations: top(conversations.values(), topN),
        hostsSeen,
        conversationsSeen,
        exact: prunedHosts.entries === 0 && prunedConversations.entries === 0,
        prunedHostEntries: prunedHosts.entries,
        prunedConversationEntries: prunedConversations.entries,
        prunedConversationBytes: prunedConversations.bytes,
      };
    },
  };
}
