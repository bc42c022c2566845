/**
 * Live: the capture running in this server (`flowlens serve --capture IFACE`). Bandwidth and
 * packets per second with the last two minutes of the `stats` topic, active flows and new
 * flows/s, the busiest active flows (`GET /api/v1/live/flows` each second), and new alerts as
 * the `alerts` topic delivers them.
 *
 * Whether a capture runs is read from the `stats` topic (its `capture` field), so the page asks
 * for active flows only while one runs. The rate history and the alerts received are kept while
 * the app is open, so leaving the page and coming back keeps them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  LiveCaptureStats,
  LiveCollectorStats,
  LiveFlow,
  LiveFlowsSnapshot,
  LiveMessage,
  LiveStats,
  StoredAlert,
} from '../../../src/server/api-types';
import { ApiFailure, api } from '../api';
import { Empty, ErrorNote, IpLink, Link, Panel } from '../components/common';
import { TimeChart } from '../components/time-chart';
import { bytes, count, duration, protocol, time } from '../format';
import { useLive, useLiveStatus } from '../live';
import { setQuery, useLocation } from '../router';
import { SeverityBadge } from './alerts';
import './live.css';

const WINDOW_SECONDS = 120;
const FLOW_LIMITS = [10, 25, 50, 100] as const;
const DEFAULT_LIMIT = 25;
const KEPT_ALERTS = 50;

interface RatePoint {
  t: number;
  bytesPerSecond: number | null;
  packetsPerSecond: number | null;
}

/** What the feed said last; undefined until the first `stats` message. */
interface FeedState {
  capture?: LiveCaptureStats;
  collector?: LiveCollectorStats;
}

let keptRates: RatePoint[] = [];
let keptAlerts: StoredAlert[] = [];
let keptFeed: FeedState | undefined;

const perSecond = (value: number) => `${bytes(value)}/s`;
const countPerSecond = (value: number) => `${count(value)}/s`;

function trimmed(points: RatePoint[], now: number): RatePoint[] {
  return points.filter((p) => p.t > now - WINDOW_SECONDS);
}

