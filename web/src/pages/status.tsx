/**
 * Status: health and readiness, the store's size, how fast flows go into it, the collector's
 * listeners and exporters and the live capture running in this server (GET /api/v1/status),
 * refreshed every few seconds; the raw Prometheus metrics sit folded at the bottom.
 */
import { useEffect, useState } from 'react';
import type { HealthAnswer, ReadyAnswer, StatusAnswer } from '../../../src/server/api-types';
import { request } from '../api';
import { ErrorNote, Loading, Panel } from '../components/common';
import { bytes, count, duration, time } from '../format';
import { useLiveStatus } from '../live';
import { useApi } from '../use-api';
import { SourcePanels } from './status-sources';

/** Seconds between refreshes. */
const REFRESH_SECONDS = 5;

interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** Prometheus text exposition → samples (HELP/TYPE lines and histogram buckets left out). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1].endsWith('_bucket')) continue;
    samples.push({ name: match[1], labels: match[2] ?? '', value: Number(match[3]) });
  }
  return samples;
}

const INTERESTING =
  /^(flowlens_|process_resident_memory_bytes|nodejs_eventloop_lag_p99_seconds|process_cpu_seconds_total)/;

function Tile(props: { label: string; value: string; note?: string; testId: string; bad?: boolean }) {
  return (
    <div className="kpi" data-testid={props.testId}>
      <div className="kpi-label">{props.label}</div>
      <div className={`kpi-value${props.bad ? ' bad' : ''}`}>{props.value}</div>
      <div className="kpi-change">{props.note ?? ''}</div>
    </div>
  );
}

function Tiles({ status, ready }: { status: StatusAnswer; ready: ReadyAnswer | undefined }) {
  const { store, ingest, collector } = status;
  const problems = collector
    ? collector.exporters.reduce((n, e) => n + e.decodeErrors + e.templateMisses + e.sequenceGaps, 0)
    : 0;
  return (
    <div className="kpis">
      <Tile
        testId="tile-health"
        label="Health"
        value={ready ? (ready.status === 'ready' ? 'ready' : 'not ready') : 'up'}
        bad={ready?.status === 'not-ready'}
        note={`up ${duration(status.server.uptimeSeconds)}, version ${status.server.version}`}
      />
      <Tile
        testId="tile-ingest"
        label="Flows in / s"
        value={count(ingest.flowsPerSecond)}
        note={ingest.windowSeconds > 0 ? `over the last ${ingest.windowSeconds} s` : 'measuring…'}
      />
      <Tile
        testId="tile-store-size"
        label="Store size"
        value={bytes(store.fileBytes)}
        note={`${count(store.flows)} flows, ${count(store.alerts)} alerts`}
      />
      {collector && (
        <Tile
          testId="tile-records"
          label="Exported records / s"
          value={count(collector.recordsPerSecond)}
          bad={problems > 0}
          note={
            problems > 0
              ? `${count(problems)} errors, template misses or gaps`
              : `${collector.exporters.length} exporters, no errors`
          }
        />
      )}
    </div>
  );
}

