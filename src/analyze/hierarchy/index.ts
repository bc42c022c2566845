/** Protocol hierarchy (like `tshark -q -z io,phs`): the analyzer and its completion from the run summary. */
export type { HierarchyAnalyzerOptions } from './hierarchy-analyzer.js';
export { createHierarchyAnalyzer, UNRESOLVED_LINK } from './hierarchy-analyzer.js';
export type { RunTotals } from './resolve-link.js';
export { resolveLinkLayer } from './resolve-link.js';
