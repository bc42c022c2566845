/**
 * The data directory's feeds and lists: feeds.json validation (every field, hand-edited
 * mistakes as one-line errors), ids that never become paths, list entries (canonical,
 * deduplicated, bounded), and the allowlist winning over every feed and the watchlist.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_LIST_ENTRIES,
  normalizeListEntry,
  openFeedLibrary,
  suggestFeedId,
  validateFeedsConfig,
} from './feed-library.js';
import { createThreatIntel } from './threat-intel.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-feed-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feeds.json', () => {
  const feed = {
    id: 'feodo',
    url: 'https://feodotracker.abuse.ch/x.csv',
    format: 'abusech-csv',
    category: 'c2',
  };
  const check = (feeds: unknown[]) => () => validateFeedsConfig({ version: 1, feeds }, 'feeds.json', dir);

  it('fills defaults and resolves files against the data directory', () => {
    const [url, file] = validateFeedsConfig(
      {
        version: 1,
        feeds: [feed, { id: 'mine', file: 'mine.txt', format: 'ip-list', category: 'blocklist' }],
      },
      'feeds.json',
      dir,
    );
    expect(url).toMatchObject({ ...feed, refreshSeconds: 86_400 });
    expect(file.file).toBe(path.join(dir, 'mine.txt'));
  });

  it('names the field that is wrong', () => {
    expect(() => validateFeedsConfig({ feeds: [] }, 'feeds.json', dir)).toThrow(
      'feeds.json: "version" must be 1',
    );
    expect(check([{ ...feed, id: '../x' }])).toThrow('feeds.json: feeds[0].id must be 1-48 of a-z');
    expect(check([{ ...feed, id: 'watchlist' }])).toThrow('"watchlist" is reserved');
    expect(check([{ ...feed, url: 'file:///etc/passwd' }])).toThrow(
      'feeds[0].url must be http:// or https://',
    );
    expect(check([{ ...feed, file: 'x' }])).toThrow('feeds[0] needs exactly one of url and file');
    expect(check([{ ...feed, format: 'csv' }])).toThrow('feeds[0].format must be one of ip-list,');
    expect(check([{ ...feed, category: 'C2' }])).toThrow('feeds[0].category must be');
    expect(check([{ ...feed, refreshSeconds: 10 }])).toThrow(
      'feeds[0].refreshSeconds must be a whole number',
    );
    expect(check([{ ...feed, extra: 1 }])).toThrow('feeds[0].extra is not a feed field');
    expect(check([feed, feed])).toThrow('feeds[1].id "feodo" is used twice');
  });

  it('a hand-edited file that is not JSON is a user error naming it', async () => {
    const other = path.join(dir, 'broken');
    const library = openFeedLibrary(other);
    await library.writeList('watchlist', []);
    writeFileSync(library.configFile, '{ "version": 1, "feeds": [ }');
    await expect(library.feeds()).rejects.toThrow(/broken\/feeds\.json is not JSON .*: fix or remove it/);
    await expect(createThreatIntel({ dataDir: other })).rejects.toThrow(/is not JSON/);
  });

  it('suggests ids from URLs and file names', () => {
    expect(suggestFeedId('https://feodotracker.abuse.ch/downloads/ipblocklist.csv')).toBe('ipblocklist');
    expect(suggestFeedId('https://www.spamhaus.org/drop/drop_v4.json')).toBe('drop_v4');
    expect(suggestFeedId('https://example.org/')).toBe('example-org');
    expect(suggestFeedId('/tmp/My List!.txt')).toBe('my-list');
    expect(suggestFeedId('https://example.org/watchlist')).toBe('feed');
  });

  it('never builds a path from an unchecked id', () => {
    const library = openFeedLibrary(dir);
    expect(() => library.copyPath('../../etc/passwd')).toThrow('feed id must be');
    expect(library.copyPath('feodo')).toBe(path.join(dir, 'feeds', 'feodo.txt'));
  });
});

describe('watchlist and allowlist', () => {
  it('keeps IPs, CIDRs and domains in canonical form', () => {
    expect(normalizeListEntry(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(normalizeListEntry('2001:DB8::/32')).toBe('2001:db8::/32');
    expect(normalizeListEntry('Evil.Example.')).toBe('evil.example');
    for (const bad of ['10.0.0.0/33', '1.2.3', '*.example', 'a b', '', 'x'.repeat(254), 'http://x.example/'])
      expect(normalizeListEntry(bad), bad).toBeUndefined();
  });

  it('bounds and deduplicates lists', async () => {
    const library = openFeedLibrary(dir);
    expect(await library.readList('watchlist')).toEqual([]);
    expect(await library.writeList('watchlist', ['10.0.0.1', '10.0.0.1', 'A.example'])).toEqual([
      '10.0.0.1',
      'a.example',
    ]);
    await expect(
      library.writeList('watchlist', new Array(MAX_LIST_ENTRIES + 1).fill('10.0.0.1')),
    ).rejects.toThrow(`holds more than ${MAX_LIST_ENTRIES} entries`);
    await expect(library.writeList('allowlist', 'x')).rejects.toThrow('must be an array');
  });

  it('the watchlist alerts like a feed; the allowlist wins over feeds and the watchlist', async () => {
    const dataDir = path.join(dir, 'lists');
    const library = openFeedLibrary(dataDir);
    const feedFile = path.join(dataDir, 'mine.txt');
    await library.writeList('watchlist', ['203.0.113.0/24', 'evil.example']);
    writeFileSync(feedFile, '198.51.100.0/24\n203.0.113.5\n');
    await library.add({ id: 'mine', file: feedFile, format: 'ip-list', category: 'c2' });
    let intel = await createThreatIntel({ dataDir });
    expect(intel.matcher.matchIp('203.0.113.5')).toEqual(['c2', 'mine', 'watchlist']);
    expect(intel.matcher.matchDomain('a.evil.example')).toEqual(['watchlist']);
    expect(intel.matcher.feedsOf(intel.matcher.matchIp('203.0.113.7'))).toEqual([
      { feed: 'watchlist', category: 'watchlist' },
    ]);

    await library.writeList('allowlist', ['203.0.113.5', 'a.evil.example', '198.51.100.128/25']);
    intel = await createThreatIntel({ dataDir });
    expect(intel.matcher.allowed).toBe(3);
    expect(intel.matcher.matchIp('203.0.113.5')).toEqual([]);
    expect(intel.matcher.matchIp('203.0.113.6')).toEqual(['watchlist']);
    expect(intel.matcher.matchIp('198.51.100.200')).toEqual([]);
    expect(intel.matcher.matchIp('198.51.100.1')).toEqual(['c2', 'mine']);
    expect(intel.matcher.matchDomain('x.a.evil.example')).toEqual([]);
    expect(intel.matcher.matchDomain('b.evil.example')).toEqual(['watchlist']);
  });
});
