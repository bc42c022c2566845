#!/usr/bin/env node
// The `flowlens` command. CommonJS on purpose: libuv reads UV_THREADPOOL_SIZE once, when its
// thread pool is first used, and loading an ES module entry already uses it. The pool runs
// DuckDB queries (and file reads, zlib): with libuv's default of 4, a few long queries make
// every other request of `flowlens serve` wait; 16 lets them interleave (docs/api.md). A value
// set by the user wins.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '16';
// The bundle of dist/cli/main.js (scripts/bundle-cli.mjs): a few files to load instead of ~300.
import('../dist/bundle/main.js').catch((error) => {
  process.stderr.write(`flowlens: cannot load the built program (${error.message}); run npm run build\n`);
  process.exitCode = 1;
});
