/**
 * Rows of numbers keyed by text (a host's address, a pair of addresses), held in one Float64Array
 * rather than one object per key, so that the many entries a busy capture creates and prunes
 * cost the garbage collector nothing but their map entries.
 *
 * Contract: `index` keeps keys in insertion order (a pruned key that comes back goes to the end),
 * which is the tie order of `prune` and `top`. Column 0 is packets and column 1 bytes in every
 * table. A row handed out by `add` is zeroed; a pruned key's row is reused.
 */

export const PACKETS = 0;
export const BYTES = 1;

export interface Pruning {
  entries: number;
  bytes: number;
}

export class RowTable {
  /** Key → row. */
  readonly index = new Map<string, number>();
  values: Float64Array;
  private readonly free: number[] = [];
  private used = 0;

  constructor(readonly width: number) {
    this.values = new Float64Array(width * 1024);
  }

  get size(): number {
    return this.index.size;
  }

  /** A new zeroed row for `key` (which must be absent); returns its offset in `values`. */
  add(key: string): number {
    let row = this.free.pop();
    if (row === undefined) {
      row = this.used++;
      if ((row + 1) * this.width > this.values.length) {
        const next = new Float64Array(this.values.length * 2);
        next.set(this.values);
        this.values = next;
      }
    } else this.values.fill(0, row * this.width, (row + 1) * this.width);
    this.index.set(key, row);
    return row * this.width;
  }

  /** Offset in `values` of `key`'s row, or -1. */
  offsetOf(key: string): number {
    const row = this.index.get(key);
    return row === undefined ? -1 : row * this.width;
  }

  /**
   * Keeps the `keep` rows with the most bytes; adds what it drops to `pruned`. Ties at the
   * threshold keep the earlier inserted keys: the rows a stable sort by bytes would keep, found by
   * sorting the byte counts alone.
   */
  prune(keep: number, pruned: Pruning): void {
    if (this.index.size <= keep) return;
    const w = this.width;
    const v = this.values;
    const sizes = new Float64Array(this.index.size);
    let i = 0;
    for (const row of this.index.values()) sizes[i++] = v[row * w + BYTES];
    sizes.sort();
    const first = sizes.length - keep;
    const threshold = sizes[first];
    let tiesKept = 0;
    for (let j = first; j < sizes.length && sizes[j] === threshold; j++) tiesKept++;
    // forEach visits in insertion order and allows deleting the entry it is on.
    this.index.forEach((row, key) => {
      const bytes = v[row * w + BYTES];
      if (bytes > threshold) return;
      if (bytes === threshold && tiesKept > 0) {
        tiesKept--;
        return;
      }
      this.index.delete(key);
      this.free.push(row);
      pruned.entries++;
      pruned.bytes += bytes;
    });
  }

  /** The `n` keys with the most bytes, then packets, ties in insertion order, with their offsets. */
  top(n: number): [key: string, offset: number][] {
    const w = this.width;
    const v = this.values;
    return [...this.index]
      .map(([key, row]): [string, number] => [key, row * w])
      .sort((a, b) => v[b[1] + BYTES] - v[a[1] + BYTES] || v[b[1] + PACKETS] - v[a[1] + PACKETS])
      .slice(0, n);
  }
}
