/**
 * Export: every flow of a range matching a filter, oldest first, written to a stream as CSV
 * (RFC 4180, header row, threat tags joined with `;`, empty cells for NULL), one JSON array, or
 * NDJSON. Rows are read from the store in batches and written as they come, waiting for `drain`
 * when the destination is full, so memory stays flat whatever the size of the export.
 *
 * Contract: the caller owns `out` and ends it; this function only writes. Rejects if the store
 * or the stream fails; what was written until then stays written.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FlowStore } from '../store.js';
import { usage } from './errors.js';
import { FLOW_ROW_COLUMNS, FLOW_ROW_FIELDS, type FlowRow, toFlowRow } from './flow-row.js';
import type { TimeRange } from './range.js';
import { type FilterInput, selection } from './selection.js';
import { sql } from './sql.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  range: TimeRange;
  filter?: FilterInput;
  format: ExportFormat;
  signal?: AbortSignal;
}

export interface ExportResult {
  flows: number;
}

export async function exportFlows(
  store: FlowStore,
  options: ExportOptions,
  out: Writable,
): Promise<ExportResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw usage(`unknown export format "${options.format}" (one of ${EXPORT_FORMATS.join(', ')})`);
  }
  const where = selection(options.range, options.filter);
  const statement = sql`SELECT ${FLOW_ROW_COLUMNS} FROM flows WHERE ${where} ORDER BY first_ts, rowid`;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain', { signal: options.signal });
  };

  let flows = 0;
  if (options.format === 'csv') await write(`${FLOW_ROW_FIELDS.map(([field]) => field).join(',')}\r\n`);
  if (options.format === 'json') await write('[');
  for await (const batch of store.stream(statement.text, statement.params, { signal: options.signal })) {
    let chunk = '';
    for (const row of batch) {
      const flow = toFlowRow(row);
      if (options.format === 'csv') chunk += csvLine(flow);
      else if (options.format === 'ndjson') chunk += `${JSON.stringify(flow)}\n`;
      else chunk += `${flows === 0 ? '\n' : ',\n'}${JSON.stringify(flow)}`;
      flows++;
    }
    await write(chunk);
  }
  if (options.format === 'json') await write(flows === 0 ? ']\n' : '\n]\n');
  return { flows };
}

function csvLine(flow: FlowRow): string {
  const cells = FLOW_ROW_FIELDS.map(([field]) => {
    const value = flow[field];
    if (value === null) return '';
    const text = Array.isArray(value) ? value.join(';') : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  });
  return `${cells.join(',')}\r\n`;
}
