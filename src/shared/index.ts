/** Cross-cutting pieces: error codes, user-facing errors and integer formatting. */
export * from './errors.js';
export * from './numbers.js';
