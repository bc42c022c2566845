/**
 * `flowlens analyze FILE...`: reads captures and prints flows, a summary and warnings as a
 * table, one JSON document, or NDJSON.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputWarning } from '../../model/index.js';
import { analyzeCaptures, createCaptureDetection } from '../../pipeline/index.js';
// Enrichment (issue 9): flags and start-up live in ../enrich-options.ts.
import { addEnrichOptions, type EnrichFlags, startEnrichment } from '../enrich-options.js';
import { addFlowTableOptions, type FlowTableFlags, flowTableConfig } from '../flow-table-options.js';
import { wholeNumber } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { createProgressBar } from '../progress-bar.js';
import { ANALYZER_NAMES, analyzerList, createAnalyzers } from './analyzer-set.js';
import type { AnalyzeView } from './flow-writers.js';
import { createJsonView, createNdjsonView } from './flow-writers.js';
import { createTableView, warningText } from './table-view.js';

interface AnalyzeFlags extends FlowTableFlags, EnrichFlags {
  format: 'table' | 'json' | 'ndjson';
  analyzers: string[];
  detect: boolean;
  progress?: boolean;
  top: number;
  maxWarnings: number;
}

const EXAMPLES = `
Examples:
  $ flowlens analyze capture.pcap                 summary, protocols, top conversations
  $ flowlens analyze a.pcapng b.pcap.gz           several files form one run
  $ flowlens analyze capture.pcap --format json > flows.json
  $ tcpdump -i eth0 -w - | flowlens analyze - --format ndjson
  $ flowlens analyze big.pcap --active-timeout 0  one record per flow, no interim records

Formats:
  table   for people: capture summary, protocol breakdown, top conversations, warnings
  json    one document {"flows":[…],"warnings":[…],"summary":{…},"analysis":{…}}, flows
          written as they end; "analysis" holds each analyzer's results under its name
  ndjson  one flow per line as flows end; warnings go to stderr

Exit codes: 0 done (warnings may have been printed), 1 unexpected failure,
2 bad usage, unreadable file, or a file that is not a capture.`;

export function registerAnalyzeCommand(program: Command): void {
  const command = program
    .command('analyze')
    .description('read pcap/pcapng captures (gzip too; - for stdin) and report their flows')
    .argument('<file...>', 'capture files, or - for stdin')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'ndjson'])
        .default('table'),
    )
    .option('--progress', 'show a progress bar on stderr (default: when stderr is a terminal)')
    .option('--no-progress', 'never show a progress bar')
    .option('--top <n>', 'conversations listed in the table', wholeNumber, 10)
    .option(
      '--analyzers <list>',
      `analyzers to run: all, none, or a comma-separated list of ${ANALYZER_NAMES.join(', ')}`,
      analyzerList,
      ANALYZER_NAMES,
    )
    .option('--no-detect', 'skip the detections (scans, brute force, floods, tunnels, …)');
  addEnrichOptions(command, { reverseDns: true }); // enrichment (issue 9)
  addFlowTableOptions(command)
    .option('--max-warnings <n>', 'warnings listed in the output (all are counted)', wholeNumber, 1000)
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: AnalyzeFlags) => {
      await runAnalyze(files, flags);
    });
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<void> {
  const out = createOutputStream();
  const view: AnalyzeView =
    flags.format === 'json'
      ? createJsonView(out)
      : flags.format === 'ndjson'
        ? createNdjsonView(out)
        : createTableView(out, flags.top);
  const showProgress = flags.progress ?? process.stderr.isTTY === true;
  const totalBytes = files.includes('-') ? undefined : files.reduce((sum, f) => sum + fileSize(f), 0);
  const bar = showProgress ? createProgressBar(totalBytes) : undefined;
  const flowTable = flowTableConfig(flags);
  const warningsToStderr = flags.format === 'ndjson';

  const enrichment = await startEnrichment(flags, { summarize: true }); // enrichment (issue 9)
  view.begin();
  try {
    const detection = flags.detect ? createCaptureDetection({}, { lookups: enrichment?.enrichment.lookups }) : undefined;
    const { summary, analysis } = await analyzeCaptures({
      files,
      flowTable,
      analyzers: [...createAnalyzers(flags.analyzers), ...(detection?.analyzers ?? [])],
      maxWarnings: flags.maxWarnings,
      enrichment: enrichment?.enrichment, // enrichment (issue 9)
      onFlow: (record) => {
        detection?.onFlow(record);
        view.flow(record);
      },
      onWarning: (warning: InputWarning) => {
        view.warning(warning);
        if (warningsToStderr)
          process.stderr.write(`flowlens: warning: ${warningText(warning)} [${warning.code}]\n`);
      },
      onProgress: bar ? (p) => bar.update(p.bytesRead, p.packets) : undefined,
      backpressure: () => out.backpressure(),
    });
    bar?.done();
    if (detection) analysis.alerts = detection.finish();
    if (enrichment) analysis.enrichment = await enrichment.finish(); // enrichment (issue 9)
    view.finish(summary, analysis);
  } finally {
    bar?.done();
    await out.end();
    await enrichment?.stop(); // enrichment (issue 9)
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
