/**
 * `analyze --report FILE` and `--health-config FILE`: where the diagnosis report goes (HTML, or
 * the JSON document when the name ends in .json), checked before the pass so that a typo does not
 * cost a long analysis; and the health score's thresholds read from a JSON file.
 *
 * Contract: every failure is a FlowlensError with one line naming the file (exit 2 for what the
 * user can fix before the run, 1 for a write that fails after it).
 */
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HealthConfigOverrides } from '../../analyze/index.js';
import { resolveHealthConfig } from '../../analyze/index.js';
import type { ReportDocument } from '../../model/index.js';
import { renderReportHtml, renderReportJson } from '../../report/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';

export type ReportFormat = 'html' | 'json';

export interface ReportTarget {
  file: string;
  format: ReportFormat;
}

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Checks that `file` can be written (its folder exists and is writable; it is not a folder). */
export function reportTarget(file: string): ReportTarget {
  const usage = (why: string) =>
    new FlowlensError(ERR.USAGE, `cannot write the report to ${file}: ${why}`, 2);
  try {
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw usage('it is a folder');
    if (existing !== undefined) accessSync(file, constants.W_OK);
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
  } catch (error) {
    if (error instanceof FlowlensError) throw error;
    throw usage(`it or its folder is missing or not writable (${reason(error)})`);
  }
  return { file, format: file.toLowerCase().endsWith('.json') ? 'json' : 'html' };
}

export function writeReport(target: ReportTarget, doc: ReportDocument): void {
  const text = target.format === 'json' ? renderReportJson(doc) : renderReportHtml(doc);
  try {
    writeFileSync(target.file, text);
  } catch (error) {
    throw new FlowlensError(ERR.FILE_OPEN, `cannot write the report to ${target.file}: ${reason(error)}`);
  }
}

const MAX_CONFIG_BYTES = 64 * 1024;

/** Health score overrides from a JSON file (docs/health-score.md), validated. */
export function readHealthConfig(file: string): HealthConfigOverrides {
  const bad = (why: string) => new FlowlensError(ERR.USAGE, `health config ${file}: ${why}`, 2);
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) throw bad(`larger than ${MAX_CONFIG_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof FlowlensError) throw error;
    throw bad(`cannot read it (${reason(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('expected a JSON object');
  try {
    resolveHealthConfig(value as HealthConfigOverrides);
  } catch (error) {
    throw bad((error as Error).message);
  }
  return value as HealthConfigOverrides;
}
