/**
 * Coalescing and short-lived caching of analytics answers. Dashboards poll the same URLs, and
 * under load many clients ask the same question at once: requests with the same key share one
 * computation while it runs, and its answer is served for `ttlMs` after it completes.
 *
 * Contract:
 * - An answer is at most `ttlMs` old when served (counted from when its computation finished),
 *   or, with `staleMs` > 0, at most `ttlMs + staleMs` old: an expired answer is then served at
 *   once while one refresh runs in the background (stale-while-revalidate), so a query slower
 *   than the TTL does not make every client wait for it once per TTL.
 * - With a `version` (the store's flowsVersion), an answer whose computation was asked to keep
 *   it (`untilChanged`) stays valid past its TTL for as long as the version is the one noted
 *   when the computation started: the data it read has not changed, so it is still exact.
 * - Failures are never cached: every waiter of a failed computation gets its error, and the next
 *   request computes again.
 * - At most `maxEntries` answers are kept, of at most `maxChars` characters together (string
 *   answers count their length, others nothing); the oldest go first, and an answer larger than
 *   a quarter of `maxChars` is shared while in flight but not kept.
 * - A waiter whose signal aborts stops waiting (its promise rejects with the signal's reason).
 *   When no waiter is left, the computation's own signal aborts, so the store can interrupt the
 *   query; its answer, if it still arrives, is not cached.
 */

export interface QueryCacheOptions {
  /** How long a completed answer is served, ms; 0 turns caching off (coalescing stays). */
  ttlMs: number;
  /** Answers kept at most. */
  maxEntries: number;
  /** How long past its TTL an answer may still be served while it is refreshed, ms; default 0. */
  staleMs?: number;
  /** Characters of string answers kept at most; default 32 Mi. */
  maxChars?: number;
  /** Clock, ms; default `performance.now`. */
  now?: () => number;
  /** The data's version (FlowStore.flowsVersion); moves whenever answers may have changed. */
  version?: () => number;
}

export interface RunOptions {
  /**
   * Asked when the computation has finished: true keeps its answer past the TTL until the
   * version moves (an answer that does not depend on the wall clock). Default: TTL only.
   */
  untilChanged?: () => boolean;
}

export interface QueryCacheStats {
  /** Answered from a cached answer. */
  hits: number;
  /** Answered from an expired answer while it was refreshed. */
  stale: number;
  /** Joined a computation already running. */
  coalesced: number;
  /** Started a computation. */
  misses: number;
  /** Computations aborted because every waiter left. */
  cancelled: number;
}

/** Where an answer came from: the cache, a computation already running, or a new one. */
export type AnswerSource = 'hit' | 'stale' | 'coalesced' | 'miss';

interface Running {
  promise: Promise<unknown>;
  waiters: number;
  controller: AbortController;
}

interface Answer {
  value: unknown;
  expires: number;
  chars: number;
  /** The version the answer was computed at, when it is kept until that changes. */
  version?: number;
}

export class QueryCache {
  private readonly answers = new Map<string, Answer>();
  private chars = 0;
  private readonly maxChars: number;
  private readonly running = new Map<string, Running>();
  private readonly now: () => number;
  readonly stats: QueryCacheStats = { hits: 0, stale: 0, coalesced: 0, misses: 0, cancelled: 0 };
  private readonly staleMs: number;

