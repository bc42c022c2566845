/**
 * The traffic sources `flowlens serve` can run in its own process: the flow-export collector
 * (`--collect`) and a live capture (`--capture IFACE`). Both write their flows into the server's
 * store in batches and report to the server: counters on `/metrics`, a readiness check, fields
 * of the live `stats` topic, and (capture) the active flows of `GET /api/v1/live/flows`. Both
 * run the detections continuously: alerts go to the store and each new one, once stored, to
 * `onAlert`.
 *
 * With `enrichment` (serve's, see serve-command.ts), every flow gets country, AS and threat tags
 * before it is stored, and the detections raise threat-intel alerts from the feeds and lists.
 *
 * Contract: `start…` resolves once the source is running (sockets bound, capture tool
 * listening) and rejects with the source's FlowlensError when it cannot start. `stop()` stops
 * it, writes every flow it still holds, and never rejects.
 */
import type { DeviceInventory } from '../../analyze/index.js';
import type { ExportedFlowRecord, FlowRecord, InterfaceCounterRecord } from '../../model/index.js';
import {
  type CollectorRegistry,
  type ContinuousDetection,
  createCollectorRegistry,
  createContinuousDetection,
  type FlowEnrichment,
  type LiveStatus,
  recordInventory,
  runCollector,
  runLiveCapture,
} from '../../pipeline/index.js';
import type {
  CaptureCounters,
  FlowlensServer,
  LiveCaptureStats,
  LiveCollectorStats,
  LiveFlowsSnapshot,
  ReadinessCheck,
} from '../../server/index.js';
import type { FlowStore, StoredAlert, StoredFlow } from '../../store/index.js';
import { createAnalyzers, FLOW_ANALYZER_NAMES } from '../analyze/analyzer-set.js';

/** Fingerprints of new alerts waiting for their first write, at most. */
const MAX_UNWRITTEN_NEW = 10_000;

/**
 * Detections over a source's flows: alerts into the store. Each alert the engine raises as new
 * goes to `onAlert` once its row is written, as the store holds it, so its id is the one
 * `GET /api/v1/alerts/:id` answers (a row merged into an open alert of the same fingerprint
 * has that alert's id and count).
 */
function serveDetection(
  store: FlowStore,
  onAlert: ((alert: StoredAlert) => void) | undefined,
  enrichment: FlowEnrichment | undefined,
): ContinuousDetection {
  const unwritten = new Set<string>();
  /** The stored alerts of `written` rows (the row itself when the lookup fails). */
  const storedRows = async (written: StoredAlert[]): Promise<StoredAlert[]> => {
    const rows: StoredAlert[] = [];
    for (const type of new Set(written.map((row) => row.type))) {
      const ofType = written.filter((row) => row.type === type);
      const stored = await store.listAlerts({ type, limit: 1000 }).catch(() => []);
      for (const row of ofType) {
        rows.push(stored.find((a) => a.fingerprint === row.fingerprint && a.state !== 'dismissed') ?? row);
      }
    }
    return rows;
  };
  return createContinuousDetection({
    lookups: enrichment?.lookups,
    async writeAlerts(batch) {
      await store.recordAlerts(batch);
      if (onAlert === undefined) return;
      const written = batch.filter(
        (row) => row.fingerprint !== undefined && unwritten.delete(row.fingerprint),
      );
      if (written.length > 0) for (const row of await storedRows(written)) onAlert(row);
    },
    onAlert(alert, change) {
      if (change === 'new' && onAlert !== undefined && unwritten.size < MAX_UNWRITTEN_NEW) {
        unwritten.add(alert.fingerprint);
      }
    },
  });
}

export interface RunningSource {
  /** Readiness of this source for `/ready`. */
  readonly ready: ReadinessCheck;
  stop(): Promise<void>;
}

