/**
 * Teredo (RFC 4380 §5.1.1): IPv6 in UDP, optionally preceded by an authentication indicator
 * (0x0001) and an origin indication (0x0000). Accepted only when what follows looks like a
 * whole IPv6 packet: version 6 and a payload length that ends exactly where the UDP datagram
 * ends. Anything else on the Teredo port (qualification noise, other protocols) stays plain UDP.
 */
import { type DecodedPacket, TUNNEL } from '../../model/packet.js';
import { canEnterTunnel, type DecodeCursor, enterTunnel, LAYER, type Layer } from '../decoder.js';

/** Indicator type (2), client id length (1), auth value length (1), nonce (8), confirmation (1). */
const AUTH_FIXED_LENGTH = 13;
/** Indicator type (2), obfuscated port (2), obfuscated IPv4 address (4). */
const ORIGIN_LENGTH = 8;

export function decodeTeredo(data: Uint8Array, cur: DecodeCursor, out: DecodedPacket): Layer {
  let p = cur.offset;
  const end = cur.end;
  if (p + 4 <= end && data[p] === 0 && data[p + 1] === 1) {
    p += AUTH_FIXED_LENGTH + data[p + 2] + data[p + 3];
  }
  if (p + 2 <= end && data[p] === 0 && data[p + 1] === 0) p += ORIGIN_LENGTH;
  if (p + 40 > end || data[p] >> 4 !== 6) return LAYER.DONE;
  if (p + 40 + ((data[p + 4] << 8) | data[p + 5]) !== cur.wireEnd) return LAYER.DONE;
  if (!canEnterTunnel(cur)) return LAYER.DONE;
  enterTunnel(cur, out, TUNNEL.TEREDO, 0);
  cur.offset = p;
  return LAYER.IPV6;
}
