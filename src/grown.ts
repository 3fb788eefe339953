/** The typed arrays the tables and indexes keep per slot, cell or word. */
type Typed = Int32Array | Uint32Array | Uint8Array | Float64Array;

/**
 * `a` widened to `length` items: a new array of the same type holding `a`'s items first and
 * `fill` after them. How every table and index makes room as it grows (seldom: callers double).
 */
export function grown<T extends Typed>(a: T, length: number, fill = 0): T {
  const next = new (a.constructor as new (length: number) => T)(length);
  if (fill !== 0) next.fill(fill, a.length);
  next.set(a);
  return next;
}
