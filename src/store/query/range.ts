/**
 * Time ranges for queries. A range is half-open, [from, to) in seconds since the epoch, and a
 * flow belongs to it when the flow overlaps it: `first_ts < to AND last_ts >= from`.
 *
 * Relative ranges (`15m`, `1h`, `24h`, `7d`, `all`) end at an anchor. By default the anchor is
 * the newest flow in the store (rounded up to the next whole second), not the wall clock: a
 * capture ingested today may hold last year's traffic, and "the last hour" should mean the last
 * hour of that traffic. For a live store the newest flow is within an idle timeout of now, so
 * the two agree. `until` overrides the anchor (a time, or `now`). The anchor ignores the filter,
 * so different filters over one range compare the same window.
 */
import type { FlowStore } from '../store.js';
import { usage } from './errors.js';
import { num } from './values.js';

export type RangeSpec =
  /** The last `seconds` before the anchor. */
  | { kind: 'relative'; seconds: number }
  /** Explicit bounds; a missing bound is the oldest flow's start or the anchor. */
  | { kind: 'absolute'; from?: number; to?: number }
  /** From the oldest flow to the anchor. */
  | { kind: 'all' };

export interface TimeRange {
  /** Inclusive start, seconds since the epoch. */
  from: number;
  /** Exclusive end, seconds since the epoch. */
  to: number;
}

export interface ResolvedRange extends TimeRange {
  /** Where `to` came from when the spec did not give it. */
  anchor: 'explicit' | 'until' | 'newest-flow' | 'now';
}

export interface ResolveOptions {
  /** End of relative ranges: seconds since the epoch, or 'now'. Default: the newest flow. */
  until?: number | 'now';
  /** The wall clock, for tests. */
  now?: () => number;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** The span of `all` (and of relative ranges) over an empty store. */
const EMPTY_STORE_SPAN = 3600;

/**
 * Parses `15m`, `1h`, `24h`, `7d`, `2w`, `all`, or `FROM..TO` where each side is an ISO 8601
 * time (UTC unless it names a zone) or epoch seconds, and either side may be left empty.
 * Throws FlowlensError (exit code 2) on anything else.
 */
export function parseRange(text: string): RangeSpec {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'all') return { kind: 'all' };
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(trimmed);
  if (relative) {
    const seconds = Number(relative[1]) * UNIT_SECONDS[relative[2].toLowerCase()];
    if (!(seconds > 0)) throw usage(`range "${text}" is empty`);
    return { kind: 'relative', seconds };
  }
  const dots = trimmed.indexOf('..');
  if (dots >= 0) {
    const fromText = trimmed.slice(0, dots).trim();
    const toText = trimmed.slice(dots + 2).trim();
    const from = fromText === '' ? undefined : parseTime(fromText);
    const to = toText === '' ? undefined : parseTime(toText);
    if (from !== undefined && to !== undefined && !(from < to)) {
      throw usage(`range "${text}" ends before it starts`);
    }
    return { kind: 'absolute', from, to };
  }
  throw usage(
    `expected a range like 1h, 24h, 7d, all or FROM..TO (ISO 8601 or epoch seconds), got "${text}"`,
  );
}

/** Parses an ISO 8601 time (UTC when no zone is given) or epoch seconds. Throws FlowlensError. */
export function parseTime(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed) || !trimmed.includes('T');
  const ms = Date.parse(hasZone ? trimmed : `${trimmed}Z`);
  if (!/^\d{4}-\d\d-\d\d/.test(trimmed) || Number.isNaN(ms)) {
    throw usage(`expected an ISO 8601 time (2024-05-01T12:00:00Z) or epoch seconds, got "${text}"`);
  }
  return ms / 1000;
}

/** Fixes a spec to concrete bounds; reads the store's oldest/newest flow only when needed. */
export async function resolveRange(
  store: FlowStore,
  spec: RangeSpec,
  options: ResolveOptions = {},
): Promise<ResolvedRange> {
  const now = options.now ?? (() => Date.now() / 1000);
  if (spec.kind === 'absolute' && spec.from !== undefined && spec.to !== undefined) {
    return { from: spec.from, to: spec.to, anchor: 'explicit' };
  }
  const needsBounds =
    options.until === undefined ||
    spec.kind === 'all' ||
    (spec.kind === 'absolute' && spec.from === undefined);
  const bounds = needsBounds ? await storeBounds(store, options.signal) : undefined;

  let to: number;
  let anchor: ResolvedRange['anchor'];
  if (spec.kind === 'absolute' && spec.to !== undefined) {
    to = spec.to;
    anchor = 'explicit';
  } else if (options.until !== undefined) {
    to = options.until === 'now' ? now() : options.until;
    anchor = options.until === 'now' ? 'now' : 'until';
  } else if (bounds) {
    // Next whole second after the newest packet, so the newest flow lies inside [from, to).
    to = Math.floor(bounds.last) + 1;
    anchor = 'newest-flow';
  } else {
    to = Math.ceil(now());
    anchor = 'now';
  }

  let from: number;
  if (spec.kind === 'relative') from = to - spec.seconds;
  else if (spec.kind === 'absolute' && spec.from !== undefined) from = spec.from;
  else from = bounds ? Math.min(Math.floor(bounds.first), to - 1) : to - EMPTY_STORE_SPAN;
  if (!(from < to)) throw usage('the range ends before it starts');
  return { from, to, anchor };
}

/** Oldest first_ts and newest last_ts, or undefined for an empty store. */
async function storeBounds(
  store: FlowStore,
  signal: AbortSignal | undefined,
): Promise<{ first: number; last: number } | undefined> {
  const [row] = await store.query('SELECT min(first_ts) AS first, max(last_ts) AS last FROM flows', [], {
    signal,
  });
  if (!row || row.first === null || row.last === null) return undefined;
  return { first: num(row.first), last: num(row.last) };
}

/** The period of equal length just before `range`, for deltas. */
export function previousPeriod(range: TimeRange): TimeRange {
  return { from: range.from - (range.to - range.from), to: range.from };
}
