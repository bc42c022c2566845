/**
 * Building blocks of the report's sections: generic tables, facts, filters, "not available".
 *
 * Contract: every value is escaped here (see escape.ts); callers pass raw strings and numbers.
 */
import type { ReportColumn, ReportFact, ReportSection, ReportTable } from '../model/index.js';
import { groupedInteger } from '../shared/index.js';
import { escapeHtml } from './escape.js';
import { formatCell } from './format.js';

export function notAvailable(what = 'not available'): string {
  return `<p class="na">${escapeHtml(what)}</p>`;
}

const NUMERIC: ReadonlySet<ReportColumn['kind']> = new Set(['number', 'bytes', 'ms', 'percent']);

/** A Wireshark display filter with a copy button (the button is hidden when printing). */
export function filterCell(filter: string): string {
  return (
    `<span class="filter"><code>${escapeHtml(filter)}</code>` +
    `<button type="button" class="copy no-print" data-copy="${escapeHtml(filter)}" title="copy filter">copy</button></span>`
  );
}

export function renderFacts(facts: ReportFact[]): string {
  if (facts.length === 0) return '';
  const items = facts
    .map(
      (f) =>
        `<div class="fact"><span class="k">${escapeHtml(f.label)}</span><span class="v">${escapeHtml(formatCell(f.value, f.kind))}</span></div>`,
    )
    .join('');
  return `<div class="facts">${items}</div>`;
}

export function renderTable(table: ReportTable): string {
  const head = table.columns
    .map((c) => `<th${NUMERIC.has(c.kind) ? ' class="num"' : ''} scope="col">${escapeHtml(c.label)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cells = table.columns.map((c) => {
        const value = row[c.key] ?? null;
        if (c.kind === 'filter' && typeof value === 'string') return `<td>${filterCell(value)}</td>`;
        const cls = NUMERIC.has(c.kind) ? 'num' : 'text';
        return `<td class="${cls}">${escapeHtml(formatCell(value, c.kind))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  const title = table.title ? `<h3>${escapeHtml(table.title)}</h3>` : '';
  const empty = table.rows.length === 0 ? notAvailable('none') : '';
  const omitted =
    table.omittedRows !== undefined && table.omittedRows > 0
      ? `<p class="muted">${escapeHtml(`${groupedInteger(table.omittedRows)} more rows not shown`)}</p>`
      : '';
  const note = table.note ? `<p class="muted">${escapeHtml(table.note)}</p>` : '';
  const grid =
    table.rows.length === 0
      ? ''
      : `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  return `${title}${grid}${empty}${omitted}${note}`;
}

export function renderSection(section: ReportSection | undefined): string {
  if (section === undefined) return notAvailable();
  const notes = (section.notes ?? []).map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join('');
  const body = renderFacts(section.facts) + section.tables.map(renderTable).join('') + notes;
  return body === '' ? notAvailable('nothing to report') : body;
}
