/**
 * The enrichment stage: geography and AS of addresses, special-range labels, MAC vendors,
 * passive names (DNS answers, SNI, HTTP Host) and threat-intelligence feeds.
 */
export * from './attribution.js';
export * from './create-enricher.js';
export type * from './enricher.js';
export * from './names/index.js';
export { bundledOuiTable, lookupMacIn, normalizeMac, OUI_ATTRIBUTION } from './oui/index.js';
export { classifyIpv4, classifyIpv6, SPECIAL_RANGES } from './ranges/index.js';
export * from './threat/index.js';
