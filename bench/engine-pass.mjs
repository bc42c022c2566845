#!/usr/bin/env node
/**
 * One pass of the engine alone, timed in-process: read + decode + flows, every flow record
 * built (Community ID, addresses) and handed to a consumer that drops it; no serialisation,
 * no process start-up. Prints one JSON line: {packets, flows, seconds, cpuSeconds}.
 * usage: node bench/engine-pass.mjs FILE   (after npm run build)
 */
import { analyzeCaptures } from '../dist/pipeline/index.js';

const file = process.argv[2];
let flows = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { summary } = await analyzeCaptures({
  files: [file],
  onFlow: () => {
    flows++;
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({ packets: summary.packets, flows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }),
);
