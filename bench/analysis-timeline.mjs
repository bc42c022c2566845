#!/usr/bin/env node
/**
 * Where one cold in-process pass of every analyzer and the detections spends its time (no
 * enrichment, no output), in two views:
 * - the wall time of each block of 16,384 packets, so that V8's warm-up (the first blocks) and
 *   the flow ends (blocks where many flows time out at once) stand out from the steady state;
 * - the time spent in each analyzer's `onFlowEnd` and in the detections' `onFlow`, measured
 *   around each call (two `performance.now()` calls each, about 40 ns, included).
 * usage: node bench/analysis-timeline.mjs FILE   (after npm run build)
 */
import {
  analyzeCaptures,
  createCaptureDetection,
  createDiagnosisAnalyzers,
  diagnosisDnsAnalyzer,
} from '../dist/pipeline/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/analysis-timeline.mjs FILE');
  process.exit(2);
}
const BLOCK = 16_384;

const diagnosis = createDiagnosisAnalyzers();
const detection = createCaptureDetection({}, { dns: diagnosisDnsAnalyzer(diagnosis) });
const flowEndMs = new Map();
const timed = [...diagnosis, ...detection.analyzers].map((analyzer) => {
  const key = flowEndMs.has(analyzer.name) ? `${analyzer.name} (detections)` : analyzer.name;
  flowEndMs.set(key, 0);
  return {
    name: analyzer.name,
    onPacket: analyzer.onPacket.bind(analyzer),
    onNonIpFrame: analyzer.onNonIpFrame?.bind(analyzer),
    finish: analyzer.finish.bind(analyzer),
    onFlowEnd(flowId, record) {
      const t = performance.now();
      analyzer.onFlowEnd(flowId, record);
      flowEndMs.set(key, flowEndMs.get(key) + performance.now() - t);
    },
  };
});
const blockEnds = [];
let packets = 0;
const blockClock = {
  name: 'block-clock',
  onPacket() {
    if (++packets % BLOCK === 0) blockEnds.push(performance.now());
  },
  onFlowEnd() {},
  finish: () => null,
};
let detectionMs = 0;
let flows = 0;

const start = performance.now();
await analyzeCaptures({
  files: [file],
  analyzers: [blockClock, ...timed],
  onFlow(record) {
    flows++;
    const t = performance.now();
    detection.onFlow(record);
    detectionMs += performance.now() - t;
  },
});
const finishStart = performance.now();
detection.finish();
const end = performance.now();

const blocks = [];
let previous = start;
for (const at of blockEnds) {
  blocks.push(Math.round(at - previous));
  previous = at;
}
const sorted = [...blocks].sort((a, b) => a - b);
const steady = sorted[sorted.length >> 1] ?? 0;
console.log(
  `${file}: ${packets.toLocaleString('en-US')} IP packets seen by the analyzers, ${flows.toLocaleString('en-US')} flows`,
);
console.log(`total ${Math.round(end - start)} ms (detections' finish ${Math.round(end - finishStart)} ms)`);
console.log(
  `ms per ${BLOCK.toLocaleString('en-US')} packets: ${blocks.join(' ')}; then ${Math.round(finishStart - previous)} to the end`,
);
console.log(
  `median block ${steady} ms (${(((steady / BLOCK) * 1e6) / 1e3).toFixed(2)} µs/packet); ` +
    `time above the median: first 4 blocks ${blocks.slice(0, 4).reduce((s, b) => s + Math.max(0, b - steady), 0)} ms, ` +
    `the other blocks ${blocks.slice(4).reduce((s, b) => s + Math.max(0, b - steady), 0)} ms, ` +
    `the end (the flows still open, at the median's rate for its ${packets % BLOCK} packets) ` +
    `${Math.max(0, Math.round(finishStart - previous - (steady * (packets % BLOCK)) / BLOCK))} ms`,
);
console.log('at flow ends:');
for (const [name, ms] of flowEndMs) console.log(`  ${name.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms`);
console.log(`  ${'detections onFlow'.padEnd(26)} ${detectionMs.toFixed(1).padStart(7)} ms`);
