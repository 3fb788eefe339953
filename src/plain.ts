/**
 * The first `n` items of `list`, each read once, in a plain array: `slice` or `Array.from` on an
 * instance of a subclass of Array would keep its methods (its own `forEach`, its iterator) for
 * whoever reads the copy. How lists handed in become the library's own.
 */
export function plainCopy<T>(list: readonly T[], n = list.length): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = list[i] as T;
  return out;
}
