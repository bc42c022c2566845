/**
 * Threat feeds: a sample file written in each supported format (as the publishers lay them out),
 * parsed and matched; overlapping feeds union their tags; the config is validated; a reload
 * that fails in any way keeps the last good copy with a warning, and a good one swaps in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlowlensError } from '../../shared/index.js';
import { parseFeed } from './feed-formats.js';
import { GROWTH_LIMIT, loadThreatFeeds, loadThreatFeedsConfig, parseFeedsConfig } from './threat-feeds.js';
import { compileThreatMatcher } from './threat-matcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-feeds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES = {
  firehol: `#
# firehol_level1
# ipv4 hash:net ipset
#
0.0.0.0/8
1.10.16.0/20
5.188.10.0/23
2001:db8:bad::/48
not-an-address
`,
  dropText: `; Spamhaus DROP List 2024/01/01 - (c) 2024 The Spamhaus Project SLU
; https://www.spamhaus.org/drop/drop.txt
; Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT
1.19.0.0/16 ; SBL434604
2.56.192.0/22 ; SBL459831
`,
  dropJson: `{"cidr":"1.19.0.0/16","sblid":"SBL434604","rir":"apnic"}
{"cidr":"2a06:e480::/29","sblid":"SBL523280","rir":"ripencc"}
{"type":"metadata","timestamp":1704067200,"size":2,"records":2,"copyright":"(c) 2024 The Spamhaus Project SLU"}
`,
  feodo: `################################################################
# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #
# Last updated: 2024-01-01 00:00:00 UTC                        #
################################################################
#
# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"
"2021-01-17 07:44:46","51.178.161.32","4643","online","2024-01-01","Dridex"
"2021-03-04 10:00:00","67.213.75.205","443","offline","2023-12-01","QakBot"
# END 2 entries
`,
  urlhaus: `################################################################
# abuse.ch URLhaus Database Dump (CSV - recent URLs)           #
################################################################
#
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"2796000","2024-01-01 00:00:00","http://malware.example.net/bins/x86","online","2024-01-01","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/2796000/","r"
"2796001","2024-01-01 00:00:01","http://198.51.100.77:8080/i.sh","online","2024-01-01","malware_download","sh","https://urlhaus.abuse.ch/url/2796001/","r"
`,
  threatfox: `################################################################
# ThreatFox IOCs: CSV export                                   #
################################################################
#
# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"
"2024-01-01 00:00:00", "1200000", "c2.example.org", "domain", "botnet_cc", "win.cobalt_strike", "", "Cobalt Strike", "", "100", "", "cs", "0", "r"
"2024-01-01 00:00:01", "1200001", "192.0.2.55:4444", "ip:port", "botnet_cc", "win.asyncrat", "", "AsyncRAT", "", "75", "", "", "0", "r"
`,
  domains: `# domain list
evil.example.com
0.0.0.0 ads.example.org
127.0.0.1 localhost
bad..name
`,
  stix: JSON.stringify({
    type: 'bundle',
    id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: [
      {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        indicator_types: ['malicious-activity'],
        pattern: "[ipv4-addr:value = '198.51.100.1'] OR [ipv4-addr:value = '203.0.113.0/24']",
        pattern_type: 'stix',
        valid_from: '2024-01-01T00:00:00Z',
      },
      {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--1',
        pattern: "[domain-name:value = 'stix.example.com']",
        pattern_type: 'stix',
        valid_from: '2024-01-01T00:00:00Z',
      },
      {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--2',
        pattern: "[ipv6-addr:value = '2001:db8::dead']",
        pattern_type: 'stix',
        valid_from: '2024-01-01T00:00:00Z',
      },
      {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--3',
        pattern: "[file:hashes.'SHA-256' = 'aa']",
        pattern_type: 'stix',
        valid_from: '2024-01-01T00:00:00Z',
      },
      { type: 'malware', id: 'malware--1', name: 'x', is_family: true },
    ],
  }),
};

const text = (entries: ReturnType<typeof parseFeed>) => ({
  networks: entries.networks.map(
    (n) => `${Buffer.from(n.bytes).join(n.bytes.length === 4 ? '.' : ',')}/${n.prefix}`,
  ),
  domains: entries.domains,
  skipped: entries.skipped,
});

describe('feed formats', () => {
  it('plain lists and FireHOL netsets', () => {
    const parsed = parseFeed(SAMPLES.firehol, 'ip-list');
    expect(text(parsed).networks.slice(0, 3)).toEqual(['0.0.0.0/8', '1.10.16.0/20', '5.188.10.0/23']);
    expect(parsed.networks[3].bytes.length).toBe(16);
    expect(parsed.skipped).toBe(1);
  });

  it('Spamhaus DROP, text and JSON lines', () => {
    expect(text(parseFeed(SAMPLES.dropText, 'spamhaus-drop'))).toEqual({
      networks: ['1.19.0.0/16', '2.56.192.0/22'],
      domains: [],
      skipped: 0,
    });
    const json = parseFeed(SAMPLES.dropJson, 'spamhaus-drop');
    expect(json.networks.map((n) => n.prefix)).toEqual([16, 29]);
    expect(json.skipped).toBe(0);
  });

  it('abuse.ch CSVs: Feodo Tracker, URLhaus, ThreatFox', () => {
    expect(text(parseFeed(SAMPLES.feodo, 'abusech-csv'))).toEqual({
      networks: ['51.178.161.32/32', '67.213.75.205/32'],
      domains: [],
      skipped: 0,
    });
    expect(text(parseFeed(SAMPLES.urlhaus, 'abusech-csv'))).toEqual({
      networks: ['198.51.100.77/32'],
      domains: ['malware.example.net'],
      skipped: 0,
    });
    expect(text(parseFeed(SAMPLES.threatfox, 'abusech-csv'))).toEqual({
      networks: ['192.0.2.55/32'],
      domains: ['c2.example.org'],
      skipped: 0,
    });
  });

  it('domain lists and hosts files', () => {
    expect(text(parseFeed(SAMPLES.domains, 'domain-list'))).toEqual({
      networks: [],
      domains: ['evil.example.com', 'ads.example.org'],
      skipped: 2,
    });
  });

  it('STIX 2.1 bundles: ipv4-addr, ipv6-addr and domain-name indicators', () => {
    const parsed = parseFeed(SAMPLES.stix, 'stix');
    expect(text(parsed).networks.slice(0, 2)).toEqual(['198.51.100.1/32', '203.0.113.0/24']);
    expect(parsed.networks[2].prefix).toBe(128);
    expect(parsed.domains).toEqual(['stix.example.com']);
    expect(parsed.skipped).toBe(1); // the file-hash indicator
    expect(parseFeed('{not json', 'stix')).toEqual({ networks: [], domains: [], skipped: 1 });
  });
});

describe('matching', () => {
  const matcher = compileThreatMatcher([
    { name: 'drop', category: 'drop', entries: parseFeed(SAMPLES.dropText, 'spamhaus-drop') },
    { name: 'firehol', category: 'blocklist', entries: parseFeed(SAMPLES.firehol, 'ip-list') },
    { name: 'feodo', category: 'c2', entries: parseFeed(SAMPLES.feodo, 'abusech-csv') },
    { name: 'stix', category: 'malware', entries: parseFeed(SAMPLES.stix, 'stix') },
    { name: 'lists', category: 'scanner', entries: parseFeed('1.19.5.0/24\n', 'ip-list') },
    { name: 'doms', category: 'malware', entries: parseFeed(SAMPLES.domains, 'domain-list') },
  ]);

  it('addresses by network, tags of overlapping feeds united', () => {
    expect(matcher.matchIp('1.19.4.255')).toEqual(['drop']);
    expect(matcher.matchIp('1.19.5.7')).toEqual(['drop', 'lists', 'scanner']);
    expect(matcher.matchIp('1.19.6.0')).toEqual(['drop']);
    expect(matcher.matchIp('1.20.0.0')).toEqual([]);
    expect(matcher.matchIp('51.178.161.32')).toEqual(['c2', 'feodo']);
    expect(matcher.matchIp('51.178.161.33')).toEqual([]);
    expect(matcher.matchIp('0.0.0.0')).toEqual(['blocklist', 'firehol']);
    expect(matcher.matchIp('255.255.255.255')).toEqual([]);
    expect(matcher.matchIp('::ffff:51.178.161.32')).toEqual(['c2', 'feodo']);
    expect(matcher.matchIp('2001:db8:bad:1::9')).toEqual(['blocklist', 'firehol']);
    expect(matcher.matchIp('2001:db8::dead')).toEqual(['malware', 'stix']);
    expect(matcher.matchIp('2001:db8::beef')).toEqual([]);
    expect(matcher.matchIp('garbage')).toEqual([]);
  });

  it('domains by exact or parent-domain match, any case, trailing dot', () => {
    expect(matcher.matchDomain('evil.example.com')).toEqual(['doms', 'malware']);
    expect(matcher.matchDomain('A.B.Evil.Example.COM.')).toEqual(['doms', 'malware']);
    expect(matcher.matchDomain('notevil.example.com')).toEqual([]);
    expect(matcher.matchDomain('example.com')).toEqual([]);
    expect(matcher.matchDomain('stix.example.com')).toEqual(['malware', 'stix']);
  });

  it('an IPv4 lookup takes well under a microsecond', () => {
    // Correctness on a sweep; the rate is in bench/enrich-bench.mjs, not asserted here.
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (matcher.matchIp(`1.19.${i & 255}.${(i >> 8) & 255}`).length) hits++;
    expect(hits).toBe(100_000);
  });
});

describe('config and reload', () => {
  const write = (name: string, body: string) => {
    writeFileSync(path.join(dir, name), body);
    return path.join(dir, name);
  };

  it('rejects bad configs with a clear message', () => {
    const bad = (doc: unknown) => () => parseFeedsConfig(JSON.stringify(doc), 'feeds.json', dir);
    expect(() => parseFeedsConfig('{', 'feeds.json', dir)).toThrow(/feeds.json: not JSON/);
    expect(bad({})).toThrow(/expected \{"feeds"/);
    expect(bad({ feeds: [{ name: 'A B', file: 'x', format: 'ip-list', category: 'c2' }] })).toThrow(/name/);
    expect(bad({ feeds: [{ name: 'a', file: 'x', format: 'csv', category: 'c2' }] })).toThrow(
      /format must be/,
    );
    expect(bad({ feeds: [{ name: 'a', file: '', format: 'ip-list', category: 'c2' }] })).toThrow(/file/);
    expect(
      bad({
        feeds: [
          { name: 'a', file: 'x', format: 'ip-list', category: 'c2' },
          { name: 'a', file: 'y', format: 'ip-list', category: 'c2' },
        ],
      }),
    ).toThrow(/used twice/);
  });

  it('a first load of a missing or empty feed is a user error', async () => {
    write('empty.txt', '# nothing here\n');
    const config = write(
      'feeds-empty.json',
      JSON.stringify({ feeds: [{ name: 'e', file: 'empty.txt', format: 'ip-list', category: 'c2' }] }),
    );
    await expect(loadThreatFeedsConfig(config)).rejects.toMatchObject({
      code: 'FLOWLENS_ERR_ENRICH_DB_INVALID',
    });
    await expect(loadThreatFeedsConfig(path.join(dir, 'nope.json'))).rejects.toBeInstanceOf(FlowlensError);
    await expect(
      loadThreatFeeds([
        { name: 'm', file: path.join(dir, 'missing.txt'), format: 'ip-list', category: 'c2' },
      ]),
    ).rejects.toMatchObject({ code: 'FLOWLENS_ERR_ENRICH_DB_OPEN' });
  });

  it('keeps the last good copy through missing, garbage and oversized updates; swaps a good one in', async () => {
    const file = write('feodo.csv', SAMPLES.feodo);
    const feeds = await loadThreatFeeds([{ name: 'feodo', file, format: 'abusech-csv', category: 'c2' }]);
    expect(feeds.matcher.matchIp('51.178.161.32')).toEqual(['c2', 'feodo']);
    const stillGood = async (pattern: RegExp) => {
      const warnings = await feeds.reload();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(pattern);
      expect(feeds.matcher.matchIp('51.178.161.32')).toEqual(['c2', 'feodo']);
      expect(feeds.status()[0].warning).toMatch(pattern);
    };
    rmSync(file);
    await stillGood(/cannot read threat feed feodo.*ENOENT.*keeping the copy/);
    write('feodo.csv', '<html>502 Bad Gateway</html>\n');
    await stillGood(/lists nothing/);
    const huge = Array.from(
      { length: 2 * (GROWTH_LIMIT + 1) + 1 },
      (_, i) => `"2024-01-01","10.${i >> 8}.${i & 255}.1","443","online","2024-01-01","X"`,
    ).join('\n');
    write(
      'feodo.csv',
      `# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n${huge}\n`,
    );
    await stillGood(/grew from 2 to/);
    write('feodo.csv', SAMPLES.feodo.replace('51.178.161.32', '51.178.161.99'));
    expect(await feeds.reload()).toEqual([]);
    expect(feeds.matcher.matchIp('51.178.161.99')).toEqual(['c2', 'feodo']);
    expect(feeds.matcher.matchIp('51.178.161.32')).toEqual([]);
    expect(feeds.status()[0]).toMatchObject({ name: 'feodo', networks: 2, domains: 0 });
    expect(feeds.status()[0].warning).toBeUndefined();
  });
});
