/**
 * `flowlens serve`: the HTTP API on one data directory. Opens (creating if needed) the store,
 * starts the server, and shuts down gracefully on SIGTERM or SIGINT: stop accepting, fail
 * unfinished jobs with a reason, close live clients, then close the store. A second signal exits
 * at once. The API token comes from FLOWLENS_API_TOKEN (not a flag: flags show in `ps`).
 *
 * Enrichment (unless --no-enrich): flows of the in-server collector and capture and of ingest
 * jobs get country, AS and threat tags; the threat feeds and lists of the data directory are
 * refreshed in the background on their intervals (never blocking a request) and managed through
 * `/api/v1/feeds` and `/api/v1/lists/*`.
 *
 * Exit codes: 0 after a clean shutdown; 2 bad usage or an unsafe setup (no token on a public
 * address); 1 unexpected failure.
 */
import { mkdirSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ERR, FlowlensError, packageVersion } from '../../shared/index.js';
import type { StoredAlert } from '../../store/index.js';
import { addEnrichOptions, type EnrichFlags, loadThreatIntel, startEnrichment } from '../enrich-options.js';
import { capHeapGrowth } from '../heap-growth.js';
import { byteSize, countAtLeastOne, duration, wholeNumber } from '../option-values.js';
import { defaultDataDir } from '../query/open-store.js';
import { demoDataDir, seedDemo } from './demo.js';
import { type RunningRetention, startRetention } from './serve-retention.js';
import {
  collectorStatsSource,
  type ServeCapture,
  type ServeCollector,
  startServeCapture,
  startServeCollector,
} from './serve-sources.js';

interface ServeFlags extends Omit<EnrichFlags, 'names'> {
  port: number;
  bind: string;
  data?: string;
  corsOrigin?: string[];
  uploadLimit: number;
  queueLimit: number;
  workers: number;
  jobTimeout: number;
  reportTtl: number;
  keepUploads?: boolean;
  rateLimit: boolean;
  queryCacheTtl: number;
  queryCacheStale: number;
  warmUp: boolean;
  logLevel: string;
  demo?: boolean;
  collect?: boolean;
  netflow: number;
  ipfix: number;
  sflow: number;
  collectBind: string;
  capture?: string;
  filter?: string;
  retention?: number;
  geoipDb?: string;
  asnDb?: string;
}

const EXAMPLES = `
Examples:
  $ flowlens serve                                  http://127.0.0.1:8080, data in ./data
  $ flowlens serve --demo                           a temporary store seeded with two hours of demo traffic
  $ flowlens serve --port 9000 --data /var/lib/flowlens --retention 30
  $ flowlens serve --collect                        also collect NetFlow 2055, IPFIX 4739, sFlow 6343 (loopback)
  $ flowlens serve --collect --collect-bind 0.0.0.0 --sflow 0   exporters on the network, no sFlow
  $ sudo flowlens serve --capture eth0 --filter 'not port 22'   live capture; GET /api/v1/live/flows
  $ FLOWLENS_API_TOKEN=$(openssl rand -hex 32) flowlens serve --bind 0.0.0.0
  $ curl -s localhost:8080/api/v1/overview?range=24h
  $ curl -F file=@capture.pcap 'localhost:8080/api/v1/captures?ingest=true'
  $ curl -s localhost:8080/api/v1/feeds            threat feeds (flowlens feeds add … to add one)
  $ flowlens serve --collect --reverse-dns 10.0.0.53   PTR names of public peers, shown on host pages

API documentation: /docs (Swagger UI) and /api/v1/openapi.json; docs/api.md.
Any address other than loopback needs FLOWLENS_API_TOKEN (at least 16 characters); clients
send it as "Authorization: Bearer <token>".`;

