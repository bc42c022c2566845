/**
 * Keeps docs/architecture.md's import rules true: model imports nothing of ours, shared only
 * model, a stage (and report/) imports model, shared and itself, never another stage or a
 * composition root; pipeline never imports cli or server, and server never imports cli. Test-only files (`*.test.ts`, `testing/`, `test-*.ts`) may compose stages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/corpus.js';

const SRC = path.join(PROJECT_ROOT, 'src');
const STAGES = ['sources', 'decode', 'flows', 'analyze', 'enrich', 'detect', 'store'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(full);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts') || entry.name.startsWith('test-'))
      return [];
    return [full];
  });
}

/** Top folder under src/ of every relative import in `file`. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const folders: string[] = [];
  for (const match of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(file), match[1]));
    folders.push(target.split(path.sep)[0]);
  }
  return folders;
}

function allowed(folder: string): Set<string> {
  if (folder === 'model') return new Set(['model']);
  if (folder === 'shared') return new Set(['model', 'shared']);
  return new Set(['model', 'shared', folder]);
}

describe('import direction', () => {
  // Composition layers never import the layers above them.
  const above: Record<string, string[]> = { pipeline: ['cli', 'server'], server: ['cli'] };
  for (const [folder, forbidden] of Object.entries(above)) {
    it(`${folder}/ never imports ${forbidden.join(' or ')}`, () => {
      const offending = sourceFiles(path.join(SRC, folder)).flatMap((file) =>
        importedFolders(file)
          .filter((f) => forbidden.includes(f))
          .map((f) => `${path.relative(SRC, file)} imports ${f}/`),
      );
      expect(offending).toEqual([]);
    });
  }

  for (const folder of ['model', 'shared', 'report', ...STAGES]) {
    it(`${folder}/ imports only ${[...allowed(folder)].join(', ')}`, () => {
      const dir = path.join(SRC, folder);
      let files: string[] = [];
      try {
        files = sourceFiles(dir);
      } catch {
        return; // The stage does not exist yet.
      }
      const offending = files.flatMap((file) =>
        importedFolders(file)
          .filter((f) => !allowed(folder).has(f))
          .map((f) => `${path.relative(SRC, file)} imports ${f}/`),
      );
      expect(offending).toEqual([]);
    });
  }
});

describe('web/ (the dashboard)', () => {
  const WEB = path.join(PROJECT_ROOT, 'web');
  const API_TYPES = path.join(SRC, 'server', 'api-types.ts');

  function webFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return webFiles(full);
      return /\.tsx?$/.test(entry.name) ? [full] : [];
    });
  }

  it('imports nothing of src/ but the types-only src/server/api-types.ts, and only as types', () => {
    const offending: string[] = [];
    for (const file of webFiles(path.join(WEB, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^import (type )?[^;]*? from '(\.{1,2}\/[^']+)'/gms)) {
        const target = path.resolve(path.dirname(file), match[2]);
        if (!target.startsWith(SRC)) continue;
        const ok = match[1] === 'type ' && target.replace(/\.js$/, '') === API_TYPES.replace(/\.ts$/, '');
        if (!ok) offending.push(`${path.relative(PROJECT_ROOT, file)} imports ${match[2]}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('src/server/api-types.ts holds type exports only', () => {
    const code = readFileSync(API_TYPES, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const statements = code.match(/^(?:export|import)\b[^\n]*/gm) ?? [];
    expect(statements.filter((s) => !/^export (type|interface) /.test(s))).toEqual([]);
  });
});
