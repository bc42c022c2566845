/**
 * Traffic explorer: filter (filter language, inline syntax errors), range, group-by, a chart of
 * the selection split by the group (drag to zoom), the grouped totals, and the flow table with
 * sorting, keyset pagination, column choice and CSV export of exactly the rows shown.
 */
import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import type {
  Dimension,
  FlowRow,
  SearchResult,
  SeriesResult,
  SortField,
  TopResult,
} from '../../../src/server/api-types';
import { api, type FilterErrorDetails, withParams, withToken } from '../api';
import { BarList, Empty, ErrorNote, IpLink, Link, NoData, Panel } from '../components/common';
import { DEFAULT_RANGE, FilterBar, RangePicker } from '../components/controls';
import { ThreatTags } from '../components/enrichment';
import { TimeChart } from '../components/time-chart';
import { bytes, count, duration, protocol, time } from '../format';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import { bitRate, seriesLines } from './overview';

const DIMENSIONS: Dimension[] = [
  'host',
  'src_ip',
  'dst_ip',
  'dst_port',
  'src_port',
  'protocol',
  'application',
  'sni',
  'country',
  'asn',
];
/** Dimensions whose values are addresses: they link to the host page. */
const IP_DIMENSIONS = new Set<Dimension>(['host', 'src_ip', 'dst_ip']);
const SORTABLE: Partial<Record<Column, SortField>> = {
  first: 'first_ts',
  last: 'last_ts',
  bytes: 'bytes',
  packets: 'packets',
  duration: 'duration',
};

interface ColumnSpec {
  title: string;
  /** Cell as shown. */
  cell(row: FlowRow): React.ReactNode;
  /** Cell as exported to CSV. */
  text(row: FlowRow): string | number;
}

const COLUMNS = {
  first: { title: 'First', cell: (r) => time(r.firstTs), text: (r) => r.firstTs },
  last: { title: 'Last', cell: (r) => time(r.lastTs), text: (r) => r.lastTs },
  src: { title: 'Source', cell: (r) => <IpLink ip={r.srcIp} />, text: (r) => r.srcIp },
  sport: { title: 'Src port', cell: (r) => r.srcPort, text: (r) => r.srcPort },
  dst: { title: 'Destination', cell: (r) => <IpLink ip={r.dstIp} />, text: (r) => r.dstIp },
  dport: { title: 'Dst port', cell: (r) => r.dstPort, text: (r) => r.dstPort },
  proto: { title: 'Proto', cell: (r) => protocol(r.protocol), text: (r) => protocol(r.protocol) },
  app: { title: 'Application', cell: (r) => r.application ?? '–', text: (r) => r.application ?? '' },
  bytes: { title: 'Bytes', cell: (r) => bytes(r.bytes), text: (r) => r.bytes },
  packets: { title: 'Packets', cell: (r) => count(r.packets), text: (r) => r.packets },
  duration: {
    title: 'Duration',
    cell: (r) => duration(r.lastTs - r.firstTs),
    text: (r) => r.lastTs - r.firstTs,
  },
  state: { title: 'State', cell: (r) => r.state, text: (r) => r.state },
  sni: { title: 'SNI', cell: (r) => r.sni ?? '–', text: (r) => r.sni ?? '' },
  country: {
    title: 'Countries',
    cell: (r) => `${r.srcCountry ?? '–'} → ${r.dstCountry ?? '–'}`,
    text: (r) => `${r.srcCountry ?? ''}>${r.dstCountry ?? ''}`,
  },
  asn: {
    title: 'Networks',
    cell: (r) => (
      <span title={`${r.srcAsName ?? '–'} → ${r.dstAsName ?? '–'}`}>
        {r.srcAsn === null ? '–' : `AS${r.srcAsn}`} → {r.dstAsn === null ? '–' : `AS${r.dstAsn}`}
      </span>
    ),
    text: (r) => `${r.srcAsn ?? ''}>${r.dstAsn ?? ''}`,
  },
  threat: {
    title: 'Threat',
    cell: (r) => <ThreatTags tags={r.threatTags} />,
    text: (r) => r.threatTags.join(' '),
  },
} satisfies Record<string, ColumnSpec>;
type Column = keyof typeof COLUMNS;
const DEFAULT_COLUMNS: Column[] = [
  'first',
  'src',
  'sport',
  'dst',
  'dport',
  'proto',
  'app',
  'bytes',
  'packets',
  'duration',
];

