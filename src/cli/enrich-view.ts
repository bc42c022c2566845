/**
 * Enrichment in the human views (`analyze`'s table): an endpoint with its country, and the
 * "Countries and networks" and "Threat matches" sections with the data's attribution, read from
 * `analysis.enrichment` (EnrichmentSummary).
 */
import type { EnrichmentSummary } from '../pipeline/index.js';
import { formatBytes, formatCount, indent, renderTable } from './format.js';

/** `8.8.8.8:53` → `8.8.8.8:53 US` when the country is known. */
export function withCountry(endpoint: string, country: string | undefined): string {
  return country ? `${endpoint} ${country}` : endpoint;
}

export function enrichmentLines(analysis: Record<string, unknown>): string[] {
  const summary = analysis.enrichment as EnrichmentSummary | undefined;
  if (!summary) return [];
  const lines: string[] = ['', 'Countries and networks (by bytes, either side of a flow)'];
  if (summary.topCountries.length === 0 && summary.topAsns.length === 0) {
    lines.push('  no public addresses');
  } else {
    const rows = summary.topCountries.map((c) => [c.country, formatCount(c.flows), formatBytes(c.bytes)]);
    if (rows.length > 0)
      lines.push(indent(renderTable(['country', 'flows', 'bytes'], rows, new Set([1, 2]))));
    const asRows = summary.topAsns.map((a) => [
      `AS${a.asn}`,
      a.asName ?? '-',
      formatCount(a.flows),
      formatBytes(a.bytes),
    ]);
    if (asRows.length > 0) {
      lines.push(indent(renderTable(['asn', 'name', 'flows', 'bytes'], asRows, new Set([2, 3]))));
    }
  }
  if (summary.threat.matches.length > 0 || summary.threat.flowsTagged > 0) {
    lines.push('', `Threat matches (${formatCount(summary.threat.flowsTagged)} flows tagged)`);
    const rows = summary.threat.matches
      .slice(0, 20)
      .map((m) => [m.value, m.kind, m.tags.join(', '), formatCount(m.flows), formatBytes(m.bytes)]);
    lines.push(indent(renderTable(['value', 'kind', 'tags', 'flows', 'bytes'], rows, new Set([3, 4]))));
  }
  if (summary.attribution.length > 0) lines.push(...summary.attribution.map((a) => `  Data: ${a}`));
  return lines;
}
