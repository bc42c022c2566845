/**
 * Bounded capture-level tallies for the DNS analyzer (the histogram also serves timing): a
 * log-scale duration histogram,
 * capped name counts, and a short list of the slowest transactions.
 *
 * Contract: memory is fixed or capped: the histogram has HISTOGRAM_BUCKETS buckets; name counts
 * stop admitting new names at `maxNames` (the queries not counted are counted); the slowest list
 * keeps `max` entries.
 */
import type { DnsCount, DnsTransactionSample, DurationStats } from '../../model/index.js';

/** 20 buckets per decade from 1 µs to 100 s: quantiles within ±6 % (values are seconds). */
const PER_DECADE = 20;
const MIN_LOG = -6;
const HISTOGRAM_BUCKETS = 8 * PER_DECADE + 1;

/** A distribution of durations in seconds, in fixed memory. */
export interface LogHistogram {
  add(seconds: number): void;
  count(): number;
  mean(): number;
  min(): number;
  max(): number;
  /** The value below which `fraction` of the values lie (a bucket's geometric middle). */
  quantile(fraction: number): number;
}

export function createLogHistogram(): LogHistogram {
  const buckets = new Float64Array(HISTOGRAM_BUCKETS);
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  return {
    add(seconds) {
      const s = seconds > 0 ? seconds : 0;
      count++;
      sum += s;
      if (s < min) min = s;
      if (s > max) max = s;
      const index = s <= 0 ? 0 : Math.floor((Math.log10(s) - MIN_LOG) * PER_DECADE);
      buckets[Math.min(HISTOGRAM_BUCKETS - 1, Math.max(0, index))]++;
    },
    count: () => count,
    mean: () => (count === 0 ? 0 : sum / count),
    min: () => (count === 0 ? 0 : min),
    max: () => max,
    quantile(fraction) {
      const rank = Math.max(1, Math.ceil(fraction * count));
      let seen = 0;
      for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
        seen += buckets[i];
        if (seen >= rank) return Math.min(max, Math.max(min, 10 ** (MIN_LOG + (i + 0.5) / PER_DECADE)));
      }
      return max;
    },
  };
}

/** Seconds → milliseconds, rounded to the microsecond. */
export function toMs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

/** The response-time block of the DNS summary, or null without samples. */
export function responseTimes(histogram: LogHistogram): DurationStats | null {
  if (histogram.count() === 0) return null;
  return {
    count: histogram.count(),
    meanMs: toMs(histogram.mean()),
    minMs: toMs(histogram.min()),
    maxMs: toMs(histogram.max()),
    p50Ms: toMs(histogram.quantile(0.5)),
    p95Ms: toMs(histogram.quantile(0.95)),
    p99Ms: toMs(histogram.quantile(0.99)),
  };
}

export interface CappedCounts<K> {
  add(key: K): void;
  distinct(): number;
  /** Keys not counted because the cap was reached. */
  dropped(): number;
  top(n: number, label: (key: K) => string): DnsCount[];
}

export function createCappedCounts<K>(maxKeys: number): CappedCounts<K> {
  const counts = new Map<K, number>();
  let dropped = 0;
  return {
    add(key) {
      const count = counts.get(key);
      if (count !== undefined) counts.set(key, count + 1);
      else if (counts.size < maxKeys) counts.set(key, 1);
      else dropped++;
    },
    distinct: () => counts.size,
    dropped: () => dropped,
    top(n, label) {
      return [...counts]
        .map(([key, count]) => ({ name: label(key), count }))
        .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .slice(0, n);
    },
  };
}

/** Keeps the `max` samples with the largest `responseTimeMs`, largest first. */
export function keepSlowest(list: DnsTransactionSample[], sample: DnsTransactionSample, max: number): void {
  const time = sample.responseTimeMs ?? 0;
  if (list.length >= max && time <= (list[list.length - 1].responseTimeMs ?? 0)) return;
  let i = list.length;
  while (i > 0 && (list[i - 1].responseTimeMs ?? 0) < time) i--;
  list.splice(i, 0, sample);
  if (list.length > max) list.pop();
}
