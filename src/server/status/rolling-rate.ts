/**
 * A per-second rate of a growing total over a sliding window, from samples of the total taken
 * whenever convenient (a timer, a request). Memory is bounded by the window over the sampling
 * interval; a total that goes down (a restarted counter) starts the rate afresh.
 */

export interface RollingRate {
  /** Records `total` at `atMs` (milliseconds; non-decreasing between calls). */
  add(total: number, atMs: number): void;
  /** Increase per second between the oldest sample still in the window and the newest; 0 before two samples. */
  perSecond(): number;
  /** Seconds between those two samples. */
  spanSeconds(): number;
}

/** Samples kept at most, whatever the sampling interval. */
const MAX_SAMPLES = 600;

export function createRollingRate(windowMs: number): RollingRate {
  const at: number[] = [];
  const totals: number[] = [];
  return {
    add(total, atMs) {
      const last = totals.length - 1;
      if (last >= 0 && total < totals[last]) {
        at.length = 0;
        totals.length = 0;
      }
      at.push(atMs);
      totals.push(total);
      // Keep one sample at or before the window's start, so the rate covers the whole window.
      let drop = 0;
      while (drop + 1 < at.length && at[drop + 1] <= atMs - windowMs) drop++;
      drop = Math.max(drop, at.length - MAX_SAMPLES);
      if (drop > 0) {
        at.splice(0, drop);
        totals.splice(0, drop);
      }
    },
    perSecond() {
      const seconds = this.spanSeconds();
      return seconds > 0 ? (totals[totals.length - 1] - totals[0]) / seconds : 0;
    },
    spanSeconds() {
      return at.length < 2 ? 0 : (at[at.length - 1] - at[0]) / 1000;
    },
  };
}
