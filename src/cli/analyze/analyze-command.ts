/**
 * `flowlens analyze FILE...`: reads captures and prints flows, a summary, every analyzer's
 * results and warnings as a table, one JSON document, or NDJSON; `--report` also writes the
 * diagnosis report (HTML or JSON) from the same single pass.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputWarning } from '../../model/index.js';
import {
  analyzeCaptures,
  completeAnalysis,
  createCaptureDetection,
  diagnosisDnsAnalyzer,
  diagnosisReport,
} from '../../pipeline/index.js';
// Enrichment (issue 9): flags and start-up live in ../enrich-options.ts.
import { packageVersion } from '../../shared/index.js';
import { addEnrichOptions, type EnrichFlags, startEnrichment } from '../enrich-options.js';
import { addFlowTableOptions, type FlowTableFlags, flowTableConfig } from '../flow-table-options.js';
import { capHeapGrowthFor } from '../heap-growth.js';
import { wholeNumber } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { createProgressBar } from '../progress-bar.js';
import { ANALYZER_NAMES, analyzerList, createAnalyzers } from './analyzer-set.js';
import type { AnalyzeView } from './flow-writers.js';
import { createJsonView, createNdjsonView } from './flow-writers.js';
import { readHealthConfig, reportTarget, writeReport } from './report-file.js';
import { createTableView, warningText } from './table-view.js';

interface AnalyzeFlags extends FlowTableFlags, EnrichFlags {
  format: 'table' | 'json' | 'ndjson';
  analyzers: string[];
  detect: boolean;
  progress?: boolean;
  top: number;
  maxWarnings: number;
  report?: string;
  healthConfig?: string;
}

const EXAMPLES = `
Examples:
  $ flowlens analyze capture.pcap                 summary, protocols, conversations, diagnosis
  $ flowlens analyze capture.pcap --report out.html
                                                  also write the self-contained HTML report
  $ flowlens analyze capture.pcap --report out.json --format json > analysis.json
  $ flowlens analyze a.pcapng b.pcap.gz           several files form one run
  $ flowlens analyze capture.pcap --analyzers tcp,dns --no-detect
                                                  only these analyzers, no detections
  $ flowlens analyze capture.pcap --health-config lan.json
                                                  your own health score thresholds
  $ tcpdump -i eth0 -w - | flowlens analyze - --format ndjson
  $ flowlens analyze big.pcap --active-timeout 0  one record per flow, no interim records

Formats:
  table   for people: capture summary, protocol breakdown, top conversations, the diagnosis
          (health score and its main reasons, TCP, DNS, ICMP, timing, applications, security
          findings, devices), warnings
  json    one document {"flows":[…],"warnings":[…],"summary":{…},"analysis":{…}}, flows
          written as they end; "analysis" holds each analyzer's results under its name
          (tcp, app, dns, icmp, timing, devices, protocolHierarchy, talkers, throughput),
          plus health and alerts (docs/report.md lists them)
  ndjson  one flow per line as flows end; warnings go to stderr

Report (--report FILE): one HTML file with no network requests (charts, styles and script
inline), readable on a phone and in print; a name ending in .json gets the same report as a
JSON document instead. --health-config takes a JSON object of weights and bands
(docs/health-score.md), e.g. {"weights":{"jitter":0},"oneWayDelayMs":{"good":50,"bad":150}}.

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
    .addOption(
      new Option(
        '--analyzers <list>',
        `analyzers to run: all, none, or a comma-separated list of ${ANALYZER_NAMES.join(', ')}`,
      )
        .argParser(analyzerList)
        .default(ANALYZER_NAMES, 'all'),
    )
    .option('--no-detect', 'skip the detections (scans, brute force, floods, tunnels, …)')
    .option('--report <file>', 'write the diagnosis report: HTML, or JSON when the name ends in .json')
    .option('--health-config <file>', 'health score weights and thresholds (JSON, see docs/health-score.md)');
  addEnrichOptions(command, { reverseDns: true, dataOption: true }); // enrichment (issue 9)
  addFlowTableOptions(command)
    .option('--max-warnings <n>', 'warnings listed in the output (all are counted)', wholeNumber, 1000)
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: AnalyzeFlags) => {
      await runAnalyze(files, flags);
    });
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<void> {
  // Checked before the pass: a typo should not cost a long analysis.
  const report = flags.report === undefined ? undefined : reportTarget(flags.report);
  const healthConfig = flags.healthConfig === undefined ? undefined : readHealthConfig(flags.healthConfig);
  const out = createOutputStream();
  const view: AnalyzeView =
    flags.format === 'json'
      ? createJsonView(out)
      : flags.format === 'ndjson'
        ? createNdjsonView(out)
        : createTableView(out, flags.top);
  const showProgress = flags.progress ?? process.stderr.isTTY === true;
  const totalBytes = files.includes('-') ? undefined : files.reduce((sum, f) => sum + fileSize(f), 0);
  capHeapGrowthFor(totalBytes);
  const bar = showProgress ? createProgressBar(totalBytes) : undefined;
  const flowTable = flowTableConfig(flags);
  const warningsToStderr = flags.format === 'ndjson';

  const enrichment = await startEnrichment(flags, { summarize: true }); // enrichment (issue 9)
  // The report lists the first warning of each code, with the count of all of them.
  const firstWarnings = new Map<string, InputWarning>();

  view.begin();
  try {
    const analyzers = createAnalyzers(flags.analyzers);
    // One DNS analyzer serves the diagnosis, the detections and passive names when 'dns' runs.
    const dns = diagnosisDnsAnalyzer(analyzers);
    if (dns) enrichment?.enrichment.shareDnsAnalyzer(dns);
    const detection = flags.detect
      ? createCaptureDetection({}, { lookups: enrichment?.enrichment.lookups, dns })
      : undefined;
    const result = await analyzeCaptures({
      files,
      flowTable,
      analyzers: [...analyzers, ...(detection?.analyzers ?? [])],
      maxWarnings: flags.maxWarnings,
      enrichment: enrichment?.enrichment, // enrichment (issue 9)
      onFlow: (record) => {
        detection?.onFlow(record);
        view.flow(record);
      },
      onWarning: (warning: InputWarning) => {
        if (report && !firstWarnings.has(warning.code)) firstWarnings.set(warning.code, warning);
        view.warning(warning);
        if (warningsToStderr)
          process.stderr.write(`flowlens: warning: ${warningText(warning)} [${warning.code}]\n`);
      },
      onProgress: bar ? (p) => bar.update(p.bytesRead, p.packets) : undefined,
      backpressure: () => out.backpressure(),
    });
    bar?.done();
    const { summary } = result;
    if (detection) result.analysis.alerts = detection.finish();
    const analysis = completeAnalysis(summary, result.analysis, healthConfig);
    if (enrichment) analysis.enrichment = await enrichment.finish(); // enrichment (issue 9)
    view.finish(summary, analysis);
    if (report) {
      const doc = diagnosisReport(summary, analysis, {
        warnings: [...firstWarnings.values()],
        healthConfig,
        title: files.length === 1 && files[0] === '-' ? 'Flowlens diagnosis: standard input' : undefined,
        generator: `flowlens ${packageVersion()}`,
      });
      writeReport(report, doc);
    }
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
