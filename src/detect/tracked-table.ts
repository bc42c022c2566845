/**
 * The bounded, windowed state table every detector keeps its keys in (sources, targets, pairs).
 *
 * Contract: entries sit in window-start order (a Map's insertion order: a key whose window
 * restarts is moved to the tail with `renew`), so `expire` walks from the head and stops at the
 * first live entry: O(expired), never a scan of the whole table. When the table is full, `add`
 * evicts the oldest entry. Every entry that leaves (expired, evicted, drained) goes through
 * `onDrop` first, so a detector evaluates its window before the state is lost; evictions are counted.
 */

export interface Windowed {
  /** Seconds since the Unix epoch at which this entry's window began. */
  windowStart: number;
  /** Set by the table when the entry leaves it (dropped or renewed); detectors leave it alone. */
  gone?: boolean;
}

export interface TrackedTable<V extends Windowed> {
  readonly size: number;
  readonly evictions: number;
  get(key: string): V | undefined;
  /** Inserts a new key at the tail; evicts (and drops) the oldest entry first when full. */
  add(key: string, value: V): void;
  /** Moves `key` to the tail with a new value (its window restarted). */
  renew(key: string, value: V): void;
  /** Drops every entry whose window began before `cutoff`, oldest first. */
  expire(cutoff: number): void;
  /** Drops every entry. */
  drain(): void;
}

export function createTrackedTable<V extends Windowed>(
  capacity: number,
  onDrop: (key: string, value: V) => void,
): TrackedTable<V> {
  const map = new Map<string, V>();
  // Insertion order as a queue of (key, value) pairs; a pair whose value is no longer the key's
  // current one (renewed or dropped) is stale and skipped. Deleting a Map's first entries over and
  // over makes its own iteration skip tombstones, so the order is kept here instead.
  let keys: string[] = [];
  let values: V[] = [];
  let head = 0;
  let evictions = 0;

  function push(key: string, value: V): void {
    keys.push(key);
    values.push(value);
    if (head > 4096 && head * 2 > keys.length) {
      keys = keys.slice(head);
      values = values.slice(head);
      head = 0;
    }
  }

  /** The oldest live pair's index, dropping stale ones; -1 when empty. */
  function oldest(): number {
    while (head < keys.length) {
      if (values[head].gone !== true) return head;
      head++;
    }
    return -1;
  }

  function dropAt(at: number): void {
    const key = keys[at];
    const value = values[at];
    map.delete(key);
    value.gone = true;
    head = at + 1;
    onDrop(key, value);
  }

  return {
    get size() {
      return map.size;
    },
    get evictions() {
      return evictions;
    },
    get(key) {
      return map.get(key);
    },
    add(key, value) {
      if (map.size >= capacity) {
        const at = oldest();
        if (at >= 0) {
          evictions++;
          dropAt(at);
        }
      }
      map.set(key, value);
      push(key, value);
    },
    renew(key, value) {
      const old = map.get(key);
      if (old !== undefined) old.gone = true;
      map.set(key, value);
      push(key, value);
    },
    expire(cutoff) {
      for (let at = oldest(); at >= 0 && values[at].windowStart < cutoff; at = oldest()) dropAt(at);
    },
    drain() {
      const entries = [...map];
      map.clear();
      keys = [];
      values = [];
      head = 0;
      for (const [key, value] of entries) {
        value.gone = true;
        onDrop(key, value);
      }
    },
  };
}

/** A TrackedTable with tumbling per-key windows: the shape every detector's state takes. */
export interface WindowedTable<V extends Windowed> {
  /** The key's state for a flow or event at `ts`: new, current, or restarted (old window evaluated). */
  touch(key: string, ts: number): V;
  get(key: string): V | undefined;
  expire(now: number): void;
  finish(): void;
  stats(): { tracked: number; evictions: number };
}

export function createWindowedTable<V extends Windowed>(
  capacity: number,
  windowSeconds: number,
  latenessSeconds: number,
  create: (ts: number) => V,
  evaluate: (key: string, value: V) => void,
): WindowedTable<V> {
  const table = createTrackedTable<V>(capacity, evaluate);
  return {
    touch(key, ts) {
      let value = table.get(key);
      if (value === undefined) {
        value = create(ts);
        table.add(key, value);
      } else if (ts >= value.windowStart + windowSeconds) {
        evaluate(key, value);
        value = create(ts);
        table.renew(key, value);
      }
      return value;
    },
    get: (key) => table.get(key),
    expire(now) {
      table.expire(now - windowSeconds - latenessSeconds);
    },
    finish() {
      table.drain();
    },
    stats() {
      return { tracked: table.size, evictions: table.evictions };
    },
  };
}
