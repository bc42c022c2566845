/**
 * Builds the `GET /api/v1/status` answer. The traffic sources report plain counters through
 * `SourcesStatus` (the collector's registry snapshot as it is, the capture's counts); this view
 * adds the rates, sampling every counter every two seconds while the server runs and again on
 * each request. The store's facts (health: a scan of the flows' time columns; the ingest ledger)
 * are reused for a few seconds and concurrent requests share one read.
 */
import type { ExporterCounters } from '../../model/index.js';
import type { FlowStore, IngestRecord, StoreHealth } from '../../store/index.js';
import type { ServerMetrics } from '../metrics.js';
import { createRollingRate, type RollingRate } from './rolling-rate.js';
import type { CollectorStatus, StatusAnswer } from './status-answer.js';

/** The collector's counters as `CollectorRegistry.snapshot()` gives them (CollectorStats fits). */
export interface CollectorCounters {
  listeners: readonly {
    kind: 'netflow' | 'ipfix' | 'sflow';
    address: string;
    port: number;
    receiveBufferBytes: number;
  }[];
  datagrams: Readonly<Record<string, number>>;
  exporters: readonly ExporterCounters[];
  flowsWritten: number;
  flowsDropped: number;
  writeErrors: number;
  datagramsDropped: number;
  queuedBatches: number;
}

export interface CaptureCounters {
  interface: string;
  running: boolean;
  packets: number;
  activeFlows: number;
  flowsEnded: number;
  flowsWritten: number;
  writeFailures: number;
  droppedByKernel: number | null;
}

/** What the sources running in this process report; absent: that source does not run. */
export interface SourcesStatus {
  collector?: CollectorCounters;
  capture?: CaptureCounters;
}

export interface StatusViewOptions {
  store: FlowStore;
  metrics: ServerMetrics;
  jobs: { readonly running: number; readonly waiting: number };
  version: string;
  sources?: () => SourcesStatus;
  retentionDays?: number;
}

export interface StatusView {
  start(): void;
  stop(): void;
  answer(): Promise<StatusAnswer>;
}

/** What is read from the store, reused for STORE_TTL_MS. */
interface StoreFacts {
  health: StoreHealth;
  recentIngests: IngestRecord[];
}

const SAMPLE_MS = 2000;
const INGEST_WINDOW_MS = 60_000;
const SOURCE_WINDOW_MS = 10_000;
const STORE_TTL_MS = 3000;
const RECENT_INGESTS = 5;

export function createStatusView(options: StatusViewOptions): StatusView {
  const startedAt = Date.now();
  const ingestRate = createRollingRate(INGEST_WINDOW_MS);
  const collectorRate = createRollingRate(SOURCE_WINDOW_MS);
  const captureRate = createRollingRate(SOURCE_WINDOW_MS);
  const exporterRates = new Map<string, RollingRate>();
  let timer: NodeJS.Timeout | undefined;
  /** When the collector was last sampled: an exporter first seen after it started from 0 then. */
  let collectorSampledAt: number | undefined;
  let storeFacts: { at: number; read: Promise<StoreFacts> } | undefined;

  const jobFlows = async () => (await options.metrics.ingestedFlows.get()).values[0]?.value ?? 0;

  /** Reads every counter once and feeds the rates; returns what it read. */
  async function sample() {
    const now = Date.now();
    const sources = options.sources?.() ?? {};
    const jobs = await jobFlows();
    const collector = sources.collector;
    const capture = sources.capture;
    ingestRate.add(jobs + (collector?.flowsWritten ?? 0) + (capture?.flowsWritten ?? 0), now);
    if (collector) {
      let records = 0;
      for (const e of collector.exporters) {
        records += e.records;
        let rate = exporterRates.get(e.exporter);
        if (rate === undefined) {
          rate = createRollingRate(SOURCE_WINDOW_MS);
          if (collectorSampledAt !== undefined) rate.add(0, collectorSampledAt);
          exporterRates.set(e.exporter, rate);
        }
        rate.add(e.records, now);
      }
      collectorRate.add(records, now);
      collectorSampledAt = now;
    }
    if (capture) captureRate.add(capture.packets, now);
    return { jobs, collector, capture };
  }

  function readStore(): Promise<StoreFacts> {
    const now = Date.now();
    if (storeFacts === undefined || now - storeFacts.at > STORE_TTL_MS) {
      const read = Promise.all([options.store.health(), options.store.listIngests()]).then(
        ([health, ingests]) => ({ health, recentIngests: ingests.slice(0, RECENT_INGESTS) }),
      );
      storeFacts = { at: now, read };
      // A failed read is not kept: the next request tries again.
      read.catch(() => {
        if (storeFacts?.read === read) storeFacts = undefined;
      });
    }
    return storeFacts.read;
  }

  function collectorView(c: CollectorCounters): CollectorStatus {
    return {
      listeners: c.listeners.map((l) => ({
        protocol: l.kind,
        address: l.address,
        port: l.port,
        datagrams: c.datagrams[l.kind] ?? 0,
        receiveBufferBytes: l.receiveBufferBytes,
      })),
      exporters: c.exporters.map((e) => ({
        ...e,
        domains: e.domains ?? [],
        recordsPerSecond: round(exporterRates.get(e.exporter)?.perSecond() ?? 0),
      })),
      recordsPerSecond: round(collectorRate.perSecond()),
      flowsWritten: c.flowsWritten,
      flowsDropped: c.flowsDropped,
      writeErrors: c.writeErrors,
      datagramsDropped: c.datagramsDropped,
      queuedBatches: c.queuedBatches,
    };
  }

  return {
    start() {
      timer ??= setInterval(() => void sample().catch(() => {}), SAMPLE_MS);
      timer.unref();
      void sample().catch(() => {});
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    async answer() {
      const [{ jobs, collector, capture }, { health, recentIngests }] = await Promise.all([
        sample(),
        readStore(),
      ]);
      return {
        server: {
          version: options.version,
          startedAt: startedAt / 1000,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        },
        store: { ...health, retentionDays: options.retentionDays ?? null },
        ingest: {
          flowsPerSecond: round(ingestRate.perSecond()),
          windowSeconds: Math.round(ingestRate.spanSeconds()),
          flowsWritten: {
            jobs,
            collector: collector?.flowsWritten ?? 0,
            capture: capture?.flowsWritten ?? 0,
          },
          jobs: { running: options.jobs.running, waiting: options.jobs.waiting },
          recentIngests,
        },
        collector: collector ? collectorView(collector) : null,
        capture: capture ? { ...capture, packetsPerSecond: round(captureRate.perSecond()) } : null,
      };
    },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
