/**
 * The IP protocol / IPv6 next-header dispatch shared by ipv4.ts and ipv6.ts. Protocols that
 * are not listed end the walk with the IP payload as the packet's payload.
 */
import { IP_PROTO } from '../../model/packet.js';
import { type DecodeCursor, LAYER, type Layer } from '../decoder.js';

export function layerForProtocol(cur: DecodeCursor, protocol: number): Layer {
  switch (protocol) {
    case IP_PROTO.TCP:
      return LAYER.TCP;
    case IP_PROTO.UDP:
      return LAYER.UDP;
    case IP_PROTO.ICMP:
    case IP_PROTO.ICMPV6:
      return LAYER.ICMP;
    case IP_PROTO.SCTP:
      return LAYER.SCTP;
    case IP_PROTO.GRE:
      return LAYER.GRE;
    case IP_PROTO.IPIP:
    case IP_PROTO.IPV6:
      cur.type = protocol;
      return LAYER.IP_IN_IP;
    default:
      return LAYER.DONE;
  }
}
