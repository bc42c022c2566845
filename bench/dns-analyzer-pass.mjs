#!/usr/bin/env node
/**
 * One pass of the engine with the DNS, ICMP and timing analyzers, timed in-process, beside the
 * engine alone (bench/engine-pass.mjs). Prints one JSON line:
 * {packets, flows, seconds, cpuSeconds, analysis: {dns: {queries, responses}, icmp: {messages}, timing: {frames}}}.
 * usage: node bench/dns-analyzer-pass.mjs FILE [dns|icmp|timing …]   (after npm run build)
 * With no analyzer named, all three run.
 */
import { createDnsAnalyzer, createIcmpAnalyzer, createTimingAnalyzer } from '../dist/analyze/index.js';
import { analyzeCaptures } from '../dist/pipeline/index.js';

const [file, ...names] = process.argv.slice(2);
const factories = { dns: createDnsAnalyzer, icmp: createIcmpAnalyzer, timing: createTimingAnalyzer };
const chosen = names.length === 0 ? Object.keys(factories) : names;
const analyzers = chosen.map((name) => factories[name]());
let flows = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { summary, analysis } = await analyzeCaptures({
  files: [file],
  analyzers,
  onFlow: () => {
    flows++;
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    packets: summary.packets,
    flows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    analyzers: chosen,
    analysis: {
      dns: analysis.dns && { queries: analysis.dns.queries, responses: analysis.dns.responses },
      icmp: analysis.icmp && { messages: analysis.icmp.messages },
      timing: analysis.timing && { frames: analysis.timing.frames },
    },
  }),
);
