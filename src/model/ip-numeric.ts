/**
 * IP addresses as numbers: text → bytes, bytes → one 128-bit integer, and a CIDR → its inclusive
 * integer range. IPv4 maps into IPv6 as `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), so one numeric
 * column holds both families and a network of either family is one BETWEEN range.
 */

/** An address (4 or 16 bytes) and a prefix length counted within that family (0–32 or 0–128). */
export interface IpCidr {
  bytes: Uint8Array;
  prefix: number;
}

/** The 128-bit value of an address; 4-byte addresses are IPv4-mapped. Throws on any other length. */
export function addressToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new RangeError(`an IP address is 4 or 16 bytes, got ${bytes.length}`);
  }
  let value = bytes.length === 4 ? 0xffffn : 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Inclusive numeric range of a network; bits past the prefix are ignored. Throws on a bad prefix. */
export function cidrRange(cidr: IpCidr): { lo: bigint; hi: bigint } {
  const bits = cidr.bytes.length * 8;
  if (!Number.isInteger(cidr.prefix) || cidr.prefix < 0 || cidr.prefix > bits) {
    throw new RangeError(`prefix /${cidr.prefix} is out of range for a ${bits}-bit address`);
  }
  const hostBits = BigInt(bits - cidr.prefix);
  const hostMask = (1n << hostBits) - 1n;
  const lo = addressToBigInt(cidr.bytes) & ~hostMask;
  return { lo, hi: lo | hostMask };
}

/** True when an address has no bits set past the prefix (`10.0.0.0/8`, not `10.1.0.0/8`). */
export function isNetworkAddress(cidr: IpCidr): boolean {
  const { lo } = cidrRange(cidr);
  return lo === addressToBigInt(cidr.bytes);
}

/** Dotted-quad IPv4 (no leading zeros, no shorthand) → 4 bytes, or undefined. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

/**
 * Dotted-quad IPv4 text (no leading zeros, as parseIpv4 accepts) → unsigned 32-bit number, or
 * -1. Allocation-free: it runs once per address on hot paths (enrichment, top talkers).
 */
export function parseIpv4Number(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** RFC 4291 §2.2 text (with `::` and an optional dotted IPv4 tail, no zone) → 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // A dotted tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = all[i] >> 8;
    bytes[2 * i + 1] = all[i] & 0xff;
  }
  return bytes;
}

/** IPv4 or IPv6 text → 4 or 16 bytes, or undefined when it is neither. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}
