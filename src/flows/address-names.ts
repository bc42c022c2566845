/**
 * Text forms of the addresses in flow keys, cached: flows of the same hosts reuse one string
 * instead of formatting (and allocating) it again for every record.
 *
 * Contract: `nameOf` returns exactly `formatIp(data, offset, ipVersion)`. The cache is
 * direct-mapped with a fixed number of entries, so its memory is bounded; a collision just
 * formats again.
 */
import { formatIp } from '../model/index.js';

const ENTRIES = 8192;

export interface AddressNames {
  nameOf(data: Uint8Array, offset: number, ipVersion: number): string;
}

export function createAddressNames(): AddressNames {
  const mask = ENTRIES - 1;
  const v4Keys = new Int32Array(ENTRIES);
  const v4Names: string[] = new Array<string>(ENTRIES).fill('');
  const v6Keys = new Uint8Array(ENTRIES * 16);
  const v6Names: string[] = new Array<string>(ENTRIES).fill('');

  function word(data: Uint8Array, o: number): number {
    return (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3];
  }

  function slotOf(key: number): number {
    return (Math.imul(key ^ (key >>> 15), 0x2c1b3c6d) >>> 19) & mask;
  }

  return {
    nameOf(data, offset, ipVersion) {
      if (ipVersion === 4) {
        const key = word(data, offset);
        const slot = slotOf(key);
        const cached = v4Names[slot];
        if (cached !== '' && v4Keys[slot] === key) return cached;
        const name = formatIp(data, offset, 4);
        v4Keys[slot] = key;
        v4Names[slot] = name;
        return name;
      }
      const slot = slotOf(
        word(data, offset) ^ word(data, offset + 4) ^ word(data, offset + 8) ^ word(data, offset + 12),
      );
      const cached = v6Names[slot];
      if (cached !== '') {
        let same = true;
        for (let i = 0; i < 16 && same; i++) same = v6Keys[slot * 16 + i] === data[offset + i];
        if (same) return cached;
      }
      const name = formatIp(data, offset, 6);
      for (let i = 0; i < 16; i++) v6Keys[slot * 16 + i] = data[offset + i];
      v6Names[slot] = name;
      return name;
    },
  };
}
