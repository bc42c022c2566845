import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { communityId, communityIdAt, icmpPortPair } from './community-id.js';

const v4 = (s: string) => Uint8Array.from(s.split('.').map(Number));

describe('communityId', () => {
  // Test vectors from the Community ID specification's README.
  it('hashes a TCP flow the same in both directions', () => {
    const a = communityId(6, v4('128.232.110.120'), v4('66.35.250.204'), 34855, 80);
    const b = communityId(6, v4('66.35.250.204'), v4('128.232.110.120'), 80, 34855);
    expect(a).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(b).toBe(a);
  });

  it('maps ICMP echo request and reply onto one flow', () => {
    const request = icmpPortPair(1, 8, 0);
    const reply = icmpPortPair(1, 0, 0);
    expect(request).toEqual({ srcPort: 8, dstPort: 0, oneWay: false });
    const a = communityId(1, v4('192.168.0.89'), v4('192.168.0.1'), request.srcPort, request.dstPort);
    const b = communityId(1, v4('192.168.0.1'), v4('192.168.0.89'), reply.srcPort, reply.dstPort);
    expect(a).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
    expect(b).toBe(a);
  });

  it('treats ICMP types without a counterpart as one-way', () => {
    expect(icmpPortPair(1, 3, 3)).toEqual({ srcPort: 3, dstPort: 3, oneWay: true });
    expect(icmpPortPair(58, 135, 0)).toEqual({ srcPort: 135, dstPort: 136, oneWay: false });
  });
});

/** The spec's definition, hashed by node:crypto: the oracle for the in-place SHA-1 block. */
function referenceCommunityId(
  protocol: number,
  src: Uint8Array,
  dst: Uint8Array,
  srcPort: number,
  dstPort: number,
  seed: number,
): string {
  const withPorts = [1, 6, 17, 58, 132].includes(protocol);
  let [a, b, pa, pb] = [src, dst, srcPort, dstPort];
  const order = Buffer.compare(Buffer.from(src), Buffer.from(dst));
  if (order > 0 || (order === 0 && srcPort > dstPort)) [a, b, pa, pb] = [dst, src, dstPort, srcPort];
  const ports = withPorts ? [pa >>> 8, pa & 0xff, pb >>> 8, pb & 0xff] : [];
  const input = Buffer.from([seed >>> 8, seed & 0xff, ...a, ...b, protocol, 0, ...ports]);
  return `1:${createHash('sha1').update(input).digest('base64')}`;
}

describe('communityIdAt', () => {
  it('equals the spec hashed by node:crypto for IPv4 and IPv6, with and without ports, any seed', () => {
    let state = 12345;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 16;
    };
    for (let n = 0; n < 400; n++) {
      const length = n % 2 === 0 ? 4 : 16;
      const protocol = [6, 17, 1, 58, 132, 47, 50][n % 7];
      const data = new Uint8Array(8 + 2 * length);
      for (let i = 0; i < data.length; i++) data[i] = next() & 0xff;
      // Some flows between equal addresses, where the ports decide the order.
      if (n % 10 === 0) data.copyWithin(8 + length, 8, 8 + length);
      const src = data.subarray(8, 8 + length);
      const dst = data.subarray(8 + length);
      const [srcPort, dstPort, seed] = [next(), next(), n % 3 === 0 ? next() : 0];
      expect(communityIdAt(protocol, data, 8, 8 + length, length, srcPort, dstPort, false, seed)).toBe(
        referenceCommunityId(protocol, src, dst, srcPort, dstPort, seed),
      );
    }
  });
});
