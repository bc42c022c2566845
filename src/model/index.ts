/** Plain types and pure helpers shared by every stage. Imports nothing of ours. */
export * from './alert.js';
export * from './app-metadata.js';
export * from './community-id.js';
export * from './device.js';
export * from './enrichment.js';
export * from './flow.js';
export * from './flow-export.js';
export * from './frame.js';
export * from './ip-address.js';
export * from './ip-numeric.js';
export * from './link-types.js';
export * from './packet.js';
export * from './tcp-diagnostics.js';
export * from './warning.js';
