/**
 * The analyzers `flowlens analyze` can run, by name, and the `--analyzers` option that picks
 * them. Every analyzer runs in the engine's single pass; `none` gives the bare engine. The set
 * itself is pipeline's (createDiagnosisAnalyzers), shared with the server's analysis worker;
 * docs/report.md lists the names and the result keys.
 */
import { InvalidArgumentError } from 'commander';
import type { PacketAnalyzer } from '../../analyze/index.js';
import {
  createDiagnosisAnalyzers,
  DIAGNOSIS_ANALYZER_NAMES,
  isDiagnosisAnalyzer,
} from '../../pipeline/index.js';

export const ANALYZER_NAMES: string[] = [...DIAGNOSIS_ANALYZER_NAMES];

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
  const unknown = names.filter((name) => !isDiagnosisAnalyzer(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown analyzer ${unknown.join(', ')}: expected all, none or ${ANALYZER_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

/** The named analyzers, in running order whatever the order of `names`. */
export function createAnalyzers(names: readonly string[]): PacketAnalyzer[] {
  return createDiagnosisAnalyzers(names);
}
