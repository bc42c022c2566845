/**
 * ARP analyzer: turns Ethernet/IPv4 ARP frames (RFC 826) into `ArpEvent` model values for the
 * detection engine's host-sweep detector, through a callback, inside the engine's single pass.
 *
 * Contract: only hardware type 1 (Ethernet) with protocol type 0x0800 (IPv4), 6-byte MACs and
 * 4-byte addresses become events; anything else that is labelled 'arp' is counted as skipped,
 * never thrown. Holds no per-flow state.
 */
import type { ArpEvent, DecodedPacket, FlowRecord } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';

export interface ArpAnalyzerResult {
  requests: number;
  replies: number;
  /** ARP frames that were cut short or not Ethernet/IPv4. */
  skipped: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function mac(d: Uint8Array, at: number): string {
  return `${HEX[d[at]]}:${HEX[d[at + 1]]}:${HEX[d[at + 2]]}:${HEX[d[at + 3]]}:${HEX[d[at + 4]]}:${HEX[d[at + 5]]}`;
}

function ipv4(d: Uint8Array, at: number): string {
  return `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
}

/** `onArp` receives each request and reply, in capture order. */
export function createArpAnalyzer(onArp: (event: ArpEvent) => void): PacketAnalyzer {
  const result: ArpAnalyzerResult = { requests: 0, replies: 0, skipped: 0 };
  return {
    name: 'arp',
    onPacket() {},
    onNonIpFrame(packet: DecodedPacket, timestamp: number) {
      if (packet.nonIpProtocol !== 'arp') return;
      const d = packet.data;
      const at = packet.payloadOffset;
      // RFC 826: htype(2) ptype(2) hlen(1) plen(1) op(2) sha(6) spa(4) tha(6) tpa(4) = 28 bytes.
      if (packet.payloadLength < 28 || at + 28 > d.length) {
        result.skipped++;
        return;
      }
      const htype = (d[at] << 8) | d[at + 1];
      const ptype = (d[at + 2] << 8) | d[at + 3];
      const op = (d[at + 6] << 8) | d[at + 7];
      if (htype !== 1 || ptype !== 0x0800 || d[at + 4] !== 6 || d[at + 5] !== 4 || (op !== 1 && op !== 2)) {
        result.skipped++;
        return;
      }
      if (op === 1) result.requests++;
      else result.replies++;
      onArp({
        ts: timestamp,
        op: op === 1 ? 'request' : 'reply',
        senderMac: mac(d, at + 8),
        senderIp: ipv4(d, at + 14),
        targetMac: mac(d, at + 18),
        targetIp: ipv4(d, at + 24),
        vlan: packet.vlanId,
      });
    },
    onFlowEnd(_flowId: number, _record: FlowRecord) {},
    finish(): ArpAnalyzerResult {
      return { ...result };
    },
  };
}
