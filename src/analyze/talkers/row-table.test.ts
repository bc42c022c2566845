/**
 * The talkers' row table keeps exactly what maps of objects pruned with a stable sort by bytes
 * would keep (ties in insertion order), counts the rest, reuses pruned rows zeroed, and lists its
 * top rows in the stable-sort order: checked against that sort on random tables with many ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTES, PACKETS, RowTable } from './row-table.js';

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
          const key = `h${step.key}`;
          let o = table.offsetOf(key);
          if (o < 0) o = table.add(key);
          table.values[o + PACKETS] += step.packets;
          table.values[o + BYTES] += step.bytes * 60;
          const e = map.get(key) ?? { packets: 0, bytes: 0 };
          e.packets += step.packets;
          e.bytes += step.bytes * 60;
          map.set(key, e);
        }
        expect([...table.index.keys()]).toEqual([...map.keys()]);
        expect(pruned).toEqual(expectedPruned);
        const top = table.top(n).map(([key, o]) => [key, table.values[o + PACKETS], table.values[o + BYTES]]);
        const expected = [...map.entries()]
          .sort((a, b) => b[1].bytes - a[1].bytes || b[1].packets - a[1].packets)
          .slice(0, n)
          .map(([key, e]) => [key, e.packets, e.bytes]);
        expect(top).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
