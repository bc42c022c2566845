#!/usr/bin/env node
/**
 * One pass of the engine with the TCP analyzer (or, with `engine`, without it), timed
 * in-process as bench/engine-pass.mjs does: read + decode + flows (+ TCP analysis), every flow
 * record built and dropped. Prints one JSON line: {mode, packets, flows, seconds, cpuSeconds}.
 * usage: node bench/tcp-analyzer-pass.mjs FILE [tcp|engine]   (after npm run build)
 */
import { createTcpAnalyzer } from '../dist/analyze/index.js';
import { analyzeCaptures } from '../dist/pipeline/index.js';

const file = process.argv[2];
const mode = process.argv[3] ?? 'tcp';
let flows = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { summary } = await analyzeCaptures({
  files: [file],
  analyzers: mode === 'engine' ? [] : [createTcpAnalyzer()],
  onFlow: () => {
    flows++;
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    mode,
    packets: summary.packets,
    flows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
