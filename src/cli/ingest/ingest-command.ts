/**
 * `flowlens ingest FILE...`: captures into the flow store, one all-or-nothing ingest per file.
 * A file already in the store (same SHA-256) is refused unless --force, which replaces it.
 * Ctrl-C stops reading, rolls back the file in progress and reports which files are in; a
 * killed run is rolled back, and reported, by the next command that opens the store.
 *
 * Exit codes: 0 all files in; 2 a file refused (already ingested, unreadable, not a capture)
 * or bad usage; 130 interrupted; 1 unexpected failure.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { FlowEnrichment } from '../../pipeline/index.js';
import { ERR, type ErrorCode, FlowlensError } from '../../shared/index.js';
import type { FlowStore, IngestRecord } from '../../store/index.js';
import {
  addEnrichOptions,
  type EnrichFlags,
  type EnrichmentRun,
  startEnrichment,
} from '../enrich-options.js';
import { formatCount } from '../format.js';
import { capHeapGrowthFor } from '../heap-growth.js';
import { createOutputStream } from '../output-stream.js';
import { createProgressBar, type ProgressBar } from '../progress-bar.js';
import { sha256File } from './file-hash.js';
import { ingestWithFindings } from './ingest-with-findings.js';

interface IngestFlags extends EnrichFlags {
  data?: string;
  force?: boolean;
  progress?: boolean;
  format: 'table' | 'json';
}

type FileStatus = 'ingested' | 'already-ingested' | 'interrupted' | 'failed' | 'not-started';

interface FileOutcome {
  file: string;
  status: FileStatus;
  sha256?: string;
  ingestId?: string;
  flows?: number;
  packets?: number;
  bytes?: number;
  /** Why the file is out. */
  reason?: string;
  /** The ingest a refused file is already in. */
  existing?: IngestRecord;
  code?: ErrorCode;
  exitCode?: number;
}

const EXAMPLES = `
Examples:
  $ flowlens ingest capture.pcap                   into ./data (or $FLOWLENS_DATA)
  $ flowlens ingest day1/*.pcap --data /var/lib/flowlens
  $ flowlens ingest capture.pcap --force           ingest again, replacing the earlier copy
  $ flowlens ingest a.pcap b.pcapng --format json  a JSON report of what went in

Each file is one ingest: its flows are all in the store or none are, even if the process is
killed. Ctrl-C rolls back the file in progress and keeps the files already in.

Exit codes: 0 every file is in, 2 a file was refused (already ingested, unreadable, not a
capture) or bad usage, 130 interrupted, 1 unexpected failure.`;

export function registerIngestCommand(program: Command): void {
  const command = program
    .command('ingest')
    .description('read pcap/pcapng captures (gzip too) into the flow store')
    .argument('<file...>', 'capture files')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .option('--force', 'ingest files already in the store again, replacing their flows')
    .option('--progress', 'show a progress bar on stderr (default: when stderr is a terminal)')
    .option('--no-progress', 'never show a progress bar')
    .addOption(
      new Option('-f, --format <format>', 'report format').choices(['table', 'json']).default('table'),
    );
  addEnrichOptions(command) // enrichment (issue 9): ../enrich-options.ts
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: IngestFlags) => {
      await runIngest(files, flags);
    });
}

export function dataDirectory(flag: string | undefined): string {
  return flag ?? process.env.FLOWLENS_DATA ?? './data';
}

