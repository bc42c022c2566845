/**
 * `flowlens lookup` through the built CLI (npm run build first): JSON equal to the enricher's
 * answers, the table, domains without a store (exit 0), PTR names with --reverse-dns (a DNS
 * server on 127.0.0.1), bad values (exit 2), and
 * users' own databases through --geoip-db.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTION, createEnricher, type Enricher } from '../src/enrich/index.js';
import { writeMmdb } from '../src/enrich/mmdb/testing/mmdb-writer.js';
import type { LookupAnswer } from '../src/server/api-types.js';
import { startPtrResponder } from './support/ptr-responder.js';
import { runCli } from './support/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-lookup-'));
let enricher: Enricher;
beforeAll(async () => {
  enricher = createEnricher();
  await enricher.start();
});
afterAll(async () => {
  await enricher.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('flowlens lookup', () => {
  it('--format json: IPs, MACs and domains', { timeout: 30_000 }, async () => {
    const values = [
      '8.8.8.8',
      '2606:4700::1111',
      '192.168.1.10',
      '00:0c:29:40:0e:ef',
      '3a:11:22:33:44:55',
      'Example.COM',
    ];
    const result = await runCli(['lookup', ...values, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.attribution).toEqual([...ATTRIBUTION]);
    expect(out.results).toEqual([
      { kind: 'ip', ...enricher.lookupIp('8.8.8.8') },
      { kind: 'ip', ...enricher.lookupIp('2606:4700::1111') },
      {
        kind: 'ip',
        ip: '192.168.1.10',
        range: { label: 'private', cidr: '192.168.0.0/16', description: 'private network (RFC 1918)' },
      },
      { kind: 'mac', ...enricher.lookupMac('00:0c:29:40:0e:ef') },
      {
        kind: 'mac',
        mac: '3a:11:22:33:44:55',
        multicast: false,
        locallyAdministered: true,
        randomized: true,
      },
      { kind: 'domain', domain: 'example.com', note: expect.stringMatching(/give --data DIR/) },
    ]);
    expect(out.results[0].country).toMatch(/^[A-Z]{2}$/);
    expect(out.results[3].vendor).toBeTruthy();
  });

  it('table: one row per value, attribution below', { timeout: 30_000 }, async () => {
    const result = await runCli(['lookup', '1.1.1.1', '10.0.0.1', '00:0c:29:40:0e:ef']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^VALUE\s+TYPE\s+COUNTRY\s+CITY\s+ASN\s+AS NAME\s+VENDOR\s+THREAT\s+NOTE$/);
    const one = enricher.lookupIp('1.1.1.1');
    const row = lines.find((l) => l.startsWith('1.1.1.1 ')) as string;
    expect(row).toContain(` ${one.country} `);
    expect(row).toContain(`AS${one.asn}`);
    expect(row).toContain(one.asName as string);
    expect(lines.find((l) => l.startsWith('10.0.0.1 '))).toMatch(/private: private network \(RFC 1918\)$/);
    expect(lines.find((l) => l.startsWith('00:0c:29:40:0e:ef '))).toContain(
      enricher.lookupMac('00:0c:29:40:0e:ef')?.vendor,
    );
    for (const line of ATTRIBUTION) expect(result.stdout).toContain(`Data: ${line}`);
  });

  it('domains only, no store: says names come from the flow store, exit 0, no databases read', async () => {
    const result = await runCli(['lookup', 'example.org']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Domains: names seen in traffic come from the flow store: give --data DIR/);
    expect(result.stdout).not.toMatch(/^Data: /m);
  });

  it('--threat-feeds: threat tags for addresses and domains from a feed file', {
    timeout: 30_000,
  }, async () => {
    writeFileSync(path.join(dir, 'drop.txt'), '; Spamhaus DROP\n1.19.0.0/16 ; SBL434604\n');
    writeFileSync(path.join(dir, 'domains.txt'), 'evil.example\n');
    const feeds = path.join(dir, 'feeds.json');
    writeFileSync(
      feeds,
      JSON.stringify({
        feeds: [
          { name: 'drop', file: 'drop.txt', format: 'spamhaus-drop', category: 'hijacked' },
          { name: 'doms', file: 'domains.txt', format: 'domain-list', category: 'malware' },
        ],
      }),
    );
    const result = await runCli([
      'lookup',
      '1.19.2.3',
      '8.8.8.8',
      'www.Evil.example',
      '--threat-feeds',
      feeds,
      '-f',
      'json',
    ]);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out.results.map((r: { threatTags?: string[] }) => r.threatTags)).toEqual([
      ['drop', 'hijacked'],
      [],
      ['doms', 'malware'],
    ]);
    const table = await runCli(['lookup', '1.19.2.3', '--threat-feeds', feeds]);
    expect(table.stdout.split('\n')[0]).toMatch(/VENDOR\s+THREAT\s+NOTE$/);
    expect(table.stdout).toContain('drop, hijacked');
    const bad = await runCli(['lookup', '1.19.2.3', '--threat-feeds', path.join(dir, 'missing.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^flowlens: cannot read threat feeds config .*missing\.json: ENOENT\n$/);
  });

  it('--reverse-dns: PTR names from the given resolver, in JSON and in the table', {
    timeout: 30_000,
  }, async () => {
    const responder = await startPtrResponder();
    try {
      const args = [
        'lookup',
        '1.2.3.4',
        '1.2.3.5',
        'example.com',
        '--reverse-dns',
        `127.0.0.1:${responder.port}`,
      ];
      const json = await runCli([...args, '--format', 'json']);
      expect(json.code).toBe(0);
      const { results } = JSON.parse(json.stdout) as LookupAnswer;
      expect(results.map((r) => (r.kind === 'ip' ? r.reverseName : r.kind))).toEqual([
        'host-4.example.test',
        null,
        'domain',
      ]);
      const table = await runCli(args);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(
        '\nReverse DNS\n  1.2.3.4: host-4.example.test\n  1.2.3.5: no PTR name\n',
      );
      const without = await runCli(['lookup', '1.2.3.4', '--format', 'json']);
      expect(JSON.parse(without.stdout).results[0]).not.toHaveProperty('reverseName');
    } finally {
      await responder.close();
    }
  });

  it('a value that is nothing known: exit 2 with a one-line message', async () => {
    const result = await runCli(['lookup', '8.8.8.8', 'not an address!']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('flowlens: not an IP address, MAC address or domain name: not an address!\n');
  });

  it('--geoip-db: a city database gives city, region and coordinates; missing file exit 1', {
    timeout: 30_000,
  }, async () => {
    const city = path.join(dir, 'GeoLite2-City.mmdb');
    writeFileSync(
      city,
      writeMmdb({
        ipVersion: 6,
        recordSize: 24,
        databaseType: 'GeoLite2-City',
        entries: [
          {
            cidr: '81.2.69.0/24',
            value: {
              city: { names: { en: 'London' } },
              country: { iso_code: 'GB' },
              subdivisions: [{ names: { en: 'England' } }],
              location: {
                latitude: { $type: 'double', value: 51.5142 },
                longitude: { $type: 'double', value: -0.0931 },
              },
            },
          },
        ],
      }),
    );
    const result = await runCli(['lookup', '81.2.69.160', '--geoip-db', city, '--format', 'json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.results[0]).toMatchObject({
      country: 'GB',
      city: 'London',
      region: 'England',
      latitude: 51.5142,
      longitude: -0.0931,
    });
    expect(out.attribution[0]).toMatch(/GeoLite2/);
    const table = await runCli(['lookup', '81.2.69.160', '--geoip-db', city]);
    expect(table.stdout).toMatch(/London, England \(51\.5142, -0\.0931\)/);
    const missing = await runCli(['lookup', '1.1.1.1', '--geoip-db', path.join(dir, 'nope.mmdb')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^flowlens: cannot read GeoIP database .*nope\.mmdb: ENOENT\n$/);
  });
});

describe('the build (npm run build, hence npm ci)', () => {
  it('prebuilds the bundled ASN tables, which the built enricher loads instead of parsing the CSVs', async () => {
    const built = path.resolve(import.meta.dirname, '..', 'dist', 'enrich', 'asn', 'index.js');
    const { openBundledAsn } = (await import(built)) as typeof import('../src/enrich/asn/index.js');
    const started = performance.now();
    const database = await openBundledAsn();
    const ms = performance.now() - started;
    expect(database.description).toMatch(/^ASN ranges \(CSV, parsed at build time, \d+ IPv4 and \d+ IPv6\)$/);
    expect(database.lookupIpv4(0x08080808)).toEqual({ asn: 15169, asName: 'Google LLC' });
    // Not a timing assertion on purpose (the machines are noisy): shown for the log.
    console.log(`bundled ASN tables loaded from the build cache in ${ms.toFixed(0)} ms`);
  });

  it('prebuilds the MAC vendor registry, which the built lookups read instead of the JSON', async () => {
    const built = path.resolve(import.meta.dirname, '..', 'dist', 'enrich', 'oui', 'index.js');
    const oui = (await import(built)) as typeof import('../src/enrich/oui/index.js');
    const cached = oui.openOuiCache();
    expect(cached).toBeDefined();
    expect(cached?.size).toBe(oui.loadOuiTable().size);
    expect(oui.bundledOuiTable()).not.toBeInstanceOf(Map);
    expect(oui.lookupMacIn(oui.bundledOuiTable(), '00:00:0c:12:34:56')?.vendor).toBe('Cisco Systems, Inc');
  });
});
