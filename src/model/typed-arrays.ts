/** Typed arrays that the open-addressing tables grow by copying. */
export type GrowableArray = Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array;

/** A new array of the same type and `length` elements, starting with `array`'s (the rest 0). */
export function grownArray<T extends GrowableArray>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array as never);
  return next;
}
