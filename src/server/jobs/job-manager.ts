/**
 * The analysis jobs: a bounded queue, worker threads that run the capture pass, per-job timeout
 * and cancellation, optional ingest of the flows, reports on disk with a TTL, and the job state
 * persisted so a restart shows interrupted jobs as failed with a reason.
 *
 * Contract: created inert; `start()` loads state and starts the sweeper; `stop()` fails what is
 * still queued or running (workers terminated, ingests rolled back) and writes the state. The
 * upload file handed to `submit` belongs to the manager from then on: it deletes it after the
 * analysis unless `keepUploads`. Only one ingest runs at a time (the store allows one).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { recordInventory, storedAlerts } from '../../pipeline/index.js';
import { ERR, type ErrorCode, FlowlensError } from '../../shared/index.js';
import type { FlowStore, IngestWriter, StoredFlow } from '../../store/index.js';
import { ApiError } from '../api-error.js';
import type { ResolvedServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import {
  FINISHED,
  type IngestOutcome,
  type Job,
  type JobEvent,
  type JobProgress,
  type JobRecord,
} from './job.js';
import { createJobFile } from './job-file.js';
import type { MainMessage, WorkerInput, WorkerMessage } from './worker-protocol.js';
import { checkWorkerScript, defaultWorkerScript } from './worker-script.js';

export interface SubmitRequest {
  uploadPath: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  ingest: boolean;
  replace: boolean;
}

/** A held place in the queue while an upload is still arriving. */
export interface QueueSlot {
  release(): void;
}

export interface JobManager {
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  /** Holds a waiting place; throws ApiError 503 QUEUE_FULL (with Retry-After) when none is left. */
  reserve(): QueueSlot;
  /** Queues a job; resolves once the job is on disk, so an accepted upload survives a crash. */
  submit(slot: QueueSlot, request: SubmitRequest): Promise<Job>;
  list(): Job[];
  get(id: string): Job | undefined;
  /** Cancels a queued or running job; deletes a finished one and its report. False when unknown. */
  remove(id: string): Promise<'cancelled' | 'deleted' | undefined>;
  /** Events after `afterId`, and a subscription to later ones (undefined for an unknown job). */
  follow(
    id: string,
    afterId: number,
    listener: (event: JobEvent) => void,
  ): { past: JobEvent[]; close(): void } | undefined;
  /** The report's JSON text, or an ApiError (404 unknown, 409 not finished, 410 expired). */
  readReport(id: string): Promise<string>;
  /** Removes expired reports now (the sweeper calls it every `sweepIntervalMs`). */
  sweep(now?: number): Promise<number>;
  /** Running jobs whose worker has said nothing for `staleMs`. */
  stalled(staleMs: number): Job[];
  readonly waiting: number;
  readonly running: number;
}

export interface JobManagerDeps {
  store: FlowStore;
  metrics: ServerMetrics;
  /** Every event of every job (the live feed's `jobs` topic). */
  onEvent?(job: Job, event: JobEvent): void;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Data directory whose threat feeds and lists the workers' detections match (threat-intel alerts). */
  threatDataDir?: string;
}

const PROGRESS_MS = 250;
const EVENTS_KEPT = 1000;
const INGEST_BATCH = 5000;

