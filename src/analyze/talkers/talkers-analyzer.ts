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
import { addressWord, BYTES, PACKETS, type Pruning, RowTable } from './row-table.js';

/** Host columns after PACKETS and BYTES. */
const TX_PACKETS = 2;
const TX_BYTES = 3;
const RX_PACKETS = 4;
const RX_BYTES = 5;
const HOST_FLOWS = 6;
/** Conversation columns after PACKETS and BYTES. */
const A_TO_B_PACKETS = 2;
const A_TO_B_BYTES = 3;
const B_TO_A_PACKETS = 4;
const B_TO_A_BYTES = 5;
const PAIR_FLOWS = 6;
const FIRST_TS = 7;
const LAST_TS = 8;

export interface TalkersAnalyzerConfig {
  /** Hosts and conversations listed in the result. */
  top: number;
  /** Entries each map keeps after pruning (it grows to twice this before pruning). */
  maxEntries: number;
}

export const DEFAULT_TALKERS_CONFIG: TalkersAnalyzerConfig = { top: 20, maxEntries: 10_000 };

export function createTalkersAnalyzer(config: Partial<TalkersAnalyzerConfig> = {}): PacketAnalyzer {
  const { top: topN, maxEntries } = { ...DEFAULT_TALKERS_CONFIG, ...config };
  let fwdFrameBytes = new Float64Array(1024);
  let revFrameBytes = new Float64Array(1024);
  const hosts = new RowTable(7);
  const conversations = new RowTable(9);
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

  function addHost(
    address: string,
    word: number,
    txPackets: number,
    txBytes: number,
    rxPackets: number,
    rxBytes: number,
  ): void {
    let o = hosts.offsetOf(address, '', word);
    if (o < 0) {
      if (hosts.size >= 2 * maxEntries) hosts.prune(maxEntries, prunedHosts);
      o = hosts.add(address, '', word);
      hostsSeen++;
    }
    const h = hosts.values;
    h[o + HOST_FLOWS]++;
    h[o + PACKETS] += txPackets + rxPackets;
    h[o + BYTES] += txBytes + rxBytes;
    h[o + TX_PACKETS] += txPackets;
    h[o + TX_BYTES] += txBytes;
    h[o + RX_PACKETS] += rxPackets;
    h[o + RX_BYTES] += rxBytes;
  }

  function addConversation(
    r: FlowRecord,
    srcWord: number,
    dstWord: number,
    fwdBytes: number,
    revBytes: number,
  ) {
    const srcIsA = r.srcIp <= r.dstIp;
    const a = srcIsA ? r.srcIp : r.dstIp;
    const b = srcIsA ? r.dstIp : r.srcIp;
    const wa = srcIsA ? srcWord : dstWord;
    const wb = srcIsA ? dstWord : srcWord;
    let o = conversations.offsetOf(a, b, wa, wb);
    if (o < 0) {
      if (conversations.size >= 2 * maxEntries) conversations.prune(maxEntries, prunedConversations);
      o = conversations.add(a, b, wa, wb);
      conversations.values[o + FIRST_TS] = r.firstTs;
      conversations.values[o + LAST_TS] = r.lastTs;
      conversationsSeen++;
    }
    const c = conversations.values;
    c[o + PAIR_FLOWS]++;
    c[o + PACKETS] += r.packets;
    c[o + BYTES] += fwdBytes + revBytes;
    c[o + A_TO_B_PACKETS] += srcIsA ? r.fwdPackets : r.revPackets;
    c[o + B_TO_A_PACKETS] += srcIsA ? r.revPackets : r.fwdPackets;
    c[o + A_TO_B_BYTES] += srcIsA ? fwdBytes : revBytes;
    c[o + B_TO_A_BYTES] += srcIsA ? revBytes : fwdBytes;
    if (r.firstTs < c[o + FIRST_TS]) c[o + FIRST_TS] = r.firstTs;
    if (r.lastTs > c[o + LAST_TS]) c[o + LAST_TS] = r.lastTs;
  }

  function topHosts(): TalkerHost[] {
    const h = hosts.values;
    return hosts.top(topN).map(([address, , o]) => ({
      address,
      packets: h[o + PACKETS],
      bytes: h[o + BYTES],
      txPackets: h[o + TX_PACKETS],
      txBytes: h[o + TX_BYTES],
      rxPackets: h[o + RX_PACKETS],
      rxBytes: h[o + RX_BYTES],
      flows: h[o + HOST_FLOWS],
    }));
  }

  function topConversations(): TalkerConversation[] {
    const c = conversations.values;
    return conversations.top(topN).map(
      ([addressA, addressB, o]): TalkerConversation => ({
        addressA,
        addressB,
        packets: c[o + PACKETS],
        bytes: c[o + BYTES],
        packetsAToB: c[o + A_TO_B_PACKETS],
        bytesAToB: c[o + A_TO_B_BYTES],
        packetsBToA: c[o + B_TO_A_PACKETS],
        bytesBToA: c[o + B_TO_A_BYTES],
        flows: c[o + PAIR_FLOWS],
        firstTs: c[o + FIRST_TS],
        lastTs: c[o + LAST_TS],
      }),
    );
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
      // Each address is parsed once, for its host and for the conversation.
      const srcWord = addressWord(record.srcIp);
      const dstWord = addressWord(record.dstIp);
      addHost(record.srcIp, srcWord, record.fwdPackets, fwd, record.revPackets, rev);
      addHost(record.dstIp, dstWord, record.revPackets, rev, record.fwdPackets, fwd);
      addConversation(record, srcWord, dstWord, fwd, rev);
    },
    finish(): TopTalkers {
      return {
        hosts: topHosts(),
        conversations: topConversations(),
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
