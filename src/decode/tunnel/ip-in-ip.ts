/**
 * IP-in-IP: IPv4 (protocol 4, RFC 2003) or IPv6 (protocol 41, RFC 4213 §3.5) directly inside an
 * IPv4 or IPv6 packet. The inner header is checked by the IP decoder it goes to.
 */
import { type DecodedPacket, IP_PROTO, TUNNEL } from '../../model/packet.js';
import { canEnterTunnel, type DecodeCursor, enterTunnel, LAYER, type Layer } from '../decoder.js';

export function decodeIpInIp(_data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  if (!canEnterTunnel(cur)) return LAYER.DONE;
  enterTunnel(cur, out, TUNNEL.IP_IN_IP, 0);
  return cur.type === IP_PROTO.IPIP ? LAYER.IPV4 : LAYER.IPV6;
}
