/**
 * Scheduled departures: a binary min-heap on (time, order of scheduling), so that equal
 * times leave in the order they were scheduled — the simulation stays deterministic. Sandboxes
 * are known by number (see `SandboxNumbers`).
 */
export class DepartureQueue {
  private times: number[] = [];
  private orders: number[] = [];
  private ids: number[] = [];
  private scheduled = 0;

  get size(): number {
    return this.ids.length;
  }

  push(time: number, sandboxId: number): void {
    this.times.push(time);
    this.orders.push(this.scheduled++);
    this.ids.push(sandboxId);
    this.up(this.ids.length - 1);
  }

  /** When the next departure is due (Infinity when none is scheduled). */
  nextTime(): number {
    return this.ids.length === 0 ? Infinity : (this.times[0] as number);
  }

  /** The next sandbox due at or before `time`, removed from the queue; undefined when none is due. */
  popDue(time: number): number | undefined {
    if (this.ids.length === 0 || (this.times[0] as number) > time) return undefined;
    const top = this.ids[0] as number;
    const last = this.ids.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.orders.pop();
    this.ids.pop();
    this.down(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.orders[a] as number) < (this.orders[b] as number));
  }

  private swap(a: number, b: number): void {
    swapIn(this.times, a, b);
    swapIn(this.orders, a, b);
    swapIn(this.ids, a, b);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.ids.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/** Swaps two items in place (no destructuring: that allocates where V8 does not optimise it). */
function swapIn(a: number[], i: number, j: number): void {
  const x = a[i] as number;
  a[i] = a[j] as number;
  a[j] = x;
}