function port(value: string): number {
  const n = wholeNumber(value);
  if (n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** The collector's listeners: 0 turns one off; at least one must stay on. */
function collectorPorts(flags: ServeFlags): Partial<Record<'netflow' | 'ipfix' | 'sflow', number>> {
  const on = (value: number) => (value === 0 ? undefined : value);
  const ports = { netflow: on(flags.netflow), ipfix: on(flags.ipfix), sflow: on(flags.sflow) };
  if (Object.values(ports).every((p) => p === undefined)) {
    throw new FlowlensError(
      ERR.USAGE,
      '--collect with every listener off: give --netflow, --ipfix or --sflow a port',
      2,
    );
  }
  return ports;
}

export function registerServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('HTTP API: analytics, capture upload and analysis jobs, live WebSocket feed')
    .option('--port <port>', 'TCP port (0 picks a free one)', port, 8080)
    .option('--bind <address>', 'listen address (other than loopback needs FLOWLENS_API_TOKEN)', '127.0.0.1')
    .option('--data <dir>', 'data directory (default: $FLOWLENS_DATA or ./data)')
    .option('--cors-origin <origin...>', 'allow browser requests from these origins (default: CORS off)')
    .option('--upload-limit <size>', 'largest capture upload', byteSize, 2 * 1024 ** 3)
    .option('--queue-limit <n>', 'analysis jobs waiting before uploads get 503', wholeNumber, 4)
    .option('--workers <n>', 'analyses running at once (worker threads)', countAtLeastOne, 1)
    .option('--job-timeout <duration>', 'stop an analysis after this long', duration, 1800)
    .option('--report-ttl <duration>', 'keep reports this long', duration, 86_400)
    .option('--keep-uploads', 'keep uploaded captures after analysis (default: deleted)')
    .option('--no-rate-limit', 'turn per-endpoint rate limits off (benchmarks)')
    .option('--demo', 'start on a fresh data directory (temporary unless --data) seeded with demo traffic')
    .option('--collect', 'also run the flow-export collector (as flowlens collect) in this process')
    .option('--netflow <port>', 'with --collect: NetFlow v5/v9 UDP port (0: none)', port, 2055)
    .option('--ipfix <port>', 'with --collect: IPFIX UDP port (0: none)', port, 4739)
    .option('--sflow <port>', 'with --collect: sFlow UDP port (0: none)', port, 6343)
    .option('--collect-bind <address>', 'with --collect: address the collector listens on', '127.0.0.1')
    .option('--capture <interface>', 'also capture live from this interface (as flowlens capture)')
    .option('--filter <bpf>', 'with --capture: BPF filter')
    .option(
      '--retention <days>',
      'delete flows and alerts older than this many days (at start, then hourly)',
      countAtLeastOne,
    )
    .option(
      '--query-cache-ttl <ms>',
      'reuse an analytics answer this long, and past it while the flows are unchanged (0: only share queries in flight)',
      wholeNumber,
      1000,
    )
    .option(
      '--query-cache-stale <ms>',
      'serve an expired analytics answer this much longer while one refresh runs',
      wholeNumber,
      0,
    )
    .option('--no-warm-up', "do not compute the dashboard overview's answers at start")
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default('info'),
    )
    .addHelpText('after', EXAMPLES);
  addEnrichOptions(serve, { names: false, reverseDns: true });
  serve.action(async (flags: ServeFlags) => {
    await runServe(flags);
  });
}

