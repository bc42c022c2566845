/**
 * The flow-export collector: UDP listeners → the flow-export decoder → batches of flow records
 * handed to `writeFlows` (the store), with per-exporter counters.
 *
 * Receive path: the sockets live in a receive worker thread (sources/flow-export) that frames
 * datagrams into chunks transferred to this thread; each datagram is decoded here synchronously
 * (about a microsecond per record; no await per packet), so neither decoding nor store writes nor
 * garbage collection on this thread ever leave the kernel's receive buffer unread.
 *
 * Back-pressure: records go into batches of `batchSize`, written one write at a time, in order;
 * batches that waited are written together, up to `maxWriteFlows` a write. At most
 * `maxQueuedBatches` wait; when the store falls that far behind, a new full batch is dropped
 * and counted in `flowsDropped` (the oldest data is kept, memory stays bounded), never buffered
 * without limit. A partial batch is written every `flushIntervalMs`.
 *
 * Detections (optional `detection`): every decoded record (continuous-detection.ts), or every
 * datagram, for a detection thread that decodes its own copy (detection-thread.ts), also goes to
 * the detection engine as it arrives; the flush timer ticks it with the wall clock, so windows
 * close and alerts are written to the store while the collector runs (exporters' clocks are taken
 * to be within the engine's `latenessSeconds` of ours).
 *
 * Contract: resolves when `signal` aborts: sockets close, records waiting for their template are
 * decoded or counted expired, every queued batch is written, every open detection window is
 * evaluated and its alerts written, then the final stats return. The
 * counters can be read while it runs through `registry` (the server's `/metrics`).
 */
import {
  createFlowExportDecoder,
  type FlowExportDecoderConfig,
  type FlowExportError,
} from '../decode/flow-export/index.js';
import type { ExportedFlowRecord, ExporterCounters, InterfaceCounterRecord } from '../model/index.js';
import type { BoundListener, ExportListenerConfig, ExportListenerKind } from '../sources/index.js';
import { createExportListeners, createThreadedExportListeners } from '../sources/index.js';
import type { ContinuousDetection, ContinuousDetectionStats } from './continuous-detection.js';
import type { DatagramDetection } from './detection-thread.js';

export interface CollectorOptions {
  listeners: ExportListenerConfig;
  /** Receive in a worker thread (default): store writes and GC never stall the sockets. */
  receiveThread?: boolean;
  decoder?: Partial<FlowExportDecoderConfig>;
  /** Writes one batch (or several joined); the next waits for it. A rejection drops what it held. */
  writeFlows(batch: ExportedFlowRecord[]): Promise<void>;
  /** Writes sFlow interface counter samples (every flush interval); absent: they are not kept. */
  writeCounters?(batch: InterfaceCounterRecord[]): Promise<void>;
  signal: AbortSignal;
  /** Flows per write; default 10,000. */
  batchSize?: number;
  /** A partial batch is written at least this often; default 2000 ms. */
  flushIntervalMs?: number;
  /** Full batches allowed to wait for the store (the ones being written included); default 50. */
  maxQueuedBatches?: number;
  /** Batches waiting together are written as one, up to this many flows; default 122,880. */
  maxWriteFlows?: number;
  onStarted?(listeners: BoundListener[]): void;
  /** A rejected datagram, at most once per exporter per `errorLogIntervalMs` (default 10 s). */
  onDecodeError?(exporter: string, error: FlowExportError, suppressed: number): void;
  errorLogIntervalMs?: number;
  /** Called every `statsIntervalMs` (default 10 s) while running. */
  onStats?(stats: CollectorStats): void;
  statsIntervalMs?: number;
  /** Where the live counters can be read from outside (see createCollectorRegistry). */
  registry?: CollectorRegistry;
  /**
   * Runs detections as records arrive: on this thread with createContinuousDetection (each
   * record), or in a thread of its own with createDetectionThread (each datagram).
   */
  detection?: ContinuousDetection | DatagramDetection;
}