interface Live {
  record: JobRecord;
  events: JobEvent[];
  listeners: Set<(event: JobEvent) => void>;
  worker?: Worker;
  timer?: NodeJS.Timeout;
  lastBeat: number;
  lastPackets: number;
  lastProgressAt?: number;
  settle?: (outcome: { code: ErrorCode; message: string; status: 'failed' | 'cancelled' }) => void;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();

export function createJobManager(config: ResolvedServerConfig, deps: JobManagerDeps): JobManager {
  const jobFile = createJobFile(config.jobsDir);
  const jobs = new Map<string, Live>();
  const queue: string[] = [];
  let reserved = 0;
  let running = 0;
  let stopping = false;
  let sweeper: NodeJS.Timeout | undefined;
  let ingestLock: Promise<void> = Promise.resolve();
  const workerScript = config.workerScript ?? defaultWorkerScript();

  const persist = () =>
    jobFile.save([...jobs.values()].map((live) => live.record)).catch((error: unknown) => {
      deps.log?.error({ err: error }, 'cannot write job state');
    });

  const gauges = () => {
    deps.metrics.queueDepth.set(queue.length + reserved);
    deps.metrics.jobsRunning.set(running);
  };

  function emit(live: Live, event: JobEvent['event'], data: unknown): void {
    const entry: JobEvent = { id: ++live.record.lastEventId, event, data };
    live.events.push(entry);
    if (live.events.length > EVENTS_KEPT) live.events.shift();
    for (const listener of live.listeners) listener(entry);
    deps.onEvent?.(live.record.job, entry);
  }

  function setState(live: Live, patch: Partial<Job>): void {
    Object.assign(live.record.job, patch);
    emit(live, 'state', structuredClone(live.record.job));
    void persist();
  }

  async function deleteUpload(record: JobRecord): Promise<void> {
    if (record.uploadPath === undefined || config.keepUploads) return;
    await rm(record.uploadPath, { force: true });
    record.uploadPath = undefined;
  }

  /** Runs the next queued jobs while workers are free. */
  function pump(): void {
    while (!stopping && running < config.concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      const live = jobs.get(id);
      if (live === undefined || live.record.job.status !== 'queued') continue;
      running++;
      gauges();
      void runJob(live).finally(() => {
        running--;
        gauges();
        pump();
      });
    }
  }

  async function withIngestLock<T>(use: () => Promise<T>): Promise<T> {
    const previous = ingestLock;
    let release = () => {};
    ingestLock = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await use();
    } finally {
      release();
    }
  }

  async function runJob(live: Live): Promise<void> {
    const job = live.record.job;
    const started = Date.now();
    setState(live, {
      status: 'running',
      startedAt: iso(started),
      progress: { ...job.progress, phase: 'reading' },
    });
    const run = () => analyse(live);
    let outcome: 'succeeded' | 'failed' | 'cancelled' = 'failed';
    try {
      outcome = job.options.ingest ? await withIngestLock(run) : await run();
    } finally {
      clearTimeout(live.timer);
      live.worker = undefined;
      deps.metrics.jobDuration.observe({ outcome }, (Date.now() - started) / 1000);
      deps.metrics.jobs.inc({ outcome });
      await deleteUpload(live.record).catch(() => {});
    }
  }

