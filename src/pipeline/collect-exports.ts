/**
 * The flow-export collector: UDP listeners → the flow-export decoder → batches of flow records
 * handed to `writeFlows` (the store), with per-exporter counters.
 *
 * Receive path: each datagram is decoded in the socket's message callback (synchronous, about
 * a microsecond per record; no await per packet), so the kernel's receive buffer (32 MiB asked)
 * absorbs bursts while a batch is being written.
 *
 * Back-pressure: records go into batches of `batchSize`, written one at a time, in order. At
 * most `maxQueuedBatches` wait; when the store falls that far behind, a new full batch is
 * dropped and counted in `flowsDropped` (the oldest data is kept, memory stays bounded), never
 * buffered without limit. A partial batch is written every `flushIntervalMs`.
 *
 * Contract: resolves when `signal` aborts: sockets close, records waiting for their template are
 * decoded or counted expired, every queued batch is written, then the final stats return.
 */
import {
  createFlowExportDecoder,
  type FlowExportDecoderConfig,
  type FlowExportError,
} from '../decode/flow-export/index.js';
import type { ExportedFlowRecord, ExporterCounters, InterfaceCounterRecord } from '../model/index.js';
import type { BoundListener, ExportListenerConfig, ExportListenerKind } from '../sources/index.js';
import { createExportListeners, createThreadedExportListeners } from '../sources/index.js';

export interface CollectorOptions {
  listeners: ExportListenerConfig;
  /** Receive in a worker thread (default): store writes and GC never stall the sockets. */
  receiveThread?: boolean;
  decoder?: Partial<FlowExportDecoderConfig>;
  /** Writes one batch; the next waits for it. A rejection counts the batch as dropped. */
  writeFlows(batch: ExportedFlowRecord[]): Promise<void>;
  /** Writes sFlow interface counter samples (every flush interval); absent: they are not kept. */
  writeCounters?(batch: InterfaceCounterRecord[]): Promise<void>;
  signal: AbortSignal;
  /** Flows per write; default 10,000. */
  batchSize?: number;
  /** A partial batch is written at least this often; default 2000 ms. */
  flushIntervalMs?: number;
  /** Full batches allowed to wait for the store; default 50. */
  maxQueuedBatches?: number;
  onStarted?(listeners: BoundListener[]): void;
  /** A rejected datagram, at most once per exporter per `errorLogIntervalMs` (default 10 s). */
  onDecodeError?(exporter: string, error: FlowExportError, suppressed: number): void;
  errorLogIntervalMs?: number;
  /** Called every `statsIntervalMs` (default 10 s) while running. */
  onStats?(stats: CollectorStats): void;
  statsIntervalMs?: number;
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
  /** Batches waiting for the store now. */
  queuedBatches: number;
}

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

  const drain = async () => {
    while (queue.length > 0) {
      const next = queue[0];
      try {
        await options.writeFlows(next);
        flowsWritten += next.length;
      } catch {
        writeErrors++;
        flowsDropped += next.length;
      }
      queue.shift();
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
  // with the flows' flush; past MAX_COUNTERS they are dropped and counted with the flows.
  const MAX_COUNTERS = 100_000;
  let counters: InterfaceCounterRecord[] = [];
  const writeCounters = () => {
    if (!options.writeCounters || counters.length === 0) return;
    const full = counters;
    counters = [];
    const write = options.writeCounters;
    queueWrite(() =>
      write(full).catch(() => {
        writeErrors++;
      }),
    );
  };
  const sink = {
    onFlow(record: ExportedFlowRecord) {
      batch.push(record);
      if (batch.length >= batchSize) enqueue();
    },
    onCounters(record: InterfaceCounterRecord) {
      if (counters.length < MAX_COUNTERS) counters.push(record);
    },
  };
  const onDatagram = (payload: Buffer, exporter: string, receivedAt: number) => {
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
  });

  bound = await listeners.start();
  options.onStarted?.(bound);
  const flusher = setInterval(() => {
    decoder.expirePending(Date.now() / 1000);
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
    await writing;
    writeCounters();
    await chain;
  }
  return stats();
}

/** Prometheus text exposition of the collector's counters (`flowlens_collector_*`). */
export function collectorMetrics(stats: CollectorStats): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric(
    'flowlens_collector_datagrams_total',
    'Export datagrams received, by listener.',
    Object.entries(stats.datagrams).map(([kind, n]) => [`{listener="${kind}"}`, n]),
  );
  const perExporter = (key: keyof ExporterCounters) =>
    stats.exporters.map((e): [string, number] => [`{exporter="${e.exporter}"}`, Number(e[key])]);
  metric('flowlens_collector_records_total', 'Flow records decoded.', perExporter('records'));
  metric(
    'flowlens_collector_decode_errors_total',
    'Datagrams rejected as malformed.',
    perExporter('decodeErrors'),
  );
  metric(
    'flowlens_collector_template_misses_total',
    'Data sets without a known template.',
    perExporter('templateMisses'),
  );
  metric(
    'flowlens_collector_sequence_gaps_total',
    'Breaks in export sequence numbers.',
    perExporter('sequenceGaps'),
  );
  metric(
    'flowlens_collector_expired_pending_total',
    'Buffered data sets whose template never came.',
    perExporter('expiredPending'),
  );
  metric('flowlens_collector_flows_written_total', 'Flows written to the store.', [['', stats.flowsWritten]]);
  metric('flowlens_collector_flows_dropped_total', 'Flows dropped: store behind or failing.', [
    ['', stats.flowsDropped],
  ]);
  return `${lines.join('\n')}\n`;
}