export function LivePage() {
  const { query } = useLocation();
  const limitText = Number(query.get('limit'));
  const limit = (FLOW_LIMITS as readonly number[]).includes(limitText) ? limitText : DEFAULT_LIMIT;
  const feedStatus = useLiveStatus();
  const [feed, setFeed] = useState<FeedState | undefined>(keptFeed);
  const [rates, setRates] = useState<RatePoint[]>(() => trimmed(keptRates, Date.now() / 1000));
  const [alerts, setAlerts] = useState<StoredAlert[]>(keptAlerts);

  const onStats = useCallback((message: LiveMessage) => {
    const data = message.data as LiveStats;
    const next: FeedState = { capture: data.capture, collector: data.collector };
    keptFeed = next;
    setFeed(next);
    const t = message.ts / 1000;
    keptRates = trimmed(
      [
        ...keptRates,
        {
          t,
          bytesPerSecond: data.capture?.bytesPerSecond ?? null,
          packetsPerSecond: data.capture?.packetsPerSecond ?? null,
        },
      ],
      t,
    );
    setRates(keptRates);
  }, []);
  useLive('stats', onStats);

  const onAlert = useCallback((message: LiveMessage) => {
    const data = message.data as { event?: string; alert?: StoredAlert };
    if (data.event !== 'new' || !data.alert) return;
    keptAlerts = [data.alert, ...keptAlerts.filter((a) => a.id !== data.alert?.id)].slice(0, KEPT_ALERTS);
    setAlerts(keptAlerts);
  }, []);
  useLive('alerts', onAlert);

  const capture = feed?.capture;
  return (
    <div className="page" data-testid="page-live">
      <div className="toolbar">
        <h1>Live</h1>
        {capture && (
          <span className="muted" data-testid="live-interface">
            capturing on <code>{capture.interface}</code>
          </span>
        )}
        {feed !== undefined && feedStatus !== 'open' && (
          <span className="bad">live feed {feedStatus}: these figures stop until it is back</span>
        )}
      </div>
      {feed === undefined ? (
        <Panel title="Live capture">
          <Empty>
            {feedStatus === 'open'
              ? 'Waiting for the first statistics of the live feed…'
              : `Connecting to the live feed (${feedStatus})…`}
          </Empty>
        </Panel>
      ) : capture ? (
        <CaptureView capture={capture} rates={rates} limit={limit} />
      ) : (
        <NoCapture collector={feed.collector} />
      )}
      <Panel title="New alerts" testId="live-alerts">
        {alerts.length === 0 ? (
          <Empty>
            No new alert since the dashboard was opened. Detections run on the live capture and the collector
            as flows end; earlier alerts are on the <Link href="/alerts">Alerts</Link> page.
          </Empty>
        ) : (
          <ul className="alert-list">
            {alerts.map((a) => (
              <li key={a.id} data-testid="live-alert">
                <SeverityBadge severity={a.severity} />{' '}
                <span className="muted">{time(a.lastSeen ?? a.ts)}</span>{' '}
                <Link href={`/alerts?id=${encodeURIComponent(a.id)}`}>{a.summary}</Link>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function Kpi(props: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="kpi" data-testid={props.testId}>
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value}</div>
      <div className="kpi-change">{props.note}</div>
    </div>
  );
}

function CaptureView(props: { capture: LiveCaptureStats; rates: RatePoint[]; limit: number }) {
  const { capture, rates, limit } = props;
  const times = useMemo(() => rates.map((p) => p.t), [rates]);
  const byteSeries = useMemo(
    () => [{ label: 'bytes/s', values: rates.map((p) => p.bytesPerSecond) }],
    [rates],
  );
  const packetSeries = useMemo(
    () => [{ label: 'packets/s', values: rates.map((p) => p.packetsPerSecond) }],
    [rates],
  );
  return (
    <>
      <div className="kpis">
        <Kpi
          label="Bandwidth"
          testId="live-bandwidth"
          value={perSecond(capture.bytesPerSecond)}
          note={`${bytes(capture.bytes)} since start`}
        />
        <Kpi
          label="Packets"
          testId="live-packets"
          value={countPerSecond(capture.packetsPerSecond)}
          note={`${count(capture.packets)} since start`}
        />
        <Kpi
          label="Active flows"
          testId="live-active-flows"
          value={count(capture.activeFlows)}
          note={`${count(capture.flowsEnded)} ended since start`}
        />
        <Kpi
          label="New flows"
          testId="live-new-flows"
          value={countPerSecond(capture.newFlowsPerSecond)}
          note={capture.writeFailures > 0 ? `${capture.writeFailures} store writes failed` : undefined}
        />
      </div>
      <div className="grid pair">
        <Panel title="Bytes per second, last 2 minutes" testId="live-bytes-chart">
          {times.length < 2 ? (
            <Empty>Collecting the first seconds…</Empty>
          ) : (
            <TimeChart times={times} series={byteSeries} format={perSecond} height={140} />
          )}
        </Panel>
        <Panel title="Packets per second, last 2 minutes" testId="live-packets-chart">
          {times.length < 2 ? (
            <Empty>Collecting the first seconds…</Empty>
          ) : (
            <TimeChart times={times} series={packetSeries} format={countPerSecond} height={140} />
          )}
        </Panel>
      </div>
      <ActiveFlows limit={limit} />
    </>
  );
}

/** Polls the busiest active flows each second (one request at a time) while mounted. */
function useActiveFlows(limit: number): { snapshot?: LiveFlowsSnapshot; error?: ApiFailure } {
  const [state, setState] = useState<{ snapshot?: LiveFlowsSnapshot; error?: ApiFailure }>({});
  const inFlight = useRef(false);
  useEffect(() => {
    const controller = new AbortController();
    const load = async () => {
      if (inFlight.current) return;
      inFlight.current = true;
      try {
        const snapshot = await api.get<LiveFlowsSnapshot>('/live/flows', { limit }, controller.signal);
        if (!controller.signal.aborted) setState({ snapshot });
      } catch (error) {
        if (!controller.signal.aborted && error instanceof ApiFailure) setState({ error });
      } finally {
        inFlight.current = false;
      }
    };
    void load();
    const timer = setInterval(load, 1000);
    return () => {
      clearInterval(timer);
      controller.abort();
      inFlight.current = false;
    };
  }, [limit]);
  return state;
}

function ActiveFlows({ limit }: { limit: number }) {
  const { snapshot, error } = useActiveFlows(limit);
  const flows = snapshot?.flows ?? [];
  return (
    <Panel
      title={`Busiest active flows${snapshot ? ` (${count(flows.length)} of ${count(snapshot.activeFlows)})` : ''}`}
      testId="live-flows"
      actions={
        <label>
          Show{' '}
          <select
            data-testid="live-limit"
            value={limit}
            onChange={(e) =>
              setQuery(
                { limit: Number(e.target.value) === DEFAULT_LIMIT ? undefined : e.target.value },
                { replace: true },
              )
            }
          >
            {FLOW_LIMITS.map((n) => (
              <option key={n} value={n}>
                top {n}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorNote error={error} />
      {snapshot && flows.length === 0 && <Empty>No active flow right now.</Empty>}
      {flows.length > 0 && (
        <div className="table-wrap">
          <table data-testid="live-flow-table">
            <thead>
              <tr>
                <th>Source</th>
                <th>Destination</th>
                <th>Protocol</th>
                <th>Application</th>
                <th className="num">Rate</th>
                <th className="num">Bytes</th>
                <th className="num">Packets</th>
                <th className="num">Duration</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((flow) => (
                <FlowRow key={`${flow.communityId}|${flow.vlan}|${flow.firstTs}`} flow={flow} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">
        Busiest first by bytes per second over each flow's record so far; refreshed every second. Ended flows
        are in the <Link href="/flows?range=15m&amp;filter=source%20live">Explorer</Link>.
      </p>
    </Panel>
  );
}

function FlowRow({ flow }: { flow: LiveFlow }) {
  const port = (value: number) => (flow.protocol === 6 || flow.protocol === 17 ? `:${value}` : '');
  return (
    <tr data-testid="live-flow-row">
      <td>
        <IpLink ip={flow.srcIp} />
        <span className="muted">{port(flow.srcPort)}</span>
      </td>
      <td>
        <IpLink ip={flow.dstIp} />
        <span className="muted">{port(flow.dstPort)}</span>
      </td>
      <td>{protocol(flow.protocol)}</td>
      <td>{flow.sni ?? flow.httpHost ?? flow.application ?? <span className="muted">–</span>}</td>
      <td className="num">{perSecond(flow.bytesPerSecond)}</td>
      <td className="num">{bytes(flow.bytes)}</td>
      <td className="num">{count(flow.packets)}</td>
      <td className="num">{duration(flow.lastTs - flow.firstTs)}</td>
      <td>{time(flow.firstTs)}</td>
    </tr>
  );
}

function NoCapture({ collector }: { collector?: LiveCollectorStats }) {
  return (
    <>
      {collector && (
        <div className="kpis" data-testid="live-collector">
          <Kpi label="Exporters" testId="live-exporters" value={count(collector.exporters)} />
          <Kpi
            label="Flow records"
            testId="live-records"
            value={countPerSecond(collector.recordsPerSecond)}
            note={`${countPerSecond(collector.flowsWrittenPerSecond)} written`}
          />
          <Kpi
            label="Dropped"
            testId="live-dropped"
            value={count(collector.flowsDropped)}
            note={`${count(collector.templateMisses)} template misses, ${count(collector.sequenceGaps)} sequence gaps`}
          />
        </div>
      )}
      <Panel title="Live capture" testId="live-empty">
        <Empty>
          <p>
            <strong>No live capture runs in this server.</strong> Start the server with one, e.g.{' '}
            <code>sudo flowlens serve --capture eth0</code> (optionally <code>--filter "not port 22"</code>, a
            BPF filter). It runs tcpdump or dumpcap, so it needs root or the capture capabilities (
            <code>setcap cap_net_raw,cap_net_admin=eip</code> on the tool). This page then shows the
            bandwidth, packets per second and the busiest active flows, each second.
          </p>
          <p>
            {collector ? (
              <>
                The collector runs (<code>--collect</code>): its flows arrive as exporters send them, in the{' '}
                <Link href="/flows?range=15m">Explorer</Link>; exported flows have no active-flow table.
              </>
            ) : (
              <>
                To receive NetFlow, IPFIX or sFlow instead, start it with{' '}
                <code>flowlens serve --collect</code> (UDP 2055, 4739, 6343): collected flows go to the{' '}
                <Link href="/flows?range=15m">Explorer</Link>.
              </>
            )}{' '}
            New alerts of either source show below as they are raised.
          </p>
        </Empty>
      </Panel>
    </>
  );
}
