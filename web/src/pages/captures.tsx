/**
 * Captures: drag-and-drop (or pick) one or more files; each is uploaded with upload progress,
 * then followed on its SSE stream (phase, percent, packets/s, ETA, partial protocol bytes) until
 * it finishes with links to its report. Below, the job history.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Job, JobList, JobProgress, LiveMessage } from '../../../src/server/api-types';
import { ApiFailure, api, savedToken, withToken } from '../api';
import { Empty, ErrorNote, Loading, Panel } from '../components/common';
import { bytes, count, duration, time } from '../format';
import { useLive } from '../live';
import { useApi } from '../use-api';

interface Upload {
  key: number;
  name: string;
  size: number;
  /** Upload progress 0–100, then the job. */
  sent: number;
  job?: Job;
  progress?: JobProgress;
  /** Seconds left, from the percent rate. */
  eta?: number;
  error?: string;
}

/** POSTs one file with XMLHttpRequest (fetch has no upload progress). */
function sendFile(file: File, ingest: boolean, onSent: (percent: number) => void): Promise<Job> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/captures${ingest ? '?ingest=true' : ''}`);
    const token = savedToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onSent((e.loaded / e.total) * 100);
    xhr.onload = () => {
      let body: { error?: { code: string; message: string } } & Partial<Job> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: reported below by status.
      }
      if (xhr.status === 202) resolve(body as Job);
      else
        reject(
          new ApiFailure(
            xhr.status,
            body.error?.code ?? `HTTP_${xhr.status}`,
            body.error?.message ?? `HTTP ${xhr.status}`,
          ),
        );
    };
    xhr.onerror = () => reject(new ApiFailure(0, 'NETWORK', 'the upload was interrupted'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

const PHASES: Record<string, string> = {
  queued: 'Waiting in the queue',
  reading: 'Reading packets',
  ingesting: 'Adding flows to the store',
  report: 'Writing the report',
  done: 'Done',
};

/** The selected job's report.html in a sandboxed frame, or why it cannot be shown. */
function InlineReport({ job, onClose }: { job: Job; onClose: () => void }) {
  const url = withToken(`/api/v1/jobs/${job.id}/report.html`);
  const [state, setState] = useState<'checking' | 'ok' | string>('checking');
  useEffect(() => {
    fetch(url, { method: 'HEAD' }).then(
      (response) =>
        setState(response.ok ? 'ok' : `the server answers HTTP ${response.status} for report.html`),
      (error: Error) => setState(error.message),
    );
  }, [url]);
  return (
    <Panel
      title={`Report of ${job.fileName}`}
      testId="inline-report"
      actions={
        <button type="button" className="quiet" onClick={onClose}>
          Close
        </button>
      }
    >
      {state === 'checking' && <Loading />}
      {state === 'ok' && (
        <iframe
          className="report-frame"
          src={url}
          sandbox="allow-scripts"
          title={`report of ${job.fileName}`}
        />
      )}
      {state !== 'checking' && state !== 'ok' && (
        <Empty>
          The HTML report cannot be shown ({state}). Its data is in{' '}
          <a href={withToken(`/api/v1/jobs/${job.id}/report.json`)} download={`${job.fileName}.report.json`}>
            report.json
          </a>
          .
        </Empty>
      )}
    </Panel>
  );
}

function ReportLinks({ job, onInline }: { job: Job; onInline?: (job: Job) => void }) {
  if (job.status !== 'succeeded' || !job.report) return null;
  if (job.report.expired) return <span className="muted">report expired</span>;
  const base = `/api/v1/jobs/${job.id}`;
  return (
    <span className="report-links">
      <a href={withToken(`${base}/report.html`)} target="_blank" rel="noreferrer" data-testid="report-link">
        Open report
      </a>{' '}
      ·{' '}
      <a
        href={withToken(`${base}/report.json`)}
        download={`${job.fileName}.report.json`}
        data-testid="report-json"
      >
        report.json
      </a>
      {onInline && (
        <>
          {' '}
          ·{' '}
          <button type="button" className="link" onClick={() => onInline(job)}>
            inline
          </button>
        </>
      )}
    </span>
  );
}

export function CapturesPage() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [ingest, setIngest] = useState(true);
  const [over, setOver] = useState(false);
  const [inline, setInline] = useState<Job>();
  const picker = useRef<HTMLInputElement>(null);
  const nextKey = useRef(1);
  const history = useApi((signal) => api.get<JobList>('/jobs', { limit: 50 }, signal), []);
  const sources = useRef(new Set<EventSource>());
  useEffect(() => {
    const open = sources.current;
    return () => {
      for (const source of open) source.close();
    };
  }, []);
  const onJobMessage = useCallback(
    (message: LiveMessage) => {
      if ((message.data as { event?: string }).event === 'state') history.reload();
    },
    [history.reload],
  );
  useLive('jobs', onJobMessage);
  useLive('gap', history.reload);

  const update = (key: number, change: Partial<Upload> | ((u: Upload) => Partial<Upload>)) =>
    setUploads((list) =>
      list.map((u) => (u.key === key ? { ...u, ...(typeof change === 'function' ? change(u) : change) } : u)),
    );

  const follow = (key: number, job: Job) => {
    const source = new EventSource(withToken(`/api/v1/jobs/${job.id}/events`));
    sources.current.add(source);
    const started = performance.now();
    source.addEventListener('progress', (e) => {
      const progress = JSON.parse((e as MessageEvent).data) as JobProgress;
      const elapsed = (performance.now() - started) / 1000;
      const eta =
        progress.percent > 0 && progress.percent < 100
          ? (elapsed * (100 - progress.percent)) / progress.percent
          : undefined;
      update(key, { progress, eta });
    });
    source.addEventListener('state', (e) => {
      const next = JSON.parse((e as MessageEvent).data) as Job;
      update(key, { job: next, progress: next.progress });
      if (['succeeded', 'failed', 'cancelled'].includes(next.status)) {
        source.close();
        sources.current.delete(source);
        history.reload();
      }
    });
    source.onerror = () => {
      // The server ends the stream after the job finishes; EventSource would reconnect (and
      // resume with Last-Event-ID) otherwise, which is what a dropped connection needs.
    };
  };

  const start = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const key = nextKey.current++;
      setUploads((list) => [{ key, name: file.name, size: file.size, sent: 0 }, ...list]);
      sendFile(file, ingest, (sent) => update(key, { sent })).then(
        (job) => {
          update(key, { sent: 100, job, progress: job.progress });
          follow(key, job);
        },
        (error: ApiFailure) => update(key, { error: `${error.message} (${error.code})` }),
      );
    }
  };

  const jobs = history.data?.jobs ?? [];
  return (
    <div className="page" data-testid="page-captures">
      <div className="toolbar">
        <h1>Captures</h1>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; keyboard users have the "choose files" button inside. */}
      <div
        className={`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (e.dataTransfer.files.length > 0) start(e.dataTransfer.files);
        }}
      >
        <p>
          Drop pcap or pcapng files here (gzip is fine), or{' '}
          <button type="button" onClick={() => picker.current?.click()}>
            choose files
          </button>
        </p>
        <label>
          <input type="checkbox" checked={ingest} onChange={(e) => setIngest(e.target.checked)} /> add the
          flows to the store (they then show on every page)
        </label>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          accept=".pcap,.pcapng,.cap,.gz,application/vnd.tcpdump.pcap"
          onChange={(e) => {
            if (e.target.files) start(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {uploads.length > 0 && (
        <Panel title="Uploads" testId="uploads">
          <ul className="uploads">
            {uploads.map((u) => (
              <UploadRow key={u.key} upload={u} />
            ))}
          </ul>
        </Panel>
      )}
      {inline && <InlineReport key={inline.id} job={inline} onClose={() => setInline(undefined)} />}
      <Panel title="Job history" testId="jobs">
        <ErrorNote error={history.error} />
        {history.loading && !history.data && <Loading />}
        {history.data && jobs.length === 0 && <Empty>No capture analysed yet. Drop one above.</Empty>}
        {jobs.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>File</th>
                  <th>Size</th>
                  <th>Status</th>
                  <th>Created</th>
                  <th>Flows</th>
                  <th>Report</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <tr key={job.id}>
                    <td>{job.fileName}</td>
                    <td>{bytes(job.sizeBytes)}</td>
                    <td
                      className={job.status === 'failed' ? 'bad' : job.status === 'succeeded' ? 'ok' : ''}
                      title={job.error?.message}
                    >
                      {job.status}
                      {job.error && ` — ${job.error.message}`}
                    </td>
                    <td>{time(Date.parse(job.createdAt) / 1000)}</td>
                    <td>{job.result ? count(job.result.flows) : '–'}</td>
                    <td>
                      <ReportLinks job={job} onInline={setInline} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  );
}

function UploadRow({ upload: u }: { upload: Upload }) {
  const p = u.progress;
  const percent = u.job ? (p?.percent ?? 0) : u.sent;
  const status = u.job?.status;
  return (
    <li data-testid="upload" data-status={status ?? (u.error ? 'error' : 'uploading')}>
      <div className="upload-head">
        <strong>{u.name}</strong> <span className="muted">{bytes(u.size)}</span>{' '}
        {u.error ? (
          <span className="bad">{u.error}</span>
        ) : !u.job ? (
          <span>Uploading {u.sent.toFixed(0)}%</span>
        ) : (
          <span data-testid="upload-phase">
            {status === 'running' || status === 'queued' ? PHASES[p?.phase ?? 'queued'] : status}
            {u.job.error && ` — ${u.job.error.message}`}
          </span>
        )}
      </div>
      <progress max={100} value={status === 'succeeded' ? 100 : percent} />
      {p && (
        <div className="upload-stats muted" data-testid="upload-stats">
          {p.percent.toFixed(0)}% · {count(p.packets)} packets · {count(p.packetsPerSecond)} packets/s
          {u.eta !== undefined && status === 'running' && ` · about ${duration(u.eta)} left`}
          {p.partial && (
            <>
              {' '}
              · flows so far: {count(p.partial.flows)}
              {Object.entries(p.partial.protocols).length > 0 &&
                ` (${Object.entries(p.partial.protocols)
                  .map(([name, b]) => `${name} ${bytes(b)}`)
                  .join(', ')})`}
            </>
          )}
        </div>
      )}
      {u.job && <ReportLinks job={u.job} />}
    </li>
  );
}
