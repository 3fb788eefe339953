/**
 * The one order of identifiers: by Unicode code point, which is the UTF-8 byte order the
 * reference service (Go) and the Python client sort by. JavaScript's `<` compares UTF-16 code
 * units and disagrees for characters outside the Basic Multilingual Plane: `'r-😀' < 'r-｡'`
 * is true in code units (a surrogate, 0xD83D, is below 0xFF61) but false in code points.
 *
 * Comparing code units is code point order except where both units at the first difference
 * are at or above 0xD800: surrogates (0xD800–0xDFFF) must then sort above 0xE000–0xFFFF.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return lift(x) - lift(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Moves surrogates above the rest of the BMP, so code units compare as code points. */
function lift(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/** Whether `a` comes strictly before `b` in {@link compareIds} order. */
export function idBefore(a: string, b: string): boolean {
  return compareIds(a, b) < 0;
}

/**
 * The indices of `ids` (distinct) in {@link compareIds} order of their ids: a multikey
 * quicksort (Bentley and Sedgewick) over a compact copy of their code units, each lifted so
 * that code units compare as code points. It reads the ids once, in index order, then sorts
 * by one code unit at a time in memory of its own: the ids of a parsed document lie far apart
 * in the heap, and a comparison sort touches two of them ~17 times per id at 100,000. Pivots
 * are drawn at random (a crafted order cannot make it quadratic); the result does not depend
 * on them.
 */
export function idOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = (start[i] as number) + (ids[i] as string).length;
  const units = new Uint16Array(start[n] as number);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as string;
    const at = start[i] as number;
    for (let j = 0; j < id.length; j++) units[at + j] = lift(id.charCodeAt(j));
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  multikeySort(order, units, start);
  return order;
}

/** Below this many ids, a range is sorted by insertion. */
const SMALL_RANGE = 12;

/** The code unit of id `i` at `depth`, or -1 past its end. */
function unitAt(units: Uint16Array, start: Int32Array, i: number, depth: number): number {
  const at = (start[i] as number) + depth;
  return at < (start[i + 1] as number) ? (units[at] as number) : -1;
}

/** Sorts `order` (indices) by their ids' units; ranges to do are kept on a stack of their own. */
function multikeySort(order: Int32Array, units: Uint16Array, start: Int32Array): void {
  const todo: number[] = [0, order.length, 0];
  while (todo.length > 0) {
    const depth = todo.pop() as number;
    const hi = todo.pop() as number;
    const lo = todo.pop() as number;
    if (hi - lo <= SMALL_RANGE) {
      insertionSort(order, units, start, lo, hi, depth);
      continue;
    }
    const pivot = medianOf3(
      unitAt(units, start, order[lo + Math.floor(Math.random() * (hi - lo))] as number, depth),
      unitAt(units, start, order[lo + Math.floor(Math.random() * (hi - lo))] as number, depth),
      unitAt(units, start, order[lo + Math.floor(Math.random() * (hi - lo))] as number, depth),
    );
    // Three ways at `depth`: [lo, lt) below the pivot, [lt, gt) at it, [gt, hi) above.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i < gt) {
      const index = order[i] as number;
      const unit = unitAt(units, start, index, depth);
      if (unit < pivot) {
        order[i++] = order[lt] as number;
        order[lt++] = index;
      } else if (unit > pivot) {
        order[i] = order[--gt] as number;
        order[gt] = index;
      } else i++;
    }
    todo.push(lo, lt, depth, gt, hi, depth);
    // Ids that end here (-1) are equal, and sorted.
    if (pivot !== -1) todo.push(lt, gt, depth + 1);
  }
}

function medianOf3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/** Sorts `order[lo, hi)`, whose ids agree on their first `depth` units. */
function insertionSort(order: Int32Array, units: Uint16Array, start: Int32Array, lo: number, hi: number, depth: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const index = order[i] as number;
    let j = i;
    while (j > lo && unitsAfter(units, start, order[j - 1] as number, index, depth) > 0) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = index;
  }
}

/** Compares ids `a` and `b` from `depth` on (a shorter id that is a prefix comes first). */
function unitsAfter(units: Uint16Array, start: Int32Array, a: number, b: number, depth: number): number {
  const aAt = (start[a] as number) + depth;
  const bAt = (start[b] as number) + depth;
  const aLength = (start[a + 1] as number) - aAt;
  const bLength = (start[b + 1] as number) - bAt;
  const n = Math.min(aLength, bLength);
  for (let k = 0; k < n; k++) {
    const d = (units[aAt + k] as number) - (units[bAt + k] as number);
    if (d !== 0) return d;
  }
  return aLength - bLength;
}
