/**
 * IP address text forms, read straight from packet bytes.
 * IPv6 follows RFC 5952 (lower case, longest zero run compressed, leftmost on ties, no single-group
 * compression, dotted tail only for IPv4-mapped addresses), which is what tshark prints.
 */

const OCTET = Array.from({ length: 256 }, (_, i) => String(i));
const OCTET_DOT = OCTET.map((text) => `${text}.`);

export function formatIpv4(data: Uint8Array, offset: number): string {
  // Three joins of ready-made pieces, not seven of converted numbers.
  return (
    OCTET_DOT[data[offset]] +
    OCTET_DOT[data[offset + 1]] +
    OCTET_DOT[data[offset + 2]] +
    OCTET[data[offset + 3]]
  );
}

export function formatIpv6(data: Uint8Array, offset: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (data[offset + 2 * i] << 8) | data[offset + 2 * i + 1];
  // IPv4-mapped ::ffff:a.b.c.d (RFC 5952 §5).
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(data, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export function formatIp(data: Uint8Array, offset: number, ipVersion: number): string {
  return ipVersion === 4 ? formatIpv4(data, offset) : formatIpv6(data, offset);
}
