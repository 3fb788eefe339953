import { grown } from '../../grown.js';
import { DIMENSIONS, type ShapeIndex, type ShapeKey } from '../shape-index.js';
import { cellCanFit, fitsCapacity, offerCell, requestedDimensions, type ScoringStrategy, type Search, SLACK } from './strategy.js';

/**
 * What earlier searches learnt about the cells of a shape index, for the next search of the same
 * amounts (an equivalence cache, as the Kubernetes scheduler's: a cell that has not changed
 * answers as it did). Per strategy and requested (cpu, mem, gpu), a {@link KnownCells}: per cell,
 * the version it had when last searched ({@link ShapeIndex.cellVersion}) and a bound on the score
 * of every runner there with those amounts available — whatever the request's other conditions,
 * so that every request of those amounts shares it: the best score offered, and the bound of
 * each list passed over or left unread (`Search.cellBound`).
 *
 * {@link searchCells} first brings the bounds up to date with the runners changed since the last
 * search of these amounts, read from the shape index's change log: the bound of a changed cell
 * still holds for its other runners, so it takes the changed runner's score as it is now (when it
 * has the amounts) — the cell is not searched for it. Then it searches the cells in descending
 * order of their bounds and stops at the first whose bound is below the k-th best: every cell
 * after it has a bound no higher. A search reads the cells that may hold a winner, whatever
 * changed. (When the log no longer reaches back, every changed cell is searched first.)
 */
class CellBounds {
  /**
   * By strategy, then by CPU amount, the amounts with it (few: read in turn; numbers, so that a
   * look-up builds no key); at most {@link AMOUNTS_KEPT} amounts a strategy, the oldest dropped first.
   */
  private readonly byStrategy = new Map<ScoringStrategy, Map<number, KnownCells[]>>();
  /** Per strategy, its amounts in the order first searched. */
  private readonly oldest = new Map<ScoringStrategy, KnownCells[]>();

  constructor(private readonly shapes: ShapeIndex) {}

  /** What is known of every cell for these amounts, with room for every cell there is. */
  of(strategy: ScoringStrategy, cpu: number, mem: number, gpu: number): KnownCells {
    let byCpu = this.byStrategy.get(strategy);
    if (!byCpu) this.byStrategy.set(strategy, (byCpu = new Map()));
    let withCpu = byCpu.get(cpu);
    if (!withCpu) byCpu.set(cpu, (withCpu = []));
    let known: KnownCells | undefined;
    for (const k of withCpu) if (k.mem === mem && k.gpu === gpu) known = k;
    if (known === undefined) {
      let oldest = this.oldest.get(strategy);
      if (!oldest) this.oldest.set(strategy, (oldest = []));
      if (oldest.length >= AMOUNTS_KEPT) {
        const dropped = oldest.shift() as KnownCells;
        const those = byCpu.get(dropped.cpu) as KnownCells[];
        those.splice(those.indexOf(dropped), 1);
        if (those.length === 0 && dropped.cpu !== cpu) byCpu.delete(dropped.cpu);
      }
      known = new KnownCells(cpu, mem, gpu);
      withCpu.push(known);
      oldest.push(known);
    }
    known.ensure(this.shapes.cellCount);
    return known;
  }
}

/**
 * Per cell, [version, bound] (version -1: never searched; bound +Infinity until then), and the
 * cells in descending order of bound, each with its place there. Every cell's version is current
 * as of `seen` (a count of {@link ShapeIndex.changes}; -Infinity: never searched).
 */
class KnownCells {
  constructor(
    readonly cpu: number,
    readonly mem: number,
    readonly gpu: number,
  ) {}

  cells = new Float64Array(0);
  order = new Int32Array(0);
  place = new Int32Array(0);
  count = 0;
  seen = Number.NEGATIVE_INFINITY;

