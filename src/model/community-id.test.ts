import { describe, expect, it } from 'vitest';
import { communityId, icmpPortPair } from './community-id.js';

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
