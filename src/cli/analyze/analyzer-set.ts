/**
 * The analyzers `flowlens analyze` can run, by name, and the `--analyzers` option that picks
 * them. Every analyzer runs in the engine's single pass; `none` gives the bare engine. Each
 * publishes its results under a key of `analysis` (ANALYSIS_KEYS; the hierarchy's is
 * `protocolHierarchy`), documented in docs/report.md.
 */
import { InvalidArgumentError } from 'commander';
import {
  createAppAnalyzer,
  createDeviceAnalyzer,
  createDnsAnalyzer,
  createHierarchyAnalyzer,
  createIcmpAnalyzer,
  createTalkersAnalyzer,
  createTcpAnalyzer,
  createThroughputAnalyzer,
  createTimingAnalyzer,
  type PacketAnalyzer,
} from '../../analyze/index.js';

/** In the order they run (and set their fields on flow records). */
const FACTORIES: Record<string, () => PacketAnalyzer> = {
  app: () => createAppAnalyzer(),
  tcp: () => createTcpAnalyzer(),
  dns: () => createDnsAnalyzer(),
  icmp: () => createIcmpAnalyzer(),
  timing: () => createTimingAnalyzer(),
  devices: () => createDeviceAnalyzer(),
  hierarchy: () => createHierarchyAnalyzer(),
  talkers: () => createTalkersAnalyzer(),
  throughput: () => createThroughputAnalyzer(),
};

export const ANALYZER_NAMES = Object.keys(FACTORIES);

/**
 * The analyzers `ingest` and `capture` run: those whose results the store and the live view use
 * (application metadata, TCP diagnostics, devices). The capture-level summaries (hierarchy,
 * talkers, throughput, timing) are for `analyze` and its report.
 */
export const FLOW_ANALYZER_NAMES = ['app', 'tcp', 'devices'];

/** Parses `all`, `none` or a comma-separated list of analyzer names. */
export function analyzerList(value: string): string[] {
  const text = value.trim();
  if (text === 'all') return [...ANALYZER_NAMES];
  if (text === 'none' || text === '') return [];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(name in FACTORIES));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown analyzer ${unknown.join(', ')}: expected all, none or ${ANALYZER_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

/** The named analyzers, in ANALYZER_NAMES order whatever the order of `names`. */
export function createAnalyzers(names: readonly string[]): PacketAnalyzer[] {
  return ANALYZER_NAMES.filter((name) => names.includes(name)).map((name) => FACTORIES[name]());
}
