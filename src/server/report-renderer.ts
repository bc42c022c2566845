/**
 * The plug point for rendered reports. The server stores each finished job's report as JSON
 * (`JobReport`); a `ReportRenderer` passed to `createServer` turns it into HTML for
 * `GET /api/v1/jobs/:id/report.html`. Without one that route answers 501.
 */
import type { CaptureSummary } from '../pipeline/index.js';
import type { Job } from './jobs/job.js';

/** `GET /api/v1/jobs/:id/report.json`. */
export interface JobReport {
  job: Job;
  /** Flow records the analysis produced. */
  flows: number;
  summary: CaptureSummary;
  /** Each analyzer's results under its name (AnalyzeResult.analysis). */
  analysis: Record<string, unknown>;
}

export interface ReportRenderer {
  /** A complete HTML document for one report. May throw; the client then gets a 500. */
  renderHtml(report: JobReport): string | Promise<string>;
}