async function runServe(flags: ServeFlags): Promise<void> {
  capHeapGrowth();
  // Loaded on use: Fastify and DuckDB cost start-up time other commands should not pay.
  const [
    { createDiagnosisRenderer, createServer, DASHBOARD_LANDING, resolveServerConfig },
    { createDuckDbStore },
    { createEnricher },
  ] = await Promise.all([
    import('../../server/index.js'),
    import('../../store/index.js'),
    import('../../enrich/index.js'),
  ]);
  const collectPorts = flags.collect ? collectorPorts(flags) : undefined;
  const dataDir = flags.demo ? demoDataDir(flags.data) : (flags.data ?? defaultDataDir());
  const databases = {
    geoipDb: flags.geoipDb ?? (process.env.FLOWLENS_GEOIP_DB || undefined),
    asnDb: flags.asnDb ?? (process.env.FLOWLENS_ASN_DB || undefined),
  };
  const config = {
    port: flags.port,
    bind: flags.bind,
    dataDir,
    apiToken: process.env.FLOWLENS_API_TOKEN,
    corsOrigins: flags.corsOrigin,
    uploadLimit: flags.uploadLimit,
    queueLimit: flags.queueLimit,
    concurrency: flags.workers,
    jobTimeoutMs: flags.jobTimeout * 1000,
    reportTtlMs: flags.reportTtl * 1000,
    keepUploads: flags.keepUploads ?? false,
    rateLimit: flags.rateLimit ? undefined : (false as const),
    queryCacheTtlMs: flags.queryCacheTtl,
    queryCacheStaleMs: flags.queryCacheStale,
    warmUp: flags.warmUp ? DASHBOARD_LANDING : [],
    logLevel: flags.logLevel,
    enrich: flags.enrich ? databases : (false as const),
  };
  resolveServerConfig(config); // Refuses an unsafe setup before the store is touched.
  mkdirSync(dataDir, { recursive: true });
  const log = (message: string) => process.stderr.write(`flowlens: ${message}\n`);
  const intel = flags.enrich ? await loadThreatIntel({ ...flags, data: dataDir }, log) : undefined;
  for (const warning of intel?.warnings() ?? []) log(`warning: ${warning}`);
  const enrichment = await startEnrichment({ ...flags, data: dataDir, names: false }, { intel });
  const store = createDuckDbStore({ dataDir });
  // One enricher for the flows and the server's lookups, its databases read now rather than on
  // the first lookup (analysis jobs read the same files in their worker threads).
  const enricher = enrichment?.enricher ?? createEnricher(databases);
  await Promise.all([store.start(), enricher.start()]);
  if (flags.demo) {
    const seed = await seedDemo(store, dataDir, undefined, enrichment?.enrichment);
    log(
      `demo data in ${dataDir}: ${seed.packets} packets, ${seed.flows} flows, ${seed.alerts} alerts (two hours ending now)`,
    );
  }
  let collector: ServeCollector | undefined;
  let retention: RunningRetention | undefined;
  let capture: ServeCapture | undefined;
  const version = packageVersion();
  const renderer = createDiagnosisRenderer({ generator: `flowlens ${version}` });
  const server = createServer(config, {
    store,
    renderer,
    version,
    enricher,
    reverseDns: enrichment?.reverseDns,
    liveFlows: (limit) => capture?.snapshot(limit),
    extraMetrics: () => `${collector?.registry.metrics() ?? ''}${intel?.metrics() ?? ''}`,
    retentionDays: flags.retention,
    status: () => ({ collector: collector?.registry.snapshot(), capture: capture?.counters() }),
    threatIntel: intel,
    readinessChecks: {
      ...(collectPorts ? { collector: () => collector?.ready() ?? { ok: false, detail: 'starting' } } : {}),
      ...(flags.capture ? { capture: () => capture?.ready() ?? { ok: false, detail: 'starting' } } : {}),
    },
  });
  // New alerts of the in-server collector and capture as stored, for the dashboard's toasts.
  const publishAlert = (alert: StoredAlert) => server.live.publish('alerts', { event: 'new', alert });
  let signalled = false;
  let onSignal = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = resolve;
  });
  const shutdown = (signal: string) => {
    if (signalled) process.exit(130);
    signalled = true;
    server.app.log.info({ signal }, 'shutting down');
    onSignal();
  };
  const onTerm = () => shutdown('SIGTERM');
  const onInt = () => shutdown('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    if (flags.retention !== undefined) retention = await startRetention(store, flags.retention, log);
    if (collectPorts) {
      collector = await startServeCollector({
        ports: collectPorts,
        bind: flags.collectBind,
        store,
        log,
        onAlert: publishAlert,
        enrichment: enrichment?.enrichment,
      });
      server.live.addStatsSource('collector', collectorStatsSource(collector.registry));
    }
    if (flags.capture) {
      capture = await startServeCapture({
        interface: flags.capture,
        filter: flags.filter,
        store,
        server,
        log,
        onAlert: publishAlert,
        enrichment: enrichment?.enrichment,
      });
    }
    const { url } = await server.start();
    intel?.startRefreshing();
    server.app.log.info({ url, dataDir }, `listening on ${url}`);
    process.stderr.write(
      `flowlens: serving ${dataDir} on ${url} (dashboard at ${url}/, API docs at ${url}/docs)\n`,
    );
    await stopRequested;
  } finally {
    await retention?.stop();
    await capture?.stop();
    await collector?.stop();
    await intel?.stop();
    await server.stop().catch((error: unknown) => server.app.log.error({ err: error }, 'shutdown failed'));
    await store.stop();
    await enrichment?.stop();
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}
