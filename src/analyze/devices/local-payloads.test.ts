import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseArp,
  parseDhcp,
  parseMdnsAddresses,
  parseNbnsName,
  parseNeighborDiscovery,
} from './local-payloads.js';

describe('device payload parsers', () => {
  it('never throw, whatever the bytes, inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(40), (bytes, cut) => {
        // The window sits inside a larger buffer, as a payload sits inside its frame.
        const data = new Uint8Array(bytes.length + 2 * cut).fill(0xee);
        data.set(bytes, cut);
        const window = [data, cut, bytes.length] as const;
        parseArp(...window);
        parseDhcp(...window);
        parseMdnsAddresses(...window);
        parseNbnsName(...window);
        parseNeighborDiscovery(...window, 135, 'fe80::1');
        parseNeighborDiscovery(...window, 136, 'fe80::1');
      }),
      { numRuns: 2000 },
    );
  });

  it('read an ARP reply', () => {
    const arp = Uint8Array.from([
      0, 1, 8, 0, 6, 4, 0, 2, 0x00, 0x25, 0xb3, 0xbf, 0x91, 0xee, 172, 16, 0, 1, 0x00, 0x21, 0x70, 0xc0, 0x56,
      0xf0, 172, 16, 0, 107,
    ]);
    expect(parseArp(arp, 0, arp.length)).toEqual({
      opcode: 2,
      senderMac: '00:25:b3:bf:91:ee',
      senderIp: '172.16.0.1',
      targetIp: '172.16.0.107',
    });
    expect(parseArp(arp, 0, 27)).toBeUndefined();
  });

  it('follow mDNS compression pointers without looping forever', () => {
    // A response whose answer name points at itself.
    const loop = Uint8Array.from([
      0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
    ]);
    expect(parseMdnsAddresses(loop, 0, loop.length)).toEqual([]);
  });
});
