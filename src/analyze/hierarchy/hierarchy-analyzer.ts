/**
 * Protocol hierarchy (like `tshark -q -z io,phs`): frames and bytes per protocol path, from the
 * link layer (eth → vlan → mpls/pppoes → ip/ipv6 → tunnel → ip/ipv6 → tcp/udp/icmp → application).
 *
 * Contract: one trie of layer codes, walked once per frame (no allocation once a path exists).
 * Ethernet frames (the decoder set both MAC offsets, 6 bytes apart) are named here, with their
 * VLAN tags, MPLS labels and PPPoE header read from the frame; other link layers are counted under
 * an unresolved root that `resolveLinkLayer` names from the run's link types. IP fragments count
 * under ip/ipv6 only, except the fragment that ends a datagram (offset > 0, no more fragments),
 * which also counts under the transport, as tshark shows a reassembled datagram on its last
 * fragment. The application layer is named by `applicationOf` when given (the app-metadata
 * analyzer's identification), else by well-known port, and only for frames with payload.
 */
import type {
  DecodedPacket,
  FlowRecord,
  ProtocolHierarchy,
  ProtocolHierarchyNode,
} from '../../model/index.js';
import { IP_PROTO, TUNNEL } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import {
  createLayerNames,
  IP_PROTOCOL_NAMES,
  NON_IP_NAMES,
  portTable,
  TCP_PORT_NAMES,
  UDP_PORT_NAMES,
} from './layers.js';

export interface HierarchyAnalyzerOptions {
  /**
   * The application of flow `flowId` as identified so far (payload signatures first), or
   * undefined to fall back on well-known ports. Called per frame with payload: keep it O(1).
   */
  applicationOf?(flowId: number): string | undefined;
}

interface TrieNode {
  code: number;
  frames: number;
  bytes: number;
  children: (TrieNode | undefined)[];
}

/** Root name for frames whose link layer this analyzer cannot see (see resolveLinkLayer). */
export const UNRESOLVED_LINK = '(link)';

const newNode = (code: number): TrieNode => ({ code, frames: 0, bytes: 0, children: [] });