  ensure(cells: number): void {
    if (this.count >= cells) return;
    if (this.order.length < cells) {
      const room = Math.max(cells, 2 * this.order.length, 8);
      this.cells = grown(this.cells, 2 * room);
      this.order = grown(this.order, room);
      this.place = grown(this.place, room);
    }
    // New cells, never searched, have the highest bound there is: they go first.
    const added = cells - this.count;
    this.order.copyWithin(added, 0, this.count);
    for (let cell = this.count; cell < cells; cell++) {
      this.cells[2 * cell] = -1;
      this.cells[2 * cell + 1] = Number.POSITIVE_INFINITY;
      this.order[cell - this.count] = cell;
    }
    for (let i = 0; i < cells; i++) this.place[this.order[i] as number] = i;
    this.count = cells;
  }

  /**
   * Records a cell's version and bound, and moves it to its place in the order: after every
   * cell of a higher bound, and of an equal one, after the larger (`size`: runners per cell; a
   * large cell more often holds the best runners and the lowest runnerIds, so that a search that
   * visits it first finds a strong k-th best early).
   */
  set(cell: number, version: number, bound: number, size: readonly number[]): void {
    const { cells, order, place } = this;
    cells[2 * cell] = version;
    cells[2 * cell + 1] = bound;
    let i = place[cell] as number;
    while (i > 0 && !goesBefore(cells, size, order[i - 1] as number, cell)) {
      const other = order[i - 1] as number;
      order[i] = other;
      place[other] = i;
      i--;
    }
    while (i < this.count - 1 && goesBefore(cells, size, order[i + 1] as number, cell)) {
      const other = order[i + 1] as number;
      order[i] = other;
      place[other] = i;
      i++;
    }
    order[i] = cell;
    place[cell] = i;
  }
}

/** Whether cell `a` goes before cell `b` in a {@link KnownCells} order: a higher bound, or an equal one and more runners. */
function goesBefore(cells: Float64Array, size: readonly number[], a: number, b: number): boolean {
  const ba = cells[2 * a + 1] as number;
  const bb = cells[2 * b + 1] as number;
  return ba > bb || (ba === bb && (size[a] as number) > (size[b] as number));
}

/** Sets of amounts remembered per strategy and shape index (24 bytes a cell each). */
const AMOUNTS_KEPT = 256;

/** Per shape index: a copy of the index (a fork) starts with none. */
const BOUNDS = new WeakMap<ShapeIndex, CellBounds>();

/** The cells one search visited (by stamp), and their new versions and bounds, recorded once it is done. */
let stamp = 0;
let visited = new Uint32Array(0);
const done: number[] = [];
/** How many items of `done` this search wrote (reset by count: setting an array's length is a runtime call, ~40 ns). */
let doneLength = 0;

function recordDone(cell: number, version: number, bound: number): void {
  done[doneLength++] = cell;
  done[doneLength++] = version;
  done[doneLength++] = bound;
}

/**
 * Hands `visit` every cell that can hold the request's amounts (not empty, no requested amount
 * above its largest maximum) and may beat the k-th best, with `s.cellBound` at -Infinity; the
 * bound `visit` leaves there is kept for later searches of these amounts by the same strategy.
 */
export function searchCells(s: Search, visit: (cell: number) => void): void {
  const { shapes, top } = s;
  let bounds = BOUNDS.get(shapes);
  if (!bounds) BOUNDS.set(shapes, (bounds = new CellBounds(shapes)));
  const known = bounds.of(s.strategy, s.cpu, s.mem, s.gpu);
  if (visited.length < known.count) visited = new Uint32Array(Math.max(known.count, 2 * visited.length));
  if (++stamp === 0xffffffff) {
    visited.fill(0);
    stamp = 1;
  }
  doneLength = 0;
  const changes = shapes.changes;
  if (changes.holdsSince(known.seen)) {
    for (let n = known.seen; n < changes.count; n++) foldChange(s, known, changes.at(n), shapes.changedSlots.at(n));
  } else {
    // Every changed cell searched: which of its runners changed is no longer known.
    const cells = shapes.cellsBySize();
    for (let c = 0; c < cells.length; c++) searchChanged(s, visit, known, cells[c] as number);
  }
  // Highest bound first (each holds now), until one cannot beat the k-th best.
  const { order, cells } = known;
  for (let i = 0; i < known.count; i++) {
    const cell = order[i] as number;
    if (visited[cell] === stamp) continue;
    if ((cells[2 * cell + 1] as number) + SLACK < top.threshold) break;
    searchCell(s, visit, cell);
  }
  known.seen = changes.count;
  for (let i = 0; i < doneLength; i += 3) known.set(done[i] as number, done[i + 1] as number, done[i + 2] as number, shapes.cellSize);
}

