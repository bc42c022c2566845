/**
 * Opening the flow store for reading from the command line: `--data DIR`, else FLOWLENS_DATA,
 * else `./data`. A directory without a database is a usage error (exit code 2) rather than an
 * empty store being created, so a mistyped path says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { FlowStore } from '../../store/index.js';

export function defaultDataDir(): string {
  return process.env.FLOWLENS_DATA || './data';
}

/** Runs `use` with a started store and always stops it. Throws FlowlensError when DIR has no store. */
/** Whether `dataDir` holds a flow store (without opening it). */
export async function hasStore(dataDir: string): Promise<boolean> {
  const { DATABASE_FILE } = await import('../../store/index.js');
  return existsSync(path.join(dataDir, DATABASE_FILE));
}

export async function withStore<T>(dataDir: string, use: (store: FlowStore) => Promise<T>): Promise<T> {
  // Loaded on use: DuckDB's native module costs a fifth of a second at start-up, which
  // commands that need no store (analyze, --help) should not pay.
  const { createDuckDbStore, DATABASE_FILE } = await import('../../store/index.js');
  if (!existsSync(path.join(dataDir, DATABASE_FILE))) {
    throw new FlowlensError(ERR.USAGE, `no flows stored in ${dataDir}: run flowlens ingest FILE first`, 2);
  }
  const store = createDuckDbStore({ dataDir });
  await store.start();
  try {
    return await use(store);
  } finally {
    await store.stop();
  }
}
