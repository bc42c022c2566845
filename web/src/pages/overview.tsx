/**
 * Overview: KPI tiles with change against the previous period, bandwidth by protocol or
 * application (drag to zoom), top talkers/ports/applications, the protocol mix, what changed
 * since the previous period, recent alerts, and the live feed.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type {
  AlertList,
  LiveMessage,
  LiveStats,
  OverviewResult,
  SearchResult,
  SeriesResult,
  StoredAlert,
  TopResult,
  TopRow,
} from '../../../src/server/api-types';
import { api, withParams } from '../api';
import { BarList, Empty, ErrorNote, IpLink, Link, Loading, NoData, Panel } from '../components/common';
import { RangePicker } from '../components/controls';
import { TimeChart, type TimeSeries } from '../components/time-chart';
import { bytes, count, percent, protocol } from '../format';
import { useLive } from '../live';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import { SeverityBadge } from './alerts';
import {
  ALERTS_REQUEST,
  bandwidthRequest,
  loadWorldMap,
  SPLITS,
  summaryRequest,
  topRequests,
  viewOf,
} from './overview-requests';

/** The map and its outlines are a chunk of their own, fetched with the overview's data. */
const WorldMap = lazy(loadWorldMap);

/** Performance mark set once every overview panel has rendered its data. */
export const OVERVIEW_COMPLETE = 'flowlens:overview-complete';

export function seriesLines(
  result: SeriesResult,
  label: (key: string | number | null) => string,
): TimeSeries[] {
  return result.series.map((line) => ({
    label: line.kind === 'total' ? 'total' : line.kind === 'other' ? 'other' : label(line.key),
    // bytes per bucket → bits per second
    values: line.bytes.map((b) => (b * 8) / result.bucket),
  }));
}

export const bitRate = (value: number) => `${count(value)}b/s`;

function Kpi(props: {
  label: string;
  value: string;
  /** The raw current value: a change from 0 to 0 shows nothing. */
  current: number;
  change: number | null | undefined;
  testId: string;
}) {
  const c = props.change;
  const direction = c === null || c === undefined ? 'flat' : c > 0 ? 'up' : c < 0 ? 'down' : 'flat';
  return (
    <div className="kpi" data-testid={props.testId}>
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value}</div>
      <div className={`kpi-change ${direction}`} title="change against the previous period of equal length">
        {c === undefined || (c === null && props.current === 0) ? '' : `${percent(c)} vs previous`}
      </div>
    </div>
  );
}

function alertsIn(alerts: StoredAlert[], from: number, to: number): number {
  return alerts.filter((a) => (a.lastSeen ?? a.ts) >= from && (a.firstSeen ?? a.ts) < to).length;
}

function rowsOf(rows: TopRow[] | undefined, label: (row: TopRow) => React.ReactNode) {
  return (rows ?? []).map((row) => ({
    key: String(row.key),
    label: label(row),
    value: row.bytes,
    text: bytes(row.bytes),
  }));
}