/** Every field of one flow, the way the API returns it, with links to its hosts and Community ID. */
function FlowDetail({ row, range }: { row: FlowRow; range: string }) {
  const entries = Object.entries(row).filter(
    ([, value]) => value !== null && value !== '' && !(Array.isArray(value) && value.length === 0),
  );
  return (
    <div className="flow-fields">
      <div className="actions">
        <Link
          className="button quiet"
          href={withParams('/flows', { range, filter: `community_id "${row.communityId}"` })}
        >
          Flows with this Community ID
        </Link>
        <IpLink ip={row.srcIp} /> → <IpLink ip={row.dstIp} />
      </div>
      <dl>
        {entries.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>
              {key === 'firstTs' || key === 'lastTs'
                ? `${time(Number(value))} (${value})`
                : typeof value === 'object'
                  ? JSON.stringify(value)
                  : String(value)}
            </dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV of the rows and columns on screen, downloaded by the browser. */
function downloadCsv(rows: FlowRow[], columns: Column[]): void {
  const lines = [columns.map((c) => csvCell(COLUMNS[c].title)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(COLUMNS[c].text(row))).join(','));
  const blob = new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'flowlens-flows.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function ExplorerPage() {
  const { query } = useLocation();
  const range = query.get('range') ?? DEFAULT_RANGE;
  const filter = query.get('filter') ?? '';
  const by = (query.get('by') as Dimension | null) ?? 'host';
  const sort = (query.get('sort') as SortField | null) ?? 'first_ts';
  const direction = query.get('dir') === 'asc' ? 'asc' : 'desc';
  const after = query.get('after') ?? undefined;
  const page = Number(query.get('page') ?? '1') || 1;
  const limit = Math.min(Math.max(Number(query.get('limit') ?? '50') || 50, 10), 500);
  const chosen = useMemo(
    () => (query.get('cols') ?? '').split(',').filter((c): c is Column => c in COLUMNS),
    [query],
  );
  const selection = { range, filter: filter || undefined };

  const flows = useApi(
    (signal) => api.get<SearchResult>('/flows', { ...selection, sort, direction, limit, after }, signal),
    [range, filter, sort, direction, limit, after],
  );
  const grouped = useApi(
    (signal) => api.get<TopResult>('/top', { ...selection, by, limit: 10 }, signal),
    [range, filter, by],
  );
  const chart = useApi(
    (signal) => api.get<SeriesResult>('/series', { ...selection, splitBy: by, topK: 5 }, signal),
    [range, filter, by],
  );
  const lines = useMemo(
    () => (chart.data ? seriesLines(chart.data, (k) => (by === 'protocol' ? protocol(k) : String(k))) : []),
    [chart.data, by],
  );
  const zoom = useCallback(
    (from: number, to: number) => setQuery({ range: `${from}..${to}`, after: undefined, page: undefined }),
    [],
  );

  const filterError =
    flows.error?.code === 'FLOWLENS_ERR_BAD_FILTER'
      ? { message: flows.error.message, details: flows.error.details as FilterErrorDetails }
      : undefined;
  const rows = flows.data?.flows ?? [];
  // Without a choice, the threat column joins the defaults when a flow shown carries a tag.
  const tagged = rows.some((r) => r.threatTags.length > 0);
  const defaults = useMemo<Column[]>(
    () => (tagged ? [...DEFAULT_COLUMNS, 'threat'] : DEFAULT_COLUMNS),
    [tagged],
  );
  const columns = chosen.length > 0 ? chosen : defaults;
  const [open, setOpen] = useState<number>();
  // A new page or query closes the open flow.
  // biome-ignore lint/correctness/useExhaustiveDependencies: flows.data is the trigger.
  useEffect(() => setOpen(undefined), [flows.data]);

  const sortBy = (column: Column) => {
    const field = SORTABLE[column];
    if (!field) return;
    const dir = field === sort && direction === 'desc' ? 'asc' : 'desc';
    setQuery({
      sort: field === 'first_ts' ? undefined : field,
      dir: dir === 'desc' ? undefined : dir,
      after: undefined,
      page: undefined,
    });
  };
  const toggleColumn = (column: Column) => {
    const next = columns.includes(column) ? columns.filter((c) => c !== column) : [...columns, column];
    const ordered = (Object.keys(COLUMNS) as Column[]).filter((c) => next.includes(c));
    setQuery(
      {
        cols:
          ordered.join(',') === defaults.join(',') || ordered.length === 0 ? undefined : ordered.join(','),
      },
      { replace: true },
    );
  };
  const groupFilter = (key: string | number) => {
    const field: Record<Dimension, string> = {
      host: 'host',
      src_ip: 'src host',
      dst_ip: 'dst host',
      src_port: 'src port',
      dst_port: 'dst port',
      protocol: 'proto',
      application: 'app',
      sni: 'sni',
      country: 'country',
      asn: 'asn',
    };
    const value = typeof key === 'number' ? String(key) : `"${key.replace(/["\\]/g, '\\$&')}"`;
    const condition = `${field[by]} ${by === 'protocol' ? key : value}`;
    return filter ? `(${filter}) and ${condition}` : condition;
  };

  return (
    <div className="page" data-testid="page-explorer">
      <div className="toolbar">
        <h1>Traffic explorer</h1>
        <RangePicker range={range} />
        <label>
          Group by{' '}
          <select
            data-testid="group-by"
            value={by}
            onChange={(e) => setQuery({ by: e.target.value === 'host' ? undefined : e.target.value })}
          >
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FilterBar value={filter} error={filterError} />
      {flows.error && !filterError && <ErrorNote error={flows.error} />}
      <div className="grid">
        <Panel className="wide" title={`Bandwidth by ${by}`}>
          {chart.data && chart.data.buckets.length > 0 ? (
            <TimeChart
              times={chart.data.buckets}
              series={lines}
              format={bitRate}
              onZoom={zoom}
              height={200}
            />
          ) : (
            !chart.loading && (
              <Empty>{filterError ? 'Fix the filter to see traffic.' : 'No traffic matches.'}</Empty>
            )
          )}
        </Panel>
        <Panel className="wide" title={`Top ${by}`} testId="grouped">
          <BarList
            rows={(grouped.data?.rows ?? []).map((r) => ({
              key: String(r.key),
              label: IP_DIMENSIONS.has(by) ? (
                <>
                  <IpLink ip={String(r.key)} />{' '}
                  <Link
                    className="quiet-link"
                    href={withParams('/flows', { range, filter: groupFilter(r.key) })}
                  >
                    (filter)
                  </Link>
                </>
              ) : (
                <Link href={withParams('/flows', { range, filter: groupFilter(r.key) })}>
                  {by === 'protocol' ? protocol(r.key) : by === 'asn' ? `AS${r.key}` : String(r.key)}
                  {r.name && <span className="muted"> {r.name}</span>}
                </Link>
              ),
              value: r.bytes,
              text: `${bytes(r.bytes)} · ${count(r.flows)} flows`,
            }))}
            empty={`No ${by} values in the matching flows.`}
          />
        </Panel>
      </div>
      <Panel
        title={`Flows${page > 1 ? ` — page ${page}` : ''}`}
        testId="flows"
        actions={
          <div className="actions">
            <details className="columns">
              <summary>Columns</summary>
              {(Object.keys(COLUMNS) as Column[]).map((c) => (
                <label key={c}>
                  <input type="checkbox" checked={columns.includes(c)} onChange={() => toggleColumn(c)} />{' '}
                  {COLUMNS[c].title}
                </label>
              ))}
            </details>
            <button
              type="button"
              disabled={rows.length === 0}
              onClick={() => downloadCsv(rows, columns)}
              data-testid="csv"
            >
              CSV of shown rows
            </button>
            <a
              className="button quiet"
              href={withToken(withParams('/api/v1/export', { ...selection, format: 'csv' }))}
            >
              Export all matching
            </a>
          </div>
        }
      >
        {rows.length === 0 && !flows.loading && !flows.error ? (
          range === 'all' && !filter ? (
            <NoData />
          ) : (
            <Empty>No flows match {filter ? <code>{filter}</code> : 'this range'}.</Empty>
          )
        ) : (
          <div className="table-wrap">
            <table className="flows" data-testid="flow-table">
              <thead>
                <tr>
                  {columns.map((c) => {
                    const field = SORTABLE[c];
                    const active = field === sort;
                    return (
                      <th
                        key={c}
                        className={field ? 'sortable' : ''}
                        aria-sort={active ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}
                        onClick={() => sortBy(c)}
                      >
                        {COLUMNS[c].title}
                        {active ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody className={flows.loading ? 'stale' : ''}>
                {rows.map((row, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a page's rows are replaced as a whole; flows have no unique id.
                  <Fragment key={i}>
                    <tr
                      className={`flow-row ${open === i ? 'selected' : ''}`}
                      title="Click for every field of this flow"
                      onClick={(e) => {
                        if ((e.target as HTMLElement).closest('a')) return;
                        setOpen(open === i ? undefined : i);
                      }}
                    >
                      {columns.map((c) => (
                        <td key={c}>{COLUMNS[c].cell(row)}</td>
                      ))}
                    </tr>
                    {open === i && (
                      <tr className="flow-detail">
                        <td colSpan={columns.length}>
                          <FlowDetail row={row} range={range} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="pager">
          <button type="button" disabled={page <= 1} onClick={() => window.history.back()}>
            ← Previous
          </button>
          <button
            type="button"
            disabled={!after}
            onClick={() => setQuery({ after: undefined, page: undefined })}
          >
            First page
          </button>
          <select
            value={limit}
            onChange={(e) =>
              setQuery({
                limit: e.target.value === '50' ? undefined : e.target.value,
                after: undefined,
                page: undefined,
              })
            }
          >
            {[25, 50, 100, 250, 500].map((n) => (
              <option key={n} value={n}>
                {n} per page
              </option>
            ))}
          </select>
          <button
            type="button"
            data-testid="next-page"
            disabled={!flows.data?.next}
            onClick={() => setQuery({ after: flows.data?.next, page: page + 1 })}
          >
            Next →
          </button>
        </div>
      </Panel>
    </div>
  );
}
