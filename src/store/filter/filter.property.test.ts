import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter, printFilter } from './index.js';
import { filterExpr } from './test-arbitraries.js';

/** Pieces that make near-miss filters more often than random characters do. */
const FRAGMENTS = [
  'host',
  'src',
  'dst',
  'net',
  'port',
  'bytes',
  'sni',
  'threat',
  'tcp',
  'and',
  'or',
  'not',
  '!',
  '&&',
  '||',
  '&',
  '|',
  '(',
  ')',
  '=',
  '!=',
  '<=',
  '~',
  '"',
  "'",
  '\\',
  '10.0.0.1',
  '10.0.0.0/8',
  '::1',
  '2001:db8::/33',
  '1M',
  '5s',
  '1-2',
  '80',
  'SF',
  'constructor',
  '__proto__',
  'toString',
  ' ',
];

const soup = fc
  .tuple(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }), fc.constantFrom(' ', ''))
  .map(([parts, sep]) => parts.join(sep));

function parseOrSyntaxError(text: string): void {
  let tree: ReturnType<typeof parseFilter>;
  try {
    tree = parseFilter(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FilterSyntaxError);
    const { column } = error as FilterSyntaxError;
    expect(column >= 1 && column <= text.length + 1).toBe(true);
    return;
  }
  expect(parseFilter(printFilter(tree))).toEqual(tree);
}

describe('filter language properties', () => {
  it('parses the printed form of any tree back to the same tree', () => {
    fc.assert(
      fc.property(filterExpr, (tree) => {
        expect(parseFilter(printFilter(tree))).toEqual(tree);
      }),
      { numRuns: 2000 },
    );
  });

  it('prints a canonical form that is a fixed point', () => {
    fc.assert(
      fc.property(filterExpr, (tree) => {
        const text = printFilter(tree);
        expect(printFilter(parseFilter(text))).toBe(text);
      }),
    );
  });

  it('turns any text into a tree or a FilterSyntaxError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), parseOrSyntaxError), {
      numRuns: 2000,
    });
    fc.assert(fc.property(soup, parseOrSyntaxError), { numRuns: 5000 });
  });
});
