/**
 * How `flowlens query` prints each answer: `table` for people, `json` (the query layer's result
 * object as is, the same shape the HTTP API will serve) and `csv` (one header row, RFC 4180).
 */
import { protocolName } from '../../pipeline/index.js';
import type {
  FlowRow,
  HostDetail,
  Metric,
  OverviewResult,
  SearchResult,
  SeriesResult,
  TimeRange,
  TopResult,
  Totals,
} from '../../store/query/index.js';
import { formatBytes, formatCount, formatDuration, formatTimestamp, renderTable } from '../format.js';

export type ViewFormat = 'table' | 'json' | 'csv';

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function csv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [header, ...rows].map((r) => `${r.map(cell).join(',')}\r\n`).join('');
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function rangeLine(range: TimeRange): string {
  return `range ${isoSeconds(range.from)} .. ${isoSeconds(range.to)} (${spanText(range.to - range.from)})`;
}

/** A span as its two largest units: `7d 0h`, `1h 0m`, `6m 30s`, `12s`. */
function spanText(seconds: number): string {
  const units = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const;
  const i = units.findIndex(([, size]) => seconds >= size);
  if (i < 0) return `${seconds}s`;
  const [unit, size] = units[i];
  const whole = Math.floor(seconds / size);
  const next = units[i + 1];
  return next === undefined
    ? `${whole}${unit}`
    : `${whole}${unit} ${Math.floor((seconds % size) / next[1])}${next[0]}`;
}

const metricText = (metric: Metric, value: number) =>
  metric === 'bytes' ? formatBytes(value) : formatCount(value);

function percent(change: number | null): string {
  if (change === null) return '-';
  const sign = change > 0 ? '+' : '';
  return `${sign}${(change * 100).toFixed(1)}%`;
}

const OVERVIEW_ROWS: [keyof Totals, string][] = [
  ['flows', 'flows'],
  ['packets', 'packets'],
  ['bytes', 'bytes'],
  ['hosts', 'unique hosts'],
  ['activeFlows', 'active flows (last 60 s)'],
];

export function overviewView(result: OverviewResult, format: ViewFormat): string {
  if (format === 'json') return json(result);
  if (format === 'csv') {
    return csv(
      ['metric', 'current', 'previous', 'delta', 'change'],
      OVERVIEW_ROWS.map(([k]) => [
        k,
        result.current[k],
        result.previous[k],
        result.delta[k],
        result.change[k],
      ]),
    );
  }
  const show = (k: keyof Totals, v: number) => (k === 'bytes' ? formatBytes(v) : formatCount(v));
  const rows = OVERVIEW_ROWS.map(([k, label]) => [
    label,
    show(k, result.current[k]),
    show(k, result.previous[k]),
    percent(result.change[k]),
  ]);
  const totals = `${rangeLine(result.range)}\n\n${renderTable(['', 'now', 'previous period', 'change'], rows, new Set([1, 2, 3]))}\n`;
  if (!result.topHosts) return totals;
  const before = new Map(result.topHosts.previous.map((r, i) => [r.key, i + 1]));
  const hosts = result.topHosts.current.map((r, i) => [
    String(i + 1),
    String(r.key),
    formatBytes(r.bytes),
    formatCount(r.flows),
    before.has(r.key) ? `#${before.get(r.key)}` : '-',
  ]);
  const table =
    hosts.length === 0
      ? 'no flows in the range\n'
      : `${renderTable(['#', 'host', 'bytes', 'flows', 'previous period'], hosts, new Set([0, 2, 3, 4]))}\n`;
  return `${totals}\nBusiest hosts (by bytes)\n${table}`;
}

function keyText(by: string, key: string | number): string {
  if (by === 'protocol' && typeof key === 'number') return protocolName(key);
  return String(key);
}

export function topView(result: TopResult, format: ViewFormat): string {
  if (format === 'json') return json(result);
  if (format === 'csv') {
    return csv(
      [result.by, 'flows', 'packets', 'bytes'],
      result.rows.map((r) => [r.key, r.flows, r.packets, r.bytes]),
    );
  }
  const rows = result.rows.map((r, i) => [
    String(i + 1),
    keyText(result.by, r.key),
    formatCount(r.flows),
    formatCount(r.packets),
    formatBytes(r.bytes),
  ]);
  const table = renderTable(['#', result.by, 'flows', 'packets', 'bytes'], rows, new Set([0, 2, 3, 4]));
  return `${rangeLine(result.range)}, by ${result.metric}\n\n${table}\n`;
}

function lineName(by: string | undefined, line: SeriesResult['series'][number]): string {
  if (line.kind === 'value' && line.key !== null) return keyText(by ?? '', line.key);
  return line.kind;
}

