/**
 * Reading an enrichment database file into memory, with the user-facing error for a missing or
 * unreadable one (FLOWLENS_ERR_ENRICH_DB_OPEN), and finding the files bundled through npm.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ERR, FlowlensError } from '../../shared/index.js';

export async function readDatabaseFile(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FlowlensError(ERR.ENRICH_DB_OPEN, `cannot read ${what} ${file}: ${reason}`);
  }
}

const require = createRequire(import.meta.url);

/** A file inside an installed npm package (e.g. a bundled database), by package name. */
export function bundledFile(packageName: string, file: string): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${packageName}/package.json`);
  } catch {
    // Packages with an "exports" map hide package.json; their main entry sits at the root too.
    try {
      manifest = require.resolve(packageName);
    } catch {
      manifest = '';
    }
  }
  if (!manifest) {
    throw new FlowlensError(
      ERR.ENRICH_DB_OPEN,
      `bundled data package ${packageName} is not installed (run npm ci, or point to your own database)`,
    );
  }
  return path.join(path.dirname(manifest), file);
}
