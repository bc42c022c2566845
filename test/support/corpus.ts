/**
 * Locates the real-capture corpus (`FLOWLENS_CORPUS`, default `../shared/pcaps`).
 *
 * Contract: where the folder is absent, corpus tests skip with a visible message; under CI
 * (`CI=true`) a missing corpus is a failure, never a silent skip.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CORPUS_DIR = path.resolve(projectRoot, process.env.FLOWLENS_CORPUS ?? '../shared/pcaps');
export const corpusAvailable = existsSync(CORPUS_DIR);

if (!corpusAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(`corpus not found at ${CORPUS_DIR}: CI must run the corpus tests (set FLOWLENS_CORPUS)`);
  }
  console.warn(`[flowlens tests] corpus not found at ${CORPUS_DIR}: corpus tests are skipped`);
}

/** Capture files of the corpus, sorted by name (MANIFEST.tsv and other non-captures excluded). */
export function corpusFiles(filter: (name: string) => boolean = () => true): string[] {
  if (!corpusAvailable) return [];
  return readdirSync(CORPUS_DIR)
    .filter((name) => /\.(pcap|pcapng|pcap\.gz)$/.test(name))
    .filter(filter)
    .sort();
}

export function corpusPath(name: string): string {
  return path.join(CORPUS_DIR, name);
}

export const PROJECT_ROOT = projectRoot;