async function runIngest(files: string[], flags: IngestFlags): Promise<void> {
  if (files.includes('-')) {
    throw new FlowlensError(ERR.USAGE, 'ingest reads files, not stdin: save the capture to a file first', 2);
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    // A second Ctrl-C leaves at once; the next run rolls the file back.
    if (++interrupts > 1) process.exit(130);
    controller.abort(new FlowlensError(ERR.INGEST_INTERRUPTED, 'interrupted', 130));
  };
  process.on('SIGINT', onSigint);

  // Loaded on use: see cli/query/open-store.ts.
  const { createDuckDbStore } = await import('../../store/index.js');
  const store = createDuckDbStore({ dataDir: dataDirectory(flags.data) });
  const outcomes: FileOutcome[] = [];
  let enrichment: EnrichmentRun | undefined;
  try {
    enrichment = await startEnrichment(flags); // enrichment (issue 9)
    const { rolledBack } = await store.start();
    for (const ingest of rolledBack) {
      process.stderr.write(
        `flowlens: rolled back the interrupted ingest of ${ingest.file} (killed before it finished): it is not in the store\n`,
      );
    }
    const sizes = await Promise.all(
      files.map((f) =>
        stat(f).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    capHeapGrowthFor(total);
    const showProgress = flags.progress ?? process.stderr.isTTY === true;
    const bar = showProgress ? createProgressBar(total) : undefined;
    let before = 0;
    let packetsBefore = 0;
    for (const [i, file] of files.entries()) {
      if (controller.signal.aborted) {
        outcomes.push({ file, status: 'not-started' });
        continue;
      }
      const outcome = await ingestFile(
        store,
        file,
        flags.force === true,
        controller.signal,
        bar,
        before,
        packetsBefore,
        enrichment?.enrichment,
      );
      outcomes.push(outcome);
      before += sizes[i];
      packetsBefore += outcome.packets ?? 0;
    }
    bar?.done();
  } finally {
    process.off('SIGINT', onSigint);
    await store.stop();
    await enrichment?.stop();
  }
  await printReport(outcomes, flags.format);
  finalVerdict(outcomes);
}

async function ingestFile(
  store: FlowStore,
  file: string,
  force: boolean,
  signal: AbortSignal,
  bar: ProgressBar | undefined,
  bytesBefore: number,
  packetsBefore: number,
  enrichment: FlowEnrichment | undefined,
): Promise<FileOutcome> {
  let sizeBytes: number;
  let sha256: string;
  try {
    sizeBytes = (await stat(file)).size;
    sha256 = await sha256File(file, signal);
  } catch (error) {
    if (signal.aborted) return { file, status: 'interrupted', reason: 'interrupted before reading' };
    const message = error instanceof Error ? error.message : String(error);
    return {
      file,
      status: 'failed',
      reason: `cannot read ${file}: ${message}`,
      code: ERR.FILE_OPEN,
      exitCode: 2,
    };
  }
  const existing = await store.findIngestBySha256(sha256);
  if (existing && !force) {
    return {
      file,
      status: 'already-ingested',
      sha256,
      existing,
      reason: 'use --force to replace it',
      exitCode: 2,
    };
  }
  const writer = await store.beginIngest({ file, sha256, sizeBytes, sourceKind: 'pcap', replace: force });
  try {
    const { record, result } = await ingestWithFindings({
      store,
      writer,
      file,
      signal,
      enrichment, // enrichment (issue 9)
      onProgress: bar ? (p) => bar.update(bytesBefore + p.bytesRead, packetsBefore + p.packets) : undefined,
    });
    return {
      file,
      status: 'ingested',
      sha256,
      ingestId: record.id,
      flows: record.flows,
      packets: result.packets,
      bytes: result.bytes,
    };
  } catch (error) {
    const interrupted = signal.aborted;
    const reason = interrupted ? 'interrupted' : error instanceof Error ? error.message : String(error);
    await writer.abort(reason);
    if (interrupted)
      return { file, status: 'interrupted', sha256, ingestId: writer.id, reason: 'rolled back' };
    if (error instanceof FlowlensError) {
      return {
        file,
        status: 'failed',
        sha256,
        ingestId: writer.id,
        reason,
        code: error.code,
        exitCode: error.exitCode,
      };
    }
    throw error;
  }
}

async function printReport(outcomes: FileOutcome[], format: 'table' | 'json'): Promise<void> {
  const out = createOutputStream();
  if (format === 'json') {
    const files = outcomes.map(({ existing, code, exitCode, ...rest }) =>
      existing ? { ...rest, existingIngestId: existing.id } : rest,
    );
    out.write(`${JSON.stringify({ files }, null, 2)}\n`);
  } else {
    const width = Math.max(...outcomes.map((o) => o.file.length));
    for (const o of outcomes) {
      const where = o.status === 'ingested' ? 'in ' : 'out';
      const detail =
        o.status === 'ingested'
          ? `${formatCount(o.flows ?? 0)} flows, ${formatCount(o.packets ?? 0)} packets`
          : `${o.status}${o.reason && o.reason !== o.status ? `: ${o.reason}` : ''}`;
      out.write(`${where}  ${o.file.padEnd(width)}  ${detail}\n`);
    }
  }
  await out.end();
}

/** Throws the error that sets the exit code; returns when every file is in. */
function finalVerdict(outcomes: FileOutcome[]): void {
  const inFiles = outcomes.filter((o) => o.status === 'ingested').map((o) => o.file);
  const outFiles = outcomes.filter((o) => o.status !== 'ingested').map((o) => o.file);
  if (outcomes.some((o) => o.status === 'interrupted' || o.status === 'not-started')) {
    throw new FlowlensError(
      ERR.INGEST_INTERRUPTED,
      `interrupted: in the store: ${list(inFiles)}; not in the store: ${list(outFiles)}`,
      130,
    );
  }
  const refused = outcomes.find((o) => o.status === 'already-ingested');
  if (refused?.existing) {
    const when = new Date(refused.existing.startedAt * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const others = outcomes.filter((o) => o.status === 'already-ingested').length - 1;
    throw new FlowlensError(
      ERR.ALREADY_INGESTED,
      `${refused.file} is already in the store (ingested ${when} UTC as ${refused.existing.file}, ${formatCount(refused.existing.flows)} flows); use --force to replace it${others > 0 ? ` (${others} more file${others > 1 ? 's' : ''} refused)` : ''}`,
      2,
    );
  }
  const failed = outcomes.find((o) => o.status === 'failed');
  if (failed)
    throw new FlowlensError(failed.code ?? ERR.STORE, failed.reason ?? failed.file, failed.exitCode ?? 1);
}

function list(files: string[]): string {
  return files.length === 0 ? 'none' : files.join(', ');
}
