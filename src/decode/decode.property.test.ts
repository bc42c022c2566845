/**
 * Property tests: any bytes under any supported link type decode to a filled packet (IP,
 * NON_IP or UNDECODABLE) whose offsets lie inside the buffer, without an exception; and no
 * field survives from the previous frame. Random bytes rarely get past a link header, so the
 * generators also splice random tails onto valid header chains and cut valid packets short.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrame } from '../model/frame.js';
import { createDecodedPacket } from '../model/packet.js';
import { decodeFrame } from './index.js';
import { checkInvariants } from './testing/invariants.js';

const LINK_TYPES = [0, 1, 9, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 239, 276];

/** Valid header chains that lead into every decoder (hex), to be followed by random bytes. */
const PREFIXES = [
  '000102030405000607080910 0800', // Ethernet → IPv4
  '000102030405000607080910 86dd', // Ethernet → IPv6
  '000102030405000607080910 8100 0064 88a8 00c8 8847 00001140', // VLANs → MPLS
  '000102030405000607080910 8864 1100 0001 0100 0021', // PPPoE → PPP IPv4
  '45000100 1234 0000 4011 0000 0a000001 0a000002 c350 12b5 00ec 0000 08000000 00000100', // → VXLAN
  '45000100 1234 0000 4011 0000 0a000001 0a000002 c350 17c1 00ec 0000 00006558 00000500', // → Geneve
  '45000100 1234 0000 4011 0000 0a000001 0a000002 0dd8 c350 00ec 0000', // → Teredo
  '45000100 1234 0000 402f 0000 0a000001 0a000002 b0000800', // → GRE with C/K/S
  '45000100 1234 0000 402f 0000 0a000001 0a000002 3081880b', // → PPTP GRE
  '45000100 1234 0000 4004 0000 0a000001 0a000002', // → IP-in-IP
  '6000000000ff0040 20010db8000000000000000000000001 20010db8000000000000000000000002', // IPv6 → HBH
  '6000000000ff2c40 20010db8000000000000000000000001 20010db8000000000000000000000002', // IPv6 → frag
  '45000100 1234 0000 4006 0000 0a000001 0a000002', // → TCP
].map((hex) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex')));

/** Link types whose frames can start with a given prefix (Ethernet ones need LINKTYPE 1). */
const prefixLinkType = (i: number): number => (i < 4 ? 1 : 101);

const frame = createFrame();
const out = createDecodedPacket();

function check(linkType: number, bytes: Uint8Array, lead: number, cut: number): void {
  const data = new Uint8Array(lead + bytes.length + 3);
  data.set(bytes, lead);
  frame.data = data;
  frame.offset = lead;
  frame.capturedLength = Math.max(0, bytes.length - cut);
  frame.originalLength = bytes.length;
  frame.linkType = linkType;
  decodeFrame(frame, out);
  checkInvariants(frame, out);
}

describe('decodeFrame on arbitrary bytes', () => {
  it('never throws and keeps offsets inside the buffer (random frames)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LINK_TYPES, 147),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(8),
        (linkType, bytes, lead) => check(linkType, bytes, lead, 0),
      ),
      { numRuns: 20_000 },
    );
  });

  it('never throws on valid header chains followed by random bytes, cut anywhere', () => {
    fc.assert(
      fc.property(
        fc.nat(PREFIXES.length - 1),
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(160),
        fc.nat(4),
        (i, tail, cut, lead) => {
          const bytes = new Uint8Array(PREFIXES[i].length + tail.length);
          bytes.set(PREFIXES[i]);
          bytes.set(tail, PREFIXES[i].length);
          check(prefixLinkType(i), bytes, lead, cut);
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it('rewrites every field: decoding B after A equals decoding B alone', () => {
    fc.assert(
      fc.property(
        fc.nat(PREFIXES.length - 1),
        fc.uint8Array({ maxLength: 80 }),
        fc.nat(PREFIXES.length - 1),
        (a, tail, b) => {
          const first = Uint8Array.from([...PREFIXES[a], ...tail]);
          const second = Uint8Array.from([...PREFIXES[b], ...tail.slice(0, 10)]);
          check(prefixLinkType(a), first, 0, 0);
          check(prefixLinkType(b), second, 0, 0);
          const after = { ...out };
          const fresh = createDecodedPacket();
          decodeFrame(frame, fresh);
          expect(after).toEqual(fresh);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
