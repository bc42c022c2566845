/**
 * Rows of numbers keyed by one address (a host) or a pair of addresses (a conversation), held in
 * one Float64Array in insertion order rather than one object per key, so that the many entries a
 * busy capture creates and prunes cost the garbage collector nothing.
 *
 * A key whose addresses are all dotted-quad IPv4 is found through an open-addressing index on
 * their 32-bit values, so no key text is built or hashed; any other key (IPv6) through a Map on
 * its text. The two never hold the same key: an address text is IPv4 or not.
 *
 * Contract: rows are kept in insertion order (a pruned key that comes back goes to the end),
 * which is the tie order of `prune` and `top`. Column 0 is packets and column 1 bytes in every
 * table. A row handed out by `add` is zeroed; `add` may replace `values` (read it again after),
 * `prune` moves rows (offsets found before it are stale).
 */
import { grownArray, parseIpv4Number } from '../../model/index.js';

export const PACKETS = 0;
export const BYTES = 1;

export interface Pruning {
  entries: number;
  bytes: number;
}

/** An address's word in a key: its IPv4 value, or -1 for any other text (looked up by text). */
export const addressWord: (address: string) => number = parseIpv4Number;

/** The second word of a key: a one-address key's is 0 (its kind tells it from a pair's). */
function secondWord(b: string): number {
  return b === '' ? 0 : addressWord(b);
}

/** A row's key: looked up by text, or its words are one address or a pair. */
const TEXT_KEY = 0;
const ONE_ADDRESS = 1;
const ADDRESS_PAIR = 2;

/** Int32s per index slot: the key's two words, row + 1 (0: empty), its kind. */
const SLOT = 4;

function slotHash(a: number, b: number): number {
  let h = Math.imul(a | 0, 0x9e3779b1) ^ Math.imul((b | 0) ^ 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x21f0aaad);
  return h ^ (h >>> 15);
}

/**
 * The `k`-th smallest value (from 0) of `values`, which it reorders: Hoare's selection, with the
 * median of three as pivot.
 */
export function selectSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = values[lo];
    const b = values[mid];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

function textKey(a: string, b: string): string {
  // Address text holds no space, so the key is unambiguous.
  return b === '' ? a : `${a} ${b}`;
}

export class RowTable {
  values: Float64Array;
  private textA: string[] = [];
  private textB: string[] = [];
  /** Per row, the key's kind and IPv4 values (as int32), to rebuild the index after a prune. */
  private kinds: Uint8Array;
  private wordA: Int32Array;
  private wordB: Int32Array;
  /**
   * Open addressing over the IPv4 keys, at most half full, SLOT int32s a slot: a probe compares
   * the key within the slot, without reading the row.
   */
  private slots: Int32Array;
  private slotMask: number;
  private readonly byText = new Map<string, number>();
  private used = 0;

  constructor(readonly width: number) {
    this.values = new Float64Array(width * 1024);
    this.kinds = new Uint8Array(1024);
    this.wordA = new Int32Array(1024);
    this.wordB = new Int32Array(1024);
    this.slots = new Int32Array(4096 * SLOT);
    this.slotMask = 4095;
  }

  get size(): number {
    return this.used;
  }

  /**
   * Offset in `values` of the row of `a` (and `b`, for a pair), or -1. `wa` and `wb` are the
   * addresses' `addressWord`s, for a caller that has them already.
   */
  offsetOf(a: string, b = '', wa = addressWord(a), wb = secondWord(b)): number {
    if (wa < 0 || wb < 0) {
      const row = this.byText.get(textKey(a, b));
      return row === undefined ? -1 : row * this.width;
    }
    const slots = this.slots;
    const mask = this.slotMask;
    const a32 = wa | 0;
    const b32 = wb | 0;
    const kind = b === '' ? ONE_ADDRESS : ADDRESS_PAIR;
    for (let s = slotHash(a32, b32) & mask; ; s = (s + 1) & mask) {
      const at = s * SLOT;
      const entry = slots[at + 2];
      if (entry === 0) return -1;
      if (slots[at] === a32 && slots[at + 1] === b32 && slots[at + 3] === kind)
        return (entry - 1) * this.width;
    }
  }

