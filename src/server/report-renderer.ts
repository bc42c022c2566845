/**
 * The plug point for rendered reports, and its implementation. The server stores each finished
 * job's report as JSON (`JobReport`); a `ReportRenderer` passed to `createServer` turns it into
 * HTML for `GET /api/v1/jobs/:id/report.html`. Without one that route answers 501.
 * `createDiagnosisRenderer` renders the same diagnosis report as `flowlens analyze --report`
 * (pipeline's diagnosisReport, then report/'s renderReportHtml).
 */
import type { InputWarning } from '../model/index.js';
import { type CaptureSummary, diagnosisReport } from '../pipeline/index.js';
import { renderReportHtml } from '../report/index.js';
import type { Job } from './jobs/job.js';

/** `GET /api/v1/jobs/:id/report.json`. */
export interface JobReport {
  job: Job;
  /** Flow records the analysis produced. */
  flows: number;
  summary: CaptureSummary;
  /** Each analyzer's results under its name (AnalyzeResult.analysis), with `health` and `alerts`. */
  analysis: Record<string, unknown>;
  /** The first warning of each code (the summary counts all of them); absent in older reports. */
  warnings?: InputWarning[];
}

export interface ReportRenderer {
  /** A complete HTML document for one report. May throw; the client then gets a 500. */
  renderHtml(report: JobReport): string | Promise<string>;
}

export interface DiagnosisRendererOptions {
  /** Shown in the report's footer, e.g. 'flowlens 0.1.0'. */
  generator?: string;
}

export function createDiagnosisRenderer(options: DiagnosisRendererOptions = {}): ReportRenderer {
  return {
    renderHtml(report) {
      const doc = diagnosisReport(report.summary, report.analysis, {
        warnings: report.warnings,
        title: `Flowlens diagnosis: ${report.job.fileName}`,
        // The job's end, not the request's time: the same report renders the same bytes.
        generatedAt: report.job.finishedAt,
        generator: options.generator,
      });
      return renderReportHtml(doc);
    },
  };
}
