/** Special-purpose address ranges and allocation-free IPv4 parsing. */
export * from './special-ranges.js';
