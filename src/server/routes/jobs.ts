/**
 * Capture uploads and analysis jobs: `POST /captures`, `GET /jobs`, `GET /jobs/:id`,
 * `GET /jobs/:id/events` (SSE with Last-Event-ID resume), `GET /jobs/:id/report.json|html`, and
 * `DELETE /jobs/:id`. The queue, workers and persistence are in `jobs/job-manager.ts`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERR } from '../../shared/index.js';
import { ApiError, notFound } from '../api-error.js';
import type { ResolvedServerConfig } from '../config.js';
import { FINISHED, type JobEvent, type JobStatus } from '../jobs/job.js';
import type { JobManager } from '../jobs/job-manager.js';
import { receiveUpload } from '../jobs/upload.js';
import type { JobReport, ReportRenderer } from '../report-renderer.js';
import {
  answer,
  ERROR_ANSWERS,
  EVENTS_QUERY,
  JOB_PARAMS,
  JOBS_QUERY,
  REPORT_QUERY,
  UPLOAD_QUERY,
} from '../schemas.js';

export interface JobRouteOptions {
  config: ResolvedServerConfig;
  jobs: JobManager;
  renderer?: ReportRenderer;
  rateLimit(weight: 'light' | 'heavy' | 'upload'): Record<string, unknown>;
  /** SSE comment heartbeat period, ms. */
  heartbeatMs: number;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function sseFrame(event: JobEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function lastEventId(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function isFinished(event: JobEvent): boolean {
  return event.event === 'state' && FINISHED.has((event.data as { status: JobStatus }).status);
}

export async function jobRoutes(app: FastifyInstance, options: JobRouteOptions): Promise<void> {
  const { jobs, config } = options;
  const tags = ['jobs'];
  const idSchema = { params: JOB_PARAMS };

  app.post<{ Querystring: { ingest: boolean; replace: boolean } }>(
    '/captures',
    {
      config: options.rateLimit('upload'),
      schema: {
        tags,
        summary: 'Upload a capture (multipart/form-data, field "file") and queue its analysis',
        description: `pcap, pcapng, or either gzip-compressed; at most ${config.uploadLimit} bytes.`,
        querystring: UPLOAD_QUERY,
        response: {
          202: answer('The queued job; follow /jobs/{id}/events'),
          ...ERROR_ANSWERS,
          413: { description: 'Larger than the upload limit', $ref: 'ApiError#' },
          415: { description: 'Not multipart/form-data', $ref: 'ApiError#' },
          422: { description: 'Not a capture file (magic bytes)', $ref: 'ApiError#' },
          503: { description: 'Queue full; see Retry-After', $ref: 'ApiError#' },
        },
      },
    },
    async (request, reply) => {
      // Refuse before reading a byte when the queue is full.
      const slot = jobs.reserve();
      try {
        const upload = await receiveUpload(request, config.uploadsDir, config.uploadLimit);
        const job = await jobs.submit(slot, {
          uploadPath: upload.path,
          fileName: upload.fileName,
          sizeBytes: upload.sizeBytes,
          sha256: upload.sha256,
          ingest: request.query.ingest,
          replace: request.query.replace,
        });
        return reply.code(202).header('location', `/api/v1/jobs/${job.id}`).send(job);
      } finally {
        slot.release();
      }
    },
  );

  app.get<{ Querystring: { status?: JobStatus; limit: number } }>(
    '/jobs',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'Jobs, newest first',
        querystring: JOBS_QUERY,
        response: { 200: answer('{ jobs: Job[] }'), ...ERROR_ANSWERS },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const list = jobs.list().filter((job) => status === undefined || job.status === status);
      return { jobs: list.slice(0, limit) };
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: options.rateLimit('light'),
      schema: { tags, summary: 'One job', ...idSchema, response: { 200: answer('Job'), ...ERROR_ANSWERS } },
    },
    async (request: IdRequest) => {
      const job = jobs.get(request.params.id);
      if (job === undefined) throw notFound(`job ${request.params.id}`);
      return job;
    },
  );

  app.get(
    '/jobs/:id/events',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary:
          'Server-sent events: state and progress (phase, percent, packets, packets/s, partial results)',
        description: 'Send Last-Event-ID to resume. The stream ends after the job finishes.',
        ...idSchema,
        querystring: EVENTS_QUERY,
        response: { 200: answer('text/event-stream'), ...ERROR_ANSWERS },
      },
    },
    async (request: IdRequest, reply: FastifyReply) => {
      const id = request.params.id;
      if (jobs.get(id) === undefined) throw notFound(`job ${id}`);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      let closed = false;
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), options.heartbeatMs);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        subscription?.close();
        raw.end();
      };
      const send = (event: JobEvent) => {
        if (closed) return;
        raw.write(sseFrame(event));
        if (isFinished(event)) close();
      };
      const subscription = jobs.follow(id, lastEventId(request), send);
      raw.on('close', close);
      for (const event of subscription?.past ?? []) send(event);
      const job = jobs.get(id);
      if (job !== undefined && FINISHED.has(job.status) && !closed) close();
    },
  );

  app.get(
    '/jobs/:id/report.json',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'The report of a finished job: job, flows, summary, analysis',
        ...idSchema,
        querystring: REPORT_QUERY,
        response: {
          200: answer('JobReport'),
          ...ERROR_ANSWERS,
          404: { description: 'No such job', $ref: 'ApiError#' },
          409: { description: 'The job has not succeeded', $ref: 'ApiError#' },
          410: { description: 'The report expired', $ref: 'ApiError#' },
        },
      },
    },
    async (request: IdRequest, reply) => {
      const text = await jobs.readReport(request.params.id);
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );

  app.get(
    '/jobs/:id/report.html',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'The report as HTML (needs a report renderer; 501 without one)',
        ...idSchema,
        querystring: REPORT_QUERY,
        response: {
          200: answer('text/html'),
          ...ERROR_ANSWERS,
          501: { description: 'No renderer', $ref: 'ApiError#' },
        },
      },
    },
    async (request: IdRequest, reply) => {
      const text = await jobs.readReport(request.params.id);
      if (options.renderer === undefined) {
        throw new ApiError(
          501,
          ERR.API_NOT_IMPLEMENTED,
          'HTML reports are not available yet: use report.json',
        );
      }
      const html = await options.renderer.renderHtml(JSON.parse(text) as JobReport);
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.delete(
    '/jobs/:id',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'Cancel a queued or running job; delete a finished job and its report',
        ...idSchema,
        response: { 200: answer('{ id, action: cancelled | deleted }'), ...ERROR_ANSWERS },
      },
    },
    async (request: IdRequest) => {
      const action = await jobs.remove(request.params.id);
      if (action === undefined) throw notFound(`job ${request.params.id}`);
      return { id: request.params.id, action };
    },
  );
}
