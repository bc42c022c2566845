/**
 * The human view of `flowlens analyze`: capture summary, protocol breakdown, top conversations,
 * a short diagnosis from the analyzers, and warnings. Keeps only the top N flows by bytes, so memory stays flat.
 */
import type { FlowRecord, InputWarning } from '../../model/index.js';
import type { CaptureSummary } from '../../pipeline/index.js';
import { protocolName } from '../../pipeline/index.js';
// Enrichment (issue 9): ../enrich-view.ts.
import { enrichmentLines, withCountry } from '../enrich-view.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatRate,
  formatTimestamp,
  indent,
  renderTable,
} from '../format.js';
import type { OutputStream } from '../output-stream.js';
import { diagnosisLines } from './diagnosis-view.js';
import type { AnalyzeView } from './flow-writers.js';

const SHOWN_WARNINGS = 10;

function endpoint(ip: string, port: number, protocol: number): string {
  const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
  if (!hasPorts) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function createTableView(out: OutputStream, topN: number): AnalyzeView {
  const top: FlowRecord[] = [];
  const warnings: InputWarning[] = [];
  return {
    begin() {},
    flow(record) {
      if (top.length < topN) {
        top.push(record);
        top.sort((a, b) => b.bytes - a.bytes);
      } else if (topN > 0 && record.bytes > top[top.length - 1].bytes) {
        top[top.length - 1] = record;
        top.sort((a, b) => b.bytes - a.bytes);
      }
    },
    warning(warning) {
      if (warnings.length < SHOWN_WARNINGS) warnings.push(warning);
    },
    finish(s: CaptureSummary, analysis: Record<string, unknown>) {
      const lines: string[] = [];
      lines.push('Capture');
      const files = s.files.map((f) => `${f.file} (${f.format}${f.compressed ? ', gzip' : ''})`).join(', ');
      const facts: [string, string][] = [
        ['files', files],
        ['packets', formatCount(s.packets)],
        ['bytes', `${formatBytes(s.bytes)} (${formatCount(s.bytes)})`],
        ['first packet', formatTimestamp(s.firstTs)],
        ['last packet', formatTimestamp(s.lastTs)],
        ['duration', formatDuration(s.durationSeconds)],
        ['link types', s.linkTypes.join(', ') || '-'],
        [
          'average rate',
          `${formatRate(s.avgPacketsPerSecond, 'pkt/s')}, ${formatRate(s.avgBitsPerSecond, 'bit/s')}`,
        ],
        ['flows', formatCount(s.flows)],
      ];
      for (const [k, v] of facts) lines.push(`  ${k.padEnd(14)}${v}`);

      lines.push('', 'Protocols');
      const protocolRows: string[][] = [];
      const share = (n: number) => (s.packets > 0 ? `${((100 * n) / s.packets).toFixed(1)}%` : '-');
      for (const [name, c] of Object.entries(s.protocols).sort((a, b) => b[1].packets - a[1].packets)) {
        protocolRows.push([name, formatCount(c.packets), share(c.packets), formatBytes(c.bytes)]);
      }
      for (const [name, n] of Object.entries(s.nonIp))
        protocolRows.push([name, formatCount(n), share(n), '']);
      if (s.undecodable > 0)
        protocolRows.push(['undecodable', formatCount(s.undecodable), share(s.undecodable), '']);
      lines.push(
        indent(renderTable(['protocol', 'packets', 'share', 'bytes'], protocolRows, new Set([1, 2, 3]))),
      );
      if (Object.keys(s.tunnels).length > 0) {
        const t = Object.entries(s.tunnels).map(([k, v]) => `${k} ${formatCount(v)}`);
        lines.push(`  tunnelled packets: ${t.join(', ')}`);
      }
      if (s.fragments > 0) lines.push(`  IP fragments: ${formatCount(s.fragments)}`);

      lines.push('', `Top conversations (by bytes)`);
      if (top.length === 0) lines.push('  none');
      else {
        const rows = top.map((f) => [
          protocolName(f.protocol),
          withCountry(endpoint(f.srcIp, f.srcPort, f.protocol), f.srcCountry),
          withCountry(endpoint(f.dstIp, f.dstPort, f.protocol), f.dstCountry),
          formatCount(f.packets),
          formatBytes(f.bytes),
          formatDuration(f.lastTs - f.firstTs),
          f.state,
        ]);
        lines.push(
          indent(
            renderTable(
              ['proto', 'source', 'destination', 'packets', 'bytes', 'duration', 'state'],
              rows,
              new Set([3, 4, 5]),
            ),
          ),
        );
      }

      lines.push(...diagnosisLines(analysis));
      lines.push(...enrichmentLines(analysis)); // enrichment (issue 9)

      lines.push('', 'Warnings');
      if (s.warnings === 0) lines.push('  none');
      else {
        for (const w of warnings) lines.push(`  ${warningText(w)} [${w.code}]`);
        if (s.warnings > warnings.length) {
          const byCode = Object.entries(s.warningsByCode).map(([code, n]) => `${code} ×${n}`);
          lines.push(
            `  … ${formatCount(s.warnings - warnings.length)} more (${byCode.join(', ')}); --format json lists them`,
          );
        }
      }
      out.write(`${lines.join('\n')}\n`);
    },
  };
}

/** The warning's message, prefixed with its file unless the message names it already. */
export function warningText(w: InputWarning): string {
  return w.file && !w.message.startsWith(w.file) ? `${w.file}: ${w.message}` : w.message;
}
