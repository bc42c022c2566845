/** Cross-cutting pieces: error codes, user-facing errors, integer formatting and the package's own files. */
export * from './errors.js';
export * from './numbers.js';
export * from './package-files.js';
