import { grown } from '../grown.js';

/**
 * The trace's sandboxes by number: each arrival takes the next number, each departure the
 * number of the arrival it ends (-1 when none came before it). Worked out as the trace is built
 * or checked (see {@link SandboxNumbering}), once per trace, so that a replay keeps its running
 * sandboxes in typed arrays rather than maps keyed by id.
 */
export interface SandboxNumbers {
  /** For each event, its sandbox's number (-1: not an arrival or a departure of one). */
  readonly ofEvent: Int32Array;
  /** For each sandbox number, the index of its arrival event. */
  readonly arrival: Int32Array;
}

/**
 * Numbers a trace's sandboxes event by event, as the trace is built or checked in time order:
 * one call per event, so that no pass over the finished trace (and no lookup of every arrival
 * by id) is needed to number it.
 */
export class SandboxNumbering {
  /** For each event so far, its sandbox's number (typed arrays that double as they fill). */
  private ofEvent = new Int32Array(1024);
  private events = 0;
  /** For each sandbox so far, the index of its arrival event. */
  private arrival = new Int32Array(1024);
  private arrivals = 0;

  /** The next event is an arrival: its sandbox's number. */
  arrive(): number {
    const k = this.arrivals++;
    if (k === this.arrival.length) this.arrival = grown(this.arrival, 2 * k);
    this.arrival[k] = this.events;
    this.next(k);
    return k;
  }

  /** The next event is the departure of sandbox `k` (-1: of none). */
  depart(k: number): void {
    this.next(k);
  }

  /** The next event is neither. */
  skip(): void {
    this.next(-1);
  }

  finish(): SandboxNumbers {
    return { ofEvent: this.ofEvent.slice(0, this.events), arrival: this.arrival.slice(0, this.arrivals) };
  }

  private next(k: number): void {
    const i = this.events++;
    if (i === this.ofEvent.length) this.ofEvent = grown(this.ofEvent, 2 * i);
    this.ofEvent[i] = k;
  }
}

/**
 * The running sandboxes of one replay, by number: the runner slot each is held on, and for each
 * slot the sandboxes on it (a doubly linked list, for evictions when a runner leaves).
 */
export class RunningSandboxes {
  size = 0;
  /** Sandbox → its slot (-1: not running). */
  private readonly slotOf: Int32Array;
  private readonly next: Int32Array;
  private readonly previous: Int32Array;
  /** Slot → its first sandbox (-1 or absent: none). */
  private readonly first: number[] = [];

  constructor(sandboxes: number) {
    this.slotOf = new Int32Array(sandboxes).fill(-1);
    this.next = new Int32Array(sandboxes);
    this.previous = new Int32Array(sandboxes);
  }

  /** The slot sandbox `k` is held on, or -1. */
  slot(k: number): number {
    return this.slotOf[k] as number;
  }

  add(k: number, slot: number): void {
    const head = this.first[slot] ?? -1;
    this.slotOf[k] = slot;
    this.previous[k] = -1;
    this.next[k] = head;
    if (head >= 0) this.previous[head] = k;
    this.first[slot] = k;
    this.size++;
  }

  remove(k: number): void {
    const slot = this.slotOf[k] as number;
    const before = this.previous[k] as number;
    const after = this.next[k] as number;
    if (before >= 0) this.next[before] = after;
    else this.first[slot] = after;
    if (after >= 0) this.previous[after] = before;
    this.slotOf[k] = -1;
    this.size--;
  }

  /** Takes every sandbox off `slot` (its runner left); returns how many there were. */
  evict(slot: number): number {
    let n = 0;
    for (let k = this.first[slot] ?? -1; k >= 0; ) {
      const after = this.next[k] as number;
      this.slotOf[k] = -1;
      k = after;
      n++;
    }
    this.first[slot] = -1;
    this.size -= n;
    return n;
  }
}