/**
 * One change since the last search of these amounts, of `slot` in `cell`: the cell's bound held
 * for every runner there before it, so it holds for every other runner still, and the changed one
 * (if still in the cell and with the amounts available) scores exactly what it scores now. A
 * cell never searched keeps its bound (+Infinity). A runner that moved to another cell is
 * that cell's change too; one taken out leaves a bound that still holds.
 */
function foldChange(s: Search, known: KnownCells, cell: number, slot: number): void {
  const { t, shapes, cpu, mem, gpu } = s;
  if (known.cells[2 * cell] === -1) return;
  const version = shapes.cellVersion[cell] as number;
  if (shapes.cellOfSlot(slot) === cell && fitsCapacity(t, slot, cpu, mem, gpu)) {
    const score = s.strategy.score(t, slot, cpu, mem, gpu);
    if (score > (known.cells[2 * cell + 1] as number)) {
      known.set(cell, version, score, shapes.cellSize);
      return;
    }
  }
  known.cells[2 * cell] = version;
}

/** A cell whose version may have changed since it was last searched: searched if it has (or recorded as holding no such runner). */
function searchChanged(s: Search, visit: (cell: number) => void, known: KnownCells, cell: number): void {
  const { shapes } = s;
  const version = shapes.cellVersion[cell] as number;
  if (visited[cell] === stamp || known.cells[2 * cell] === version) return;
  if (shapes.cellSize[cell] === 0 || !cellCanFit(shapes, cell, s.cpu, s.mem, s.gpu)) {
    visited[cell] = stamp;
    recordDone(cell, version, Number.NEGATIVE_INFINITY);
  } else searchCell(s, visit, cell);
}

/** A cell as spread and binpack see it: its key over S, and the dimensions the bound counts. */
export interface KeyedCell {
  readonly cell: number;
  readonly key: ShapeKey;
  /** The disclosed dimensions of S (the key averages over these). */
  readonly disclosed: number;
  /** |S|, the dimensions the score averages over, and |disclosed|. */
  readonly n: number;
  readonly keyed: number;
}

/**
 * The cells spread and binpack search ({@link searchCells}), with S the
 * requested dimensions (every dimension of the cell when nothing is requested): cells lacking a
 * requested dimension are skipped; cells whose scores have no bound (nothing requested and an
 * undisclosed maximum) are offered whole; the others are handed to `visit` (one object, reused).
 */
export function forEachKeyedCell(s: Search, visit: (c: KeyedCell) => void): void {
  const { shapes } = s;
  const requested = requestedDimensions(s.cpu, s.mem, s.gpu);
  const c = { cell: 0, key: undefined as unknown as ShapeKey, disclosed: 0, n: 0, keyed: 0 };
  searchCells(s, (cell) => {
    const dims = shapes.cellDims[cell] as number;
    if ((requested & ~dims) !== 0) return;
    const undisclosed = shapes.cellUndisclosed[cell] as number;
    // Nothing requested averages over the dimensions with a capacity, which for an
    // undisclosed maximum depends on the amount available: no bound.
    if (requested === 0 && undisclosed !== 0) {
      offerCell(s, shapes.key(dims), cell);
      return;
    }
    const S = requested === 0 ? dims : requested;
    c.cell = cell;
    c.key = shapes.key(S);
    c.disclosed = S & ~undisclosed;
    c.n = DIMENSIONS[S] as number;
    c.keyed = DIMENSIONS[c.disclosed] as number;
    visit(c);
  });
}

function searchCell(s: Search, visit: (cell: number) => void, cell: number): void {
  visited[cell] = stamp;
  s.cellBound = Number.NEGATIVE_INFINITY;
  visit(cell);
  recordDone(cell, s.shapes.cellVersion[cell] as number, s.cellBound);
}
