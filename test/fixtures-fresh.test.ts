/**
 * Keeps `test/fixtures/` equal to what `scripts/make-fixtures.ts` builds. With
 * FLOWLENS_WRITE_FIXTURES=1 (`npm run fixtures`) it writes them instead of comparing.
 * Gzip files compare by content: compressed bytes may differ between zlib versions.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildFixtures } from '../scripts/make-fixtures.js';
import { PROJECT_ROOT } from './support/corpus.js';

const FIXTURES_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures');
const write = process.env.FLOWLENS_WRITE_FIXTURES === '1';
const plain = (name: string, bytes: Buffer) => (name.endsWith('.gz') ? gunzipSync(bytes) : bytes);

describe('test/fixtures', () => {
  const fixtures = buildFixtures();

  it.runIf(write)('writes every fixture', () => {
    mkdirSync(FIXTURES_DIR, { recursive: true });
    for (const [name, bytes] of fixtures) writeFileSync(path.join(FIXTURES_DIR, name), bytes);
    console.log(`wrote ${fixtures.size} fixtures to ${FIXTURES_DIR}`);
  });

  it.skipIf(write).each([...fixtures.keys()])('%s is up to date (npm run fixtures)', (name) => {
    const file = path.join(FIXTURES_DIR, name);
    expect(existsSync(file), `${file} missing: run npm run fixtures`).toBe(true);
    const committed = plain(name, readFileSync(file));
    expect(committed.equals(plain(name, fixtures.get(name)!)), `${name} differs: run npm run fixtures`).toBe(
      true,
    );
  });
});
