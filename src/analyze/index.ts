/** Analyze stage: diagnostic analyzers that run in the engine's single pass (see analyzer.ts). */
export type { PacketAnalyzer } from './analyzer.js';
export * from './app/index.js';
export * from './arp/index.js';
export * from './devices/index.js';
export * from './dns/index.js';
export * from './health/index.js';
export * from './hierarchy/index.js';
export * from './icmp/index.js';
export * from './talkers/index.js';
export * from './tcp/index.js';
export * from './timing/index.js';
