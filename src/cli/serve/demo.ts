/**
 * `flowlens serve --demo`: a fresh data directory seeded with the demo network's last two hours
 * (demo-traffic.ts), ingested like `flowlens ingest` does (every analyzer, detections, devices,
 * and the enrichment when one is given), so a new user sees flows, hosts, countries and alerts
 * at once.
 *
 * Contract: `demoDataDir` returns a directory that holds no store yet (a new temporary one when
 * none is given) and refuses one that does; `seedDemo` writes the capture under it and commits
 * one ingest, or throws.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FlowEnrichment } from '../../pipeline/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { FlowStore } from '../../store/index.js';
import { ingestWithFindings } from '../ingest/ingest-with-findings.js';

export function demoDataDir(requested: string | undefined): string {
  if (requested === undefined) return mkdtempSync(path.join(tmpdir(), 'flowlens-demo-'));
  if (existsSync(requested) && readdirSync(requested).length > 0) {
    throw new FlowlensError(
      ERR.USAGE,
      `--demo needs a fresh data directory, and ${requested} is not empty: give --data a new directory, or leave --data out for a temporary one`,
      2,
    );
  }
  return requested;
}

export interface DemoSeed {
  file: string;
  flows: number;
  packets: number;
  alerts: number;
}

export async function seedDemo(
  store: FlowStore,
  dataDir: string,
  now = Date.now() / 1000,
  enrichment?: FlowEnrichment,
): Promise<DemoSeed> {
  const { demoCapture } = await import('./demo-traffic.js');
  const file = path.join(dataDir, 'demo-traffic.pcap');
  const bytes = demoCapture(Math.floor(now));
  writeFileSync(file, bytes);
  const writer = await store.beginIngest({
    file,
    sha256: 'demo',
    sizeBytes: bytes.length,
    sourceKind: 'pcap',
    replace: true,
  });
  try {
    const { record, result, alerts } = await ingestWithFindings({ store, writer, file, enrichment });
    return { file, flows: record.flows, packets: result.summary.packets, alerts };
  } catch (error) {
    await writer.abort(error instanceof Error ? error.message : String(error));
    throw error;
  }
}
