/**
 * The body of each report section that has its own shape (summary, health, throughput, protocol
 * hierarchy, talkers, TCP issues, security findings, warnings). Generic sections (DNS, ICMP,
 * timing, inventory) use `renderSection` from tables.ts.
 *
 * Contract: each function takes the section's possibly-absent value and returns HTML; an absent
 * value renders "not available". Every string is escaped.
 */
import type {
  Alert,
  HealthScore,
  ProtocolHierarchy,
  ProtocolHierarchyNode,
  ReportSummary,
  ReportWarning,
  TcpIssuesSection,
  ThroughputSeries,
  TopTalkers,
} from '../model/index.js';
import { healthGauge, throughputChart } from './charts.js';
import { escapeHtml } from './escape.js';
import {
  formatBitRate,
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  formatTimestamp,
} from './format.js';
import { filterCell, notAvailable, renderFacts, renderTable } from './tables.js';

export function summaryBody(s: ReportSummary): string {
  const facts = renderFacts([
    { label: 'Packets', value: s.packets, kind: 'number' },
    { label: 'Data', value: s.bytes, kind: 'bytes' },
    { label: 'Duration', value: formatDuration(s.durationSeconds) },
    { label: 'Average rate', value: formatBitRate(s.avgBitsPerSecond) },
    { label: 'Average packets/s', value: Math.round(s.avgPacketsPerSecond * 10) / 10, kind: 'number' },
    { label: 'Flows', value: s.flows, kind: 'number' },
    { label: 'First packet', value: formatTimestamp(s.firstTs) },
    { label: 'Last packet', value: formatTimestamp(s.lastTs) },
    { label: 'Link types', value: s.linkTypes.join(', ') || '—' },
    ...(s.ipv4Packets === undefined
      ? []
      : [{ label: 'IPv4 packets', value: s.ipv4Packets, kind: 'number' as const }]),
    ...(s.ipv6Packets === undefined
      ? []
      : [{ label: 'IPv6 packets', value: s.ipv6Packets, kind: 'number' as const }]),
  ]);
  const files = s.files.map((f) => `<li><code>${escapeHtml(f)}</code></li>`).join('');
  return `${facts}${files ? `<h3>Files</h3><ul>${files}</ul>` : ''}`;
}

