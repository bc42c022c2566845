/**
 * The report's "Countries, networks and threats" section from the flow enrichment's summary
 * (`analysis.enrichment`, EnrichmentSummary): how many flows were located, the top countries and
 * autonomous systems (flows and bytes, either side of a flow), the threat-feed matches, and the
 * attribution lines the data's licences require.
 *
 * Contract: pure; values are copied as they are (report/ escapes them). Tables with no rows are
 * left out.
 */
import type { ReportSection, ReportTable } from '../model/index.js';
import { isoTime } from './diagnosis-report-sections.js';
import type { EnrichmentSummary } from './enrich-flows.js';

/** Threat matches shown; the rest are counted in the table's omitted rows. */
const MAX_MATCHES = 50;

export function geographySection(summary: EnrichmentSummary): ReportSection {
  const { threat } = summary;
  const matches = [...threat.matches].sort((a, b) => b.flows - a.flows || (a.value < b.value ? -1 : 1));
  const tables: ReportTable[] = [
    {
      title: 'Countries (by bytes, either side of a flow)',
      columns: [
        { key: 'country', label: 'Country' },
        { key: 'flows', label: 'Flows', kind: 'number' },
        { key: 'bytes', label: 'Bytes', kind: 'bytes' },
      ],
      rows: summary.topCountries.map((c) => ({ country: c.country, flows: c.flows, bytes: c.bytes })),
    },
    {
      title: 'Networks (autonomous systems, by bytes)',
      columns: [
        { key: 'asn', label: 'AS' },
        { key: 'name', label: 'Name' },
        { key: 'flows', label: 'Flows', kind: 'number' },
        { key: 'bytes', label: 'Bytes', kind: 'bytes' },
      ],
      rows: summary.topAsns.map((a) => ({
        asn: `AS${a.asn}`,
        name: a.asName ?? null,
        flows: a.flows,
        bytes: a.bytes,
      })),
    },
    {
      title: 'Threat matches (most flows first)',
      columns: [
        { key: 'value', label: 'Address or name' },
        { key: 'kind', label: 'Kind' },
        { key: 'tags', label: 'Tags' },
        { key: 'flows', label: 'Flows', kind: 'number' },
        { key: 'bytes', label: 'Bytes', kind: 'bytes' },
        { key: 'firstSeen', label: 'First seen' },
        { key: 'lastSeen', label: 'Last seen' },
      ],
      rows: matches.slice(0, MAX_MATCHES).map((m) => ({
        value: m.value,
        kind: m.kind,
        tags: m.tags.join(', '),
        flows: m.flows,
        bytes: m.bytes,
        firstSeen: isoTime(m.firstTs),
        lastSeen: isoTime(m.lastTs),
      })),
      omittedRows: Math.max(0, matches.length - MAX_MATCHES) + threat.matchesDropped,
    },
  ];
  const notes: string[] = [];
  if (summary.topCountries.length === 0) {
    notes.push(
      'No public address was located: private, reserved and special-purpose addresses have no country.',
    );
  }
  notes.push(...summary.attribution.map((line) => `Data: ${line}`));
  return {
    facts: [
      { label: 'Flows', value: summary.flows, kind: 'number' },
      { label: 'Flows with a country', value: summary.flowsWithCountry, kind: 'number' },
      { label: 'Flows with an AS', value: summary.flowsWithAsn, kind: 'number' },
      { label: 'Flows with threat tags', value: threat.flowsTagged, kind: 'number' },
    ],
    tables: tables.filter((t) => t.rows.length > 0),
    notes,
  };
}
