import { sortIds } from '../order.js';
import type { Runner } from '../types.js';

/** Where a snapshot's runners go: slot `s` holds `bySlot[s]`, in runnerId order. */
export interface RunnerSlots {
  readonly bySlot: readonly Runner[];
  /** runnerId → slot. */
  readonly slotOf: Map<string, number>;
  /** Input index → slot; absent when every runner keeps its index. */
  readonly slotOfInput: Int32Array | undefined;
}

/**
 * Slots for runners in runnerId order: first-fit searches and id-ordered listings then run over
 * the leading words of the bitsets. Runners that come in that order keep their index as their
 * slot; others are sorted by id (natively, see `sortIds`) and found back through `indexOf`, the
 * id → input index map, which then maps id → slot (no second map built).
 */
export function runnerSlots(runners: readonly Runner[], ordered: boolean, indexOf: Map<string, number> | undefined): RunnerSlots | undefined {
  if (ordered) return undefined;
  const ids = new Array<string>(runners.length);
  const map = indexOf ?? new Map<string, number>();
  for (let i = 0; i < runners.length; i++) {
    ids[i] = (runners[i] as Runner).runnerId;
    if (!indexOf) map.set(ids[i] as string, i);
  }
  const sorted = sortIds(ids);
  const bySlot = new Array<Runner>(runners.length);
  const slotOfInput = new Int32Array(runners.length);
  for (let slot = 0; slot < sorted.length; slot++) {
    const id = sorted[slot] as string;
    const input = map.get(id) as number;
    bySlot[slot] = runners[input] as Runner;
    slotOfInput[input] = slot;
    map.set(id, slot);
  }
  return { bySlot, slotOf: map, slotOfInput };
}

/** Each profile's runner slot, and the order to add the profiles in. */
export interface ProfileOrder {
  readonly slotOf: Int32Array;
  /** Profile indices by runner slot (stable); absent when the profiles come so. */
  readonly order: Int32Array | undefined;
}

/**
 * The profiles' runner slots (from their runners' input indices), and, when they do not come
 * grouped in slot order, the order that groups them: a counting sort, so that each runner's
 * profiles are added together (its entries written once, in memory read in order) rather
 * than all over the table for profiles listed in random order.
 */
export function profileOrder(runnerOf: Int32Array, slotOfInput: Int32Array | undefined, profiles: number, runners: number): ProfileOrder {
  let slotOf = runnerOf;
  if (slotOfInput) {
    slotOf = new Int32Array(profiles);
    for (let i = 0; i < profiles; i++) slotOf[i] = slotOfInput[runnerOf[i] as number] as number;
  }
  let grouped = true;
  for (let i = 1; i < profiles && grouped; i++) grouped = (slotOf[i] as number) >= (slotOf[i - 1] as number);
  if (grouped) return { slotOf, order: undefined };
  const start = new Int32Array(runners + 1);
  for (let i = 0; i < profiles; i++) {
    const next = (slotOf[i] as number) + 1;
    start[next] = (start[next] as number) + 1;
  }
  for (let s = 0; s < runners; s++) start[s + 1] = (start[s + 1] as number) + (start[s] as number);
  const order = new Int32Array(profiles);
  for (let i = 0; i < profiles; i++) {
    const slot = slotOf[i] as number;
    const at = start[slot] as number;
    order[at] = i;
    start[slot] = at + 1;
  }
  return { slotOf, order };
}