export interface CollectorStats {
  listeners: BoundListener[];
  datagrams: Record<ExportListenerKind, number>;
  exporters: ExporterCounters[];
  flowsWritten: number;
  /** Flows dropped because the store fell behind, or a write failed. */
  flowsDropped: number;
  writeErrors: number;
  /** Datagrams the receive thread dropped because decoding fell 64 MiB behind. */
  datagramsDropped: number;
  /** sFlow interface counter records dropped: more than 100,000 waiting between two flushes. */
  counterRecordsDropped: number;
  /** Batches waiting for the store now. */
  queuedBatches: number;
  /** With `detection`: flows judged, alerts raised, stored and dropped. */
  detection?: ContinuousDetectionStats;
}

/**
 * Flows a write takes at most when batches waited: DuckDB's row-group size, so a write that
 * caught up fills whole row groups, which DuckDB writes compressed at once instead of through
 * the WAL and a later checkpoint (bench/live-write-bench.mjs: 4.4–5.2 µs of CPU a flow in
 * 122,880-flow writes, 5.5–6.5 in 50,000-flow writes).
 */
const MAX_WRITE_FLOWS = 122_880;

export async function runCollector(options: CollectorOptions): Promise<CollectorStats> {
  const batchSize = options.batchSize ?? 10_000;
  const maxQueued = options.maxQueuedBatches ?? 50;
  const decoder = createFlowExportDecoder(options.decoder);
  const queue: ExportedFlowRecord[][] = [];
  let batch: ExportedFlowRecord[] = [];
  let flowsWritten = 0;
  let flowsDropped = 0;
  let writeErrors = 0;
  let writing: Promise<void> | undefined;
  let bound: BoundListener[] = [];
  const lastErrorLog = new Map<string, { at: number; suppressed: number }>();
  const errorInterval = options.errorLogIntervalMs ?? 10_000;

  const maxWrite = options.maxWriteFlows ?? MAX_WRITE_FLOWS;
  const drain = async () => {
    while (queue.length > 0) {
      // Batches that waited go together (up to maxWrite flows): a store write has a fixed cost
      // (its commit), so a store that fell behind catches up with fewer, larger writes.
      let take = 1;
      let flows = queue[0].length;
      while (take < queue.length && flows + queue[take].length <= maxWrite) flows += queue[take++].length;
      const next = take === 1 ? queue[0] : joined(queue, take, flows);
      try {
        await options.writeFlows(next);
        flowsWritten += flows;
      } catch {
        writeErrors++;
        flowsDropped += flows;
      }
      queue.splice(0, take);
    }
    writing = undefined;
  };
  /** Runs `work` after the writes queued before it (the store takes one writer at a time). */
  let chain: Promise<void> = Promise.resolve();
  const queueWrite = (work: () => Promise<void>) => {
    chain = chain.then(() => writing).then(work);
  };
  const enqueue = () => {
    if (batch.length === 0) return;
    if (queue.length >= maxQueued) flowsDropped += batch.length;
    else queue.push(batch);
    batch = [];
    writing ??= drain();
  };
  // Counter samples are few (one per interface per agent interval): one bounded list, written
  // with the flows' flush; past MAX_COUNTERS they are dropped and counted.
  const MAX_COUNTERS = 100_000;
  let counters: InterfaceCounterRecord[] = [];
  let counterRecordsDropped = 0;
  const writeCounters = () => {
    if (!options.writeCounters || counters.length === 0) return;
    const full = counters;
    counters = [];
    const write = options.writeCounters;
    queueWrite(() =>
      write(full).catch(() => {
        writeErrors++;
        counterRecordsDropped += full.length;
      }),
    );
  };
  const detection = options.detection;
  const judgeFlow = detection && 'onFlow' in detection ? detection : undefined;
  const judgeDatagram = detection && 'onDatagram' in detection ? detection : undefined;
  const sink = {
    onFlow(record: ExportedFlowRecord) {
      judgeFlow?.onFlow(record);
      batch.push(record);
      if (batch.length >= batchSize) enqueue();
    },
    onCounters(record: InterfaceCounterRecord) {
      if (counters.length < MAX_COUNTERS) counters.push(record);
      else counterRecordsDropped++;
    },
  };
  const onDatagram = (payload: Buffer, exporter: string, receivedAt: number) => {
    judgeDatagram?.onDatagram(payload, exporter, receivedAt);
    const error = decoder.decode(payload, exporter, receivedAt, sink);
    if (error && options.onDecodeError) {
      const now = Date.now();
      const last = lastErrorLog.get(exporter);
      if (!last || now - last.at >= errorInterval) {
        options.onDecodeError(exporter, error, last?.suppressed ?? 0);
        lastErrorLog.set(exporter, { at: now, suppressed: 0 });
      } else last.suppressed++;
    }
  };
  const threaded =
    options.receiveThread !== false
      ? createThreadedExportListeners(options.listeners, onDatagram)
      : undefined;
  const listeners = threaded ?? createExportListeners(options.listeners, onDatagram);
  const stats = (): CollectorStats => ({
    listeners: bound,
    datagrams: listeners.received(),
    exporters: decoder.counters(),
    flowsWritten,
    flowsDropped,
    writeErrors,
    queuedBatches: queue.length,
    datagramsDropped: threaded?.dropped() ?? 0,
    counterRecordsDropped,
    ...(detection ? { detection: detection.stats() } : {}),
  });

  bound = await listeners.start();
  const detach = options.registry?.attach(stats);
  options.onStarted?.(bound);
  const flusher = setInterval(() => {
    decoder.expirePending(Date.now() / 1000);
    detection?.tick(Date.now() / 1000);
    enqueue();
    writeCounters();
  }, options.flushIntervalMs ?? 2000);
  const reporter = options.onStats
    ? setInterval(() => options.onStats?.(stats()), options.statsIntervalMs ?? 10_000)
    : undefined;
  try {
    if (!options.signal.aborted) {
      await new Promise<void>((resolve) =>
        options.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } finally {
    clearInterval(flusher);
    if (reporter) clearInterval(reporter);
    await listeners.stop();
    decoder.flushPending();
    enqueue();
    await detection?.finish();
    await writing;
    writeCounters();
    await chain;
    detach?.();
  }
  return stats();
}

/** The first `take` batches as one array of `flows` records (Array#flat is slow on this). */
function joined(queue: ExportedFlowRecord[][], take: number, flows: number): ExportedFlowRecord[] {
  const all = new Array<ExportedFlowRecord>(flows);
  let at = 0;
  for (let i = 0; i < take; i++) for (const record of queue[i]) all[at++] = record;
  return all;
}

/** One Prometheus metric family: name, help, type and its samples (labels rendered as text). */
export interface CollectorMetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels: Record<string, string>; value: number }[];
}

