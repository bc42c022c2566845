/**
 * Counts what a run saw, frame by frame: totals, time span, protocol mix, non-IP frames and
 * decode problems. One reused accumulator; `toJSON` gives the `summary` of the JSON output.
 */
import type { DecodedPacket } from '../model/index.js';
import { IP_PROTO, linkTypeName, PACKET_KIND, TUNNEL_NAMES } from '../model/index.js';
import type { CaptureFileInfo } from '../sources/index.js';

const PROTOCOL_NAMES: Record<number, string> = {
  [IP_PROTO.TCP]: 'tcp',
  [IP_PROTO.UDP]: 'udp',
  [IP_PROTO.ICMP]: 'icmp',
  [IP_PROTO.ICMPV6]: 'icmpv6',
  [IP_PROTO.GRE]: 'gre',
  [IP_PROTO.ESP]: 'esp',
  [IP_PROTO.AH]: 'ah',
  [IP_PROTO.IGMP]: 'igmp',
  [IP_PROTO.SCTP]: 'sctp',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
};

export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES[protocol] ?? `ip_proto_${protocol}`;
}

export interface TrafficCounter {
  packets: number;
  bytes: number;
}

export interface CaptureSummary {
  packets: number;
  /** Sum of frame lengths on the wire (capinfos "data size"). */
  bytes: number;
  /** Sum of captured lengths. */
  capturedBytes: number;
  firstTs: number | null;
  lastTs: number | null;
  durationSeconds: number;
  avgPacketsPerSecond: number;
  avgBitsPerSecond: number;
  linkTypes: string[];
  files: (CaptureFileInfo & { linkTypeNames: string[] })[];
  ipv4Packets: number;
  ipv6Packets: number;
  /** By transport protocol name, over IP packets (innermost header). Bytes are frame bytes. */
  protocols: Record<string, TrafficCounter>;
  /** Non-IP frames by label (arp, ieee802_11_mgmt, …). */
  nonIp: Record<string, number>;
  /** Frames decoding stopped on before an IP header, by error code. */
  undecodable: number;
  /** IP frames inside a tunnel, by tunnel type. */
  tunnels: Record<string, number>;
  fragments: number;
  flows: number;
  warnings: number;
  warningsByCode: Record<string, number>;
}

export interface SummaryAccumulator {
  addFrame(packet: DecodedPacket, timestamp: number, frameLength: number, capturedLength: number): void;
  addFile(info: CaptureFileInfo): void;
  addWarning(code: string): void;
  setFlows(count: number): void;
  result(): CaptureSummary;
}

export function createSummaryAccumulator(): SummaryAccumulator {
  let packets = 0;
  let bytes = 0;
  let capturedBytes = 0;
  // First and last timestamp, in a typed array: a double kept in a closure variable is
  // re-boxed (allocated) at every store, and the last timestamp changes with nearly every frame.
  const span = new Float64Array([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  let ipv4 = 0;
  let ipv6 = 0;
  let undecodable = 0;
  let fragments = 0;
  let flows = 0;
  let warnings = 0;
  // Indexed by IP protocol number: no string work per packet.
  const protocolPackets = new Float64Array(256);
  const protocolBytes = new Float64Array(256);
  const tunnelPackets = new Float64Array(TUNNEL_NAMES.length);
  const nonIp = new Map<string, number>();
  const warningsByCode: Record<string, number> = {};
  const files: CaptureFileInfo[] = [];

  return {
    addFrame(packet, timestamp, frameLength, capturedLength) {
      packets++;
      bytes += frameLength;
      capturedBytes += capturedLength;
      if (timestamp < span[0]) span[0] = timestamp;
      if (timestamp > span[1]) span[1] = timestamp;
      if (packet.kind === PACKET_KIND.IP) {
        if (packet.ipVersion === 4) ipv4++;
        else ipv6++;
        protocolPackets[packet.protocol]++;
        protocolBytes[packet.protocol] += frameLength;
        if (packet.tunnel !== 0) tunnelPackets[packet.tunnel]++;
        if (packet.isFragment) fragments++;
      } else if (packet.kind === PACKET_KIND.NON_IP) {
        nonIp.set(packet.nonIpProtocol, (nonIp.get(packet.nonIpProtocol) ?? 0) + 1);
      } else undecodable++;
    },
    addFile(info) {
      files.push(info);
    },
    addWarning(code) {
      warnings++;
      warningsByCode[code] = (warningsByCode[code] ?? 0) + 1;
    },
    setFlows(count) {
      flows = count;
    },
    result() {
      const protocols: Record<string, TrafficCounter> = {};
      for (let p = 0; p < 256; p++) {
        if (protocolPackets[p] > 0) {
          protocols[protocolName(p)] = { packets: protocolPackets[p], bytes: protocolBytes[p] };
        }
      }
      const tunnels: Record<string, number> = {};
      for (let t = 1; t < TUNNEL_NAMES.length; t++)
        if (tunnelPackets[t] > 0) tunnels[TUNNEL_NAMES[t]] = tunnelPackets[t];
      const hasPackets = packets > 0;
      const firstTs = span[0];
      const lastTs = span[1];
      const duration = hasPackets ? Math.max(0, lastTs - firstTs) : 0;
      const linkTypes: string[] = [];
      for (const file of files) {
        for (const lt of file.linkTypes) {
          const name = linkTypeName(lt);
          if (!linkTypes.includes(name)) linkTypes.push(name);
        }
      }
      return {
        packets,
        bytes,
        capturedBytes,
        firstTs: hasPackets ? firstTs : null,
        lastTs: hasPackets ? lastTs : null,
        durationSeconds: duration,
        avgPacketsPerSecond: duration > 0 ? packets / duration : 0,
        avgBitsPerSecond: duration > 0 ? (bytes * 8) / duration : 0,
        linkTypes,
        files: files.map((f) => ({ ...f, linkTypeNames: f.linkTypes.map(linkTypeName) })),
        ipv4Packets: ipv4,
        ipv6Packets: ipv6,
        protocols,
        nonIp: Object.fromEntries([...nonIp].sort((a, b) => b[1] - a[1])),
        undecodable,
        tunnels,
        fragments,
        flows,
        warnings,
        warningsByCode,
      };
    },
  };
}
