import { describe, expect, it } from 'vitest';
import { loadOuiTable, lookupMacIn, normalizeMac } from './oui-registry.js';

const table = loadOuiTable();

describe('MAC vendors (IEEE registry via oui-data)', () => {
  it('loads the three registries', () => {
    expect(table.size).toBeGreaterThan(40_000);
    const lengths = new Set([...table.keys()].map((k) => k.length));
    expect(lengths).toEqual(new Set([6, 7, 9]));
  });

  it('finds MA-L vendors in any notation', () => {
    for (const mac of ['00:0c:29:40:0e:ef', '00-0C-29-40-0E-EF', '000c.2940.0eef', '000C29400EEF']) {
      expect(lookupMacIn(table, mac)).toEqual({
        mac: '00:0c:29:40:0e:ef',
        vendor: 'VMware, Inc.',
        prefix: '00:0c:29',
        multicast: false,
        locallyAdministered: false,
        randomized: false,
      });
    }
    expect(lookupMacIn(table, '00:00:0c:12:34:56')?.vendor).toBe('Cisco Systems, Inc');
  });

  it('prefers the longest prefix (MA-M, MA-S inside IEEE RA blocks)', () => {
    const mam = [...table.keys()].find((k) => k.length === 7) as string;
    const mas = [...table.keys()].find((k) => k.length === 9) as string;
    const mac = (hex: string) => `${hex}${'0'.repeat(12 - hex.length)}`;
    expect(lookupMacIn(table, mac(mam))?.vendor).toBe(table.get(mam));
    expect(lookupMacIn(table, mac(mam))?.prefix?.replaceAll(':', '').toUpperCase()).toBe(mam);
    expect(lookupMacIn(table, mac(mas))?.vendor).toBe(table.get(mas));
    expect(table.get(mas.slice(0, 6))).toBe('IEEE Registration Authority');
  });

  it('recognises locally administered (randomized) and group addresses', () => {
    const random = lookupMacIn(table, '3a:11:22:33:44:55');
    expect(random).toMatchObject({ locallyAdministered: true, randomized: true, multicast: false });
    expect(random?.vendor).toBeUndefined();
    for (const mac of [
      '02:00:00:00:00:01',
      'x6:00:00:00:00:01'.replace('x', 'a'),
      'fe:ff:ff:ff:ff:ff'.replace('fe', 'ee'),
    ]) {
      expect(lookupMacIn(table, mac)?.randomized, mac).toBe(true);
    }
    expect(lookupMacIn(table, 'ff:ff:ff:ff:ff:ff')).toMatchObject({
      label: 'broadcast',
      multicast: true,
      randomized: false,
    });
    expect(lookupMacIn(table, '01:00:5e:00:00:fb')).toMatchObject({
      label: 'ipv4-multicast',
      multicast: true,
    });
    expect(lookupMacIn(table, '01:00:5e:00:00:fb')?.vendor).toBe(table.get('00005E'));
    expect(lookupMacIn(table, '33:33:00:00:00:01')).toMatchObject({
      label: 'ipv6-multicast',
      locallyAdministered: true,
    });
  });

  it('rejects what is not a MAC', () => {
    for (const text of [
      '',
      '00:0c:29:40:0e',
      '00:0c:29:40:0e:ef:00',
      '00:0c-29:40:0e:ef',
      'zz:0c:29:40:0e:ef',
      'example.com',
    ]) {
      expect(normalizeMac(text), text).toBeUndefined();
      expect(lookupMacIn(table, text)).toBeUndefined();
    }
  });
});
