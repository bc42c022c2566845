#!/usr/bin/env node
/**
 * One pass of the engine with the application analyzer (analyze/app), timed in-process like
 * engine-pass.mjs: read + decode + flows + analyzer, records dropped. `--engine-only` runs the
 * same pass without the analyzer, for the comparison. Prints one JSON line:
 * {analyzer, packets, flows, seconds, cpuSeconds, packetsPerSecond}.
 * usage: node bench/app-analyzer-pass.mjs FILE [--engine-only]   (after npm run build)
 */
import { createAppAnalyzer } from '../dist/analyze/index.js';
import { analyzeCaptures } from '../dist/pipeline/index.js';

const file = process.argv[2];
const engineOnly = process.argv.includes('--engine-only');
let flows = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { summary } = await analyzeCaptures({
  files: [file],
  analyzers: engineOnly ? [] : [createAppAnalyzer()],
  onFlow: () => {
    flows++;
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    analyzer: engineOnly ? 'none' : 'app',
    packets: summary.packets,
    flows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    packetsPerSecond: Math.round(summary.packets / seconds),
  }),
);
