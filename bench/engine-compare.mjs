#!/usr/bin/env node
/**
 * Two builds of the engine on one file, run after run: `engine-pass.mjs` in a fresh process for
 * the build in `--old DIR` (a copy of an earlier `dist/`) and for the current `dist/`, in
 * alternating order, then the medians of the first (cold) pass and of the best later (warm)
 * pass, as wall time and as main-thread CPU time. Alternating and taking medians is what makes
 * a difference of a few percent visible on a machine shared with other jobs.
 * usage: node bench/engine-compare.mjs FILE --old DIR [--runs 11] [--passes 3]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    old: { type: 'string' },
    runs: { type: 'string', default: '11' },
    passes: { type: 'string', default: '3' },
  },
});
const file = positionals[0];
if (!file || !values.old) {
  process.stderr.write('usage: node bench/engine-compare.mjs FILE --old DIR [--runs 11] [--passes 3]\n');
  process.exit(2);
}
const script = path.join(import.meta.dirname, 'engine-pass.mjs');
const builds = [
  { name: `old (${values.old})`, args: ['--dist', values.old] },
  { name: 'new (dist)', args: [] },
];
const results = builds.map(() => ({ cold: [], coldMain: [], warm: [], warmMain: [] }));
for (let run = 0; run < Number(values.runs); run++) {
  const order = run % 2 === 0 ? [0, 1] : [1, 0];
  for (const b of order) {
    const passes = execFileSync(
      process.execPath,
      [script, file, '--passes', values.passes, ...builds[b].args],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const r = results[b];
    r.cold.push(passes[0].seconds);
    r.coldMain.push(passes[0].mainSeconds);
    const later = passes.slice(1);
    if (later.length > 0) {
      r.warm.push(Math.min(...later.map((p) => p.seconds)));
      r.warmMain.push(Math.min(...later.map((p) => p.mainSeconds)));
    }
  }
}
const median = (values) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  return sorted.length === 0 ? null : Number(sorted[sorted.length >> 1].toFixed(3));
};
for (const [b, build] of builds.entries()) {
  const r = results[b];
  console.log(
    JSON.stringify({
      build: build.name,
      runs: r.cold.length,
      coldSeconds: median(r.cold),
      coldMainSeconds: median(r.coldMain),
      warmSeconds: median(r.warm),
      warmMainSeconds: median(r.warmMain),
    }),
  );
}
