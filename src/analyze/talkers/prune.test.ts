/**
 * The talkers' map pruning keeps exactly the entries a stable sort by bytes (most first) would
 * keep, in the map's order, and counts the rest: checked against that sort on random maps with
 * many ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prune } from './talkers-analyzer.js';

function reference(map: Map<string, { bytes: number }>, keep: number) {
  const sorted = [...map.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  const dropped = sorted.slice(keep);
  const kept = new Set(sorted.slice(0, keep).map(([key]) => key));
  return {
    keys: [...map.keys()].filter((key) => kept.has(key)),
    entries: dropped.length,
    bytes: dropped.reduce((n, [, v]) => n + v.bytes, 0),
  };
}

describe('prune', () => {
  it('keeps what a stable sort by bytes keeps, ties by insertion order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (sizes, keep) => {
          const map = new Map(sizes.map((n, i) => [`h${i}`, { bytes: n * 60 }]));
          const expected = reference(new Map(map), keep);
          const pruned = { entries: 0, bytes: 0 };
          prune(map, keep, pruned);
          expect([...map.keys()]).toEqual(expected.keys);
          expect(pruned).toEqual({ entries: expected.entries, bytes: expected.bytes });
        },
      ),
      { numRuns: 500 },
    );
  });
});