  /** A new zeroed row for the key (which must be absent); returns its offset in `values`. */
  add(a: string, b = '', wa = addressWord(a), wb = secondWord(b)): number {
    const row = this.used;
    if (row >= this.wordA.length) this.grow();
    if ((row + 1) * 2 > this.slotMask + 1) this.reindex((this.slotMask + 1) * 2);
    this.used++;
    const w = this.width;
    this.values.fill(0, row * w, row * w + w);
    this.textA[row] = a;
    this.textB[row] = b;
    if (wa < 0 || wb < 0) {
      this.kinds[row] = TEXT_KEY;
      this.byText.set(textKey(a, b), row);
    } else {
      this.kinds[row] = b === '' ? ONE_ADDRESS : ADDRESS_PAIR;
      this.wordA[row] = wa;
      this.wordB[row] = wb;
      this.insertSlot(row);
    }
    return row * w;
  }

  /**
   * Keeps the `keep` rows with the most bytes; adds what it drops to `pruned`. Ties at the
   * threshold keep the earlier inserted keys: the rows a stable sort by bytes would keep, found by
   * sorting the byte counts alone.
   */
  prune(keep: number, pruned: Pruning): void {
    const count = this.used;
    if (count <= keep) return;
    const w = this.width;
    const v = this.values;
    const sizes = new Float64Array(count);
    for (let row = 0; row < count; row++) sizes[row] = v[row * w + BYTES];
    // The smallest of the `keep` largest; the rows above it are kept, and as many at it as fit.
    const threshold = keep === 0 ? Number.POSITIVE_INFINITY : selectSmallest(sizes, count - keep);
    let tiesKept = keep;
    for (let row = 0; row < count; row++) if (sizes[row] > threshold) tiesKept--;
    let kept = 0;
    for (let row = 0; row < count; row++) {
      const bytes = v[row * w + BYTES];
      if (!(bytes > threshold || (bytes === threshold && tiesKept-- > 0))) {
        pruned.entries++;
        pruned.bytes += bytes;
        continue;
      }
      if (kept !== row) {
        v.copyWithin(kept * w, row * w, row * w + w);
        this.kinds[kept] = this.kinds[row];
        this.wordA[kept] = this.wordA[row];
        this.wordB[kept] = this.wordB[row];
        this.textA[kept] = this.textA[row];
        this.textB[kept] = this.textB[row];
      }
      kept++;
    }
    this.used = kept;
    this.textA.length = kept;
    this.textB.length = kept;
    this.reindex(this.slotMask + 1);
  }

  /** The `n` keys with the most bytes, then packets, ties in insertion order, with their offsets. */
  top(n: number): [a: string, b: string, offset: number][] {
    const w = this.width;
    const v = this.values;
    const rows = Array.from({ length: this.used }, (_, row) => row);
    rows.sort(
      (x, y) => v[y * w + BYTES] - v[x * w + BYTES] || v[y * w + PACKETS] - v[x * w + PACKETS] || x - y,
    );
    return rows.slice(0, n).map((row) => [this.textA[row], this.textB[row], row * w]);
  }

  /** The keys' text (`a`, or `a b` for a pair) in insertion order. */
  keys(): string[] {
    return this.textA.map((a, row) => textKey(a, this.textB[row]));
  }

  private insertSlot(row: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    const wa = this.wordA[row];
    const wb = this.wordB[row];
    let s = slotHash(wa, wb) & mask;
    while (slots[s * SLOT + 2] !== 0) s = (s + 1) & mask;
    slots[s * SLOT] = wa;
    slots[s * SLOT + 1] = wb;
    slots[s * SLOT + 2] = row + 1;
    slots[s * SLOT + 3] = this.kinds[row];
  }

  private reindex(slotCount: number): void {
    if (slotCount === this.slotMask + 1) this.slots.fill(0);
    else this.slots = new Int32Array(slotCount * SLOT);
    this.slotMask = slotCount - 1;
    this.byText.clear();
    for (let row = 0; row < this.used; row++) {
      if (this.kinds[row] === TEXT_KEY) this.byText.set(textKey(this.textA[row], this.textB[row]), row);
      else this.insertSlot(row);
    }
  }

  private grow(): void {
    const rows = this.wordA.length * 2;
    this.values = grownArray(this.values, rows * this.width);
    this.kinds = grownArray(this.kinds, rows);
    this.wordA = grownArray(this.wordA, rows);
    this.wordB = grownArray(this.wordB, rows);
  }
}
