/**
 * Reverse DNS (PTR), off the hot path: `request(ip)` only queues (never waits, never throws);
 * lookups run in the background with bounded concurrency, a per-query timeout, a global rate
 * (token bucket), a bounded queue (overflow counted, dropped), and a positive and a negative
 * cache with their own lifetimes. `nameOf` answers from the cache only.
 *
 * Resolvers: the system's, or `servers` ("127.0.0.1", "[::1]:5353", "10.0.0.53:53").
 * `close()` stops new lookups; answers still in flight are ignored.
 */
import { Resolver } from 'node:dns/promises';
import { ERR, FlowlensError } from '../../shared/index.js';

export interface ReverseDnsConfig {
  servers?: string[];
  /** Per query, milliseconds. Default 2000. */
  timeoutMs: number;
  /** Queries in flight at once. Default 8. */
  concurrency: number;
  /** Queries started per second, at most. Default 50. */
  ratePerSecond: number;
  /** Addresses waiting; more are dropped and counted. Default 10,000. */
  maxQueue: number;
  /** Seconds a name (positive) or a failure (negative) is kept. Defaults 3600 and 300. */
  positiveTtlSeconds: number;
  negativeTtlSeconds: number;
  /** Addresses cached, both kinds together (oldest out). Default 100,000. */
  maxCache: number;
}

export const DEFAULT_REVERSE_DNS_CONFIG: Readonly<ReverseDnsConfig> = {
  timeoutMs: 2000,
  concurrency: 8,
  ratePerSecond: 50,
  maxQueue: 10_000,
  positiveTtlSeconds: 3600,
  negativeTtlSeconds: 300,
  maxCache: 100_000,
};

export interface ReverseDnsStats {
  queued: number;
  inFlight: number;
  lookups: number;
  found: number;
  failed: number;
  dropped: number;
  cacheHits: number;
}

export interface ReverseDns {
  /** Queues a lookup unless the address is cached, queued or in flight (or the queue is full); true when queued. */
  request(ip: string): boolean;
  /** The cached name, null when the address is known to have none, undefined when not known. */
  nameOf(ip: string): string | null | undefined;
  /**
   * Requests the address (as `request`) and waits for its answer, at most `ms` milliseconds:
   * the name, null when it has none, undefined when not known by then (or dropped, or closed).
   */
  resolve(ip: string, ms: number): Promise<string | null | undefined>;
  /** Resolves when nothing is queued or in flight, or after `ms` milliseconds, whichever is first. */
  drain(ms: number): Promise<void>;
  stats(): ReverseDnsStats;
  close(): void;
}

interface Cached {
  name: string | null;
  expires: number;
}

export function createReverseDns(config: Partial<ReverseDnsConfig> = {}): ReverseDns {
  const c: ReverseDnsConfig = { ...DEFAULT_REVERSE_DNS_CONFIG, ...config };
  const resolver = new Resolver({ timeout: c.timeoutMs, tries: 1 });
  if (c.servers && c.servers.length > 0) {
    try {
      resolver.setServers(c.servers);
    } catch {
      throw new FlowlensError(
        ERR.USAGE,
        `reverse DNS: not a list of resolver addresses: ${c.servers.join(',')}`,
        2,
      );
    }
  }
  const cache = new Map<string, Cached>();
  const queue: string[] = [];
  const pending = new Set<string>();
  const stats = { lookups: 0, found: 0, failed: 0, dropped: 0, cacheHits: 0 };
  let inFlight = 0;
  let tokens = c.ratePerSecond;
  let refilled = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const idle: (() => void)[] = [];
  /** Callers of `resolve` waiting for an address in flight or queued. */
  const waiting = new Map<string, (() => void)[]>();

  const remember = (ip: string, name: string | null) => {
    if (cache.size >= c.maxCache) cache.delete(cache.keys().next().value as string);
    const ttl = name === null ? c.negativeTtlSeconds : c.positiveTtlSeconds;
    cache.set(ip, { name, expires: Date.now() + ttl * 1000 });
  };

  const settle = () => {
    if (queue.length === 0 && inFlight === 0) for (const done of idle.splice(0)) done();
  };

  const pump = () => {
    timer = undefined;
    if (closed) return;
    const now = Date.now();
    tokens = Math.min(c.ratePerSecond, tokens + ((now - refilled) / 1000) * c.ratePerSecond);
    refilled = now;
    while (queue.length > 0 && inFlight < c.concurrency && tokens >= 1) {
      tokens--;
      const ip = queue.shift() as string;
      inFlight++;
      stats.lookups++;
      resolver
        .reverse(ip)
        .then(
          (names) => {
            if (closed) return;
            stats.found++;
            remember(ip, names[0]?.replace(/\.$/, '').toLowerCase() ?? null);
          },
          () => {
            if (closed) return;
            stats.failed++;
            remember(ip, null);
          },
        )
        .finally(() => {
          inFlight--;
          pending.delete(ip);
          for (const done of waiting.get(ip)?.splice(0) ?? []) done();
          waiting.delete(ip);
          if (!closed) schedule();
          settle();
        });
    }
    if (queue.length > 0 && inFlight < c.concurrency && tokens < 1) {
      timer = setTimeout(pump, Math.ceil(((1 - tokens) / c.ratePerSecond) * 1000));
      timer.unref();
    }
    settle();
  };

  const schedule = () => {
    if (timer === undefined && !closed) {
      timer = setTimeout(pump, 0);
      timer.unref();
    }
  };

  const lookupCache = (ip: string): Cached | undefined => {
    const hit = cache.get(ip);
    if (hit && hit.expires < Date.now()) {
      cache.delete(ip);
      return undefined;
    }
    return hit;
  };

  const request = (ip: string): boolean => {
    if (closed || pending.has(ip)) return false;
    if (lookupCache(ip)) {
      stats.cacheHits++;
      return false;
    }
    if (queue.length >= c.maxQueue) {
      stats.dropped++;
      return false;
    }
    pending.add(ip);
    queue.push(ip);
    schedule();
    return true;
  };

  return {
    request,
    async resolve(ip, ms) {
      request(ip);
      if (!pending.has(ip)) return lookupCache(ip)?.name;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        const list = waiting.get(ip) ?? [];
        list.push(() => {
          clearTimeout(t);
          resolve();
        });
        waiting.set(ip, list);
      });
      return lookupCache(ip)?.name;
    },
    nameOf(ip) {
      return lookupCache(ip)?.name;
    },
    drain(ms) {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        // Not unref'd: a caller awaiting drain keeps the process alive until the deadline.
        const t = setTimeout(resolve, ms);
        idle.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    stats: () => ({ ...stats, queued: queue.length, inFlight }),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.length = 0;
      resolver.cancel();
      for (const done of idle.splice(0)) done();
      for (const list of waiting.values()) for (const done of list) done();
      waiting.clear();
    },
  };
}
