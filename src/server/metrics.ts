/**
 * The server's Prometheus registry and the metrics it keeps itself: HTTP latency, event-loop lag,
 * job queue depth and job durations, live-feed clients. Other components (collectors, ingest,
 * detection) add their own counters to `registry`, named `flowlens_<stage>_<what>_total`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EnrichCounters, Enricher } from '../enrich/index.js';

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

const ENRICH_HELP: Record<keyof EnrichCounters, string> = {
  flowlens_enrich_lookups_total:
    'Address lookups (flows of the in-server collector and capture, and lookups).',
  flowlens_enrich_cache_hits_total: 'Address lookups answered by the lookup cache.',
  flowlens_enrich_cache_misses_total: 'Address lookups that went to the databases.',
  flowlens_enrich_special_range_total: 'Addresses in special-purpose ranges (labelled, never looked up).',
  flowlens_enrich_geoip_not_found_total: 'Database lookups that found no country.',
  flowlens_enrich_asn_not_found_total: 'Database lookups that found no AS.',
  flowlens_enrich_flows_total: 'Flow records enriched.',
  flowlens_enrich_ipv4_table_lookups_total:
    'IPv4 flow addresses that missed the numeric cache and searched the merged table.',
  flowlens_enrich_mac_lookups_total: 'MAC vendor lookups.',
};

/** The enricher's counters and cache hit ratio in the Prometheus text format. */
export function enricherMetricsText(enricher: Pick<Enricher, 'counters' | 'cacheHitRatio'>): string {
  const counters = enricher.counters();
  const lines: string[] = [];
  for (const name of Object.keys(ENRICH_HELP) as (keyof EnrichCounters)[]) {
    lines.push(`# HELP ${name} ${ENRICH_HELP[name]}`, `# TYPE ${name} counter`, `${name} ${counters[name]}`);
  }
  lines.push(
    '# HELP flowlens_enrich_cache_hit_ratio Address lookups answered by the cache over all lookups (0 before any).',
    '# TYPE flowlens_enrich_cache_hit_ratio gauge',
    `flowlens_enrich_cache_hit_ratio ${enricher.cacheHitRatio()}`,
  );
  return `${lines.join('\n')}\n`;
}
