/**
 * The bundle that `flowlens` runs (dist/bundle/, scripts/bundle-cli.mjs) finds everything its
 * modules found beside themselves in dist/: its worker threads, the build-time tables and the
 * package's own files. A wrong path there would not fail loudly: a missing table is rebuilt at
 * run time (correct, but ≈0.5 s slower), so these checks read the bundle's text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtFile, packageFile, packageVersion } from '../src/shared/index.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { CLI_BUILT, runCli } from './support/run.js';

const BUNDLE = path.dirname(CLI_BUILT);

function chunks(): { name: string; text: string }[] {
  return readdirSync(BUNDLE)
    .filter((name) => name.endsWith('.js'))
    .map((name) => ({ name, text: readFileSync(path.join(BUNDLE, name), 'utf8') }));
}

describe('the CLI bundle', () => {
  it('is built, with the command and every worker thread as an entry of its own', () => {
    expect(existsSync(CLI_BUILT), `${CLI_BUILT} missing: run npm run build`).toBe(true);
    for (const entry of ['main', 'detection-worker', 'receive-worker', 'analysis-worker']) {
      expect(existsSync(path.join(BUNDLE, `${entry}.js`)), entry).toBe(true);
    }
    expect(readFileSync(path.join(PROJECT_ROOT, 'bin', 'flowlens.cjs'), 'utf8')).toContain(
      "import('../dist/bundle/main.js')",
    );
  });

  it('finds every file it names relative to a chunk', () => {
    const named: string[] = [];
    for (const { name, text } of chunks()) {
      for (const m of text.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)) {
        named.push(m[1]);
        expect(existsSync(path.resolve(BUNDLE, m[1])), `${name}: ${m[1]}`).toBe(true);
      }
    }
    // The two worker threads that are started by URL, and the package's root (package-files.ts).
    expect(named).toEqual(expect.arrayContaining(['./detection-worker.js', './receive-worker.js', '../../']));
  });

  it('finds the tables the build writes into dist/', () => {
    const files = chunks().flatMap(({ text }) =>
      [...text.matchAll(/builtFile\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
    );
    expect(files).toEqual(
      expect.arrayContaining([
        'enrich/asn/bundled-asn-ipv4.bin',
        'enrich/asn/bundled-asn-ipv6.bin',
        'enrich/oui/bundled-oui.tsv',
        'enrich/bundled-ipv4-table.bin',
      ]),
    );
    // The bundle is as deep below the package root as dist/shared/, so its builtFile is dist/'s.
    expect(path.relative(PROJECT_ROOT, BUNDLE).split(path.sep)).toHaveLength(2);
    for (const file of files) {
      expect(existsSync(path.join(PROJECT_ROOT, 'dist', file)), file).toBe(true);
    }
  });

  it('reports the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(packageVersion());
  });
});

describe('package files from the sources', () => {
  it('are the package root and src/', () => {
    expect(packageFile('package.json')).toBe(path.join(PROJECT_ROOT, 'package.json'));
    expect(builtFile('enrich/ipv4-table.ts')).toBe(path.join(PROJECT_ROOT, 'src', 'enrich', 'ipv4-table.ts'));
    expect(existsSync(builtFile('enrich/ipv4-table.ts'))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(packageVersion()).toBe(manifest.version);
  });
});