export interface ServeCollectorOptions {
  ports: Partial<Record<'netflow' | 'ipfix' | 'sflow', number>>;
  bind: string;
  store: FlowStore;
  log(message: string): void;
  /** Each new alert of the detections on the collected flows, once stored (see serveDetection). */
  onAlert?(alert: StoredAlert): void;
  enrichment?: FlowEnrichment;
}

export interface ServeCollector extends RunningSource {
  readonly registry: CollectorRegistry;
}

/** Runs the collector until `stop()`; its counters are read through `registry`. */
export async function startServeCollector(options: ServeCollectorOptions): Promise<ServeCollector> {
  const controller = new AbortController();
  const registry = createCollectorRegistry();
  let bound = false;
  let started: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    started = resolve;
  });
  const run = runCollector({
    listeners: { ports: options.ports, bind: options.bind },
    writeFlows: (batch: ExportedFlowRecord[]) => {
      if (options.enrichment) for (const record of batch) options.enrichment.enrich(record);
      return options.store.writeFlows(batch as StoredFlow[]);
    },
    writeCounters: (batch: InterfaceCounterRecord[]) => options.store.writeInterfaceCounters(batch),
    signal: controller.signal,
    registry,
    detection: serveDetection(options.store, options.onAlert, options.enrichment),
    onStarted(listeners) {
      bound = true;
      for (const l of listeners) options.log(`collecting ${l.kind} on ${l.address} port ${l.port}`);
      started();
    },
    onDecodeError(exporter, error, suppressed) {
      const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
      options.log(`warning: ${exporter}: ${error.message} [${error.code}]${more}`);
    },
  });
  const stopped = run.then(
    () => {
      bound = false;
    },
    (error: unknown) => {
      bound = false;
      throw error;
    },
  );
  await Promise.race([listening, stopped]);
  stopped.catch((error: unknown) =>
    options.log(`collector stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
  return {
    registry,
    ready: () =>
      bound ? { ok: true, detail: 'listening' } : { ok: false, detail: 'collector not listening' },
    async stop() {
      controller.abort();
      await stopped.catch(() => {});
    },
  };
}

/** Records per second over the interval between two calls (the `stats` topic ticks each second). */
export function collectorStatsSource(registry: CollectorRegistry): () => LiveCollectorStats | undefined {
  let previous = { at: Date.now(), records: 0, written: 0 };
  return () => {
    const stats = registry.snapshot();
    if (!stats) return undefined;
    const now = Date.now();
    const records = stats.exporters.reduce((n, e) => n + e.records, 0);
    const seconds = Math.max((now - previous.at) / 1000, 0.001);
    const view: LiveCollectorStats = {
      exporters: stats.exporters.length,
      recordsPerSecond: Math.round((records - previous.records) / seconds),
      flowsWrittenPerSecond: Math.round((stats.flowsWritten - previous.written) / seconds),
      flowsDropped: stats.flowsDropped,
      templateMisses: stats.exporters.reduce((n, e) => n + e.templateMisses, 0),
      sequenceGaps: stats.exporters.reduce((n, e) => n + e.sequenceGaps, 0),
    };
    previous = { at: now, records, written: stats.flowsWritten };
    return view;
  };
}

export interface ServeCaptureOptions {
  interface: string;
  filter?: string;
  store: FlowStore;
  server: FlowlensServer;
  log(message: string): void;
  /** Each new alert of the detections on the captured flows, once stored (see serveDetection). */
  onAlert?(alert: StoredAlert): void;
  enrichment?: FlowEnrichment;
}

export interface ServeCapture extends RunningSource {
  /** The active flows now; undefined before the first sweep or after the capture ended. */
  snapshot(limit: number): LiveFlowsSnapshot | undefined;
  /** Its counters for `GET /api/v1/status`. */
  counters(): CaptureCounters;
}

const WRITE_BATCH = 10_000;
const WRITE_INTERVAL_MS = 2000;

/** Runs a live capture until `stop()` (or until its tool exits), writing flows to the store. */
export async function startServeCapture(options: ServeCaptureOptions): Promise<ServeCapture> {
  const controller = new AbortController();
  const { store } = options;
  let batch: StoredFlow[] = [];
  let writing: Promise<void> = Promise.resolve();
  let writeFailures = 0;
  let flowsWritten = 0;
  let droppedByKernel: number | null = null;
  const writeBatch = () => {
    if (batch.length === 0) return writing;
    const full = batch;
    batch = [];
    writing = writing.then(() =>
      store.writeFlows(full).then(
        () => {
          flowsWritten += full.length;
        },
        (error: unknown) => {
          writeFailures++;
          options.log(`live flows not stored: ${error instanceof Error ? error.message : String(error)}`);
        },
      ),
    );
    return writing;
  };
  const writer = setInterval(() => void writeBatch(), WRITE_INTERVAL_MS);
  let status: LiveStatus | undefined;
  let running = false;
  let started: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    started = resolve;
  });
  let rates = { packetsPerSecond: 0, bytesPerSecond: 0 };
  options.server.live.addStatsSource('capture', (): LiveCaptureStats | undefined => {
    if (!running || !status) return undefined;
    return {
      interface: options.interface,
      packets: status.packets,
      bytes: status.bytes,
      ...rates,
      activeFlows: status.activeFlows,
      newFlowsPerSecond: Math.round(status.newFlowsPerSecond),
      flowsEnded: status.flowsEnded,
      writeFailures,
    };
  });

  const run = runLiveCapture({
    capture: {
      interface: options.interface,
      filter: options.filter,
      onStarted(tool) {
        running = true;
        options.log(`capturing on ${options.interface} with ${tool}`);
        started();
      },
    },
    signal: controller.signal,
    analyzers: createAnalyzers(FLOW_ANALYZER_NAMES),
    detection: serveDetection(store, options.onAlert, options.enrichment),
    onFlow(record: FlowRecord) {
      options.enrichment?.enrich(record);
      const flow = record as StoredFlow;
      flow.sourceKind = 'live';
      flow.exporter = options.interface;
      batch.push(flow);
    },
    backpressure: () => (batch.length >= WRITE_BATCH ? writeBatch() : undefined),
    onStatus(next) {
      if (status) {
        const seconds = Math.max((next.at - status.at) / 1000, 0.001);
        rates = {
          packetsPerSecond: Math.round((next.packets - status.packets) / seconds),
          bytesPerSecond: Math.round((next.bytes - status.bytes) / seconds),
        };
      }
      status = next;
    },
  });
  const finished = run
    .then(async (result) => {
      running = false;
      droppedByKernel = result.stats.droppedByKernel ?? null;
      await writeBatch();
      const devices = result.analysis.devices as DeviceInventory | undefined;
      if (devices) await recordInventory(store, devices);
      if (result.ended === 'tool-exited')
        options.log(`capture on ${options.interface} ended: its tool exited`);
    })
    .finally(() => {
      running = false;
      clearInterval(writer);
    });
  await Promise.race([listening, finished]);
  finished.catch((error: unknown) =>
    options.log(`capture stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
  return {
    ready: () =>
      running
        ? { ok: true, detail: `capturing on ${options.interface}` }
        : { ok: false, detail: 'capture not running' },
    snapshot(limit) {
      if (!running || !status) return undefined;
      return {
        interface: options.interface,
        packets: status.packets,
        bytes: status.bytes,
        activeFlows: status.activeFlows,
        newFlowsPerSecond: status.newFlowsPerSecond,
        flowsEnded: status.flowsEnded,
        flows: status.busiest(limit),
      };
    },
    counters: () => ({
      interface: options.interface,
      running,
      packets: status?.packets ?? 0,
      activeFlows: running ? (status?.activeFlows ?? 0) : 0,
      flowsEnded: status?.flowsEnded ?? 0,
      flowsWritten,
      writeFailures,
      droppedByKernel,
    }),
    async stop() {
      controller.abort();
      await finished.catch(() => {});
      await writing;
    },
  };
}
