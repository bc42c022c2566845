/**
 * The analysis job as the API shows it, and its event log. A job's public record is what
 * `GET /api/v1/jobs/:id` returns and what `jobs/jobs.json` persists; the upload's path is kept
 * beside it (never shown) so the manager can delete it.
 */
import type { ErrorCode } from '../../shared/index.js';
import type { PartialResults } from './worker-protocol.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type JobPhase = 'queued' | 'reading' | 'ingesting' | 'report' | 'done';

export const FINISHED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobProgress {
  phase: JobPhase;
  /** Share of the upload's bytes read, 0–100 (compressed bytes for gzip captures). */
  percent: number;
  bytesRead: number;
  packets: number;
  /** Over the last progress interval. */
  packetsPerSecond: number;
  partial?: PartialResults;
}

export type IngestOutcome =
  | { status: 'ingested'; ingestId: string; flows: number }
  | { status: 'already-ingested'; ingestId: string }
  | { status: 'failed'; message: string };

export interface Job {
  id: string;
  status: JobStatus;
  /** ISO 8601 times. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The client's file name, for display only; never used as a path. */
  fileName: string;
  sizeBytes: number;
  sha256: string;
  options: { ingest: boolean; replace: boolean };
  progress: JobProgress;
  error?: { code: ErrorCode; message: string };
  result?: { flows: number; packets: number; bytes: number; ingest?: IngestOutcome };
  /** Present once a report was written; `expired` after the TTL sweeper removed it. */
  report?: { expiresAt: string; expired: boolean };
}

/** A job plus what only the server sees. */
export interface JobRecord {
  job: Job;
  uploadPath?: string;
  /** Id of the last event emitted, so ids keep increasing across restarts. */
  lastEventId: number;
}

export interface JobEvent {
  id: number;
  /** `state`: status changed (data is the job); `progress`: data is JobProgress. */
  event: 'state' | 'progress';
  data: unknown;
}

/** A file name fit for display: the last path segment, no control characters, at most 200 chars. */
export function displayName(name: string | undefined): string {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean === '' || clean === '.' || clean === '..' ? 'upload' : clean.slice(0, 200);
}
