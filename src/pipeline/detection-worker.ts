/**
 * The detection thread of the collector (detection-thread.ts starts it): decodes its own copy of
 * the export datagrams with a decoder of its own (same datagrams in the same order, so the same
 * templates and the same records as the collector's) and runs the detection engine on them, so
 * detection costs nothing on the thread that decodes and stores flows.
 *
 * Messages in: `datagrams` (a chunk framed by detection-thread.ts, transferred), `tick` (wall
 * clock), `finish`. Out: `ack` for each chunk, `alerts` (the engine's alert events since the
 * last message, in order, with its counters) after each tick, `finished` with the last events
 * and every alert.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createFlowExportDecoder } from '../decode/flow-export/index.js';
import type { DetectionConfigInput } from '../detect/index.js';
import { createThreatIntel, loadThreatFeedsConfig } from '../enrich/index.js';
import type { Alert } from '../model/index.js';
import { createCaptureDetection } from './capture-detection.js';
import { readDetectionFrames } from './detection-frames.js';
import type { DetectionThreatSources } from './detection-thread.js';
import { createFlowEnrichment } from './enrich-flows.js';

export interface AlertEvent {
  alert: Alert;
  change: 'new' | 'updated';
}

/**
 * Nice value of this thread: when the CPU is short, decoding and storing flows comes first and
 * detection gets what is left (what it cannot keep up with is skipped and counted).
 */
const DETECTION_NICE = 10;

const port = parentPort;
if (port) {
  // Linux keeps a nice value per thread, and pid 0 means the calling thread there; elsewhere it
  // would renice the whole process, so it is left alone.
  if (process.platform === 'linux') {
    try {
      setPriority(DETECTION_NICE);
    } catch {}
  }
  const decoder = createFlowExportDecoder();
  let events: AlertEvent[] = [];
  const input = workerData as { config?: DetectionConfigInput; threat?: DetectionThreatSources };
  // Threat intelligence is read before the first message is handled; messages wait for it in order.
  const ready = (async () => {
    const sources = input.threat;
    if (!sources?.dataDir && !sources?.feedsFile) return undefined;
    try {
      const intel = await createThreatIntel({
        dataDir: sources.dataDir,
        fileFeeds: sources.feedsFile ? await loadThreatFeedsConfig(sources.feedsFile) : undefined,
      });
      return intel.active ? createFlowEnrichment({ threat: () => intel.matcher }).lookups : undefined;
    } catch {
      // The collector's own thread has already reported a bad feeds config; detect without it.
      return undefined;
    }
  })();
  let detection: ReturnType<typeof createCaptureDetection> | undefined;
  const sink = {
    onFlow: (record: Parameters<ReturnType<typeof createCaptureDetection>['onFlow']>[0]) =>
      detection?.onFlow(record),
  };
  const take = () => {
    const taken = events;
    events = [];
    return taken;
  };
  type Message = { type: string; buffer?: ArrayBuffer; used?: number; now?: number };
  const handle = (message: Message, engine: ReturnType<typeof createCaptureDetection>) => {
    if (message.type === 'datagrams' && message.buffer) {
      readDetectionFrames(message.buffer, message.used ?? 0, (payload, exporter, receivedAt) => {
        decoder.decode(payload, exporter, receivedAt, sink);
      });
      port.postMessage({ type: 'ack' });
    } else if (message.type === 'tick' && message.now !== undefined) {
      decoder.expirePending(message.now);
      engine.tick(message.now);
      port.postMessage({ type: 'alerts', events: take(), stats: engine.stats() });
    } else if (message.type === 'finish') {
      decoder.flushPending();
      const alerts = engine.finish();
      port.postMessage({ type: 'finished', events: take(), alerts, stats: engine.stats() });
    }
  };
  port.on('message', (message: Message) => {
    void ready.then((lookups) => {
      detection ??= createCaptureDetection(input.config ?? {}, {
        lookups,
        onAlert: (alert, change) => events.push({ alert, change }),
      });
      handle(message, detection);
    });
  });
}
