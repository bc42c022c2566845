/** Report rendering: a ReportDocument (model/report.ts) as one self-contained HTML file, or JSON. */
export type { ReportParts, RunSummaryLike } from './document.js';
export { createReportDocument, reportSummaryOf } from './document.js';
export { escapeHtml } from './escape.js';
export { REPORT_SECTIONS, type ReportSectionId, renderReportHtml, renderReportJson } from './html.js';