/**
 * Where a running collector's counters can be read from outside it (the server's `/metrics`):
 * `runCollector({ registry })` attaches its live counters while it runs and leaves its final
 * counters behind when it stops. Plain values, no Prometheus client: the reader renders them
 * (`metrics()` gives the text exposition format).
 */
export interface CollectorRegistry {
  /** The attached collector's counters now, or its final ones; undefined before any ran. */
  snapshot(): CollectorStats | undefined;
  /** `flowlens_collector_*` families of the snapshot (empty before any collector ran). */
  families(): CollectorMetricFamily[];
  /** Prometheus text exposition of `families()`. */
  metrics(): string;
  /** Used by runCollector: `read` is called on every snapshot until the returned detach runs. */
  attach(read: () => CollectorStats): () => void;
}

export function createCollectorRegistry(): CollectorRegistry {
  let read: (() => CollectorStats) | undefined;
  let last: CollectorStats | undefined;
  const registry: CollectorRegistry = {
    snapshot() {
      if (read) last = read();
      return last;
    },
    families() {
      const stats = registry.snapshot();
      return stats ? collectorMetricFamilies(stats) : [];
    },
    metrics: () => renderFamilies(registry.families()),
    attach(source) {
      read = source;
      return () => {
        if (read !== source) return;
        last = source();
        read = undefined;
      };
    },
  };
  return registry;
}

