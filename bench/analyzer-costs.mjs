#!/usr/bin/env node
/**
 * What each analyzer (and the detections) adds to the engine's pass, in-process: the file is
 * analysed with no analyzer, then with each one alone, then with all of them; every case runs
 * `--passes` times (after one unmeasured warm-up pass of everything) and the best CPU time
 * counts (CPU time, since this machine is shared).
 * Prints the first pass of everything (cold: wall and CPU, V8's compiling included), then one line
 * per case: name, CPU seconds, added over the bare engine, packets/s.
 * usage: node bench/analyzer-costs.mjs FILE [--passes N]   (after npm run build)
 */
import {
  analyzeCaptures,
  createCaptureDetection,
  createDiagnosisAnalyzers,
  DIAGNOSIS_ANALYZER_NAMES,
  diagnosisDnsAnalyzer,
} from '../dist/pipeline/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/analyzer-costs.mjs FILE [--passes N]');
  process.exit(2);
}
const passesAt = process.argv.indexOf('--passes');
const passes = passesAt > 0 ? Number(process.argv[passesAt + 1]) : 2;

async function cpuSeconds(make) {
  let best = Number.POSITIVE_INFINITY;
  let packets = 0;
  for (let pass = 0; pass < passes; pass++) {
    const { analyzers, onFlow, finish } = make();
    const cpu0 = process.cpuUsage();
    const { summary } = await analyzeCaptures({ files: [file], analyzers, onFlow });
    finish?.();
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, (cpu.user + cpu.system) / 1e6);
    packets = summary.packets;
  }
  return { seconds: best, packets };
}

const cases = [
  ['engine', () => ({ analyzers: [], onFlow() {} })],
  ...DIAGNOSIS_ANALYZER_NAMES.map((name) => [
    name,
    () => ({ analyzers: createDiagnosisAnalyzers([name]), onFlow() {} }),
  ]),
  [
    'detections',
    () => {
      const d = createCaptureDetection();
      return { analyzers: d.analyzers, onFlow: (r) => d.onFlow(r), finish: () => d.finish() };
    },
  ],
  [
    'all',
    () => {
      // As `flowlens analyze` runs them: the detections share the diagnosis DNS analyzer.
      const analyzers = createDiagnosisAnalyzers();
      const d = createCaptureDetection({}, { dns: diagnosisDnsAnalyzer(analyzers) });
      return {
        analyzers: [...analyzers, ...d.analyzers],
        onFlow: (r) => d.onFlow(r),
        finish: () => d.finish(),
      };
    },
  ],
];
// One pass of everything first, so that no case pays for compiling the engine. It is printed as
// the cold pass: what a fresh process pays, V8's compiling of the analysis code included.
{
  const wall0 = performance.now();
  const { analyzers, onFlow, finish } = cases.at(-1)[1]();
  const cpu0 = process.cpuUsage();
  const { summary } = await analyzeCaptures({ files: [file], analyzers, onFlow });
  finish();
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  console.log(
    `cold pass of all: ${wall.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu, ` +
      `${Math.round(summary.packets / wall).toLocaleString('en-US')} packets/s`,
  );
}
let base = 0;
for (const [name, make] of cases) {
  const { seconds, packets } = await cpuSeconds(make);
  if (name === 'engine') base = seconds;
  const added = name === 'engine' ? '' : `+${(seconds - base).toFixed(2)}`;
  console.log(
    `${name.padEnd(11)} ${seconds.toFixed(2).padStart(6)} s cpu ${added.padStart(6)}  ${Math.round(
      packets / seconds,
    )
      .toLocaleString('en-US')
      .padStart(10)} packets/s`,
  );
}
