/**
 * The talkers' row table keeps exactly what maps of objects pruned with a stable sort by bytes
 * would keep (ties in insertion order), counts the rest, hands out zeroed rows after pruning, and
 * lists its top rows in the stable-sort order: checked against that sort on random tables with
 * many ties, with keys of one address and of pairs, IPv4 (the numeric index) and otherwise (text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTES, PACKETS, RowTable, selectSmallest } from './row-table.js';

interface Entry {
  packets: number;
  bytes: number;
}

function reference(map: Map<string, Entry>, keep: number) {
  const sorted = [...map.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  const dropped = sorted.slice(keep);
  for (const [key] of dropped) map.delete(key);
  return { entries: dropped.length, bytes: dropped.reduce((n, [, v]) => n + v.bytes, 0) };
}

/** Key `k` as one address or a pair: IPv4 only (numeric index) or with IPv6 or odd text (Map). */
function keyOf(k: number): [string, string] {
  switch (k % 5) {
    case 0:
      return [`10.0.${k}.1`, ''];
    case 1:
      return [`fe80::${k}`, ''];
    case 2:
      return ['192.0.2.1', `198.51.100.${k}`];
    case 3:
      return [`2001:db8::${k}`, '192.0.2.1'];
    default:
      // Leading zeros are not dotted-quad text: a different key from 10.0.0.k.
      return [`10.0.0.0${k}`, ''];
  }
}

const ops = fc.array(
  fc.oneof(
    fc.record({
      key: fc.integer({ min: 0, max: 60 }),
      packets: fc.integer({ min: 1, max: 3 }),
      bytes: fc.integer({ min: 0, max: 8 }),
    }),
    fc.record({ prune: fc.integer({ min: 0, max: 40 }) }),
  ),
  { maxLength: 400 },
);

describe('RowTable', () => {
  it('prunes and ranks as a stable sort of objects by bytes would', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 0, max: 30 }), (steps, n) => {
        const table = new RowTable(2);
        const map = new Map<string, Entry>();
        const pruned = { entries: 0, bytes: 0 };
        const expectedPruned = { entries: 0, bytes: 0 };
        for (const step of steps) {
          if ('prune' in step) {
            table.prune(step.prune, pruned);
            if (map.size > step.prune) {
              const r = reference(map, step.prune);
              expectedPruned.entries += r.entries;
              expectedPruned.bytes += r.bytes;
            }
            continue;
          }
          const [a, b] = keyOf(step.key);
          const key = b === '' ? a : `${a} ${b}`;
          let o = table.offsetOf(a, b);
          if (o < 0) o = table.add(a, b);
          table.values[o + PACKETS] += step.packets;
          table.values[o + BYTES] += step.bytes * 60;
          const e = map.get(key) ?? { packets: 0, bytes: 0 };
          e.packets += step.packets;
          e.bytes += step.bytes * 60;
          map.set(key, e);
        }
        expect(table.keys()).toEqual([...map.keys()]);
        expect(pruned).toEqual(expectedPruned);
        const top = table
          .top(n)
          .map(([a, b, o]) => [
            b === '' ? a : `${a} ${b}`,
            table.values[o + PACKETS],
            table.values[o + BYTES],
          ]);
        const expected = [...map.entries()]
          .sort((a, b) => b[1].bytes - a[1].bytes || b[1].packets - a[1].packets)
          .slice(0, n)
          .map(([key, e]) => [key, e.packets, e.bytes]);
        expect(top).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('selects the k-th smallest value as a sort would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 }),
        fc.nat(),
        (numbers, at) => {
          const k = at % numbers.length;
          const sorted = Float64Array.from(numbers).sort();
          expect(selectSmallest(Float64Array.from(numbers), k)).toBe(sorted[k]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