/** The collector's counters as Prometheus families (`flowlens_collector_*`). */
export function collectorMetricFamilies(stats: CollectorStats): CollectorMetricFamily[] {
  const family = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    samples: CollectorMetricFamily['samples'],
  ): CollectorMetricFamily => ({ name: `flowlens_collector_${name}`, help, type, samples });
  const perExporter = (key: keyof ExporterCounters) =>
    stats.exporters.map((e) => ({ labels: { exporter: e.exporter }, value: Number(e[key]) }));
  const one = (value: number) => [{ labels: {}, value }];
  return [
    family(
      'datagrams_total',
      'Export datagrams received, by listener.',
      'counter',
      Object.entries(stats.datagrams).map(([listener, value]) => ({ labels: { listener }, value })),
    ),
    family(
      'datagrams_dropped_total',
      'Datagrams the receive thread dropped because decoding fell behind.',
      'counter',
      one(stats.datagramsDropped),
    ),
    family('packets_total', 'Export datagrams decoded, by exporter.', 'counter', perExporter('packets')),
    family('records_total', 'Flow records decoded.', 'counter', perExporter('records')),
    family(
      'counter_records_total',
      'sFlow interface counter records decoded.',
      'counter',
      perExporter('counterRecords'),
    ),
    family('decode_errors_total', 'Datagrams rejected as malformed.', 'counter', perExporter('decodeErrors')),
    family(
      'template_misses_total',
      'Data sets without a known template.',
      'counter',
      perExporter('templateMisses'),
    ),
    family(
      'sequence_gaps_total',
      'Breaks in export sequence numbers.',
      'counter',
      perExporter('sequenceGaps'),
    ),
    family(
      'expired_pending_total',
      'Buffered data sets whose template never came.',
      'counter',
      perExporter('expiredPending'),
    ),
    family('restarts_total', 'Exporter restarts detected.', 'counter', perExporter('restarts')),
    family(
      'pending_sets',
      'Data sets waiting for their template now.',
      'gauge',
      perExporter('pendingRecords'),
    ),
    family('templates', 'Templates defined now.', 'gauge', perExporter('templates')),
    family('flows_written_total', 'Flows written to the store.', 'counter', one(stats.flowsWritten)),
    family(
      'flows_dropped_total',
      'Flows dropped: store behind or failing.',
      'counter',
      one(stats.flowsDropped),
    ),
    family('write_errors_total', 'Store writes that failed.', 'counter', one(stats.writeErrors)),
    family(
      'counter_records_dropped_total',
      'sFlow interface counter records dropped: too many waiting, or a failed write.',
      'counter',
      one(stats.counterRecordsDropped),
    ),
    family(
      'queued_batches',
      'Batches of flows waiting for the store now.',
      'gauge',
      one(stats.queuedBatches),
    ),
    ...(stats.detection ? detectionFamilies(stats.detection) : []),
  ];
}

/** `flowlens_collector_alerts_*`: what the detections raised and stored. */
function detectionFamilies(d: ContinuousDetectionStats): CollectorMetricFamily[] {
  const one = (value: number) => [{ labels: {}, value }];
  const family = (name: string, help: string, value: number): CollectorMetricFamily => ({
    name: `flowlens_collector_${name}`,
    help,
    type: 'counter',
    samples: one(value),
  });
  return [
    family('alerts_total', 'Alerts raised by the detections (new fingerprints).', d.alertsNew),
    family('alert_updates_total', 'Repeats of an open alert (count and last seen updated).', d.alertsUpdated),
    family('alerts_stored_total', 'Alert rows written to the store.', d.alertsStored),
    family(
      'alerts_not_stored_total',
      'Alert rows dropped: alert queue full or a failed write.',
      d.alertsNotStored,
    ),
    ...(d.datagramsSkipped === undefined
      ? []
      : [
          family(
            'detection_datagrams_skipped_total',
            'Datagrams the detection thread did not judge: it was 16 MiB behind.',
            d.datagramsSkipped,
          ),
        ]),
  ];
}

/** Prometheus text exposition of the collector's counters (`flowlens_collector_*`). */
export function collectorMetrics(stats: CollectorStats): string {
  return renderFamilies(collectorMetricFamilies(stats));
}

function renderFamilies(families: CollectorMetricFamily[]): string {
  const lines: string[] = [];
  const escapeLabel = (value: string) =>
    value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const { labels, value } of f.samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${f.name}${text ? `{${text}}` : ''} ${value}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