  constructor(private readonly options: QueryCacheOptions) {
    if (!(options.ttlMs >= 0) || !Number.isFinite(options.ttlMs)) {
      throw new RangeError(`query cache TTL must be a non-negative number of ms, got ${options.ttlMs}`);
    }
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`query cache size must be a positive whole number, got ${options.maxEntries}`);
    }
    this.staleMs = options.staleMs ?? 0;
    this.maxChars = options.maxChars ?? 32 * 1024 * 1024;
    if (!(this.staleMs >= 0) || !Number.isFinite(this.staleMs)) {
      throw new RangeError(
        `query cache stale time must be a non-negative number of ms, got ${options.staleMs}`,
      );
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Answers kept now (expired ones included until they are next looked up or evicted). */
  get size(): number {
    return this.answers.size;
  }

  /**
   * The answer for `key`: cached, joined, or computed by `compute`, whose signal aborts when
   * every waiter has gone. `signal` is this caller's (e.g. its client disconnected).
   */
  run<T>(
    key: string,
    compute: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    options: RunOptions = {},
  ): { source: AnswerSource; answer: Promise<T> } {
    if (signal?.aborted) return { source: 'miss', answer: Promise.reject(signal.reason) };
    const cached = this.answers.get(key);
    if (cached !== undefined) {
      const now = this.now();
      if (cached.expires > now || this.unchanged(cached)) {
        this.stats.hits++;
        return { source: 'hit', answer: Promise.resolve(cached.value as T) };
      }
      if (cached.expires + this.staleMs > now) {
        // Nobody waits for the refresh, so nothing cancels it; a failed one leaves the old answer.
        if (!this.running.has(key)) this.start(key, compute, options);
        this.stats.stale++;
        return { source: 'stale', answer: Promise.resolve(cached.value as T) };
      }
      this.forget(key);
    }
    let entry = this.running.get(key);
    let source: AnswerSource = 'coalesced';
    if (entry === undefined) {
      source = 'miss';
      this.stats.misses++;
      entry = this.start(key, compute, options);
    } else {
      this.stats.coalesced++;
    }
    return { source, answer: this.wait(key, entry, signal) as Promise<T> };
  }

  /** True when the answer is kept until the version moves and it has not. */
  private unchanged(answer: Answer): boolean {
    return answer.version !== undefined && answer.version === this.options.version?.();
  }

  private start<T>(key: string, compute: (signal: AbortSignal) => Promise<T>, options: RunOptions): Running {
    const controller = new AbortController();
    const entry: Running = { promise: Promise.resolve(), waiters: 0, controller };
    // Noted before reading: a write during the computation makes its answer TTL-only.
    const version = this.options.version?.();
    entry.promise = (async () => {
      try {
        const value = await compute(controller.signal);
        if (!controller.signal.aborted && this.options.ttlMs > 0) {
          this.store(key, value, version !== undefined && options.untilChanged?.() ? version : undefined);
        }
        return value;
      } finally {
        if (this.running.get(key) === entry) this.running.delete(key);
      }
    })();
    // A computation nobody waits for any more may still fail; that is nobody's error.
    entry.promise.catch(() => undefined);
    this.running.set(key, entry);
    return entry;
  }

  private wait(key: string, entry: Running, signal: AbortSignal | undefined): Promise<unknown> {
    entry.waiters++;
    if (signal === undefined) return entry.promise;
    return new Promise((resolve, reject) => {
      const leave = () => {
        reject(signal.reason);
        if (--entry.waiters === 0 && !entry.controller.signal.aborted) {
          this.stats.cancelled++;
          // Later requests must not join a computation that is being cancelled.
          if (this.running.get(key) === entry) this.running.delete(key);
          entry.controller.abort(new Error('every client waiting for this query has gone'));
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      entry.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }

  /** Characters of the answers kept now. */
  get keptChars(): number {
    return this.chars;
  }

  private forget(key: string): void {
    const old = this.answers.get(key);
    if (old === undefined) return;
    this.chars -= old.chars;
    this.answers.delete(key);
  }

  private store(key: string, value: unknown, version: number | undefined): void {
    this.forget(key);
    const chars = typeof value === 'string' ? value.length : 0;
    if (chars > this.maxChars / 4) return;
    while (this.answers.size >= this.options.maxEntries || this.chars + chars > this.maxChars) {
      this.forget(this.answers.keys().next().value as string);
    }
    this.answers.set(key, { value, expires: this.now() + this.options.ttlMs, chars, version });
    this.chars += chars;
  }
}
