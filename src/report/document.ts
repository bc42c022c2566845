/**
 * Assembling a ReportDocument: the fixed fields (format version, generator, time) and a
 * ReportSummary from the run summary's shape, so the caller only passes the sections it has.
 *
 * Contract: pure apart from reading the clock when `generatedAt` is not given.
 */
import type { ReportDocument, ReportSummary } from '../model/index.js';

/** The parts of `analyze`'s run summary a report shows (CaptureSummary has all of them). */
export interface RunSummaryLike extends Omit<ReportSummary, 'files'> {
  files: { file: string }[];
}

export function reportSummaryOf(summary: RunSummaryLike): ReportSummary {
  return {
    files: summary.files.map((f) => f.file),
    packets: summary.packets,
    bytes: summary.bytes,
    firstTs: summary.firstTs,
    lastTs: summary.lastTs,
    durationSeconds: summary.durationSeconds,
    avgPacketsPerSecond: summary.avgPacketsPerSecond,
    avgBitsPerSecond: summary.avgBitsPerSecond,
    linkTypes: summary.linkTypes,
    flows: summary.flows,
    ipv4Packets: summary.ipv4Packets,
    ipv6Packets: summary.ipv6Packets,
  };
}

export type ReportParts = Partial<Omit<ReportDocument, 'formatVersion' | 'summary'>> & {
  summary: ReportSummary;
};

export function createReportDocument(parts: ReportParts): ReportDocument {
  const files = parts.summary.files;
  return {
    ...parts,
    formatVersion: 1,
    title: parts.title ?? `Flowlens diagnosis: ${files.length === 1 ? files[0] : `${files.length} files`}`,
    generatedAt: parts.generatedAt ?? new Date().toISOString(),
    generator: parts.generator ?? 'flowlens',
    summary: parts.summary,
    warnings: parts.warnings ?? [],
  };
}
