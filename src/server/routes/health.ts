/**
 * Operations routes outside `/api/v1`: `/health` (the process answers), `/ready` (the store
 * answers, the job queue is not stuck, and any extra check passes) and `/metrics` (Prometheus).
 */
import type { FastifyInstance } from 'fastify';
import type { FlowStore } from '../../store/index.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { ServerMetrics } from '../metrics.js';

export interface ReadinessResult {
  ok: boolean;
  detail?: string;
}

/** One readiness condition, e.g. "the collector is bound". Must settle within a second or two. */
export type ReadinessCheck = () => Promise<ReadinessResult> | ReadinessResult;

export interface HealthRouteOptions {
  store: FlowStore;
  jobs: JobManager;
  metrics: ServerMetrics;
  checks: Record<string, ReadinessCheck>;
  /** A running job silent this long makes the server not ready. */
  stuckMs: number;
  /** Appended to the registry's text (already in the exposition format). */
  extraMetrics?: () => string;
}

const CHECK_TIMEOUT_MS = 2000;

async function withTimeout(check: ReadinessCheck): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  const started = Date.now();
  const checks: Record<string, ReadinessCheck> = {
    store: async () => {
      await options.store.query('SELECT 1 AS ok');
      return { ok: true };
    },
    jobs: () => {
      const stuck = options.jobs.stalled(options.stuckMs);
      return stuck.length === 0
        ? { ok: true, detail: `${options.jobs.running} running, ${options.jobs.waiting} waiting` }
        : { ok: false, detail: `no progress from job ${stuck.map((job) => job.id).join(', ')}` };
    },
    ...options.checks,
  };

  app.get(
    '/health',
    { schema: { tags: ['operations'], summary: 'Liveness: the process answers' } },
    async () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the store answers and jobs are not stuck (503 if not)',
      },
    },
    async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => withTimeout(checks[name])));
      const body = Object.fromEntries(names.map((name, i) => [name, results[i]]));
      const ready = results.every((result) => result.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: body });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)' } },
    async (_request, reply) => {
      const own = await options.metrics.registry.metrics();
      const more = options.extraMetrics?.() ?? '';
      const text = more === '' ? own : `${own.endsWith('\n') ? own : `${own}\n`}${more}`;
      return reply.type(options.metrics.registry.contentType).send(text);
    },
  );
}