  /** One worker run; resolves with the job's final status, never rejects. */
  async function analyse(live: Live): Promise<'succeeded' | 'failed' | 'cancelled'> {
    const job = live.record.job;
    if (job.status !== 'running') return job.status === 'cancelled' ? 'cancelled' : 'failed';
    let writer: IngestWriter | undefined;
    let ingest: IngestOutcome | undefined;
    if (job.options.ingest) {
      try {
        writer = await deps.store.beginIngest({
          file: job.fileName,
          sha256: job.sha256,
          sizeBytes: job.sizeBytes,
          sourceKind: 'pcap',
          replace: job.options.replace,
        });
      } catch (error) {
        if (error instanceof FlowlensError && error.code === ERR.ALREADY_INGESTED) {
          const existing = await deps.store.findIngestBySha256(job.sha256);
          ingest = { status: 'already-ingested', ingestId: existing?.id ?? '' };
        } else {
          ingest = { status: 'failed', message: error instanceof Error ? error.message : String(error) };
        }
      }
    }

    const input: WorkerInput = {
      file: live.record.uploadPath as string,
      ingestBatch: writer === undefined ? 0 : INGEST_BATCH,
      progressMs: PROGRESS_MS,
      enrich: config.enrich,
      ...(deps.threatDataDir ? { threatDataDir: deps.threatDataDir } : {}),
    };
    const worker = new Worker(workerScript, { workerData: input });
    live.worker = worker;
    live.lastBeat = Date.now();
    live.lastProgressAt = live.lastBeat;
    live.lastPackets = 0;

    const ended = new Promise<
      | { ok: true; message: Extract<WorkerMessage, { type: 'done' }> }
      | { ok: false; status: 'failed' | 'cancelled'; code: ErrorCode; message: string }
    >((resolve) => {
      live.settle = (outcome) => resolve({ ok: false, ...outcome });
      live.timer = setTimeout(
        () =>
          resolve({
            ok: false,
            status: 'failed',
            code: ERR.JOB_TIMEOUT,
            message: `the analysis took longer than ${Math.round(config.jobTimeoutMs / 1000)} s and was stopped`,
          }),
        config.jobTimeoutMs,
      );
      let writes: Promise<void> = Promise.resolve();
      worker.on('message', (message: WorkerMessage) => {
        live.lastBeat = Date.now();
        if (message.type === 'progress')
          onProgress(live, message.bytesRead, message.packets, message.partial);
        else if (message.type === 'flows') {
          const batch = message.batch as StoredFlow[];
          for (const flow of batch) flow.sourceKind = 'pcap';
          writes = writes
            .then(() => writer?.write(batch))
            .then(
              () => worker.postMessage({ type: 'ack' } satisfies MainMessage),
              (error: unknown) =>
                resolve({
                  ok: false,
                  status: 'failed',
                  code: ERR.STORE,
                  message: `ingest failed: ${error instanceof Error ? error.message : String(error)}`,
                }),
            );
        } else if (message.type === 'done') {
          void writes.then(() => resolve({ ok: true, message }));
        } else {
          resolve({
            ok: false,
            status: 'failed',
            code: (message.code as ErrorCode | undefined) ?? ERR.API_INTERNAL,
            message: message.message,
          });
        }
      });
      worker.on('error', (error) =>
        resolve({
          ok: false,
          status: 'failed',
          code: ERR.API_INTERNAL,
          message: `worker crashed: ${error.message}`,
        }),
      );
      worker.on('exit', (code) =>
        resolve({
          ok: false,
          status: 'failed',
          code: ERR.API_INTERNAL,
          message: `worker exited with code ${code}`,
        }),
      );
    });
    const end = await ended;
    live.settle = undefined;
    clearTimeout(live.timer);
    void worker.terminate();

    if (!end.ok) {
      await writer?.abort(end.message).catch(() => {});
      // Before the final state, so a client that sees "cancelled" or "failed" finds it gone.
      await deleteUpload(live.record).catch(() => {});
      setState(live, {
        status: end.status,
        finishedAt: iso(),
        error: { code: end.code, message: end.message },
        progress: { ...job.progress, phase: 'done' },
      });
      return end.status;
    }

    const done = end.message;
    if (writer !== undefined) {
      onPhase(live, 'ingesting');
      try {
        const record = await writer.commit({ packets: done.packets, bytes: done.bytes });
        ingest = { status: 'ingested', ingestId: record.id, flows: record.flows };
        deps.metrics.ingestedFlows.inc(record.flows);
        // As `flowlens ingest`: the capture's alerts and device inventory go in with its flows.
        // The flows are committed by now, so a failure here is logged, not a failed ingest.
        const findings = done.findings;
        if (findings) {
          try {
            if (findings.alerts.length > 0) {
              await deps.store.recordAlerts(storedAlerts(findings.alerts, record.id));
            }
            if (findings.devices) await recordInventory(deps.store, findings.devices, record.id);
          } catch (error) {
            deps.log?.error(
              { err: error, jobId: job.id },
              'storing the alerts and devices of an ingest failed',
            );
          }
        }
      } catch (error) {
        await writer.abort('commit failed').catch(() => {});
        ingest = { status: 'failed', message: error instanceof Error ? error.message : String(error) };
      }
    }
    if (ingest !== undefined) deps.metrics.ingests.inc({ outcome: ingest.status });
    onPhase(live, 'report');
    const finishedAt = Date.now();
    const result = {
      flows: done.flows,
      packets: done.packets,
      bytes: done.bytes,
      ...(ingest ? { ingest } : {}),
    };
    const finalJob: Job = {
      ...job,
      status: 'succeeded',
      finishedAt: iso(finishedAt),
      result,
      report: { expiresAt: iso(finishedAt + config.reportTtlMs), expired: false },
      progress: { ...job.progress, phase: 'done', percent: 100 },
    };
    // The worker's `{summary, analysis}` text is spliced in as is: no parse on the event loop.
    const report = `{"job":${JSON.stringify(finalJob)},"flows":${done.flows},${done.result.slice(1)}`;
    try {
      await writeFile(path.join(config.reportsDir, `${job.id}.json`), report, { mode: 0o600 });
    } catch (error) {
      setState(live, {
        status: 'failed',
        finishedAt: iso(),
        error: { code: ERR.API_INTERNAL, message: `cannot write the report: ${(error as Error).message}` },
      });
      return 'failed';
    }
    setState(live, finalJob);
    return 'succeeded';
  }