function StorePanel({ store }: { store: StatusAnswer['store'] }) {
  const span =
    store.oldestFlowTs !== null && store.newestFlowTs !== null
      ? store.newestFlowTs - store.oldestFlowTs
      : null;
  const rows: [string, string][] = [
    ['Database', store.path],
    ['Size on disk', `${bytes(store.fileBytes)} (${store.fileBytes.toLocaleString('en-US')} bytes)`],
    ['Flows', store.flows.toLocaleString('en-US')],
    ['Alerts', store.alerts.toLocaleString('en-US')],
    ['Ingested files', store.ingests.toLocaleString('en-US')],
    ['Oldest flow', time(store.oldestFlowTs)],
    ['Newest flow', time(store.newestFlowTs)],
    ['Time span', span === null ? '–' : span > 2 * 86_400 ? `${count(span / 86_400)} days` : duration(span)],
    [
      'Retention',
      store.retentionDays === null ? 'none: flows are kept until deleted' : `${store.retentionDays} days`,
    ],
    ['Schema version', String(store.schemaVersion)],
  ];
  return (
    <Panel title="Store" testId="store">
      <table className="facts">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th>{label}</th>
              <td className={label === 'Database' ? 'mono' : ''}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function IngestPanel({ ingest }: { ingest: StatusAnswer['ingest'] }) {
  const written = ingest.flowsWritten;
  return (
    <Panel title="Ingest" testId="ingest">
      <p>
        <strong>{count(ingest.flowsPerSecond)}</strong> flows/s into the store
        {ingest.windowSeconds > 0 ? ` over the last ${ingest.windowSeconds} s` : ''}. Since start:{' '}
        {count(written.jobs)} from analysis jobs, {count(written.collector)} from the collector,{' '}
        {count(written.capture)} from the live capture. Jobs: {ingest.jobs.running} running,{' '}
        {ingest.jobs.waiting} waiting.
      </p>
      {ingest.recentIngests.length > 0 && (
        <div className="table-wrap">
          <table data-testid="recent-ingests">
            <thead>
              <tr>
                <th>File</th>
                <th>Status</th>
                <th className="num">Flows</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {ingest.recentIngests.map((i) => (
                <tr key={i.id}>
                  <td className="mono" title={`${i.file} (SHA-256 ${i.sha256})`}>
                    {i.file.split(/[\\/]/).pop()}
                  </td>
                  <td className={i.status === 'aborted' ? 'bad' : ''} title={i.error}>
                    {i.status}
                  </td>
                  <td className="num">{count(i.flows)}</td>
                  <td>{time(i.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function RawMetrics({ refresh }: { refresh: number }) {
  const [open, setOpen] = useState(false);
  const metrics = useApi(
    (signal) => (open ? request<string>('/metrics', { signal }) : Promise.resolve(undefined)),
    [open, refresh],
  );
  const samples = metrics.data ? parseMetrics(metrics.data).filter((s) => INTERESTING.test(s.name)) : [];
  return (
    <details className="panel raw-metrics" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Raw metrics <span className="muted">(Prometheus; </span>
        <a href="/metrics">/metrics</a>
        <span className="muted">)</span>
      </summary>
      <ErrorNote error={metrics.error} />
      {open &&
        samples.length === 0 &&
        !metrics.error &&
        (metrics.data === undefined ? <Loading /> : <p>No Flowlens metrics yet.</p>)}
      {samples.length > 0 && (
        <div className="table-wrap">
          <table className="metrics" data-testid="metrics">
            <tbody>
              {samples.slice(0, 300).map((s) => (
                <tr key={`${s.name}${s.labels}`}>
                  <td className="mono">{s.name}</td>
                  <td className="mono muted">{s.labels}</td>
                  <td className="num">{Number.isInteger(s.value) ? s.value : s.value.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

export function StatusPage() {
  const [refresh, setRefresh] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setRefresh((n) => n + 1), REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, []);
  const status = useApi((signal) => request<StatusAnswer>('/api/v1/status', { signal }), [refresh]);
  const health = useApi((signal) => request<HealthAnswer>('/health', { signal }), [refresh]);
  const ready = useApi((signal) => request<ReadyAnswer>('/ready', { signal }), [refresh]);
  const live = useLiveStatus();

  return (
    <div className="page" data-testid="page-status">
      <div className="toolbar">
        <h1>Status</h1>
        <button type="button" onClick={() => setRefresh((n) => n + 1)}>
          Refresh
        </button>
        <span className="muted">refreshes every {REFRESH_SECONDS} s</span>
      </div>
      <ErrorNote error={status.error} />
      {status.data ? <Tiles status={status.data} ready={ready.data} /> : !status.error && <Loading />}
      <div className="grid">
        <Panel title="Health">
          <ErrorNote error={health.error} />
          {health.data ? (
            <p data-testid="health">
              <span className="ok">● {health.data.status}</span>, up {duration(health.data.uptimeSeconds)}
              {'; '}live feed <span className={live === 'open' ? 'ok' : 'bad'}>{live}</span>
            </p>
          ) : (
            !health.error && <Loading />
          )}
          <ErrorNote error={ready.error} />
          {ready.data && (
            <table className="checks" data-testid="ready">
              <tbody>
                {Object.entries(ready.data.checks).map(([name, check]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td className={check.ok ? 'ok' : 'bad'}>{check.ok ? 'ok' : 'failing'}</td>
                    <td>{check.detail ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        {status.data && <StorePanel store={status.data.store} />}
        {status.data && <IngestPanel ingest={status.data.ingest} />}
        {status.data && <SourcePanels status={status.data} />}
      </div>
      <RawMetrics refresh={refresh} />
    </div>
  );
}
