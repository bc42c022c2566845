/** Status: liveness, readiness checks, the live feed, and the server's Prometheus metrics. */
import type { HealthAnswer, ReadyAnswer } from '../../../src/server/api-types';
import { request } from '../api';
import { ErrorNote, Loading, Panel } from '../components/common';
import { duration } from '../format';
import { useLiveStatus } from '../live';
import { useApi } from '../use-api';

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

export function StatusPage() {
  const health = useApi((signal) => request<HealthAnswer>('/health', { signal }), []);
  const ready = useApi((signal) => request<ReadyAnswer>('/ready', { signal }), []);
  const metrics = useApi((signal) => request<string>('/metrics', { signal }), []);
  const live = useLiveStatus();
  const samples = metrics.data ? parseMetrics(metrics.data).filter((s) => INTERESTING.test(s.name)) : [];

  return (
    <div className="page" data-testid="page-status">
      <div className="toolbar">
        <h1>Status</h1>
        <button
          type="button"
          onClick={() => {
            for (const loaded of [health, ready, metrics]) loaded.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <div className="grid">
        <Panel title="Health">
          <ErrorNote error={health.error} />
          {health.data ? (
            <p data-testid="health">
              <span className="ok">● {health.data.status}</span>, up {duration(health.data.uptimeSeconds)}
              {'; '}live feed <span className={live === 'open' ? 'ok' : 'bad'}>{live}</span>
            </p>
          ) : (
            <Loading />
          )}
        </Panel>
        <Panel title="Readiness">
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
        <Panel className="wide" title="Metrics" actions={<a href="/metrics">raw /metrics</a>}>
          <ErrorNote error={metrics.error} />
          {samples.length === 0 && !metrics.error ? (
            metrics.loading ? (
              <Loading />
            ) : (
              <p>No Flowlens metrics yet.</p>
            )
          ) : (
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
          <p className="hint">
            A flow collector running in this process adds its records/s, template misses and sequence gaps
            here (flowlens_collector_* metrics).
          </p>
        </Panel>
      </div>
    </div>
  );
}
