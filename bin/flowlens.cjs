#!/usr/bin/env node
// The `flowlens` command. CommonJS on purpose: libuv reads UV_THREADPOOL_SIZE once, when its
// thread pool is first used, and loading an ES module entry already uses it. The pool runs
// DuckDB queries (and file reads, zlib): with libuv's default of 4, a few long queries make
// every other request of `flowlens serve` wait; 16 lets them interleave (docs/api.md). A value
// set by the user wins.
//
// V8 lets the heap grow to up to 4× what survived the last full collection; over a long
// stream of short-lived records that slack, not live data, is most of the peak: `analyze` of the
// 40-copy benchmark capture peaked at 1.73× the 4-copy run with ~100 MB live. 1.5× keeps it at
// 1.39× (469 → 360 MB) for ≈3% more CPU on GC threads (README, Performance). V8 reads the flag
// at every collection, so setting it before anything runs is enough.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '16';
require('node:v8').setFlagsFromString('--heap-growing-percent=50');
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`flowlens: cannot load the built program (${error.message}); run npm run build\n`);
  process.exitCode = 1;
});