  function onPhase(live: Live, phase: JobProgress['phase']): void {
    live.record.job.progress = { ...live.record.job.progress, phase };
    emit(live, 'progress', live.record.job.progress);
  }

  function onProgress(live: Live, bytesRead: number, packets: number, partial: JobProgress['partial']): void {
    const job = live.record.job;
    const now = Date.now();
    const previous = job.progress;
    const seconds = (now - (live.lastProgressAt ?? now)) / 1000;
    const rate = seconds > 0 ? (packets - live.lastPackets) / seconds : previous.packetsPerSecond;
    live.lastProgressAt = now;
    live.lastPackets = packets;
    const read = bytesRead < 0 ? job.sizeBytes : bytesRead;
    const percent =
      job.sizeBytes > 0 ? Math.min(bytesRead < 0 ? 100 : 99.9, (read / job.sizeBytes) * 100) : 100;
    job.progress = {
      phase: 'reading',
      percent: Math.round(percent * 10) / 10,
      bytesRead: read,
      packets,
      packetsPerSecond: Math.round(rate),
      partial,
    };
    emit(live, 'progress', job.progress);
  }

  return {
    async start() {
      for (const dir of [config.uploadsDir, config.reportsDir, config.jobsDir]) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
      }
      checkWorkerScript(workerScript);
      const referenced = new Set<string>();
      for (const record of await jobFile.load()) {
        const live: Live = { record, events: [], listeners: new Set(), lastBeat: 0, lastPackets: 0 };
        jobs.set(record.job.id, live);
        if (!FINISHED.has(record.job.status)) {
          Object.assign(record.job, {
            status: 'failed',
            finishedAt: iso(),
            error: {
              code: ERR.JOB_INTERRUPTED,
              message: `interrupted: the server stopped while the job was ${record.job.status}; upload the capture again`,
            },
            progress: { ...record.job.progress, phase: 'done' },
          } satisfies Partial<Job>);
          await deleteUpload(record);
        }
        if (record.uploadPath !== undefined) referenced.add(path.basename(record.uploadPath));
      }
      // Uploads cut off by a crash belong to no job.
      for (const name of await readdir(config.uploadsDir)) {
        if (!referenced.has(name)) await rm(path.join(config.uploadsDir, name), { force: true });
      }
      await persist();
      await this.sweep();
      sweeper = setInterval(() => void this.sweep(), config.sweepIntervalMs);
      sweeper.unref();
      gauges();
    },

    async stop(reason = 'the server shut down') {
      stopping = true;
      clearInterval(sweeper);
      for (const id of queue.splice(0)) {
        const live = jobs.get(id);
        if (live === undefined) continue;
        setState(live, {
          status: 'failed',
          finishedAt: iso(),
          error: { code: ERR.JOB_INTERRUPTED, message: `interrupted: ${reason} before the job started` },
        });
        await deleteUpload(live.record).catch(() => {});
      }
      for (const live of jobs.values()) {
        live.settle?.({ status: 'failed', code: ERR.JOB_INTERRUPTED, message: `interrupted: ${reason}` });
      }
      while (running > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const live of jobs.values()) live.listeners.clear();
      await persist();
    },

