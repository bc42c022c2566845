/** Special-purpose address ranges and range lists. */

export * from './range-list.js';
export * from './special-ranges.js';
