/**
 * A real flow store for query tests: corpus captures go through `flowlens analyze --format
 * json`, and its flows are ingested, one ingest per file, into DuckDB in a temp dir. Tests then
 * compute their expectations from the same analyze output, independently of the query layer.
 *
 * Contract: `buildQueryStore` leaves the store stopped (so a CLI child process can open the
 * file); the caller removes `dataDir` when done.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FlowRecord } from '../../src/model/index.js';
import { createDuckDbStore, type StoredFlow } from '../../src/store/index.js';
import { corpusPath } from './corpus.js';
import { runCli } from './run.js';

export interface IngestedFile {
  name: string;
  ingestId: string;
  flows: FlowRecord[];
}

export interface QueryStore {
  dataDir: string;
  files: IngestedFile[];
  /** Every flow of every file. */
  flows: FlowRecord[];
}

export async function analyzeFile(file: string): Promise<FlowRecord[]> {
  const result = await runCli(['analyze', file, '--format', 'json', '--no-progress']);
  if (result.code !== 0) throw new Error(`analyze ${file} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { flows: FlowRecord[] }).flows;
}

export async function buildQueryStore(names: readonly string[]): Promise<QueryStore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-query-'));
  const store = createDuckDbStore({ dataDir });
  await store.start();
  const files: IngestedFile[] = [];
  try {
    for (const name of names) {
      const file = corpusPath(name);
      const flows = await analyzeFile(file);
      const writer = await store.beginIngest({
        file,
        sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
        sizeBytes: statSync(file).size,
        sourceKind: 'pcap',
      });
      const stored: StoredFlow[] = flows.map((f) => ({ ...f, sourceKind: 'pcap' }));
      for (let i = 0; i < stored.length; i += 1000) await writer.write(stored.slice(i, i + 1000));
      const record = await writer.commit({
        packets: flows.reduce((n, f) => n + f.packets, 0),
        bytes: flows.reduce((n, f) => n + f.bytes, 0),
      });
      files.push({ name, ingestId: record.id, flows });
    }
  } finally {
    await store.stop();
  }
  return { dataDir, files, flows: files.flatMap((f) => f.flows) };
}
