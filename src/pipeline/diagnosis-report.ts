/**
 * From a run's results to the diagnosis: `completeAnalysis` adds what needs the whole run (the
 * protocol hierarchy's link layer, the health score) to the analyzers' results, and
 * `diagnosisReport` maps the run summary, those results, the alerts and the warnings onto the
 * ReportDocument that report/ renders. The CLI (`analyze --report`) and the server
 * (`report.html`) share both, so a report reads the same wherever it was made.
 *
 * Contract: pure apart from the clock when `generatedAt` is not given. `analysis` holds each
 * analyzer's `finish()` result under its published name (ANALYSIS_KEYS) and the detection alerts
 * under `alerts`; a missing result leaves its section out ("not available"). Both functions
 * accept results that were already completed, or came back from JSON.
 */
import {
  type AppInventory,
  computeHealthScore,
  type DeviceInventory,
  type HealthConfigOverrides,
  resolveLinkLayer,
} from '../analyze/index.js';
import type {
  Alert,
  DnsSummary,
  HealthScore,
  IcmpSummary,
  InputWarning,
  ProtocolHierarchy,
  ReportDocument,
  ReportWarning,
  TcpAnalysisSummary,
  TimingSummary,
} from '../model/index.js';
import { createReportDocument, reportSummaryOf } from '../report/index.js';
import { describeError } from '../shared/index.js';
import type { CaptureSummary } from './capture-summary.js';
import { geographySection } from './diagnosis-report-geography.js';
import { healthInputsOf } from './diagnosis-report-health.js';
import {
  devicesSection,
  dnsSection,
  icmpSection,
  inventorySection,
  timingSection,
} from './diagnosis-report-sections.js';
import { tcpIssuesSection } from './diagnosis-report-tcp.js';
import type { EnrichmentSummary } from './enrich-flows.js';

/**
 * Where each result sits in `analysis` (and in `analyze --format json`): the analyzers' names,
 * plus `health` (added by completeAnalysis) and `alerts` (the detections). docs/report.md.
 */
export const ANALYSIS_KEYS = {
  tcp: 'tcp',
  app: 'app',
  devices: 'devices',
  dns: 'dns',
  icmp: 'icmp',
  timing: 'timing',
  hierarchy: 'protocolHierarchy',
  talkers: 'talkers',
  throughput: 'throughput',
  health: 'health',
  alerts: 'alerts',
  /** The flow enrichment's summary (EnrichmentSummary), set by analyze unless --no-enrich. */
  enrichment: 'enrichment',
} as const;

type Analysis = Record<string, unknown>;

/** `analysis[key]` when it is an object (a result), else undefined. */
function result<T>(analysis: Analysis, key: string): T | undefined {
  const value = analysis[key];
  return typeof value === 'object' && value !== null ? (value as T) : undefined;
}

/**
 * The analysis with its protocol hierarchy completed from the run summary (`resolveLinkLayer`)
 * and the health score added under `health`. Returns a new object; the input is not changed.
 */
export function completeAnalysis(
  summary: CaptureSummary,
  analysis: Analysis,
  healthConfig?: HealthConfigOverrides,
): Analysis {
  const completed: Analysis = { ...analysis };
  const hierarchy = result<ProtocolHierarchy>(analysis, ANALYSIS_KEYS.hierarchy);
  if (hierarchy !== undefined) completed[ANALYSIS_KEYS.hierarchy] = resolveLinkLayer(hierarchy, summary);
  completed[ANALYSIS_KEYS.health] = computeHealthScore(
    healthInputsOf({
      packets: summary.packets,
      undecodable: summary.undecodable,
      warnings: summary.warnings,
      tcp: result<TcpAnalysisSummary>(analysis, ANALYSIS_KEYS.tcp),
      dns: result<DnsSummary>(analysis, ANALYSIS_KEYS.dns),
      icmp: result<IcmpSummary>(analysis, ANALYSIS_KEYS.icmp),
      timing: result<TimingSummary>(analysis, ANALYSIS_KEYS.timing),
    }),
    healthConfig,
  );
  return completed;
}

/** One line per warning code: the first listed message of that code, and how many there were. */
export function reportWarnings(
  summary: CaptureSummary,
  listed: readonly InputWarning[] = [],
): ReportWarning[] {
  return Object.entries(summary.warningsByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => {
      const first = listed.find((w) => w.code === code);
      const message =
        first === undefined
          ? describeError(code)
          : first.file && !first.message.startsWith(first.file)
            ? `${first.file}: ${first.message}`
            : first.message;
      return { code, message, count };
    });
}

export interface DiagnosisReportOptions {
  /** The warnings the run listed (the first ones; the summary counts all of them). */
  warnings?: readonly InputWarning[];
  healthConfig?: HealthConfigOverrides;
  title?: string;
  /** ISO 8601; default now. */
  generatedAt?: string;
  /** e.g. 'flowlens 0.1.0'. */
  generator?: string;
}

export function diagnosisReport(
  summary: CaptureSummary,
  analysis: Analysis,
  options: DiagnosisReportOptions = {},
): ReportDocument {
  const done = result<HealthScore>(analysis, ANALYSIS_KEYS.health)
    ? analysis
    : completeAnalysis(summary, analysis, options.healthConfig);
  const tcp = result<TcpAnalysisSummary>(done, ANALYSIS_KEYS.tcp);
  const dns = result<DnsSummary>(done, ANALYSIS_KEYS.dns);
  const icmp = result<IcmpSummary>(done, ANALYSIS_KEYS.icmp);
  const timing = result<TimingSummary>(done, ANALYSIS_KEYS.timing);
  const app = result<AppInventory>(done, ANALYSIS_KEYS.app);
  const devices = result<DeviceInventory>(done, ANALYSIS_KEYS.devices);
  const enrichment = result<EnrichmentSummary>(done, ANALYSIS_KEYS.enrichment);
  const alerts = done[ANALYSIS_KEYS.alerts];
  return createReportDocument({
    title: options.title,
    generatedAt: options.generatedAt,
    generator: options.generator,
    summary: reportSummaryOf(summary),
    health: result(done, ANALYSIS_KEYS.health),
    throughput: result(done, ANALYSIS_KEYS.throughput),
    protocolHierarchy: result(done, ANALYSIS_KEYS.hierarchy),
    talkers: result(done, ANALYSIS_KEYS.talkers),
    tcp: tcp && tcpIssuesSection(tcp),
    dns: dns && dnsSection(dns),
    icmp: icmp && icmpSection(icmp),
    timing: timing && timingSection(timing),
    inventory: app && inventorySection(app),
    devices: devices && devicesSection(devices),
    geography: enrichment && geographySection(enrichment),
    security: Array.isArray(alerts) ? (alerts as Alert[]) : undefined,
    warnings: reportWarnings(summary, options.warnings),
  });
}