export function createHierarchyAnalyzer(options: HierarchyAnalyzerOptions = {}): PacketAnalyzer {
  const names = createLayerNames();
  names.code(''); // Code 0 means "no name" in the port tables.
  const ETH = names.code('eth');
  const VLAN = names.code('vlan');
  const QINQ = names.code('ieee8021ad');
  const MPLS = names.code('mpls');
  const PPPOES = names.code('pppoes');
  const PPP = names.code('ppp');
  const LLC = names.code('llc');
  const IP = names.code('ip');
  const IPV6 = names.code('ipv6');
  const UDP = names.code('udp');
  const LINK = names.code(UNRESOLVED_LINK);
  const TUNNEL_LAYERS: number[][] = [];
  TUNNEL_LAYERS[TUNNEL.GRE] = [names.code('gre')];
  TUNNEL_LAYERS[TUNNEL.VXLAN] = [UDP, names.code('vxlan'), ETH];
  TUNNEL_LAYERS[TUNNEL.GENEVE] = [UDP, names.code('geneve'), ETH];
  TUNNEL_LAYERS[TUNNEL.TEREDO] = [UDP, names.code('teredo')];
  TUNNEL_LAYERS[TUNNEL.IP_IN_IP] = [];
  const protocolCodes = new Uint16Array(256);
  for (let p = 0; p < 256; p++) protocolCodes[p] = names.code(IP_PROTOCOL_NAMES[p] ?? `ip_proto_${p}`);
  const tcpPorts = portTable(names, TCP_PORT_NAMES);
  const udpPorts = portTable(names, UDP_PORT_NAMES);
  const applicationOf = options.applicationOf;

  const root = newNode(-1);
  let frames = 0;
  let bytes = 0;
  let length = 0;

  function step(node: TrieNode, code: number): TrieNode {
    let child = node.children[code];
    if (child === undefined) {
      child = newNode(code);
      node.children[code] = child;
    }
    child.frames++;
    child.bytes += length;
    return child;
  }

  /** Walks an Ethernet frame's link layer (tags, labels, PPPoE); returns its last node. */
  function walkEthernet(node: TrieNode, data: Uint8Array, start: number): TrieNode {
    let o = start + 12;
    let n = step(node, ETH);
    for (let guard = 0; guard < 16 && o + 2 <= data.length; guard++) {
      const type = (data[o] << 8) | data[o + 1];
      o += 2;
      if (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
        // tshark shows an 802.1ad S-tag as 'ieee8021ad' and every other tag as 'vlan'.
        n = step(n, type === 0x88a8 ? QINQ : VLAN);
        o += 2;
        continue;
      }
      if (type === 0x8847 || type === 0x8848) {
        // RFC 3032 §2.1: each label stack entry is 4 bytes; bit S (bottom of stack) ends it.
        for (let labels = 0; labels < 16 && o + 4 <= data.length; labels++) {
          n = step(n, MPLS);
          const bottom = (data[o + 2] & 1) === 1;
          o += 4;
          if (bottom) break;
        }
      } else if (type === 0x8864) {
        n = step(step(n, PPPOES), PPP);
      } else if (type <= 1500) {
        n = step(n, LLC);
      }
      return n;
    }
    return n;
  }

  function addIp(node: TrieNode, p: DecodedPacket, flowId: number): void {
    let n = node;
    if (p.tunnel !== TUNNEL.NONE) {
      n = step(n, p.outerIpVersion === 6 ? IPV6 : IP);
      for (const code of TUNNEL_LAYERS[p.tunnel] ?? []) n = step(n, code);
    }
    n = step(n, p.ipVersion === 6 ? IPV6 : IP);
    if (p.isFragment && (p.moreFragments || p.fragmentOffset === 0)) return;
    const protocol = p.protocol;
    n = step(n, protocolCodes[protocol]);
    // GRE that is not a tunnel we decode: name PPP (PPTP, RFC 2637 §4.1), as tshark does.
    if (protocol === IP_PROTO.GRE && p.payloadLength >= 4) {
      const d = p.data;
      const o = p.payloadOffset;
      if (((d[o + 2] << 8) | d[o + 3]) === 0x880b) step(n, PPP);
      return;
    }
    const hasPayload = protocol === IP_PROTO.TCP ? p.tcpSegmentLength > 0 : p.payloadLength > 0;
    if (!hasPayload || !p.hasPorts) return;
    let app = 0;
    if (applicationOf !== undefined) {
      const name = applicationOf(flowId);
      if (name !== undefined) app = names.code(name);
    }
    if (app === 0) {
      const table = protocol === IP_PROTO.TCP ? tcpPorts : protocol === IP_PROTO.UDP ? udpPorts : null;
      if (table !== null) {
        const low = p.srcPort < p.dstPort ? p.srcPort : p.dstPort;
        const high = p.srcPort < p.dstPort ? p.dstPort : p.srcPort;
        app = table[low] !== 0 ? table[low] : table[high];
      }
    }
    if (app !== 0) step(n, app);
  }

  function linkNode(p: DecodedPacket): TrieNode {
    if (p.dstMacOffset >= 0 && p.srcMacOffset === p.dstMacOffset + 6)
      return walkEthernet(root, p.data, p.dstMacOffset);
    const n = step(root, LINK);
    return p.vlanId !== 0 ? step(n, VLAN) : n;
  }

  return {
    name: 'protocolHierarchy',
    onPacket(packet, _timestamp, frameLength, flowId) {
      frames++;
      bytes += frameLength;
      length = frameLength;
      addIp(linkNode(packet), packet, flowId);
    },
    onNonIpFrame(packet, _timestamp, frameLength) {
      frames++;
      bytes += frameLength;
      length = frameLength;
      const n = linkNode(packet);
      const label = NON_IP_NAMES[packet.nonIpProtocol] ?? packet.nonIpProtocol;
      // MPLS and LLC frames that end in their own layer are not named twice.
      if (label !== '' && label !== names.name(n.code)) step(n, names.code(label));
    },
    onFlowEnd(_flowId: number, _record: FlowRecord) {},
    finish(): ProtocolHierarchy {
      const toNode = (node: TrieNode): ProtocolHierarchyNode => ({
        protocol: names.name(node.code),
        frames: node.frames,
        bytes: node.bytes,
        children: sortNodes(node.children.flatMap((c) => (c === undefined ? [] : [toNode(c)]))),
      });
      const roots = sortNodes(root.children.flatMap((c) => (c === undefined ? [] : [toNode(c)])));
      const unresolved = roots.find((r) => r.protocol === UNRESOLVED_LINK);
      return { frames, bytes, roots, unresolvedLinkFrames: unresolved?.frames ?? 0 };
    },
  };
}

function sortNodes(nodes: ProtocolHierarchyNode[]): ProtocolHierarchyNode[] {
  return nodes.sort((a, b) => b.frames - a.frames || b.bytes - a.bytes);
}
