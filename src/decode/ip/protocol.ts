/**
 * The IP protocol / IPv6 next-header dispatch shared by ipv4.ts and ipv6.ts. Protocols that
 * are not listed end the walk with the IP payload as the packet's payload.
 */
import { IP_PROTO } from '../../model/packet.js';
import { type DecodeCursor, LAYER, type Layer } from '../decoder.js';

/**
 * The layer after the IP header, by protocol number. A table rather than a switch: V8 compiles a
 * switch's case labels (property loads) on the assumption that labels never reached so far stay
 * unreached, and the first packet of another protocol would throw the compiled decoder away.
 */
const LAYER_BY_PROTOCOL = new Uint8Array(256).fill(LAYER.DONE);
LAYER_BY_PROTOCOL[IP_PROTO.TCP] = LAYER.TCP;
LAYER_BY_PROTOCOL[IP_PROTO.UDP] = LAYER.UDP;
LAYER_BY_PROTOCOL[IP_PROTO.ICMP] = LAYER.ICMP;
LAYER_BY_PROTOCOL[IP_PROTO.ICMPV6] = LAYER.ICMP;
LAYER_BY_PROTOCOL[IP_PROTO.SCTP] = LAYER.SCTP;
LAYER_BY_PROTOCOL[IP_PROTO.GRE] = LAYER.GRE;
LAYER_BY_PROTOCOL[IP_PROTO.IPIP] = LAYER.IP_IN_IP;
LAYER_BY_PROTOCOL[IP_PROTO.IPV6] = LAYER.IP_IN_IP;

/** Also sets `cur.type` to the protocol, which the IP-in-IP layer reads. */
export function layerForProtocol(cur: DecodeCursor, protocol: number): Layer {
  cur.type = protocol;
  return LAYER_BY_PROTOCOL[protocol & 0xff] as Layer;
}
