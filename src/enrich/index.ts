/**
 * The enrichment stage: geography and AS of addresses, special-range labels, MAC vendors.
 * Threat feeds and passive DNS names join here later (issue 9).
 */
export * from './attribution.js';
export * from './create-enricher.js';
export type * from './enricher.js';
export { normalizeMac } from './oui/index.js';
export { classifyIpv4, classifyIpv6, SPECIAL_RANGES } from './ranges/index.js';
