/**
 * How far V8 may grow the heap past what survived its last full collection. By default up to
 * about 4×: over a long stream of short-lived records that slack, not live data, is most of the
 * peak (`analyze` of the 40-copy benchmark capture peaked at 1.73× the 4-copy run with ~100 MB
 * live). Capped at 1.5×, the 40-copy run peaks at 1.37× the 4-copy one, but a run costs ≈10% more
 * CPU on GC. So long work takes the cap: inputs over LONG_INPUT_BYTES or of unknown size
 * (stdin), and the commands that run until stopped (serve, collect, capture); a short capture
 * keeps V8's default. V8 reads the setting at every collection, so it may be set at any time.
 */
import { setFlagsFromString } from 'node:v8';

export const LONG_INPUT_BYTES = 128 * 1024 * 1024;

export function capHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/** Caps the growth when the inputs' total size is unknown or over LONG_INPUT_BYTES. */
export function capHeapGrowthFor(totalBytes: number | undefined): void {
  if (totalBytes === undefined || totalBytes > LONG_INPUT_BYTES) capHeapGrowth();
}
