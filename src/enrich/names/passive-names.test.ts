/** The passive names store: sightings merge per (address, name), names are checked, bounds hold. */
import { describe, expect, it } from 'vitest';
import { createPassiveNames, normalizeHostName } from './passive-names.js';

describe('passive names', () => {
  it('keeps sources, first/last seen and counts per address and name', () => {
    const names = createPassiveNames();
    expect(names.add('93.184.216.34', 'Example.COM.', 'dns', 100)).toBe(true);
    expect(names.add('93.184.216.34', 'example.com', 'sni', 90)).toBe(true);
    expect(names.add('93.184.216.34', 'www.example.com', 'http', 120)).toBe(true);
    expect(names.namesOf('93.184.216.34')).toEqual([
      { name: 'www.example.com', sources: ['http'], firstSeen: 120, lastSeen: 120, count: 1 },
      { name: 'example.com', sources: ['dns', 'sni'], firstSeen: 90, lastSeen: 100, count: 2 },
    ]);
    expect(names.addressesOf('EXAMPLE.com')).toEqual(['93.184.216.34']);
    expect(names.namesOf('10.0.0.1')).toEqual([]);
  });

  it('refuses names that are not host names, and addresses that are not addresses', () => {
    const names = createPassiveNames();
    for (const bad of ['', 'a b', 'x'.repeat(300), '10.0.0.1', 'bad..name', '-lead.example', 'é.example']) {
      expect(names.add('1.1.1.1', bad, 'sni', 1), bad).toBe(false);
    }
    expect(names.add('not-an-ip', 'example.com', 'dns', 1)).toBe(false);
    expect(names.summary().rejected).toBe(8);
    expect(normalizeHostName('*.Example.org')).toBe('*.example.org');
    expect(normalizeHostName('_dmarc.example.org')).toBe('_dmarc.example.org');
  });

  it('bounds addresses (oldest out) and names per address (least recently seen out)', () => {
    const names = createPassiveNames({ maxAddresses: 2, maxNamesPerAddress: 2 });
    names.add('1.1.1.1', 'a.example', 'dns', 1);
    names.add('2.2.2.2', 'b.example', 'dns', 2);
    names.add('3.3.3.3', 'c.example', 'dns', 3);
    expect(names.size).toBe(2);
    expect(names.namesOf('1.1.1.1')).toEqual([]);
    names.add('3.3.3.3', 'd.example', 'dns', 4);
    names.add('3.3.3.3', 'e.example', 'dns', 5);
    expect(names.namesOf('3.3.3.3').map((n) => n.name)).toEqual(['e.example', 'd.example']);
    expect(names.summary()).toMatchObject({ addresses: 2, evicted: 1, sightings: 5 });
  });
});