export function seriesView(result: SeriesResult, metric: Metric, format: ViewFormat): string {
  if (format === 'json') return json(result);
  if (format === 'csv') {
    const rows: (string | number | null)[][] = [];
    result.buckets.forEach((t, i) => {
      for (const line of result.series) {
        rows.push([t, lineName(result.splitBy, line), line.flows[i], line.packets[i], line.bytes[i]]);
      }
    });
    return csv(['time', 'series', 'flows', 'packets', 'bytes'], rows);
  }
  const header = ['time', ...result.series.map((l) => lineName(result.splitBy, l))];
  const rows = result.buckets.map((t, i) => [
    isoSeconds(t),
    ...result.series.map((line) => metricText(metric, line[metric][i])),
  ]);
  const right = new Set(header.map((_, i) => i).filter((i) => i > 0));
  return `${rangeLine(result.range)}, ${metric} per ${bucketText(result.bucket)}\n\n${renderTable(header, rows, right)}\n`;
}

function bucketText(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function endpoint(ip: string, port: number, protocol: number): string {
  const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
  if (!hasPorts) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const FLOW_CSV_FIELDS: (keyof FlowRow)[] = [
  'firstTs',
  'lastTs',
  'protocol',
  'srcIp',
  'srcPort',
  'dstIp',
  'dstPort',
  'packets',
  'bytes',
  'state',
  'application',
  'communityId',
];

export function flowsView(result: SearchResult, format: ViewFormat): string {
  if (format === 'json') return json(result);
  if (format === 'csv') {
    return csv(
      FLOW_CSV_FIELDS,
      result.flows.map((f) => FLOW_CSV_FIELDS.map((k) => f[k] as string | number | null)),
    );
  }
  const rows = result.flows.map((f) => [
    formatTimestamp(f.firstTs),
    formatDuration(f.lastTs - f.firstTs),
    protocolName(f.protocol),
    endpoint(f.srcIp, f.srcPort, f.protocol),
    endpoint(f.dstIp, f.dstPort, f.protocol),
    formatCount(f.packets),
    formatBytes(f.bytes),
    f.state,
    f.application ?? '',
  ]);
  return `${renderTable(
    ['first packet', 'duration', 'proto', 'source', 'destination', 'packets', 'bytes', 'state', 'app'],
    rows,
    new Set([1, 5, 6]),
  )}\n`;
}

export function hostView(host: HostDetail, format: ViewFormat): string {
  if (format === 'json') return json(host);
  if (format === 'csv') {
    return csv(
      ['section', 'key', 'flows', 'packets', 'bytes'],
      [
        ['total', host.ip, host.totals.flows, host.totals.packets, host.totals.bytes],
        ...host.peers.map((p) => ['peer', p.ip, p.flows, p.packets, p.bytes]),
        ...host.ports.map((p) => [
          `${p.role} port`,
          `${protocolName(p.protocol)}/${p.port}`,
          p.flows,
          p.packets,
          p.bytes,
        ]),
        ...host.applications.map((a) => ['application', a.application, a.flows, a.packets, a.bytes]),
      ],
    );
  }
  const t = host.totals;
  const facts = renderTable(
    ['host', host.ip],
    [
      [
        'flows',
        `${formatCount(t.flows)} (${formatCount(t.flowsAsClient)} as client, ${formatCount(t.flowsAsServer)} as server)`,
      ],
      ['packets', formatCount(t.packets)],
      [
        'bytes',
        `${formatBytes(t.bytes)} (sent ${formatBytes(t.bytesSent)}, received ${formatBytes(t.bytesReceived)})`,
      ],
      ['first seen', formatTimestamp(t.firstSeen)],
      ['last seen', formatTimestamp(t.lastSeen)],
    ],
  );
  const usage = (u: { flows: number; packets: number; bytes: number }) => [
    formatCount(u.flows),
    formatCount(u.packets),
    formatBytes(u.bytes),
  ];
  const right = new Set([1, 2, 3]);
  const peers = renderTable(
    ['peer', 'flows', 'packets', 'bytes'],
    host.peers.map((p) => [p.ip, ...usage(p)]),
    right,
  );
  const ports = renderTable(
    ['port', 'flows', 'packets', 'bytes', 'role'],
    host.ports.map((p) => [`${protocolName(p.protocol)}/${p.port}`, ...usage(p), p.role]),
    right,
  );
  const apps = renderTable(
    ['application', 'flows', 'packets', 'bytes'],
    host.applications.map((a) => [a.application ?? '(unclassified)', ...usage(a)]),
    right,
  );
  const busiest = host.timeline.buckets
    .map((time, i) => ({ time, bytes: host.timeline.series[0]?.bytes[i] ?? 0 }))
    .filter((b) => b.bytes > 0).length;
  return [
    rangeLine(host.range),
    '',
    facts,
    '',
    peers,
    '',
    ports,
    '',
    apps,
    '',
    `timeline: ${busiest} of ${host.timeline.buckets.length} buckets of ${bucketText(host.timeline.bucket)} carry traffic (--format json for the series)`,
    '',
  ].join('\n');
}