    reserve() {
      if (stopping) throw new ApiError(503, ERR.API_UNAVAILABLE, 'the server is shutting down');
      if (queue.length + reserved >= config.queueLimit) {
        deps.metrics.uploadsRejected.inc({ reason: 'queue-full' });
        throw new ApiError(
          503,
          ERR.API_QUEUE_FULL,
          `the analysis queue is full (${config.queueLimit} waiting); try again later`,
          { waiting: queue.length + reserved, limit: config.queueLimit },
          { 'retry-after': '30' },
        );
      }
      reserved++;
      gauges();
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          reserved--;
          gauges();
        },
      };
    },

    async submit(slot, request) {
      const job: Job = {
        id: randomUUID(),
        status: 'queued',
        createdAt: iso(),
        fileName: request.fileName,
        sizeBytes: request.sizeBytes,
        sha256: request.sha256,
        options: { ingest: request.ingest, replace: request.replace },
        progress: { phase: 'queued', percent: 0, bytesRead: 0, packets: 0, packetsPerSecond: 0 },
      };
      const live: Live = {
        record: { job, uploadPath: request.uploadPath, lastEventId: 0 },
        events: [],
        listeners: new Set(),
        lastBeat: Date.now(),
        lastPackets: 0,
      };
      jobs.set(job.id, live);
      queue.push(job.id);
      slot.release();
      emit(live, 'state', structuredClone(job));
      const answer = structuredClone(job);
      await persist();
      gauges();
      pump();
      return answer;
    },

    list() {
      return [...jobs.values()].map((live) => live.record.job).reverse();
    },

    get(id) {
      return jobs.get(id)?.record.job;
    },

    async remove(id) {
      const live = jobs.get(id);
      if (live === undefined) return undefined;
      const job = live.record.job;
      if (job.status === 'queued') {
        queue.splice(queue.indexOf(id), 1);
        gauges();
        setState(live, {
          status: 'cancelled',
          finishedAt: iso(),
          error: { code: ERR.JOB_CANCELLED, message: 'cancelled before it started' },
        });
        await deleteUpload(live.record);
        deps.metrics.jobs.inc({ outcome: 'cancelled' });
        return 'cancelled';
      }
      if (job.status === 'running') {
        live.settle?.({ status: 'cancelled', code: ERR.JOB_CANCELLED, message: 'cancelled while running' });
        return 'cancelled';
      }
      jobs.delete(id);
      await rm(path.join(config.reportsDir, `${id}.json`), { force: true });
      await deleteUpload(live.record);
      await persist();
      return 'deleted';
    },

    follow(id, afterId, listener) {
      const live = jobs.get(id);
      if (live === undefined) return undefined;
      let past = live.events.filter((event) => event.id > afterId);
      // After a restart the log is empty: the job's state stands for its history.
      if (past.length === 0 && afterId < live.record.lastEventId && live.events.length === 0) {
        past = [{ id: live.record.lastEventId, event: 'state', data: structuredClone(live.record.job) }];
      }
      live.listeners.add(listener);
      return { past, close: () => live.listeners.delete(listener) };
    },

    async readReport(id) {
      const job = jobs.get(id)?.record.job;
      if (job === undefined) throw new ApiError(404, ERR.API_NOT_FOUND, `no job ${id}`);
      if (job.report?.expired) {
        throw new ApiError(410, ERR.API_GONE, `the report of job ${id} expired at ${job.report.expiresAt}`);
      }
      if (job.status !== 'succeeded' || job.report === undefined) {
        throw new ApiError(409, ERR.API_CONFLICT, `job ${id} is ${job.status}: it has no report`, {
          status: job.status,
        });
      }
      return readFile(path.join(config.reportsDir, `${id}.json`), 'utf8');
    },

    async sweep(now = Date.now()) {
      let removed = 0;
      for (const live of jobs.values()) {
        const report = live.record.job.report;
        if (report === undefined || report.expired || Date.parse(report.expiresAt) > now) continue;
        await rm(path.join(config.reportsDir, `${live.record.job.id}.json`), { force: true });
        report.expired = true;
        removed++;
      }
      if (removed > 0) await persist();
      return removed;
    },

    stalled(staleMs) {
      const now = Date.now();
      return [...jobs.values()]
        .filter((live) => live.record.job.status === 'running' && now - live.lastBeat > staleMs)
        .map((live) => live.record.job);
    },

    get waiting() {
      return queue.length + reserved;
    },
    get running() {
      return running;
    },
  };
}
