/** Cross-cutting pieces: error codes and user-facing errors. */
export * from './errors.js';
