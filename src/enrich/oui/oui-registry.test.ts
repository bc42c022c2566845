import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadOuiTable,
  lookupMacIn,
  normalizeMac,
  openOuiCache,
  writeBundledOuiCache,
} from './oui-registry.js';

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

describe('the build cache of the registry', () => {
  it('answers every prefix as the JSON does, and refuses a stale, damaged or missing file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-oui-'));
    try {
      const file = writeBundledOuiCache(path.join(dir, 'oui.tsv'));
      const cached = openOuiCache(file);
      if (!cached) throw new Error('the cache did not open');
      expect(cached.size).toBe(table.size);
      for (const [prefix, name] of table) expect(cached.get(prefix), prefix).toBe(name);
      for (const absent of ['', '0', 'FFFFFF', 'ZZZZZZ', '000000A'])
        expect(cached.get(absent), absent).toBeUndefined();
      expect(lookupMacIn(cached, '00:0c:29:40:0e:ef')).toEqual(lookupMacIn(table, '00:0c:29:40:0e:ef'));

      const text = readFileSync(file, 'utf8');
      const stamp = text.slice(0, text.indexOf('\n'));
      expect(openOuiCache(file, `${stamp}-other`)).toBeUndefined();
      writeFileSync(file, `${text.slice(0, text.lastIndexOf('\t'))}`); // cut inside the last line
      expect(openOuiCache(file, stamp)).toBeUndefined();
      writeFileSync(file, `${stamp}\n000000 no tab\n`);
      expect(openOuiCache(file, stamp)).toBeUndefined();
      expect(openOuiCache(path.join(dir, 'missing.tsv'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
