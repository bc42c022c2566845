import { describe, expect, it } from 'vitest';
import { grownArray } from './typed-arrays.js';

describe('grownArray', () => {
  it('keeps the type and the elements, and zero-fills the rest', () => {
    const small = Int8Array.from([-1, 2, -3]);
    const grown = grownArray(small, 6);
    expect(grown).toBeInstanceOf(Int8Array);
    expect([...grown]).toEqual([-1, 2, -3, 0, 0, 0]);
    const floats = grownArray(Float64Array.from([0.5]), 2);
    expect(floats).toBeInstanceOf(Float64Array);
    expect([...floats]).toEqual([0.5, 0]);
  });
});
