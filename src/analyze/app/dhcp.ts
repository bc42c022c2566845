/**
 * DHCPv4 messages (RFC 2131 §2, options of RFC 2132): message type (option 53), host name (12),
 * vendor class identifier (60) and parameter request list (55).
 *
 * Contract: reads only within the bounds given, never throws; null when the bytes are not a
 * DHCP message.
 */
import { latin1 } from './tls.js';

/** Fixed BOOTP header (op … file) before the magic cookie. */
const BOOTP_HEADER = 236;

const MESSAGE_TYPES = ['', 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform'];

export interface DhcpMessage {
  /** 'discover', 'offer', … or the number as text; '' when option 53 is absent (plain BOOTP). */
  messageType: string;
  hostname: string | undefined;
  vendorClass: string | undefined;
  parameterRequestList: number[] | undefined;
}

/** True when the bytes carry the DHCP magic cookie 99.130.83.99 after a BOOTP header. */
export function looksLikeDhcp(data: Uint8Array, off: number, len: number): boolean {
  const c = off + BOOTP_HEADER;
  return (
    len >= BOOTP_HEADER + 4 &&
    (data[off] === 1 || data[off] === 2) &&
    data[c] === 99 &&
    data[c + 1] === 130 &&
    data[c + 2] === 83 &&
    data[c + 3] === 99
  );
}

export function parseDhcp(data: Uint8Array, off: number, len: number, maxLength: number): DhcpMessage | null {
  if (!looksLikeDhcp(data, off, len)) return null;
  const end = off + len;
  const message: DhcpMessage = {
    messageType: '',
    hostname: undefined,
    vendorClass: undefined,
    parameterRequestList: undefined,
  };
  let at = off + BOOTP_HEADER + 4;
  while (at < end) {
    const code = data[at]!;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    if (at + 2 > end) break;
    const length = data[at + 1]!;
    const start = at + 2;
    const stop = start + length;
    if (stop > end) break;
    if (code === 53 && length >= 1) {
      const type = data[start]!;
      message.messageType = MESSAGE_TYPES[type] || String(type);
    } else if (code === 12) message.hostname = latin1(data, start, Math.min(stop, start + maxLength));
    else if (code === 60) message.vendorClass = latin1(data, start, Math.min(stop, start + maxLength));
    else if (code === 55) message.parameterRequestList = Array.from(data.subarray(start, stop));
    at = stop;
  }
  return message;
}
