/**
 * The server's Prometheus registry and the metrics it keeps itself: HTTP latency, event-loop lag,
 * job queue depth and job durations, live-feed clients. Other components (collectors, ingest,
 * detection) add their own counters to `registry`, named `flowlens_<stage>_<what>_total`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly queueDepth: Gauge;
  readonly jobsRunning: Gauge;
  readonly jobDuration: Histogram<'outcome'>;
  readonly jobs: Counter<'outcome'>;
  readonly uploadsRejected: Counter<'reason'>;
  readonly liveClients: Gauge;
  readonly liveMessages: Counter<'topic'>;
  readonly liveSlowConsumers: Counter;
  readonly ingests: Counter<'outcome'>;
  readonly ingestedFlows: Counter;
  /** Starts the event-loop sampler. */
  start(): void;
  stop(): void;
}

/** `registry` defaults to a new one (never prom-client's global, so servers in one process do not mix). */
export function createServerMetrics(registry: Registry = new Registry()): ServerMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'flowlens_process_' });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  new Gauge({
    name: 'flowlens_server_event_loop_lag_p99_seconds',
    help: 'p99 event-loop delay since the previous scrape',
    registers: [registry],
    collect() {
      this.set(loop.percentile(99) / 1e9);
      loop.reset();
    },
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'flowlens_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'flowlens_jobs_queue_depth',
      help: 'analysis jobs waiting for a worker',
      registers: [registry],
    }),
    jobsRunning: new Gauge({
      name: 'flowlens_jobs_running',
      help: 'analysis jobs running',
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'flowlens_job_duration_seconds',
      help: 'analysis job run time by outcome',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'flowlens_jobs_total',
      help: 'analysis jobs finished, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    uploadsRejected: new Counter({
      name: 'flowlens_uploads_rejected_total',
      help: 'capture uploads refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    liveClients: new Gauge({
      name: 'flowlens_live_clients',
      help: 'WebSocket live-feed clients connected',
      registers: [registry],
    }),
    liveMessages: new Counter({
      name: 'flowlens_live_messages_total',
      help: 'live-feed messages published, by topic',
      labelNames: ['topic'],
      registers: [registry],
    }),
    liveSlowConsumers: new Counter({
      name: 'flowlens_live_slow_consumers_total',
      help: 'live-feed clients cut off for not reading fast enough',
      registers: [registry],
    }),
    ingests: new Counter({
      name: 'flowlens_ingests_total',
      help: 'captures ingested into the store by analysis jobs, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ingestedFlows: new Counter({
      name: 'flowlens_ingested_flows_total',
      help: 'flow records committed to the store by analysis jobs',
      registers: [registry],
    }),
    start() {
      loop.enable();
    },
    stop() {
      loop.disable();
    },
  };
}
