/**
 * Alerts: severity (and above), type and state filters, the list, and the selected alert's
 * plain-language summary, evidence and evidence flows, with acknowledge and dismiss.
 */
import { useCallback, useState } from 'react';
import type { AlertList, AlertSeverity, StoredAlert } from '../../../src/server/api-types';
import { type ApiFailure, api, withParams } from '../api';
import { Empty, ErrorNote, IpLink, Link, Loading, Panel } from '../components/common';
import { count, time } from '../format';
import { useLive } from '../live';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';

const SEVERITIES: AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];
const STATES = ['new', 'acknowledged', 'dismissed'] as const;

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return <span className={`severity ${severity}`}>{severity}</span>;
}

export function AlertsPage() {
  const { query } = useLocation();
  const severity = query.get('severity') ?? '';
  const state = query.get('state') ?? '';
  const type = query.get('type') ?? '';
  const selected = query.get('id') ?? undefined;

  const list = useApi(
    (signal) =>
      api.get<AlertList>(
        '/alerts',
        { severity: severity || undefined, state: state || undefined, type: type || undefined, limit: 500 },
        signal,
      ),
    [severity, state, type],
  );
  const all = useApi((signal) => api.get<AlertList>('/alerts', { limit: 1000 }, signal), []);
  const detail = useApi(
    async (signal) =>
      selected
        ? api.get<StoredAlert>(`/alerts/${encodeURIComponent(selected)}`, undefined, signal)
        : undefined,
    [selected],
  );
  const refresh = useCallback(() => {
    list.reload();
    detail.reload();
  }, [list.reload, detail.reload]);
  useLive('alerts', refresh);
  // Messages were lost while disconnected: load again.
  useLive('gap', refresh);

  const types = [...new Set((all.data?.alerts ?? []).map((a) => a.type))].sort();
  const alerts = list.data?.alerts ?? [];

  return (
    <div className="page" data-testid="page-alerts">
      <div className="toolbar">
        <h1>Alerts</h1>
        <label>
          Severity{' '}
          <select
            data-testid="alert-severity"
            value={severity}
            onChange={(e) => setQuery({ severity: e.target.value })}
          >
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s} and above
              </option>
            ))}
          </select>
        </label>
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setQuery({ type: e.target.value })}>
            <option value="">any</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          State{' '}
          <select
            data-testid="alert-state"
            value={state}
            onChange={(e) => setQuery({ state: e.target.value })}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      <div className="split">
        <Panel title={`${count(alerts.length)} alert${alerts.length === 1 ? '' : 's'}`} testId="alert-list">
          {list.loading && !list.data && <Loading />}
          {list.data && alerts.length === 0 && (
            <Empty>
              {severity || state || type
                ? 'No alerts match these filters.'
                : 'No alerts. Detections run when a capture is ingested (flowlens ingest, or an upload with “add to the store”).'}
            </Empty>
          )}
          {alerts.length > 0 && (
            <div className="table-wrap">
              <table className="alerts">
                <thead>
                  <tr>
                    <th>Severity</th>
                    <th>Type</th>
                    <th>Summary</th>
                    <th>Count</th>
                    <th>Last seen</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody>
                  {alerts.map((a) => (
                    <tr
                      key={a.id}
                      className={a.id === selected ? 'selected' : ''}
                      data-testid="alert-row"
                      data-alert-id={a.id}
                      onClick={() => setQuery({ id: a.id })}
                    >
                      <td>
                        <SeverityBadge severity={a.severity} />
                      </td>
                      <td>{a.type}</td>
                      <td>
                        <Link href={withParams('/alerts', { ...Object.fromEntries(query), id: a.id })}>
                          {a.summary}
                        </Link>
                      </td>
                      <td>{count(a.count ?? 1)}</td>
                      <td>{time(a.lastSeen ?? a.ts)}</td>
                      <td data-testid="alert-state-cell">{a.state}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
        {selected && (
          <Panel
            title="Alert"
            testId="alert-detail"
            actions={
              <button type="button" className="quiet" onClick={() => setQuery({ id: undefined })}>
                Close
              </button>
            }
          >
            <ErrorNote error={detail.error} />
            {detail.data && <AlertDetail alert={detail.data} onChanged={refresh} />}
          </Panel>
        )}
      </div>
    </div>
  );
}

function AlertDetail({ alert, onChanged }: { alert: StoredAlert; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const move = async (verb: 'ack' | 'dismiss') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/alerts/${encodeURIComponent(alert.id)}/${verb}`, {});
      onChanged();
    } catch (failure) {
      setError(failure as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  const flowsFilter =
    alert.communityIds && alert.communityIds.length > 0
      ? alert.communityIds
          .slice(0, 20)
          .map((id) => `community_id "${id}"`)
          .join(' or ')
      : [alert.srcIp && `host ${alert.srcIp}`, alert.dstIp && `host ${alert.dstIp}`]
          .filter(Boolean)
          .join(' and ');
  return (
    <div className="alert-detail">
      <p className="summary">
        <SeverityBadge severity={alert.severity} /> {alert.summary}
      </p>
      <dl>
        <dt>Type</dt>
        <dd>{alert.type}</dd>
        <dt>State</dt>
        <dd data-testid="detail-state">
          {alert.state}
          {alert.stateBy && ` by ${alert.stateBy} at ${time(alert.stateAt)}`}
        </dd>
        <dt>Seen</dt>
        <dd>
          {time(alert.firstSeen ?? alert.ts)} → {time(alert.lastSeen ?? alert.ts)} ({count(alert.count ?? 1)}
          ×)
        </dd>
        {alert.srcIp && (
          <>
            <dt>Source</dt>
            <dd>
              <IpLink ip={alert.srcIp} />
            </dd>
          </>
        )}
        {alert.dstIp && (
          <>
            <dt>Destination</dt>
            <dd>
              <IpLink ip={alert.dstIp} />
            </dd>
          </>
        )}
        {alert.targets && alert.targets.length > 0 && (
          <>
            <dt>Targets</dt>
            <dd>{alert.targets.join(', ')}</dd>
          </>
        )}
        {alert.mitre.length > 0 && (
          <>
            <dt>MITRE ATT&amp;CK</dt>
            <dd>{alert.mitre.join(', ')}</dd>
          </>
        )}
        {alert.score !== undefined && (
          <>
            <dt>Score</dt>
            <dd>{alert.score}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button
          type="button"
          data-testid="ack"
          disabled={busy || alert.state !== 'new'}
          onClick={() => move('ack')}
        >
          Acknowledge
        </button>
        <button
          type="button"
          data-testid="dismiss"
          disabled={busy || alert.state === 'dismissed'}
          onClick={() => move('dismiss')}
        >
          Dismiss
        </button>
        {flowsFilter && (
          <Link href={withParams('/flows', { range: 'all', filter: flowsFilter })} className="button quiet">
            Evidence flows
          </Link>
        )}
      </div>
      <ErrorNote error={error} />
      <h3>Evidence</h3>
      <pre className="evidence">{JSON.stringify(alert.evidence, null, 2)}</pre>
    </div>
  );
}
