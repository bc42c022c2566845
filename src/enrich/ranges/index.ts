/** Special-purpose address ranges and allocation-free IPv4 parsing. */

export * from './range-list.js';
export * from './special-ranges.js';