/** Hosts whose traffic rose or fell most against the previous period, new ones first. */
function changes(current: TopRow[], previous: TopRow[]) {
  const before = new Map(previous.map((r) => [String(r.key), r.bytes]));
  const now = new Map(current.map((r) => [String(r.key), r.bytes]));
  const keys = new Set([...before.keys(), ...now.keys()]);
  return [...keys]
    .map((key) => ({ key, before: before.get(key) ?? 0, now: now.get(key) ?? 0 }))
    .map((c) => ({ ...c, delta: c.now - c.before }))
    .filter((c) => c.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
    .slice(0, 6);
}

export function OverviewPage() {
  const { query } = useLocation();
  const { range, split } = viewOf(query);

  const summary = useApi((signal) => api.get<OverviewResult>(...summaryRequest(range), signal), [range]);
  const bandwidth = useApi(
    (signal) => api.get<SeriesResult>(...bandwidthRequest(range, split), signal),
    [range, split],
  );
  const tops = useApi(
    async (signal) => {
      const [ports, apps, protocols, countries, asns] = await Promise.all(
        topRequests(range).map((request) => api.get<TopResult>(...request, signal)),
      );
      return { ports, apps, protocols, countries, asns };
    },
    [range],
  );
  const alerts = useApi((signal) => api.get<AlertList>(...ALERTS_REQUEST, signal), []);

  const [live, setLive] = useState<{ t: number; rps: number; jobs: number }[]>([]);
  const onStats = useCallback((message: LiveMessage) => {
    const data = message.data as LiveStats;
    setLive((points) =>
      [
        ...points,
        {
          t: message.ts / 1000,
          rps: data.server?.requestsPerSecond ?? 0,
          jobs: data.server?.jobsRunning ?? 0,
        },
      ].slice(-120),
    );
  }, []);
  useLive('stats', onStats);
  const onAlert = useCallback(() => alerts.reload(), [alerts.reload]);
  useLive('alerts', onAlert);
  useLive('gap', onAlert);

  const lines = useMemo(
    () =>
      bandwidth.data
        ? seriesLines(bandwidth.data, (k) => (split === 'protocol' ? protocol(k) : String(k)))
        : [],
    [bandwidth.data, split],
  );
  const liveTimes = useMemo(() => live.map((p) => p.t), [live]);
  const liveLines = useMemo(
    () => [
      { label: 'API requests/s', values: live.map((p) => p.rps) },
      { label: 'jobs running', values: live.map((p) => p.jobs) },
    ],
    [live],
  );
  const zoom = useCallback((from: number, to: number) => setQuery({ range: `${from}..${to}` }), []);

  // The map is a lazy chunk: complete only once it has rendered too (when the page shows it).
  const [mapRendered, setMapRendered] = useState(false);
  const onMapRendered = useCallback(() => setMapRendered(true), []);
  const o = summary.data;
  const empty = o !== undefined && o.current.flows === 0;
  const complete =
    [summary, bandwidth, tops, alerts].every((loaded) => !loaded.loading) &&
    (mapRendered || empty || tops.data === undefined);
  useEffect(() => {
    // bench/web-bench.mjs reads this mark: the first time every overview panel has its data.
    if (complete && performance.getEntriesByName(OVERVIEW_COMPLETE).length === 0) {
      requestAnimationFrame(() => performance.mark(OVERVIEW_COMPLETE));
    }
  }, [complete]);

  const alertList = alerts.data?.alerts ?? [];
  const alertsNow = o ? alertsIn(alertList, o.range.from, o.range.to) : 0;
  const alertsBefore = o ? alertsIn(alertList, o.previousRange.from, o.previousRange.to) : 0;
  const anyFlow = useApi(
    async (signal) =>
      empty
        ? (await api.get<SearchResult>('/flows', { range: 'all', limit: 1 }, signal)).flows.length > 0
        : true,
    [empty],
  );

  return (
    <div className="page" data-testid="page-overview">
      <div className="toolbar">
        <h1>Overview</h1>
        <RangePicker range={range} />
      </div>
      <ErrorNote error={summary.error} />
      {!o && summary.loading && <Loading />}
      {o && (
        <div className="kpis">
          <Kpi
            testId="kpi-traffic"
            label="Traffic"
            current={o.current.bytes}
            value={bytes(o.current.bytes)}
            change={o.change.bytes}
          />
          <Kpi
            testId="kpi-flows"
            label="Flows"
            current={o.current.flows}
            value={count(o.current.flows)}
            change={o.change.flows}
          />
          <Kpi
            testId="kpi-hosts"
            label="Hosts"
            current={o.current.hosts}
            value={count(o.current.hosts)}
            change={o.change.hosts}
          />
          <Kpi
            testId="kpi-alerts"
            label="Alerts"
            current={alertsNow}
            value={count(alertsNow)}
            change={
              alertsBefore === 0 ? (alertsNow === 0 ? 0 : null) : (alertsNow - alertsBefore) / alertsBefore
            }
          />
        </div>
      )}
      {empty &&
        !anyFlow.loading &&
        (anyFlow.data === false ? (
          <NoData />
        ) : (
          <Empty>
            No flows in this range. <Link href="/?range=all">Show all time</Link>.
          </Empty>
        ))}
      {!empty && (
        <div className="grid">
          <Panel
            className="wide"
            title="Bandwidth"
            testId="bandwidth"
            actions={
              <div className="segmented">
                {Object.keys(SPLITS).map((s) => (
                  <button
                    key={s}
                    type="button"
                    aria-pressed={split === s}
                    onClick={() => setQuery({ split: s === 'protocol' ? undefined : s }, { replace: true })}
                  >
                    by {s}
                  </button>
                ))}
              </div>
            }
          >
            <ErrorNote error={bandwidth.error} />
            {bandwidth.data && bandwidth.data.buckets.length > 0 ? (
              <TimeChart times={bandwidth.data.buckets} series={lines} format={bitRate} onZoom={zoom} />
            ) : (
              !bandwidth.loading && <Empty>No traffic in this range.</Empty>
            )}
            <p className="hint">Drag across the chart to zoom into that span.</p>
          </Panel>
          <Panel title="Top talkers" testId="top-talkers">
            <BarList rows={rowsOf(o?.topHosts?.current, (r) => <IpLink ip={String(r.key)} />).slice(0, 8)} />
          </Panel>
          <Panel title="Top ports">
            <BarList
              rows={rowsOf(tops.data?.ports.rows, (r) => (
                <Link
                  href={`/flows?range=${encodeURIComponent(range)}&filter=${encodeURIComponent(`dst port ${r.key}`)}`}
                >
                  {r.key}
                </Link>
              ))}
            />
          </Panel>
          <Panel title="Top applications">
            <BarList
              rows={rowsOf(tops.data?.apps.rows, (r) => (
                <Link
                  href={`/flows?range=${encodeURIComponent(range)}&filter=${encodeURIComponent(`app "${r.key}"`)}`}
                >
                  {r.key}
                </Link>
              ))}
              empty="No application was identified in this range."
            />
          </Panel>
          <Panel title="Top countries" testId="top-countries">
            <BarList
              rows={rowsOf(tops.data?.countries.rows, (r) => (
                <Link href={withParams('/flows', { range, filter: `country ${r.key}` })}>{r.key}</Link>
              )).slice(0, 8)}
              empty="No located address in this range (private addresses have no country)."
            />
          </Panel>
          <Panel title="Top networks" testId="top-asns">
            <BarList
              rows={rowsOf(tops.data?.asns.rows, (r) => (
                <Link
                  href={withParams('/flows', { range, filter: `asn ${r.key}` })}
                  title={r.name ? `AS${r.key} ${r.name}` : `AS${r.key}`}
                >
                  AS{r.key}
                  {r.name && <span className="muted"> {r.name}</span>}
                </Link>
              ))}
              empty="No address with a known AS in this range."
            />
          </Panel>
          <Panel title="Protocol mix">
            <ProtocolMix rows={tops.data?.protocols.rows ?? []} />
          </Panel>
          <Panel title="What changed" testId="what-changed">
            {o?.topHosts ? (
              <WhatChanged current={o.topHosts.current} previous={o.topHosts.previous} />
            ) : (
              <Loading />
            )}
          </Panel>
          <Panel
            title="Recent alerts"
            testId="recent-alerts"
            actions={<Link href="/alerts">All alerts</Link>}
          >
            {alertList.length === 0 ? (
              <Empty>No alerts. Detections run when captures are ingested.</Empty>
            ) : (
              <ul className="alert-list">
                {alertList.slice(0, 6).map((a) => (
                  <li key={a.id}>
                    <SeverityBadge severity={a.severity} />{' '}
                    <Link href={`/alerts?id=${encodeURIComponent(a.id)}`}>{a.summary}</Link>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
          <Panel className="wide" title="Traffic by country" testId="map-panel">
            {tops.data ? (
              <Suspense fallback={<Loading />}>
                <WorldMap rows={tops.data.countries.rows} range={range} onRendered={onMapRendered} />
              </Suspense>
            ) : (
              <Loading />
            )}
          </Panel>
          <Panel className="wide" title="Live" testId="live">
            {live.length < 2 ? (
              <Empty>Waiting for the live feed…</Empty>
            ) : (
              <TimeChart times={liveTimes} series={liveLines} format={count} height={140} />
            )}
          </Panel>
        </div>
      )}
    </div>
  );
}

function ProtocolMix({ rows }: { rows: TopRow[] }) {
  const total = rows.reduce((n, r) => n + r.bytes, 0);
  if (total === 0) return <Empty>No traffic in this range.</Empty>;
  return (
    <div>
      <div className="mix" role="img" aria-label="protocol mix by bytes">
        {rows.map((r, i) => (
          <span
            key={String(r.key)}
            style={{ width: `${(r.bytes / total) * 100}%`, background: `var(--c${i % 6})` }}
            title={`${protocol(r.key)} ${((r.bytes / total) * 100).toFixed(1)}%`}
          />
        ))}
      </div>
      <ul className="legend">
        {rows.map((r, i) => (
          <li key={String(r.key)}>
            <i style={{ background: `var(--c${i % 6})` }} /> {protocol(r.key)}{' '}
            {((r.bytes / total) * 100).toFixed(1)}%
          </li>
        ))}
      </ul>
    </div>
  );
}

function WhatChanged({ current, previous }: { current: TopRow[]; previous: TopRow[] }) {
  const list = changes(current, previous);
  if (list.length === 0) return <Empty>No change among the top hosts against the previous period.</Empty>;
  return (
    <ul className="changes">
      {list.map((c) => (
        <li key={c.key}>
          <IpLink ip={c.key} />{' '}
          <span className={c.delta > 0 ? 'up' : 'down'}>
            {c.before === 0 ? 'new, ' : c.now === 0 ? 'gone, ' : ''}
            {c.delta > 0 ? '+' : ''}
            {bytes(c.delta)}
          </span>
        </li>
      ))}
    </ul>
  );
}
