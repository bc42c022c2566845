/**
 * The analyzers of a diagnosis, by the name `--analyzers` selects them with, in the order they
 * run (and set their fields on flow records). `flowlens analyze` and the server's analysis worker
 * both build their analyzers here, so a report has the same sections wherever it was made.
 * Result keys in `analysis` are the analyzers' own names (ANALYSIS_KEYS; the hierarchy's is
 * `protocolHierarchy`).
 */
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
} from '../analyze/index.js';

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

/** Every analyzer's name, in running order. */
export const DIAGNOSIS_ANALYZER_NAMES: readonly string[] = Object.keys(FACTORIES);

export function isDiagnosisAnalyzer(name: string): boolean {
  return Object.hasOwn(FACTORIES, name);
}

/** New analyzers for the names given (default all), in running order whatever the order of `names`. */
export function createDiagnosisAnalyzers(
  names: readonly string[] = DIAGNOSIS_ANALYZER_NAMES,
): PacketAnalyzer[] {
  return DIAGNOSIS_ANALYZER_NAMES.filter((name) => names.includes(name)).map((name) => FACTORIES[name]());
}