export function healthBody(health: HealthScore | undefined): string {
  if (health === undefined) return notAvailable();
  const rows = health.components
    .map((c) => {
      const deduction = !c.measured ? '—' : c.deducted > 0 ? `−${formatNumber(c.deducted)}` : '0';
      return (
        `<tr><td>${escapeHtml(c.label)}</td><td class="num">${formatNumber(c.weight)}</td>` +
        `<td class="num deduct">${escapeHtml(deduction)}</td>` +
        `<td class="text">${c.measured ? '' : '<span class="na">not measured</span>'}` +
        `${c.metrics.map((m) => `<div>${escapeHtml(m.text)}</div>`).join('')}` +
        `<div class="muted">${escapeHtml(c.reference)}</div></td></tr>`
      );
    })
    .join('');
  const head =
    `<div class="health">${healthGauge(health)}<div><p class="grade-${health.grade}"><strong>` +
    `${escapeHtml(health.grade)}</strong></p><p class="muted">${health.measuredComponents} of ` +
    `${health.components.length} components measured; components not measured are not deducted.</p></div></div>`;
  return (
    `${head}<div class="table-wrap"><table><thead><tr><th>Component</th><th class="num">Weight</th>` +
    `<th class="num">Deducted</th><th>Why (value, threshold)</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

export function throughputBody(series: ThroughputSeries | undefined): string {
  if (series === undefined || series.bytes.length === 0) return notAvailable();
  const total = series.bytes.reduce((a, b) => a + b, 0);
  const peak = Math.max(...series.bytes);
  return (
    renderFacts([
      { label: 'Bucket', value: formatDuration(series.bucketSeconds) },
      { label: 'Buckets', value: series.bytes.length, kind: 'number' },
      { label: 'Peak', value: formatBitRate((peak * 8) / series.bucketSeconds) },
      { label: 'Data', value: total, kind: 'bytes' },
      { label: 'Start', value: formatTimestamp(series.startTs) },
    ]) +
    throughputChart(series) +
    `<p class="muted">Area: bits per second; line: packets per second (its own scale).</p>`
  );
}

function hierarchyRows(node: ProtocolHierarchyNode, depth: number, total: ProtocolHierarchy): string {
  const share = total.bytes > 0 ? node.bytes / total.bytes : 0;
  const row =
    `<tr><td><span class="indent" style="width:${depth * 1.1}rem"></span>${escapeHtml(node.protocol)}</td>` +
    `<td class="num">${formatNumber(node.frames)}</td><td class="num">${formatPercent(total.frames > 0 ? node.frames / total.frames : 0)}</td>` +
    `<td class="num">${escapeHtml(formatBytes(node.bytes))}</td>` +
    `<td><span class="bar" style="width:${(share * 8).toFixed(2)}rem"></span> ${formatPercent(share)}</td></tr>`;
  return row + node.children.map((c) => hierarchyRows(c, depth + 1, total)).join('');
}

export function hierarchyBody(h: ProtocolHierarchy | undefined): string {
  if (h === undefined || h.roots.length === 0) return notAvailable();
  return (
    `<div class="table-wrap"><table><thead><tr><th>Protocol</th><th class="num">Frames</th><th class="num">% frames</th>` +
    `<th class="num">Bytes</th><th>% bytes</th></tr></thead><tbody>${h.roots.map((r) => hierarchyRows(r, 0, h)).join('')}</tbody></table></div>`
  );
}

export function talkersBody(t: TopTalkers | undefined): string {
  if (t === undefined) return notAvailable();
  const hosts = renderTable({
    title: 'Hosts',
    columns: [
      { key: 'address', label: 'Address' },
      { key: 'bytes', label: 'Bytes', kind: 'bytes' },
      { key: 'packets', label: 'Packets', kind: 'number' },
      { key: 'txBytes', label: 'Sent', kind: 'bytes' },
      { key: 'rxBytes', label: 'Received', kind: 'bytes' },
      { key: 'flows', label: 'Flows', kind: 'number' },
    ],
    rows: t.hosts.map((h) => ({ ...h })),
    omittedRows: Math.max(0, t.hostsSeen - t.hosts.length),
  });
  const conversations = renderTable({
    title: 'Conversations',
    columns: [
      { key: 'addressA', label: 'Address A' },
      { key: 'addressB', label: 'Address B' },
      { key: 'bytes', label: 'Bytes', kind: 'bytes' },
      { key: 'packets', label: 'Packets', kind: 'number' },
      { key: 'bytesAToB', label: 'A → B', kind: 'bytes' },
      { key: 'bytesBToA', label: 'B → A', kind: 'bytes' },
      { key: 'flows', label: 'Flows', kind: 'number' },
      { key: 'duration', label: 'Duration' },
    ],
    rows: t.conversations.map((c) => ({ ...c, duration: formatDuration(c.lastTs - c.firstTs) })),
    omittedRows: Math.max(0, t.conversationsSeen - t.conversations.length),
  });
  const bound = t.exact
    ? ''
    : `<p class="muted">${escapeHtml(
        `Counts are lower bounds: ${formatNumber(t.prunedHostEntries)} host and ${formatNumber(t.prunedConversationEntries)} conversation entries were pruned to bound memory.`,
      )}</p>`;
  return hosts + conversations + bound;
}

export function tcpBody(tcp: TcpIssuesSection | undefined): string {
  if (tcp === undefined) return notAvailable();
  const groups = tcp.groups
    .map((g) => {
      const rows = g.flows
        .map(
          (f) =>
            `<tr><td class="text">${escapeHtml(`${f.srcIp}:${f.srcPort} → ${f.dstIp}:${f.dstPort}`)}</td>` +
            `<td class="num">${formatNumber(f.count)}</td><td class="text">${escapeHtml(f.detail ?? '')}</td>` +
            `<td>${filterCell(f.filter)}</td></tr>`,
        )
        .join('');
      const more =
        g.omittedFlows !== undefined && g.omittedFlows > 0
          ? `<p class="muted">${escapeHtml(`${formatNumber(g.omittedFlows)} more flows not shown`)}</p>`
          : '';
      const table =
        g.flows.length === 0
          ? ''
          : `<div class="table-wrap"><table><thead><tr><th>Flow</th><th class="num">Count</th><th>Detail</th>` +
            `<th>Wireshark filter</th></tr></thead><tbody>${rows}</tbody></table></div>`;
      return (
        `<h3 data-issue="${escapeHtml(g.type)}">${escapeHtml(g.label)} <span class="muted">(${formatNumber(g.count)})</span></h3>` +
        `${g.description ? `<p class="muted">${escapeHtml(g.description)}</p>` : ''}${table}${more}`
      );
    })
    .join('');
  const body =
    renderFacts(tcp.facts) +
    (tcp.groups.length === 0 ? notAvailable('no TCP issues found') : groups) +
    (tcp.tables ?? []).map(renderTable).join('');
  return body;
}

export function securityBody(alerts: Alert[] | undefined): string {
  if (alerts === undefined) return notAvailable('not available (detection did not run)');
  if (alerts.length === 0) return notAvailable('no findings');
  const rows = alerts
    .map(
      (a) =>
        `<tr><td class="sev-${escapeHtml(a.severity)}">${escapeHtml(a.severity)}</td><td>${escapeHtml(a.type)}</td>` +
        `<td class="text">${escapeHtml(a.explanation)}</td><td class="text">${escapeHtml(a.source ?? '—')}</td>` +
        `<td class="text">${escapeHtml(a.targets.slice(0, 5).join(', '))}</td><td>${escapeHtml(a.mitre.join(', '))}</td>` +
        `<td class="num">${formatNumber(a.count)}</td><td>${escapeHtml(formatTimestamp(a.firstSeen))}</td></tr>`,
    )
    .join('');
  return (
    `<div class="table-wrap"><table><thead><tr><th>Severity</th><th>Type</th><th>Explanation</th><th>Source</th>` +
    `<th>Targets</th><th>MITRE</th><th class="num">Count</th><th>First seen</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

export function warningsBody(warnings: ReportWarning[]): string {
  if (warnings.length === 0) return notAvailable('no warnings');
  return renderTable({
    columns: [
      { key: 'code', label: 'Code' },
      { key: 'count', label: 'Count', kind: 'number' },
      { key: 'message', label: 'Message' },
    ],
    rows: warnings.map((w) => ({ code: w.code, count: w.count ?? null, message: w.message })),
  });
}
