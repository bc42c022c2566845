#!/usr/bin/env node
/**
 * The engine alone, timed in-process: read + decode + flows, every flow record built (Community
 * ID, addresses) and handed to a consumer that drops it; no serialisation, no process start-up.
 * With `--passes N` the same file is analysed N times in one process: the first pass is the cold
 * one (the JIT compiles the engine while it runs), later passes show the compiled engine's rate.
 * Prints one JSON line per pass: {pass, packets, flows, seconds, cpuSeconds, mainSeconds}.
 * `cpuSeconds` counts every thread (GC helpers, the JIT's background compiles); `mainSeconds` is
 * the main thread's own time on a CPU (Linux only, else null): on a shared machine it varies
 * less than `seconds`, which also counts time waiting for a CPU.
 * usage: node bench/engine-pass.mjs FILE [--passes N] [--dist DIR]   (after npm run build)
 * `--dist` runs another build (a copy of an earlier `dist/`), to compare builds run by run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const distAt = process.argv.indexOf('--dist');
const dist =
  distAt > 0 ? path.resolve(process.argv[distAt + 1]) : fileURLToPath(new URL('../dist', import.meta.url));
const { analyzeCaptures } = await import(pathToFileURL(path.join(dist, 'pipeline', 'index.js')).href);

/** Nanoseconds the main thread has run on a CPU (first field of its schedstat), or null. */
function mainThreadNs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

const file = process.argv[2];
const passesAt = process.argv.indexOf('--passes');
const passes = passesAt > 0 ? Number(process.argv[passesAt + 1]) : 1;
for (let pass = 1; pass <= passes; pass++) {
  let flows = 0;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadNs();
  const t0 = performance.now();
  const { summary } = await analyzeCaptures({
    files: [file],
    onFlow: () => {
      flows++;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadNs();
  console.log(
    JSON.stringify({
      pass,
      packets: summary.packets,
      flows,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      mainSeconds: main0 === null || main1 === null ? null : (main1 - main0) / 1e9,
    }),
  );
}
