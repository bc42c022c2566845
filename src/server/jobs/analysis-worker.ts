/**
 * The analysis worker thread: runs `analyzeCaptures` over one uploaded capture with every
 * analyzer, the detections and the enrichment (as `flowlens analyze` does; threat tags and
 * threat-intel alerts from the data directory's feeds when `threatDataDir` is given), posting
 * progress, partial results
 * and (for ingest) flow batches to the main thread, then the result as JSON text: the summary,
 * the completed analysis (health score included, see completeAnalysis) and the first warning of
 * each code. It never touches the store. The main thread cancels it by terminating the thread,
 * so there is nothing to clean up here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DeviceInventory } from '../../analyze/index.js';
import { createEnricher, createPassiveNames, createThreatIntel } from '../../enrich/index.js';
import type { Alert, FlowRecord, InputWarning } from '../../model/index.js';
import {
  analyzeCaptures,
  completeAnalysis,
  createCaptureDetection,
  createDiagnosisAnalyzers,
  createFlowEnrichment,
  diagnosisDnsAnalyzer,
  protocolName,
} from '../../pipeline/index.js';
import { FlowlensError } from '../../shared/index.js';
import type { MainMessage, PartialResults, WorkerInput, WorkerMessage } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('analysis-worker.js runs as a worker thread');
const input = workerData as WorkerInput;
const post = (message: WorkerMessage) => port.postMessage(message);

let waitingAck: (() => void) | undefined;
port.on('message', (message: MainMessage) => {
  if (message.type === 'ack') {
    const resume = waitingAck;
    waitingAck = undefined;
    resume?.();
  }
});

async function run(): Promise<void> {
  let batch: FlowRecord[] = [];
  let flows = 0;
  let packets = 0;
  let bytes = 0;
  const byProtocol = new Map<string, number>();
  let lastProgress = 0;

  const partial = (): PartialResults => {
    const top = [...byProtocol].sort((a, b) => b[1] - a[1]).slice(0, 8);
    return { flows, protocols: Object.fromEntries(top) };
  };
  const sendBatch = (): Promise<void> => {
    const full = batch;
    batch = [];
    return new Promise((resolve) => {
      waitingAck = resolve;
      post({ type: 'flows', batch: full });
    });
  };

  // Threat tags and threat-intel alerts from the data directory's feeds and lists (cached
  // copies; no network).
  const intel = input.threatDataDir ? await createThreatIntel({ dataDir: input.threatDataDir }) : undefined;
  const threat = intel?.active ? () => intel.matcher : undefined;
  // Country, AS, passive names and threat tags on each flow before it is counted or sent for
  // ingest; the databases are read here, per job. With enrichment off, the feeds still feed the
  // detections' lookups.
  const enricher = input.enrich === false ? undefined : createEnricher(input.enrich);
  await enricher?.start();
  const enrichment = enricher
    ? createFlowEnrichment({ enricher, names: createPassiveNames(), summarize: true, threat })
    : undefined;
  const lookups = enrichment?.lookups ?? (threat ? createFlowEnrichment({ threat }).lookups : undefined);
  const analyzers = createDiagnosisAnalyzers();
  // One DNS analyzer serves the diagnosis, the detections and passive names.
  const dns = diagnosisDnsAnalyzer(analyzers);
  if (dns) enrichment?.shareDnsAnalyzer(dns);
  const detection = createCaptureDetection({}, { lookups, dns });
  const firstWarnings = new Map<string, InputWarning>();
  const result = await analyzeCaptures({
    files: [input.file],
    analyzers: [...analyzers, ...detection.analyzers],
    enrichment,
    onWarning(warning) {
      if (!firstWarnings.has(warning.code)) firstWarnings.set(warning.code, warning);
    },
    onFlow(record) {
      detection.onFlow(record);
      flows++;
      packets += record.packets;
      bytes += record.bytes;
      const name = protocolName(record.protocol);
      byProtocol.set(name, (byProtocol.get(name) ?? 0) + record.bytes);
      if (input.ingestBatch > 0) batch.push(record);
    },
    onProgress(progress) {
      const now = Date.now();
      if (now - lastProgress < input.progressMs) return;
      lastProgress = now;
      post({
        type: 'progress',
        bytesRead: progress.bytesRead,
        packets: progress.packets,
        partial: partial(),
      });
    },
    backpressure: () =>
      input.ingestBatch > 0 && batch.length >= input.ingestBatch ? sendBatch() : undefined,
  });
  if (batch.length > 0) await sendBatch();
  post({ type: 'progress', bytesRead: -1, packets: result.summary.packets, partial: partial() });
  result.analysis.alerts = detection.finish();
  const analysis = completeAnalysis(result.summary, result.analysis);
  if (enrichment) analysis.enrichment = enrichment.summary();
  await enricher?.stop();
  const report = { summary: result.summary, analysis, warnings: [...firstWarnings.values()] };
  const findings =
    input.ingestBatch > 0
      ? {
          alerts: result.analysis.alerts as Alert[],
          devices: result.analysis.devices as DeviceInventory | undefined,
        }
      : undefined;
  post({ type: 'done', result: JSON.stringify(report), flows, packets, bytes, findings });
}

run().catch((error: unknown) => {
  const code = error instanceof FlowlensError ? error.code : undefined;
  post({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
});
