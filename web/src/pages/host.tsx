/** Host page `/hosts/:ip`: totals, timeline, peers, ports, applications, alerts and enrichment. */
import { useMemo } from 'react';
import type { AlertList, HostDetail, LookupAnswer, SeriesResult } from '../../../src/server/api-types';
import { api, withParams } from '../api';
import { BarList, Empty, ErrorNote, IpLink, Link, Loading, Panel } from '../components/common';
import { DEFAULT_RANGE, RangePicker } from '../components/controls';
import { enrichmentSummary, HostEnrichment } from '../components/enrichment';
import { TimeChart } from '../components/time-chart';
import { bytes, count, protocol, time } from '../format';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import { SeverityBadge } from './alerts';
import { bitRate, seriesLines } from './overview';

export function HostPage({ ip }: { ip: string }) {
  const { query } = useLocation();
  const range = query.get('range') ?? DEFAULT_RANGE;
  const host = useApi(
    (signal) => api.get<HostDetail>(`/hosts/${encodeURIComponent(ip)}`, { range, limit: 10 }, signal),
    [ip, range],
  );
  const known = useApi(
    (signal) => api.get<LookupAnswer>(`/lookup/${encodeURIComponent(ip)}`, undefined, signal),
    [ip],
  );
  const alerts = useApi((signal) => api.get<AlertList>('/alerts', { limit: 1000 }, signal), []);
  // With "all time" the store's span can be years while the host was seen for minutes: its
  // timeline then covers only its own first..last seen, in buckets that fit that span.
  const span = host.data?.totals;
  const ownSpan = range === 'all' && span?.firstSeen != null && span.lastSeen != null;
  const ownTimeline = useApi(
    async (signal) =>
      ownSpan && span
        ? api.get<SeriesResult>(
            '/series',
            {
              range: `${Math.floor(span.firstSeen!)}..${Math.ceil(span.lastSeen!) + 1}`,
              filter: `host ${ip}`,
            },
            signal,
          )
        : undefined,
    [ownSpan, span?.firstSeen, span?.lastSeen, ip],
  );
  const timeline = ownTimeline.data ?? host.data?.timeline;
  const lines = useMemo(() => (timeline ? seriesLines(timeline, String) : []), [timeline]);
  const own = (alerts.data?.alerts ?? []).filter(
    (a) => a.srcIp === ip || a.dstIp === ip || a.targets?.includes(ip),
  );
  const result = known.data?.results[0];
  const h = host.data;

  return (
    <div className="page" data-testid="page-host">
      <div className="toolbar">
        <h1>
          Host <span className="mono">{ip}</span>
        </h1>
        <RangePicker range={range} />
        <Link className="button quiet" href={withParams('/flows', { range, filter: `host ${ip}` })}>
          Flows of this host
        </Link>
      </div>
      <ErrorNote error={host.error} />
      {!h && host.loading && <Loading />}
      {h && (
        <>
          <div className="kpis">
            <div className="kpi">
              <div className="kpi-label">Sent / received</div>
              <div className="kpi-value">
                {bytes(h.totals.bytesSent)} / {bytes(h.totals.bytesReceived)}
              </div>
            </div>
            <div className="kpi">
              <div className="kpi-label">Flows (client / server)</div>
              <div className="kpi-value">
                {count(h.totals.flowsAsClient)} / {count(h.totals.flowsAsServer)}
              </div>
            </div>
            <div className="kpi">
              <div className="kpi-label">First / last seen</div>
              <div className="kpi-value small">
                {time(h.totals.firstSeen)}
                <br />
                {time(h.totals.lastSeen)}
              </div>
            </div>
            <div className="kpi">
              <div className="kpi-label">Enrichment</div>
              <div className="kpi-value small" data-testid="enrichment">
                {enrichmentSummary(result?.kind === 'ip' ? result : undefined) ?? '–'}
              </div>
            </div>
          </div>
          <div className="grid">
            <HostEnrichment answer={known.data} error={known.error} loading={known.loading} range={range} />
          </div>
          {h.totals.flows === 0 ? (
            <Empty>
              No flows of {ip} in this range.{' '}
              <Link href={`/hosts/${encodeURIComponent(ip)}?range=all`}>Show all time</Link>.
            </Empty>
          ) : (
            <div className="grid">
              <Panel className="wide" title="Timeline">
                <TimeChart
                  times={timeline?.buckets ?? h.timeline.buckets}
                  series={lines}
                  format={bitRate}
                  height={180}
                  onZoom={(from, to) => setQuery({ range: `${from}..${to}` })}
                />
              </Panel>
              <Panel title="Peers">
                <BarList
                  rows={h.peers.map((p) => ({
                    key: p.ip,
                    label: <IpLink ip={p.ip} />,
                    value: p.bytes,
                    text: bytes(p.bytes),
                  }))}
                />
              </Panel>
              <Panel title="Ports">
                <BarList
                  rows={h.ports.map((p) => ({
                    key: `${p.role}${p.protocol}/${p.port}`,
                    label: `${protocol(p.protocol)}/${p.port} (${p.role === 'client' ? 'to' : 'on'})`,
                    value: p.bytes,
                    text: bytes(p.bytes),
                  }))}
                />
              </Panel>
              <Panel title="Applications">
                <BarList
                  rows={h.applications.map((a) => ({
                    key: a.application ?? '(none)',
                    label: a.application ?? 'unidentified',
                    value: a.bytes,
                    text: bytes(a.bytes),
                  }))}
                />
              </Panel>
            </div>
          )}
        </>
      )}
      <Panel title="Alerts of this host" testId="host-alerts">
        {own.length === 0 ? (
          <Empty>No alerts name {ip}.</Empty>
        ) : (
          <ul className="alert-list">
            {own.map((a) => (
              <li key={a.id}>
                <SeverityBadge severity={a.severity} />{' '}
                <Link href={`/alerts?id=${encodeURIComponent(a.id)}`}>{a.summary}</Link>{' '}
                <span className="muted">({a.state})</span>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
